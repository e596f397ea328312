import { stringify } from 'csv-stringify/sync';

/**
 * CSV export. Excel guesses a CSV's encoding from a byte-order mark: without one it reads UTF-8
 * as the Windows code page and Persian turns into mojibake, so the file always starts with a BOM.
 * Lines end in CRLF (RFC 4180; what Excel writes itself).
 */

export interface CsvColumn {
  header: string;
  key: string;
}

const BOM = '\uFEFF';

/**
 * Spreadsheet programs run a cell that starts with = + - @ (or a tab/CR) as a formula, so a village
 * name typed as "=HYPERLINK(…)" would become a live link in the governor's office (CSV injection,
 * OWASP). Such strings get a leading apostrophe, which Excel hides. Numbers are written as numbers,
 * so a negative figure is untouched; a lone "-" placeholder is left as is.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) && text.length > 1 && !/^[+-]?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return neutraliseFormula(String(value));
}

/** The CSV file as bytes: BOM + UTF-8, header row from `columns`, one line per row. */
export function toCsv(columns: readonly CsvColumn[], rows: readonly Record<string, unknown>[]): Buffer {
  const records = [columns.map((c) => c.header), ...rows.map((row) => columns.map((c) => cellText(row[c.key])))];
  return Buffer.from(BOM + stringify(records, { record_delimiter: 'windows' }), 'utf8');
}
