import type { CampaignRecord } from '../../models/campaign.model.js';
import type { AuthUser } from '../auth/scope.js';
import { AppError } from '../errors/app-error.js';
import { placeCode } from '../places/validation.js';
import { isTabularUploadError, readTabularUpload } from '../shared/tabular.js';
import { wholeNumber } from '../shared/input.js';
import { findHolders, saveQuotas, type Holder, type QuotaEntry } from './quotas.service.js';

/** The columns of a quota file: the SCI code of the holder's place and its target (any digits). */
export const QUOTA_COLUMNS = ['code', 'target'] as const;
const MAX_ROWS = 10_000;

export interface RowProblem {
  line: number;
  column: (typeof QUOTA_COLUMNS)[number];
  /** catalogue key */
  reason: string;
}

export type QuotaUploadResult = { saved: number; changed: number } | { problems: RowProblem[] };

const target = wholeNumber(0, 100_000_000, 'quotas.targetInvalid');

/**
 * A quota file (CSV or XLSX) for a campaign: every row is checked first, and the file is saved whole, in one
 * transaction, or not at all; the problems come back by line and column. Uploading the same file twice
 * changes nothing the second time (quotas are set, not added).
 */
export async function uploadQuotas(user: AuthUser, campaign: CampaignRecord, file: { buffer: Buffer; filename: string }): Promise<QuotaUploadResult> {
  const rows = await readRows(file);
  const problems: RowProblem[] = [];
  const parsed: { line: number; entry: QuotaEntry }[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const code = placeCode.safeParse(row.values.code ?? '');
    const value = target.safeParse(row.values.target ?? '');
    if (!code.success) problems.push({ line: row.line, column: 'code', reason: 'validation.placeCode' });
    else if (seen.has(code.data)) problems.push({ line: row.line, column: 'code', reason: 'quotas.duplicateRow' });
    if (!value.success) problems.push({ line: row.line, column: 'target', reason: 'quotas.targetInvalid' });
    if (code.success && value.success && !seen.has(code.data)) parsed.push({ line: row.line, entry: { placeCode: code.data, target: value.data } });
    if (code.success) seen.add(code.data);
  }
  const holders = await findHolders(user, campaign, parsed.map((p) => p.entry.placeCode));
  const ready: { entry: QuotaEntry; holder: Holder }[] = [];
  for (const { line, entry } of parsed) {
    const holder = holders.get(entry.placeCode)!;
    if (typeof holder === 'string') problems.push({ line, column: 'code', reason: holder });
    else ready.push({ entry, holder });
  }
  if (problems.length > 0) return { problems: problems.sort((a, b) => a.line - b.line) };
  const saved = await saveQuotas(user, campaign, ready, { source: 'upload', reason: file.filename });
  return { saved: saved.length, changed: saved.filter((s) => s.from !== s.target).length };
}

async function readRows(file: { buffer: Buffer; filename: string }) {
  try {
    return (await readTabularUpload({ buffer: file.buffer, filename: file.filename, requiredColumns: QUOTA_COLUMNS, maxRows: MAX_ROWS })).rows;
  } catch (error) {
    if (!isTabularUploadError(error)) throw error;
    const params = Object.fromEntries(Object.entries(error.params).map(([k, v]) => [k, Array.isArray(v) ? v.join('، ') : v]));
    throw new AppError('uploadRefused', error.reason, 422, params);
  }
}
