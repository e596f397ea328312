import { toCsv } from '../shared/csv.js';
import { t, type Lang } from '../i18n/index.js';
import { writeXlsx } from '../reports/xlsx.js';
import type { ProgressRow } from './dashboard.service.js';

/**
 * A dashboard table as a file: the same rows and figures the page shows, with headers in the reader's language.
 * The `code` column keeps its machine name's meaning (the SCI code), so an exported table of quotas can be
 * edited and uploaded back as a quota file.
 */
const COLUMNS = ['code', 'name', 'level', 'target', 'logged', 'verified', 'percent', 'expectedByToday', 'pace'] as const;

export async function exportProgress(rows: readonly ProgressRow[], format: 'csv' | 'xlsx', lang: Lang, title: string): Promise<Buffer> {
  const columns = COLUMNS.map((key) => ({ key, header: key === 'code' || key === 'target' ? key : t(lang, `quotas.column.${key}`) }));
  const records = rows.map((row) => ({
    code: row.place,
    name: row.name,
    level: t(lang, `places.level.${row.level}`),
    target: row.target,
    logged: row.logged,
    verified: row.verified,
    percent: row.percent,
    expectedByToday: row.expectedByToday,
    pace: row.pace ? t(lang, `quotas.pace.${row.pace}`) : '',
  }));
  if (format === 'csv') return toCsv(columns, records);
  return writeXlsx([{ name: title, columns, rows: records, rightToLeft: lang === 'fa' }]);
}
