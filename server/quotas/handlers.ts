import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import type { CampaignRecord } from '../../models/campaign.model.js';
import { PROVINCE_WIDE_ROLES } from '../auth/roles.js';
import type { AuthUser } from '../auth/scope.js';
import { getCampaign, mayManageCampaigns } from '../campaigns/campaigns.service.js';
import { AppError } from '../errors/app-error.js';
import { setFlash } from '../http/flash.js';
import { validated } from '../http/validate.js';
import { t } from '../i18n/index.js';
import { ANY_LEVEL, placeFilter, placePicker } from '../places/place-picker.js';
import { breadcrumb, getPlace } from '../places/places.service.js';
import { behindPace, countyMap, progressOf, smallTownsOf, trendSvg, type ProgressRow } from './dashboard.service.js';
import { exportProgress } from './export.js';
import { ALLOCATION_BASES, ALLOCATION_LEVELS, findHolders, proposeAllocationFor, quotaExcesses, quotaOf, saveQuotas, setQuota, type Holder, type QuotaEntry } from './quotas.service.js';
import { QUOTA_COLUMNS, uploadQuotas } from './upload.service.js';
import { allocationQuery, allocationRequest, allocationSave, campaignParams, dashboardQuery, exportParams, progressQuery, quotaFinder, quotaForm, quotaParams, quotaRequest } from './validation.js';

/** Where a user's dashboard opens: the province for province-wide roles, otherwise their own place. */
function homePlace(user: AuthUser, campaign: CampaignRecord): string {
  return PROVINCE_WIDE_ROLES.includes(user.role) ? campaign.province : user.placeCode;
}

const withTrend = (lang: Request['lang']) => (row: ProgressRow) => ({ ...row, trendSvg: trendSvg(row.trend, t(lang, 'quotas.column.trend'), lang) });

export async function dashboard(req: Request, res: Response): Promise<void> {
  const { params, query } = validated(req, dashboardQuery);
  const campaign = await getCampaign(req.user!, params.id);
  // a name that fits several places (or none) leaves the dashboard where it opens, the picker listing them
  const chosen = await placeFilter(req.user!, ANY_LEVEL, query.place, query.placePick);
  const placeCode = chosen.code ?? homePlace(req.user!, campaign);
  const [progress, towns, place] = await Promise.all([progressOf(req.user!, campaign, placeCode), smallTownsOf(req.user!, campaign, placeCode), getPlace(req.user!, placeCode)]);
  const children = query.behind ? behindPace(progress.children) : progress.children;
  const map = progress.level === 'province' ? countyMap(campaign.province, progress.children, req.lang, { title: t(req.lang, 'quotas.mapTitle'), noData: t(req.lang, 'quotas.noQuota') }) : null;
  res.render('quotas/dashboard', {
    title: campaign.name,
    campaign,
    campaignLastDay: new Date(campaign.endsAt.getTime() - 1),
    progress: withTrend(req.lang)(progress),
    children: children.map(withTrend(req.lang)),
    towns: towns.map(withTrend(req.lang)),
    crumbs: await breadcrumb(req.user!, place),
    behind: Boolean(query.behind),
    map,
    mayManage: mayManageCampaigns(req.user),
    placePicker: chosen.picker,
    exportQuery: `place=${encodeURIComponent(placeCode)}${query.behind ? '&behind=1' : ''}`,
  });
}

export async function exportTable(req: Request, res: Response): Promise<void> {
  const { params, query } = validated(req, exportParams);
  const campaign = await getCampaign(req.user!, params.id);
  const placeCode = query.place ?? homePlace(req.user!, campaign);
  let rows = params.table === 'towns' ? await smallTownsOf(req.user!, campaign, placeCode) : (await progressOf(req.user!, campaign, placeCode)).children;
  if (query.behind) rows = behindPace(rows);
  const title = t(req.lang, params.table === 'towns' ? 'quotas.townsTitle' : 'quotas.placesTitle');
  const file = await exportProgress(rows, params.format, req.lang, title);
  res.type(params.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  res.attachment(`${params.table}-${placeCode}.${params.format}`);
  res.send(file);
}

export async function showQuota(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, quotaParams);
  const campaign = await getCampaign(req.user!, params.id);
  const [quota, excesses] = await Promise.all([quotaOf(req.user!, campaign, params.code), quotaExcesses(req.user!, campaign, params.code)]);
  const milestones = quota.milestones.map((m) => `${m.month} ${m.cumulativeTarget}`).join('\n');
  res.render('quotas/quota', { title: quota.name, campaign, quota, milestones, excesses, mayManage: mayManageCampaigns(req.user) && quota.holderLevel !== null, placePicker: await placePicker(req.user!, ANY_LEVEL) });
}

/** The quota of a place chosen by name: one place goes straight to its quota, else the places that fit to pick from. */
export async function findQuota(req: Request, res: Response): Promise<void> {
  const { params, query } = validated(req, quotaFinder);
  const campaign = await getCampaign(req.user!, params.id);
  const chosen = await placeFilter(req.user!, ANY_LEVEL, query.place, query.placePick);
  if (chosen.code) return res.redirect(303, `/campaigns/${campaign._id}/quotas/${encodeURIComponent(chosen.code)}`);
  res.render('quotas/find', { title: t(req.lang, 'quotas.findTitle'), campaign, placePicker: chosen.picker });
}

export async function updateQuota(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, quotaForm);
  const campaign = await getCampaign(req.user!, params.id);
  const saved = await setQuota(req.user!, campaign, { placeCode: params.code, target: body.target, milestones: body.milestones ?? [] }, { source: 'typed', reason: body.reason });
  setFlash(req, saved.alreadyAchieved === null ? { type: 'success', key: 'quotas.saved' } : { type: 'success', key: 'quotas.savedBelowAchieved', params: { achieved: saved.alreadyAchieved } });
  res.redirect(303, `/campaigns/${campaign._id}/quotas/${params.code}`);
}

export async function allocationPage(req: Request, res: Response): Promise<void> {
  const { params, query } = validated(req, allocationQuery);
  const campaign = await getCampaign(req.user!, params.id);
  const parent = await placeFilter(req.user!, ANY_LEVEL, query.parent, query.parentPick);
  const asked = query.level !== undefined && query.total !== undefined && query.basis !== undefined && (parent.code !== undefined || query.parent === undefined);
  const proposal = asked ? await proposeAllocationFor(req.user!, campaign, { level: query.level!, total: query.total!, basis: query.basis!, parent: parent.code }) : null;
  res.render('quotas/allocation', { title: t(req.lang, 'quotas.allocationTitle'), campaign, query, proposal, levels: ALLOCATION_LEVELS, bases: ALLOCATION_BASES, parentPicker: parent.picker });
}

export async function saveAllocation(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, allocationSave);
  const campaign = await getCampaign(req.user!, params.id);
  const holders = await findHolders(req.user!, campaign, body.entries.map((e) => e.placeCode));
  const rows: { entry: QuotaEntry; holder: Holder }[] = [];
  const problems: Record<string, string> = {};
  for (const entry of body.entries) {
    const holder = holders.get(entry.placeCode)!;
    if (typeof holder === 'string') problems[`t.${entry.placeCode}`] = holder;
    else rows.push({ entry, holder });
  }
  if (Object.keys(problems).length > 0) throw new AppError('validation', 'errors.validation', 422, {}, problems);
  await saveQuotas(req.user!, campaign, rows, { source: 'allocation', reason: body.reason });
  setFlash(req, { type: 'success', key: 'quotas.allocationSaved', params: { count: rows.length, total: rows.reduce((sum, r) => sum + r.entry.target, 0) } });
  res.redirect(303, `/campaigns/${campaign._id}`);
}

const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
const quotaFile = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } }).single('file');

/** Reads the multipart upload; a file over the limit is a form error, not a server error. */
export function readQuotaFile(req: Request, res: Response, next: NextFunction): void {
  quotaFile(req, res, (err: unknown) => {
    if (err instanceof multer.MulterError) return next(new AppError('badFile', 'quotas.fileTooLarge', 422, { megabytes: MAX_UPLOAD_BYTES / 1024 / 1024 }));
    next(err);
  });
}

export async function uploadPage(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, campaignParams);
  const campaign = await getCampaign(req.user!, params.id);
  res.render('quotas/upload', { title: t(req.lang, 'quotas.uploadTitle'), campaign, columns: QUOTA_COLUMNS.join(', ') });
}

export async function upload(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, campaignParams);
  const campaign = await getCampaign(req.user!, params.id);
  if (!req.file) throw new AppError('validation', 'errors.validation', 422, {}, { file: 'validation.required' });
  const result = await uploadQuotas(req.user!, campaign, { buffer: req.file.buffer, filename: req.file.originalname });
  if ('problems' in result) {
    const problems = result.problems.map((p) => t(req.lang, 'quotas.rowProblem', { line: p.line, column: p.column, reason: t(req.lang, p.reason, { threshold: campaign.townThreshold }) }));
    setFlash(req, { type: 'error', key: 'quotas.uploadRejected', params: { count: result.problems.length, problems: problems.join(' · ') } });
    res.redirect(303, `/campaigns/${campaign._id}/quotas/upload`);
    return;
  }
  setFlash(req, { type: 'success', key: 'quotas.uploaded', params: { saved: result.saved, changed: result.changed } });
  res.redirect(303, `/campaigns/${campaign._id}`);
}

export async function proposeJson(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, allocationRequest);
  const campaign = await getCampaign(req.user!, params.id);
  res.json({ quotas: await proposeAllocationFor(req.user!, campaign, body) });
}

export async function putQuotaJson(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, quotaRequest);
  const campaign = await getCampaign(req.user!, params.id);
  const saved = await setQuota(req.user!, campaign, { placeCode: params.code, target: body.target, milestones: body.milestones }, { source: 'typed', reason: body.reason });
  const warnings = [
    ...(saved.alreadyAchieved === null ? [] : [t(req.lang, 'quotas.savedBelowAchieved', { achieved: saved.alreadyAchieved })]),
    ...(await quotaExcesses(req.user!, campaign, params.code)).map((e) => t(req.lang, 'quotas.doesNotAddUp', { place: e.placeCode, target: e.target, below: e.below })),
  ];
  res.json({ place: saved.placeCode, target: saved.target, previous: saved.from, ...(warnings.length ? { warning: warnings.join(' ') } : {}) });
}

export async function progressJson(req: Request, res: Response): Promise<void> {
  const { params, query } = validated(req, progressQuery);
  const campaign = await getCampaign(req.user!, params.id);
  const progress = await progressOf(req.user!, campaign, query.place ?? homePlace(req.user!, campaign));
  // a place whose own quota is below the quotas set under it carries the quota API's `warning`, in the reader's language
  const withWarning = (row: ProgressRow) => (row.excess ? { ...row, warning: t(req.lang, 'quotas.doesNotAddUp', { place: row.name, target: row.excess.target, below: row.excess.below }) } : row);
  res.json({ ...withWarning(progress), children: (query.behind ? behindPace(progress.children) : progress.children).map(withWarning) });
}
