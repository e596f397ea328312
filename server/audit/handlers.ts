import type { Request, Response } from 'express';
import { validated } from '../http/validate.js';
import { t } from '../i18n/index.js';
import { ANY_LEVEL, placeFilter } from '../places/place-picker.js';
import { formatJalaliDate } from '../shared/jalali.js';
import { exportEvents, historyOf, searchEvents, type AuditFilter } from './audit.service.js';
import { recordExport } from './record.js';
import { auditPageQuery, auditQuery, historyParams } from './validation.js';

const SEARCHABLE = ['enrolments', 'quotas', 'campaigns', 'committees', 'meetings', 'resolutions', 'resolution_updates', 'users', 'agencies', 'notification_preferences', 'notification_policies', 'api_tokens', 'sessions', 'enrolment_imports', 'audit_events', 'month_approvals'];

function filterOf(query: ReturnType<typeof validated<typeof auditQuery>>['query']): AuditFilter {
  return {
    ...(query.place ? { place: query.place } : {}),
    ...(query.user ? { username: query.user } : {}),
    ...(query.subject ? { subject: query.subject } : {}),
    ...(query.from ? { from: query.from } : {}),
    ...(query.to ? { to: query.to } : {}),
  };
}

/** The search page: filters, one page of events in sentences, links to the next pages and to the CSV. */
export async function searchPage(req: Request, res: Response): Promise<void> {
  const { query: typed } = validated(req, auditPageQuery);
  const chosen = await placeFilter(req.user!, ANY_LEVEL, typed.place, typed.placePick);
  const query = { ...typed, place: chosen.code };
  // a place name that fits several places (or none) searches nothing until one is picked
  const result = chosen.picker.error ? { events: [], total: 0, page: 1, pages: 1 } : await searchEvents(req.user!, filterOf(query), query.page, req.lang);
  const values = { place: query.place ?? '', user: query.user ?? '', subject: query.subject ?? '', from: query.from ? formatJalaliDate(query.from) : '', to: query.to ? formatJalaliDate(query.to) : '' };
  const link = (page: number) => `/audit?${new URLSearchParams({ ...values, page: String(page) })}`;
  res.render('audit/search', {
    title: t(req.lang, 'audit.search.title'),
    ...result,
    values,
    placePicker: chosen.picker,
    subjects: SEARCHABLE.map((code) => ({ code, label: t(req.lang, `audit.subject.${code}`), selected: code === values.subject })),
    exportUrl: `/audit/export.csv?${new URLSearchParams(values)}`,
    ...(result.page > 1 ? { previousUrl: link(result.page - 1) } : {}),
    ...(result.page < result.pages ? { nextUrl: link(result.page + 1) } : {}),
  });
}

export async function exportCsv(req: Request, res: Response): Promise<void> {
  const { query } = validated(req, auditQuery);
  const filter = filterOf(query);
  const file = await exportEvents(req.user!, filter, req.lang);
  const fileName = t(req.lang, 'audit.csv');
  await recordExport('export', 'audit_events', undefined, { province: req.user!.province, placePath: [req.user!.province] }, { file: fileName, ...query, from: query.from ? formatJalaliDate(query.from) : '', to: query.to ? formatJalaliDate(query.to) : '' });
  res.attachment(fileName).type('text/csv; charset=utf-8').send(file);
}

/** One object's history: every change, oldest first. */
export async function historyPage(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, historyParams);
  const events = await historyOf(req.user!, params.subject, params.id, req.lang);
  const object = t(req.lang, `audit.subject.${params.subject}`);
  res.render('audit/history', { title: t(req.lang, 'audit.history.title', { object }), object, events });
}

export async function searchJson(req: Request, res: Response): Promise<void> {
  const { query } = validated(req, auditQuery);
  const result = await searchEvents(req.user!, filterOf(query), query.page, req.lang);
  res.json({ ...result, events: result.events.map(({ when: _when, historyUrl: _url, ...event }) => event) });
}
