import { parse } from 'csv-parse/sync';
import { excelDateToJalaliText, readXlsxSheets, type PlainCell } from '../reports/xlsx.js';
import { searchKey } from './persian-text.js';
import { checkZipExpansion, MAX_XLSX_EXPANDED_BYTES } from './zip-limits.js';

/** A cell longer than this is no list entry (a name, a code, a figure): the file is refused, naming the cell. */
export const MAX_CELL_CHARS = 1_000;

/**
 * Reading an uploaded list (enrolments, quotas, villages) from CSV or XLSX into rows of strings,
 * with the line numbers a user sees in a spreadsheet, so an error message can say "row 17".
 * Values are left as typed (Persian digits included): each caller normalises its own fields.
 */

export const UPLOAD_REASONS = [
  'upload.empty',
  'upload.encoding',
  'upload.badQuotes',
  'upload.binary',
  'upload.xlsxTooLarge',
  'upload.cellTooLong',
  'upload.fileType',
  'upload.notXlsx',
  'upload.missingColumns',
  'upload.duplicateColumns',
  'upload.tooManyRows',
] as const;
export type UploadReason = (typeof UPLOAD_REASONS)[number];

export class TabularUploadError extends Error {
  constructor(
    readonly reason: UploadReason,
    readonly params: Record<string, string | number | string[]> = {},
  ) {
    super(reason);
    this.name = 'TabularUploadError';
  }
}

export function isTabularUploadError(error: unknown): error is TabularUploadError {
  return error instanceof TabularUploadError;
}

export interface TabularRow {
  /** 1-based line as shown in a spreadsheet: the header is line 1, the first data row usually 2. */
  line: number;
  values: Record<string, string>;
}

export interface TabularUpload {
  buffer: Buffer | Uint8Array;
  filename: string;
  /** Data rows allowed (the header not counted). */
  maxRows?: number;
  /** Column names that must be present. Matching ignores case, ی/ي, ک/ك, half-spaces and spaces. */
  requiredColumns: readonly string[];
}

interface Grid {
  /** Records with their 1-based spreadsheet line. */
  records: { line: number; cells: string[] }[];
}

/**
 * Throws TabularUploadError. Rules, in the order they are checked:
 * - extension .csv/.txt/.tsv is read as text, .xlsx as a workbook (its first worksheet), anything
 *   else (.xls, .ods) is 'upload.fileType';
 * - text must be UTF-8, with or without BOM ('upload.encoding'; Windows-1256 and UTF-16 exports fail here), free
 *   of control characters other than tab and line ends ('upload.binary'), and its quotes must close
 *   ('upload.badQuotes'); each of these names the line (params.line);
 * - an .xlsx must be a zip that inflates to at most 50 MB, checked by inflating it before anything parses it
 *   ('upload.xlsxTooLarge'), and that exceljs can open ('upload.notXlsx');
 * - no cell may be longer than 1,000 characters ('upload.cellTooLong', params.line and params.column);
 * - the first non-empty row is the header; no header or no data row is 'upload.empty';
 * - every required column must be there ('upload.missingColumns', params.columns lists them);
 * - a header appearing twice is 'upload.duplicateColumns' (which one would the user mean?);
 * - more than maxRows non-empty data rows is 'upload.tooManyRows'.
 * Returned values are keyed by the required column's own spelling when the header matched one,
 * otherwise by the header as written (trimmed). Empty rows are skipped but still counted in `line`.
 */
export async function readTabularUpload(upload: TabularUpload): Promise<{ rows: TabularRow[] }> {
  const { filename, maxRows = 10_000, requiredColumns } = upload;
  const buffer = Buffer.from(upload.buffer);
  if (buffer.length === 0) throw new TabularUploadError('upload.empty');
  const extension = /\.([^.]+)$/.exec(filename.trim().toLowerCase())?.[1] ?? '';

  let grid: Grid;
  if (extension === 'xlsx') grid = await readXlsxGrid(buffer);
  else if (extension === 'csv' || extension === 'txt' || extension === 'tsv') grid = readCsvGrid(buffer);
  else throw new TabularUploadError('upload.fileType', { extension });

  for (const record of grid.records) {
    const long = record.cells.findIndex((cell) => cell.length > MAX_CELL_CHARS);
    if (long >= 0) throw new TabularUploadError('upload.cellTooLong', { line: record.line, column: long + 1, max: MAX_CELL_CHARS });
  }
  const nonEmpty = grid.records.filter((r) => r.cells.some((c) => c.trim() !== ''));
  if (nonEmpty.length === 0) throw new TabularUploadError('upload.empty');
  const [header, ...data] = nonEmpty;
  const headers = header.cells.map((h) => h.trim());

  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  for (const h of headers) {
    if (h === '') continue;
    const k = searchKey(h);
    if (seen.has(k)) duplicates.push(h);
    else seen.set(k, h);
  }
  if (duplicates.length) throw new TabularUploadError('upload.duplicateColumns', { columns: duplicates });

  const canonical = new Map(requiredColumns.map((c) => [searchKey(c), c] as const));
  const missing = requiredColumns.filter((c) => !seen.has(searchKey(c)));
  if (missing.length) throw new TabularUploadError('upload.missingColumns', { columns: missing });
  if (data.length > maxRows) throw new TabularUploadError('upload.tooManyRows', { maxRows, rows: data.length });
  if (data.length === 0) throw new TabularUploadError('upload.empty');

  const names = headers.map((h) => (h === '' ? '' : (canonical.get(searchKey(h)) ?? h)));
  const rows = data.map(({ line, cells }) => {
    const values: Record<string, string> = {};
    names.forEach((name, i) => {
      if (name !== '') values[name] = cells[i] ?? '';
    });
    return { line, values };
  });
  return { rows };
}

function readCsvGrid(buffer: Buffer): Grid {
  let text: string;
  try {
    // fatal: invalid UTF-8 is an error instead of U+FFFD; the decoder drops a leading BOM itself.
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    throw new TabularUploadError('upload.encoding', { line: firstBadUtf8Line(buffer) });
  }
  if (text.trim() === '') throw new TabularUploadError('upload.empty');
  // NUL and other control characters are no text anyone typed: a binary file renamed, or a corrupted export
  const control = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.exec(text);
  if (control) throw new TabularUploadError('upload.binary', { line: lineAt(text, control.index) });
  let records: string[][];
  try {
    records = parse(text, {
      delimiter: guessDelimiter(text),
      relax_column_count: true,
      // Blank lines are kept (and skipped later) so that record numbers stay the lines Excel shows.
      skip_empty_lines: false,
      relax_quotes: true,
      info: false,
    });
  } catch (err) {
    // csv-parse names where it gave up: a quote opened and never closed, or a quote where none may be
    const line = (err as { lines?: number }).lines;
    throw new TabularUploadError('upload.badQuotes', { line: typeof line === 'number' ? quoteLine(text, line) : 1 });
  }
  return { records: records.map((cells, i) => ({ line: i + 1, cells })) };
}

/** The 1-based line of character `index` of `text`. */
function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The line of the quote that was never closed: the last line that opens a quoted field, up to where the parser stopped. */
function quoteLine(text: string, stoppedAt: number): number {
  const lines = text.split('\n').slice(0, stoppedAt);
  for (let i = lines.length - 1; i >= 0; i--) if (((lines[i]!.match(/"/g) ?? []).length) % 2 === 1) return i + 1;
  return stoppedAt;
}

/** The first line whose bytes are not UTF-8, so the refusal can point at it. */
function firstBadUtf8Line(buffer: Buffer): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= buffer.length; i++) {
    if (i === buffer.length || buffer[i] === 10) {
      try {
        decoder.decode(buffer.subarray(start, i));
      } catch {
        return line;
      }
      line++;
      start = i + 1;
    }
  }
  return 1;
}

/**
 * Excel in a Persian or European locale saves "CSV" with semicolons, and "text" exports use tabs:
 * the delimiter is whichever of , ; tab occurs most in the first line (outside quotes).
 */
function guessDelimiter(text: string): string {
  const firstLine = text.split(/\r?\n/, 1)[0].replace(/"[^"]*"/g, '');
  const counts = [',', ';', '\t'].map((d) => [d, firstLine.split(d).length - 1] as const);
  const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return best[1] > 0 ? best[0] : ',';
}

async function readXlsxGrid(buffer: Buffer): Promise<Grid> {
  // An .xlsx is a zip archive; checking the signature first gives a clear reason for a renamed .xls or .csv.
  if (buffer.length < 4 || buffer.readUInt32LE(0) !== 0x04034b50) throw new TabularUploadError('upload.notXlsx');
  const expansion = checkZipExpansion(buffer);
  if (expansion === 'tooLarge') throw new TabularUploadError('upload.xlsxTooLarge', { megabytes: MAX_XLSX_EXPANDED_BYTES / 1024 / 1024 });
  if (expansion === 'corrupt') throw new TabularUploadError('upload.notXlsx');
  let sheets;
  try {
    sheets = await readXlsxSheets(buffer);
  } catch {
    throw new TabularUploadError('upload.notXlsx');
  }
  const sheet = sheets[0];
  if (!sheet) throw new TabularUploadError('upload.empty');
  const records: Grid['records'] = [];
  if (sheet.headers.length) {
    // readXlsxSheets already split the header off; put it back as a record so both formats share one path.
    records.push({ line: sheet.headerLine, cells: sheet.headers });
  }
  for (const row of sheet.rows) {
    records.push({ line: row.line, cells: sheet.headers.map((h) => (h === '' ? '' : cellToText(row.values[h]))) });
  }
  return { records };
}

/**
 * What the user saw, as text: numbers without Excel's float noise, dates as Jalali `YYYY/MM/DD`.
 * (A national ID typed as a number loses its leading zeros in Excel itself; callers should pad
 * a 9-digit ID back to 10.)
 */
function cellToText(value: PlainCell | undefined): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return excelDateToJalaliText(value);
  if (typeof value === 'number') return String(Number.isInteger(value) ? value : Number(value.toPrecision(15)));
  return String(value);
}
