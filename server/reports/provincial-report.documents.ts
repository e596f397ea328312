import { t, type Lang } from '../i18n/index.js';
import type { MailContent } from '../notifications/reminder-mail.js';
import { renderMailTemplate } from '../notifications/reminder-mail.js';
import { formatJalaliForDisplay, jalaliMonthName, parseJalaliMonthKey } from '../shared/jalali.js';
import { formatNumber, toPersianDigits } from '../shared/persian-text.js';
import { renderPdf, type PdfSection } from './pdf.js';
import type { ProvincialReport, QuotaFigures } from './provincial-report.service.js';
import { writeXlsx, type XlsxSheet } from './xlsx.js';

/** `مهر ۱۴۰۳` / `Mehr 1403`. */
export function monthTitle(month: string, lang: Lang): string {
  const parsed = parseJalaliMonthKey(month)!;
  const text = `${jalaliMonthName(parsed.month, lang)} ${parsed.year}`;
  return lang === 'fa' ? toPersianDigits(text) : text;
}

export function reportTitle(report: ProvincialReport, lang: Lang): string {
  const title = t(lang, 'reports.title.provincial', { province: report.province.name, month: monthTitle(report.month, lang) });
  // a closed month's report is preliminary until the province's fund manager approves it (server/approvals/)
  return report.closed ? `${title} ${t(lang, `approvals.report.${report.status ?? 'preliminary'}`)}` : title;
}

const num = (value: number, lang: Lang) => formatNumber(value, lang);
const pct = (value: number, lang: Lang) => `${formatNumber(value, lang)}٪`.replace('٪', lang === 'fa' ? '٪' : '%');
const change = (value: number, lang: Lang) => `${value > 0 ? '+' : ''}${formatNumber(value, lang)}`;
const pace = (figures: QuotaFigures, lang: Lang) => (figures.pace ? t(lang, `reports.pace.${figures.pace}`) : '—');

/** The column headings and cells of a quota table, shared by the PDF, the spreadsheet and the page. */
function quotaColumns(lang: Lang): string[] {
  return ['target', 'logged', 'verified', 'percent', 'expected', 'pace', 'loggedThisMonth', 'percentChange'].map((c) => t(lang, `reports.col.${c}`));
}
function quotaCells(f: QuotaFigures, lang: Lang): string[] {
  return [num(f.target, lang), num(f.logged, lang), num(f.verified, lang), pct(f.percent, lang), num(f.expected, lang), pace(f, lang), num(f.loggedThisMonth, lang), change(f.percentChange, lang)];
}

function sections(report: ProvincialReport, lang: Lang): PdfSection[] {
  const head = (key: string) => t(lang, key);
  const townsUnder = report.smallTowns.filter((town) => town.pace === 'behind');
  return [
    {
      heading: head('reports.section.counties'),
      paragraphs: [
        report.campaign ? t(lang, 'reports.campaignLine', { campaign: report.campaign.name }) : t(lang, 'reports.noCampaign'),
        t(lang, 'reports.asOf', { date: formatJalaliForDisplay(new Date(report.asOf), lang, { withTime: !report.closed }) }),
      ],
      table: {
        columns: [head('reports.col.county'), ...quotaColumns(lang)],
        rows: [...report.counties.map((c) => [c.name, ...quotaCells(c, lang)]), [head('reports.totals'), ...quotaCells(report.totals, lang)]],
      },
    },
    {
      heading: report.campaign ? t(lang, 'reports.section.smallTowns', { threshold: report.campaign.townThreshold }) : t(lang, 'reports.section.smallTownsNoCampaign'),
      paragraphs: [t(lang, 'reports.smallTownsBehind', { count: townsUnder.length, total: report.smallTowns.length })],
      // fewer columns than the county table, so that names are not broken on a portrait page
      table: {
        columns: ['town', 'county', 'target', 'logged', 'verified', 'percent', 'pace'].map((c) => head(`reports.col.${c}`)),
        rows: report.smallTowns.map((town) => [town.name, town.county, num(town.target, lang), num(town.logged, lang), num(town.verified, lang), pct(town.percent, lang), pace(town, lang)]),
      },
    },
    {
      heading: head('reports.section.compliance'),
      table: {
        columns: [head('reports.col.committee'), head('reports.col.place'), head('reports.col.monthState'), head('reports.col.heldThisYear'), head('reports.col.missedThisYear')],
        rows: report.compliance.map((c) => [c.committee, c.placeName, t(lang, `reports.monthState.${c.state}`), num(c.heldThisYear, lang), num(c.missedThisYear, lang)]),
      },
    },
    {
      heading: head('reports.section.commitments'),
      table: {
        columns: [head('reports.col.agency'), head('reports.col.owed'), head('reports.col.done'), head('reports.col.onTime'), head('reports.col.overdue'), head('reports.col.open')],
        rows: report.commitments.map((a) => [a.name[lang], num(a.owed, lang), num(a.done, lang), num(a.onTime, lang), num(a.overdue, lang), num(a.open, lang)]),
      },
    },
    ...(report.fieldProblems
      ? [
          {
            heading: t(lang, 'onlineShare.report.fieldProblems', { quarter: report.fieldProblems.quarter.quarter, year: report.fieldProblems.quarter.year }),
            table: {
              columns: [head('fieldProblems.topic'), head('onlineShare.report.placesQuarter'), head('onlineShare.report.placesLastYear'), head('onlineShare.report.placesMonth'), head('onlineShare.report.placesPreviousMonth')],
              rows: report.fieldProblems.topics.map((r) => [r.name[lang], num(r.quarter.places, lang), num(r.lastYear.places, lang), num(r.month.places, lang), num(r.previousMonth.places, lang)]),
            },
          },
        ]
      : []),
    ...(report.onlineShare
      ? [
          {
            heading: head('onlineShare.report.title'),
            table: {
              columns: [head('reports.col.county'), head('onlineShare.thisMonth'), head('onlineShare.lastMonth'), head('onlineShare.inPerson')],
              rows: [...report.onlineShare.counties, { ...report.onlineShare.total, name: head('reports.totals') }].map((r) => [r.name, r.thisMonth.onlineShare === null ? '—' : pct(r.thisMonth.onlineShare, lang), r.lastMonth.onlineShare === null ? '—' : pct(r.lastMonth.onlineShare, lang), num(r.thisMonth.inPerson, lang)]),
            },
          },
        ]
      : []),
  ];
}

/** The full report as a PDF (Persian shaped and right to left, Vazirmatn embedded: server/reports/pdf.ts). */
export async function reportPdf(report: ProvincialReport, lang: Lang): Promise<Buffer> {
  return renderPdf({ title: reportTitle(report, lang), lang, sections: sections(report, lang) });
}

/** The full report as a workbook: one sheet per table, numbers as numbers (so they can be summed). */
export async function reportXlsx(report: ProvincialReport, lang: Lang): Promise<Buffer> {
  const col = (key: string) => ({ header: t(lang, `reports.col.${key}`), key });
  const quota = ['target', 'logged', 'verified', 'percent', 'expected', 'pace', 'loggedThisMonth', 'percentChange'].map(col);
  const quotaRow = (f: QuotaFigures) => ({ ...f, pace: f.pace ? t(lang, `reports.pace.${f.pace}`) : '' });
  const rtl = lang === 'fa';
  const sheets: XlsxSheet[] = [
    { name: t(lang, 'reports.sheet.counties'), rightToLeft: rtl, columns: [col('code'), col('county'), ...quota], rows: [...report.counties.map((c) => ({ ...quotaRow(c), code: c.code, county: c.name })), { ...quotaRow(report.totals), code: report.province.code, county: t(lang, 'reports.totals') }] },
    { name: t(lang, 'reports.sheet.smallTowns'), rightToLeft: rtl, columns: [col('code'), col('town'), col('county'), col('population'), ...quota], rows: report.smallTowns.map((town) => ({ ...quotaRow(town), code: town.code, town: town.name, county: town.county, population: town.population })) },
    {
      name: t(lang, 'reports.sheet.compliance'),
      rightToLeft: rtl,
      columns: [col('committee'), col('place'), col('monthState'), col('heldThisYear'), col('missedThisYear')],
      rows: report.compliance.map((c) => ({ committee: c.committee, place: c.placeName, monthState: t(lang, `reports.monthState.${c.state}`), heldThisYear: c.heldThisYear, missedThisYear: c.missedThisYear })),
    },
    {
      name: t(lang, 'reports.sheet.commitments'),
      rightToLeft: rtl,
      columns: [col('agency'), col('owed'), col('done'), col('onTime'), col('overdue'), col('open')],
      rows: report.commitments.map((a) => ({ ...a, agency: a.name[lang] })),
    },
  ];
  return writeXlsx(sheets);
}

/** The email: a short HTML summary (totals, counties behind, towns behind, missed meetings, overdue commitments), the rest attached. */
export function reportMail(report: ProvincialReport, lang: Lang, baseUrl: string): MailContent {
  const subject = reportTitle(report, lang);
  const link = `${baseUrl}/reports/provincial/${report.province.code}/${report.month}`;
  const totals = report.totals;
  const lines = [
    t(lang, 'reports.mail.totals', { logged: totals.logged, target: totals.target, percent: totals.percent, verified: totals.verified, month: totals.loggedThisMonth }),
    t(lang, 'reports.mail.countiesBehind', { count: report.counties.filter((c) => c.pace === 'behind').length, total: report.counties.length }),
    t(lang, 'reports.mail.townsBehind', { count: report.smallTowns.filter((c) => c.pace === 'behind').length, total: report.smallTowns.length }),
    t(lang, 'reports.mail.missedMeetings', { count: report.compliance.filter((c) => c.state === 'missed').length, total: report.compliance.length }),
    t(lang, 'reports.mail.overdue', { count: report.commitments.reduce((sum, a) => sum + a.overdue, 0) }),
  ];
  const counties = report.counties.map((c) => ({ name: c.name, cells: quotaCells(c, lang) }));
  const html = renderMailTemplate('provincial-report', { lang, dir: lang === 'fa' ? 'rtl' : 'ltr', subject, lines, columns: quotaColumns(lang), counties, link, countyHeading: t(lang, 'reports.col.county') });
  const text = [subject, ...lines, `${t(lang, 'reports.mail.attached')}`, link].join('\n\n');
  return { subject, html, text };
}
