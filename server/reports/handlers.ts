import type { Request, Response } from 'express';
import { assertInScope } from '../auth/scope.js';
import { notFound } from '../errors/app-error.js';
import { validated } from '../http/validate.js';
import { t } from '../i18n/index.js';
import { monthTitle, reportPdf, reportTitle, reportXlsx } from './provincial-report.documents.js';
import { currentMonth, listSnapshots, quarterComparison, reportFor } from './provincial-report.service.js';
import { toPersianDigits } from '../shared/persian-text.js';
import { downloadParams, reportParams, reportQuery } from './validation.js';

const yearText = (year: number, lang: 'fa' | 'en') => (lang === 'fa' ? toPersianDigits(String(year)) : String(year));

async function viewOr404(req: Request, province: string, month: string) {
  await assertInScope(req.user!, province);
  const view = await reportFor(req.user!, province, month);
  if (!view) throw notFound();
  return view;
}

export async function listPage(req: Request, res: Response): Promise<void> {
  const province = req.user!.province;
  const snapshots = await listSnapshots(req.user!, province);
  res.render('reports/index', {
    title: t(req.lang, 'reports.list.title'),
    province,
    current: currentMonth(new Date()),
    snapshots: snapshots.map((s) => ({ ...s, title: monthTitle(s.month, req.lang) })),
  });
}

export async function reportPage(req: Request, res: Response): Promise<void> {
  const { params, query } = validated(req, reportParams);
  const view = await viewOr404(req, params.province, params.month);
  const compared = query.compare ? await reportFor(req.user!, params.province, query.compare) : null;
  const other = new Map((compared?.report.counties ?? []).map((c) => [c.code, c]));
  const quarter = await quarterComparison(req.user!, params.province, params.month);
  const months = (await listSnapshots(req.user!, params.province)).map((s) => ({ month: s.month, title: monthTitle(s.month, req.lang), selected: s.month === query.compare }));
  res.render('reports/provincial', {
    title: reportTitle(view.report, req.lang),
    ...view,
    lang: req.lang,
    months,
    compared: compared
      ? {
          title: monthTitle(compared.report.month, req.lang),
          thisTitle: monthTitle(view.report.month, req.lang),
          rows: [...view.report.counties.map((c) => ({ name: c.name, now: c, then: other.get(c.code) ?? null })), { name: t(req.lang, 'reports.totals'), now: view.report.totals, then: compared.report.totals }],
        }
      : null,
    quarter,
    // years are not grouped like quantities (۱۴۰۴, not ۱٬۴۰۴)
    quarterYears: { now: yearText(quarter.year, req.lang), then: yearText(quarter.lastYear, req.lang), quarter: yearText(quarter.quarter, req.lang) },
    missingMonths: quarter.missing.map((month) => monthTitle(month, req.lang)).join(req.lang === 'fa' ? '، ' : ', '),
  });
}

export async function download(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, downloadParams);
  const view = await viewOr404(req, params.province, params.month);
  const name = `report-${params.province}-${params.month}.${params.format}`;
  const body = params.format === 'pdf' ? await reportPdf(view.report, req.lang) : await reportXlsx(view.report, req.lang);
  res.type(params.format === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  res.attachment(name).send(body);
}

export async function reportJson(req: Request, res: Response): Promise<void> {
  const { query } = validated(req, reportQuery);
  const view = await viewOr404(req, query.province, query.month);
  res.json({ snapshot: view.generatedAt !== null, generatedAt: view.generatedAt, ...view.report });
}
