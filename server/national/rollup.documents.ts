import { t, type Lang } from '../i18n/index.js';
import { renderPdf } from '../reports/pdf.js';
import { monthTitle } from '../reports/provincial-report.documents.js';
import { writeXlsx } from '../reports/xlsx.js';
import { formatNumber } from '../shared/persian-text.js';
import type { CountryView, CountyRow, ProvinceRow } from './national.service.js';

const num = (value: number | null, lang: Lang) => (value === null ? '—' : formatNumber(value, lang));
const pct = (value: number | null, lang: Lang) => (value === null ? '—' : `${formatNumber(value, lang)}${lang === 'fa' ? '٪' : '%'}`);
const state = (row: ProvinceRow, lang: Lang) => t(lang, `national.state.${row.state}`) + (row.illustrative ? ` (${t(lang, 'national.illustrative')})` : '');

export function rollupTitle(view: CountryView, lang: Lang): string {
  return t(lang, 'national.rollup.title', { month: monthTitle(view.month, lang) });
}

/** The national roll-up as a PDF, through the provincial report's renderer (Persian shaped, right to left): the approved provinces, those still to approve, the approved provinces' counties. */
export async function rollupPdf(view: CountryView, counties: readonly CountyRow[], lang: Lang): Promise<Buffer> {
  const head = (key: string) => t(lang, key);
  const approved = view.provinces.filter((r) => r.state === 'approved');
  return renderPdf({
    title: rollupTitle(view, lang),
    lang,
    sections: [
      {
        heading: head('national.provincesTitle'),
        paragraphs: [t(lang, 'national.approvedCount', { approved: view.totals.provinces, total: view.provinces.length, month: monthTitle(view.month, lang) }), head('national.rollup.asOf')],
        table: {
          columns: ['province', 'target', 'logged', 'verified', 'percent', 'afterApproval'].map((c) => head(`national.col.${c}`)),
          rows: [
            ...approved.map((r) => [r.name, num(r.target, lang), num(r.logged, lang), num(r.verified, lang), pct(r.percent, lang), num(r.afterApproval?.logged ?? null, lang)]),
            [head('national.totals'), num(view.totals.target, lang), num(view.totals.logged, lang), num(view.totals.verified, lang), pct(view.totals.percent, lang), ''],
          ],
        },
      },
      {
        heading: head('national.notApprovedTitle'),
        ...(view.notApproved.length ? {} : { paragraphs: [head('national.notApprovedNone')] }),
        table: {
          columns: ['province', 'state', 'countiesApproved'].map((c) => head(`national.col.${c}`)),
          rows: view.notApproved.map((r) => [r.name, state(r, lang), t(lang, 'national.countiesApproved', { approved: r.countiesApproved, total: r.counties })]),
        },
      },
      {
        heading: head('national.rollup.countiesTitle'),
        table: {
          columns: ['province', 'county', 'logged', 'verified'].map((c) => head(`national.col.${c}`)),
          rows: counties.map((c) => [c.provinceName, c.name, num(c.logged, lang), num(c.verified, lang)]),
        },
      },
    ],
  });
}

/** The national roll-up as a workbook: every province (numbers as numbers), the provinces still to approve, the approved provinces' counties. */
export async function rollupXlsx(view: CountryView, counties: readonly CountyRow[], lang: Lang): Promise<Buffer> {
  const col = (key: string) => ({ header: t(lang, `national.col.${key}`), key });
  const rtl = lang === 'fa';
  return writeXlsx([
    {
      name: t(lang, 'national.rollup.sheet.provinces'),
      rightToLeft: rtl,
      columns: [{ header: t(lang, 'reports.col.code'), key: 'code' }, col('province'), col('state'), col('target'), col('logged'), col('verified'), col('percent'), col('afterApproval')],
      rows: [
        ...view.provinces.map((r) => ({ code: r.code, province: r.name, state: state(r, lang), target: r.target, logged: r.logged, verified: r.verified, percent: r.percent, afterApproval: r.afterApproval?.logged ?? null })),
        { code: '', province: t(lang, 'national.totals'), state: '', target: view.totals.target, logged: view.totals.logged, verified: view.totals.verified, percent: view.totals.percent, afterApproval: null },
      ],
    },
    {
      name: t(lang, 'national.rollup.sheet.notApproved'),
      rightToLeft: rtl,
      columns: [{ header: t(lang, 'reports.col.code'), key: 'code' }, col('province'), col('state'), col('countiesApproved')],
      rows: view.notApproved.map((r) => ({ code: r.code, province: r.name, state: state(r, lang), countiesApproved: t(lang, 'national.countiesApproved', { approved: r.countiesApproved, total: r.counties }) })),
    },
    {
      name: t(lang, 'national.rollup.sheet.counties'),
      rightToLeft: rtl,
      columns: [{ header: t(lang, 'reports.col.code'), key: 'code' }, col('province'), col('county'), col('logged'), col('verified')],
      rows: counties.map((c) => ({ code: c.code, province: c.provinceName, county: c.name, logged: c.logged, verified: c.verified })),
    },
  ]);
}
