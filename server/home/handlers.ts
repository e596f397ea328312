import type { NextFunction, Request, Response } from 'express';
import { Place, type PlaceRecord } from '../../models/place.model.js';
import { agencyNames } from '../committees/agencies.service.js';
import { resolutionRows } from '../committees/page-handlers.js';
import { t } from '../i18n/index.js';
import { homeCards, openCommitments } from './home.service.js';
import { NATIONAL_ROLES } from '../auth/roles.js';

export async function today(req: Request, res: Response, next: NextFunction): Promise<void> {
  if (!req.user) return res.redirect(303, '/login');
  // the installation administrator has no province's work: their home points to the installation's jobs
  const user = req.user;
  if (user.role === 'installation-admin') return res.render('home/index', { title: t(req.lang, 'home.title'), placeName: '', role: user.role, cards: {} });
  // the fund's central office: its home is the country (server/national/routes.ts)
  if (NATIONAL_ROLES.includes(user.role)) return next('route');
  const [cards, place] = await Promise.all([homeCards(user), Place.findOne({ code: user.placeCode }).setOptions({ scope: user }).lean<PlaceRecord>()]);
  const names = cards.overview || cards.commitments ? await agencyNames(user.province, req.lang) : new Map<string, string>();
  res.render('home/index', {
    title: t(req.lang, 'home.title'),
    placeName: place?.name ?? '',
    role: user.role,
    cards: {
      ...cards,
      holder: cards.holder && { ...cards.holder, recent: cards.holder.recent.slice(0, 5) },
      resolutionsDue: cards.resolutionsDue && (await resolutionRows(cards.resolutionsDue, req.user!.province, req.lang)),
      commitments: cards.commitments && (await resolutionRows(cards.commitments.slice(0, 5), req.user!.province, req.lang)),
      commitmentCount: cards.commitments?.length ?? 0,
      overdueCount: cards.commitments?.filter((c) => c.state === 'overdue').length ?? 0,
      agencyName: user.agency ? names.get(user.agency) ?? '' : '',
      overview: cards.overview && {
        ...cards.overview,
        overdueCount: cards.overview.overdue.reduce((sum, g) => sum + g.resolutions.length, 0),
        topAgencies: cards.overview.overdue.slice(0, 3).map((g) => ({ agency: g.agency, name: names.get(g.agency) ?? '', count: g.resolutions.length })),
      },
    },
  });
}

export async function myCommitments(req: Request, res: Response): Promise<void> {
  const user = req.user!;
  const commitments = await openCommitments(user);
  const names = await agencyNames(user.province, req.lang);
  res.render('home/commitments', {
    title: t(req.lang, 'home.myCommitments'),
    agency: user.agency,
    agencyName: names.get(user.agency ?? '') ?? '',
    overdue: commitments.filter((c) => c.state === 'overdue').length,
    commitments: await resolutionRows(commitments, req.user!.province, req.lang),
  });
}
