import type { Request, Response } from 'express';
import type { Config } from '../config.js';
import { Place, type PlaceRecord } from '../../models/place.model.js';
import { signOffOf } from '../approvals/approvals.service.js';
import { assertInScope } from '../auth/scope.js';
import { setFlash } from '../http/flash.js';
import { validated } from '../http/validate.js';
import { t, type Lang } from '../i18n/index.js';
import { monthTitle } from '../reports/provincial-report.documents.js';
import { previousMonth } from '../reports/provincial-report.service.js';
import { addJalaliMonths, jalaliMonthKey, parseJalaliMonthKey } from '../shared/jalali.js';
import { approvalsByMonth, approvedCounties, countryView, withdrawProvinceApproval } from './national.service.js';
import { provinceMap } from './province-map.js';
import { rollupPdf, rollupTitle, rollupXlsx } from './rollup.documents.js';
import { countryQuery, provinceQuery, rollupParams, withdrawalForm, withdrawalRequest } from './validation.js';

/** How many closed months the month picker and the month list offer. */
const MONTHS_OFFERED = 12;

/** The last closed months, latest first. */
function closedMonths(now = new Date()): string[] {
  const last = parseJalaliMonthKey(previousMonth(now))!;
  return Array.from({ length: MONTHS_OFFERED }, (_, i) => {
    const m = addJalaliMonths({ year: last.year, month: last.month, day: 1 }, -i);
    return jalaliMonthKey(m.year, m.month);
  });
}

const monthChoices = (selected: string, lang: Lang) => closedMonths().map((month) => ({ month, title: monthTitle(month, lang), selected: month === selected }));

/** The central office's home: the country for a month (last month unless `?month=`). */
export async function home(req: Request, res: Response): Promise<void> {
  const { query } = validated(req, countryQuery);
  const month = query.month ?? previousMonth(new Date());
  const view = await countryView(month);
  const title = monthTitle(month, req.lang);
  res.render('national/home', {
    title: t(req.lang, 'home.title'),
    monthName: title,
    view,
    withCampaign: view.provinces.filter((r) => r.state !== 'noCampaign').length,
    illustrative: view.provinces.some((r) => r.illustrative),
    months: monthChoices(month, req.lang),
    map: provinceMap(new Map(view.provinces.map((r) => [r.code, r.percent])), req.lang, { title: t(req.lang, 'national.mapTitle', { month: title }), noData: t(req.lang, 'national.mapNoData') }),
  });
}

/** One province's month as the central office reads it: its counties' sign-off, its report, the withdrawal form. */
export async function provincePage(req: Request, res: Response): Promise<void> {
  const { params, query } = validated(req, provinceQuery);
  const month = query.month ?? previousMonth(new Date());
  const province = await assertInScope(req.user!, params.province);
  const [signOff, counties] = await Promise.all([
    signOffOf(province.code, month),
    Place.find({ province: province.code, level: 'county' }, { code: 1, name: 1 }).setOptions({ scope: req.user! }).lean<Pick<PlaceRecord, 'code' | 'name'>[]>(),
  ]);
  const nameOf = new Map(counties.map((c) => [c.code, c.name]));
  res.render('national/province', {
    title: t(req.lang, 'national.province.title', { province: province.name, month: monthTitle(month, req.lang) }),
    province,
    month,
    signOff,
    counties: signOff.counties.map((c) => ({ ...c, name: nameOf.get(c.place) ?? c.place })),
  });
}

export async function months(req: Request, res: Response): Promise<void> {
  const list = closedMonths();
  const total = await Place.countDocuments({ level: 'province' }).setOptions({ scope: req.user! });
  res.render('national/months', {
    title: t(req.lang, 'national.months.title'),
    months: (await approvalsByMonth(list)).map((m) => ({ ...m, total, title: monthTitle(m.month, req.lang) })),
  });
}

export async function rollup(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, rollupParams);
  const view = await countryView(params.month);
  const counties = await approvedCounties(view);
  const body = params.format === 'pdf' ? await rollupPdf(view, counties, req.lang) : await rollupXlsx(view, counties, req.lang);
  res.type(params.format === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  res.attachment(`rollup-${params.month}.${params.format}`).send(body);
}

export function withdraw(config: Config) {
  return async (req: Request, res: Response): Promise<void> => {
    const { params, body } = validated(req, withdrawalForm);
    const province = await assertInScope(req.user!, params.province);
    await withdrawProvinceApproval(req.user!, params.province, body.month, body.reason, config);
    setFlash(req, { type: 'success', key: 'national.province.reopened', params: { province: province.name } });
    res.redirect(303, `/national/provinces/${params.province}?month=${body.month}`);
  };
}

export async function countryJson(req: Request, res: Response): Promise<void> {
  const { query } = validated(req, countryQuery);
  const view = await countryView(query.month ?? previousMonth(new Date()));
  res.json({ ...view, title: rollupTitle(view, req.lang) });
}

export function withdrawJson(config: Config) {
  return async (req: Request, res: Response): Promise<void> => {
    const { body } = validated(req, withdrawalRequest);
    const approval = await withdrawProvinceApproval(req.user!, body.province, body.month, body.reason, config);
    res.json({ place: approval.place, month: approval.month, status: approval.status, withdrawnReason: approval.withdrawnReason });
  };
}
