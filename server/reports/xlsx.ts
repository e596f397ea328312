import ExcelJS from 'exceljs';
import { formatJalaliDate, toJalali } from '../shared/jalali.js';

/**
 * Spreadsheet export (reports for the governor's office, quota sheets for county staff) and the
 * matching reader, which the upload path and the round-trip tests use.
 */

export interface XlsxColumn {
  header: string;
  key: string;
  /** In characters, as Excel measures column width. */
  width?: number;
}

export interface XlsxSheet {
  name: string;
  columns: readonly XlsxColumn[];
  rows: readonly Record<string, unknown>[];
  /** Persian sheets open right-to-left (column A on the right), as Persian users expect. */
  rightToLeft?: boolean;
}

/**
 * Excel refuses sheet names over 31 characters, with any of : \ / ? * [ ], or repeated
 * (case-insensitively); such a workbook opens with a "repair" prompt. Names are made legal rather
 * than refused, because they come from place names and report titles, not from the user's intent.
 */
export function safeSheetName(name: string, taken: ReadonlySet<string> = new Set()): string {
  let base = name.replace(/[:\\/?*[\]]/g, ' ').replace(/^'+|'+$/g, '').trim() || 'Sheet';
  base = [...base].slice(0, 31).join('');
  let candidate = base;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) {
    const suffix = ` (${n})`;
    candidate = [...base].slice(0, 31 - suffix.length).join('') + suffix;
  }
  return candidate;
}

/** Cell values as exceljs wants them: numbers stay numbers (so Excel can sum them), null stays empty. */
function cellValue(value: unknown): ExcelJS.CellValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' || value instanceof Date) return value;
  if (typeof value === 'bigint') return Number(value);
  return String(value);
}

export async function writeXlsx(sheets: readonly XlsxSheet[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'rural-insurance-campaign-tracker';
  const taken = new Set<string>();
  for (const sheet of sheets) {
    const name = safeSheetName(sheet.name, taken);
    taken.add(name.toLowerCase());
    const worksheet = workbook.addWorksheet(name, {
      views: [{ rightToLeft: sheet.rightToLeft ?? false, state: 'frozen', ySplit: 1 }],
    });
    worksheet.columns = sheet.columns.map((c) => ({ header: c.header, key: c.key, width: c.width ?? Math.max(10, [...c.header].length + 2) }));
    worksheet.getRow(1).font = { bold: true };
    for (const row of sheet.rows) {
      const values: Record<string, ExcelJS.CellValue> = {};
      for (const c of sheet.columns) values[c.key] = cellValue(row[c.key]);
      worksheet.addRow(values);
    }
  }
  // exceljs types say Buffer, but it can hand back an ArrayBuffer; make it a real Buffer either way.
  return Buffer.from((await workbook.xlsx.writeBuffer()) as ArrayBuffer);
}

export type PlainCell = string | number | boolean | Date | null;

/**
 * exceljs cell values come in many shapes (rich text, hyperlinks, formulas with cached results,
 * shared strings, errors); the callers only want what the user saw in the cell.
 */
export function plainCellValue(value: ExcelJS.CellValue): PlainCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('hyperlink' in value) return typeof value.text === 'string' ? value.text : plainCellValue(value.text as ExcelJS.CellValue);
    if ('formula' in value || 'sharedFormula' in value) return plainCellValue((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('error' in value) return String(value.error);
  }
  return String(value);
}

export interface XlsxReadSheet {
  name: string;
  /** The worksheet row number of each data row (the header is row 1 when it starts the sheet). */
  rows: { line: number; values: Record<string, PlainCell> }[];
  headers: string[];
  /** The worksheet row number of the header (0 when the sheet is empty). */
  headerLine: number;
}

/**
 * Reads every worksheet: the first non-empty row is the header, each later non-empty row becomes an
 * object keyed by header text. Empty rows are skipped but line numbers stay the sheet's own.
 */
export async function readXlsxSheets(buffer: Buffer | Uint8Array): Promise<XlsxReadSheet[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(buffer) as unknown as ExcelJS.Buffer);
  return workbook.worksheets.map((worksheet) => {
    let headers: string[] | null = null;
    let headerLine = 0;
    const rows: XlsxReadSheet['rows'] = [];
    worksheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      const cells: PlainCell[] = [];
      row.eachCell({ includeEmpty: true }, (cell, col) => {
        cells[col - 1] = plainCellValue(cell.value);
      });
      if (cells.every((c) => c === null || c === undefined || c === '')) return;
      if (!headers) {
        headers = Array.from(cells, (c) => (c === null || c === undefined ? '' : String(c).trim()));
        headerLine = rowNumber;
        return;
      }
      const values: Record<string, PlainCell> = {};
      headers.forEach((h, i) => {
        if (h !== '') values[h] = cells[i] ?? null;
      });
      rows.push({ line: rowNumber, values });
    });
    return { name: worksheet.name, rows, headers: headers ?? [], headerLine };
  });
}

/** Round-trip helper: the rows of each sheet keyed by header text, by sheet name. */
export async function readXlsxRows(buffer: Buffer | Uint8Array): Promise<Record<string, Record<string, PlainCell>[]>> {
  const result: Record<string, Record<string, PlainCell>[]> = {};
  for (const sheet of await readXlsxSheets(buffer)) result[sheet.name] = sheet.rows.map((r) => r.values);
  return result;
}

/**
 * A date typed into Excel is a calendar day with no zone (exceljs returns it as UTC midnight).
 * The app reads dates as Jalali `YYYY/MM/DD`, so such a cell becomes that text (parseJalaliDate reads it).
 */
export function excelDateToJalaliText(date: Date): string {
  return formatJalaliDate(toJalali(date, 'UTC'));
}
