import { createHash } from 'node:crypto';
import type { Types } from 'mongoose';
import type { CampaignRecord } from '../../models/campaign.model.js';
import { Enrolment, type EnrolmentRecord } from '../../models/enrolment.model.js';
import { EnrolmentImport, type EnrolmentImportRecord, type ImportFailure, type ImportProblem } from '../../models/enrolment-import.model.js';
import type { PlaceRecord } from '../../models/place.model.js';
import { placeFields } from '../../models/plugins/place-scoped.js';
import { assertInScope, type ScopeUser } from '../auth/scope.js';
import { inTransaction } from '../db/transaction.js';
import { AppError, notFound } from '../errors/app-error.js';
import { t, type Lang } from '../i18n/index.js';
import { logger } from '../logger.js';
import { countEnrolment } from '../quotas/progress.service.js';
import { toCsv } from '../shared/csv.js';
import { searchKey } from '../shared/persian-text.js';
import { readTabularUpload, TabularUploadError, type TabularRow } from '../shared/tabular.js';
import {
  alreadyEnrolled,
  countedPlace,
  counterQueue,
  enrolmentPlace,
  newEnrolment,
  resolveCampaign,
  saveEnrolment,
  type Actor,
  type NewEnrolment,
} from './enrolments.service.js';
import { ENROLMENT_FIELDS, readEnrolmentInput, type EnrolmentField } from './validation.js';

export const MAX_IMPORT_ROWS = 10_000;
/** 10,000 rows are well under 5 MB as CSV or XLSX (the limit is named in enrolments.import.tooLarge). */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** Files up to this many rows are imported before the upload answers; larger ones run in the background. */
export const INLINE_IMPORT_ROWS = 200;
/** Rows written per transaction: the enrolments and their counters of one chunk go in together. */
const CHUNK_ROWS = 250;

// an in-person reason may be left out of a file: spreadsheets kept before the rule have no such column
const REQUIRED_COLUMNS = ENROLMENT_FIELDS.filter((f) => f !== 'village' && f !== 'referringAgency' && f !== 'inPersonReason');

export interface UploadedFile {
  buffer: Buffer;
  originalname: string;
}

export interface ImportStart {
  batch: EnrolmentImportRecord;
  /** True when this very file was already imported for the campaign: `batch` is that earlier import. */
  alreadyImported: boolean;
}

/**
 * An enrolment file, from upload to report: read the table (a file that cannot be read is refused whole, with
 * the reason, and nothing is written), recognise a file already imported for this campaign (nothing is added
 * twice), record the batch, then import its rows: at once for a small file, in the background for a large one,
 * with the batch's progress visible on its page.
 */
export async function startImport(actor: Actor, file: UploadedFile, campaignId: string | undefined): Promise<ImportStart> {
  const campaign = await resolveCampaign(actor, campaignId, new Date());
  const fileHash = createHash('sha256').update(file.buffer).digest('hex');
  const earlier = await EnrolmentImport.findOne({ province: campaign.province, campaign: campaign._id, fileHash, status: { $in: ['running', 'done'] } })
    .setOptions({ scope: actor })
    .sort({ createdAt: -1 })
    .lean<EnrolmentImportRecord>();
  if (earlier && !isStalled(earlier)) return { batch: earlier, alreadyImported: true };

  const rows = await readEnrolmentFile(file);
  const ownPlace = await assertInScope(actor, actor.placeCode);
  const created = await EnrolmentImport.create({
    campaign: campaign._id,
    filename: file.originalname.slice(0, 300),
    fileHash,
    status: 'running',
    total: rows.length,
    createdBy: actor.id,
    ...placeFields(ownPlace),
  });
  const batch = created.toObject() as unknown as EnrolmentImportRecord;
  const run = importRows(actor, campaign, batch, rows).catch((err: unknown) => logger.error({ err, batch: String(batch._id) }, 'enrolment import could not record its failure'));
  if (rows.length <= INLINE_IMPORT_ROWS) await run;
  return { batch, alreadyImported: false };
}

/**
 * The rows of the file, keyed by field. Columns may be headed by the field's code (`nationalId`) or its Persian or
 * English label (`کد ملی`, `National ID`); `village` and `referringAgency` are optional.
 */
async function readEnrolmentFile(file: UploadedFile): Promise<TabularRow[]> {
  try {
    const { rows } = await readTabularUpload({ buffer: file.buffer, filename: file.originalname, maxRows: MAX_IMPORT_ROWS, requiredColumns: [] });
    const columns = new Map<string, EnrolmentField>();
    for (const header of Object.keys(rows[0]?.values ?? {})) {
      const field = fieldOfHeader(header);
      if (field) columns.set(header, field);
    }
    const missing = REQUIRED_COLUMNS.filter((f) => ![...columns.values()].includes(f));
    if (missing.length) throw new TabularUploadError('upload.missingColumns', { columns: missing.map((f) => `${t('fa', `enrolments.label.${f}`)} (${f})`).join('، ') });
    return rows.map(({ line, values }) => ({ line, values: Object.fromEntries([...columns].map(([header, field]) => [field, values[header] ?? ''])) }));
  } catch (err) {
    if (err instanceof TabularUploadError) {
      const params = Object.fromEntries(Object.entries(err.params).map(([k, v]) => [k, Array.isArray(v) ? v.join('، ') : v]));
      throw new AppError('badFile', err.reason, 422, params, { file: err.reason });
    }
    throw err;
  }
}

function fieldOfHeader(header: string): EnrolmentField | undefined {
  const key = searchKey(header);
  return ENROLMENT_FIELDS.find((f) => key === searchKey(f) || key === searchKey(t('fa', `enrolments.label.${f}`)) || key === searchKey(t('en', `enrolments.label.${f}`)));
}

/**
 * Imports the rows chunk by chunk. Each row is checked like a form (fields, place in the uploader's area, joining
 * rules), a national ID that appears twice in the file or is already enrolled is reported, and the good rows of a
 * chunk are written with their counters in one transaction. Progress is saved after every chunk.
 */
async function importRows(actor: Actor, campaign: CampaignRecord, batch: EnrolmentImportRecord, rows: TabularRow[]): Promise<void> {
  const places = new Map<string, Promise<PlaceRecord>>();
  const firstLineOf = new Map<string, number>();
  let chunk: TabularRow[] = [];
  try {
    const sameFileBatches = await EnrolmentImport.find({ province: campaign.province, campaign: campaign._id, fileHash: batch.fileHash }).setOptions({ scope: 'system' }).select('_id').lean<{ _id: Types.ObjectId }[]>();
    for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
      chunk = rows.slice(start, start + CHUNK_ROWS);
      const problems: ImportProblem[] = [];
      const notes: ImportProblem[] = [];
      const ready: ReadyRow[] = [];
      const now = new Date();
      for (const row of chunk) {
        const checked = await checkRow(actor, campaign, batch._id, row, places, now);
        if ('problems' in checked) problems.push(...checked.problems);
        else {
          if (checked.zerosRestored) notes.push(problem(row, 'nationalId', 'enrolments.import.zerosRestored', { nationalId: checked.enrolment.nationalId }));
          const first = firstLineOf.get(checked.enrolment.nationalId);
          if (first !== undefined) problems.push(problem(row, 'nationalId', 'enrolments.duplicateInFile', { line: first }));
          else {
            firstLineOf.set(checked.enrolment.nationalId, row.line);
            ready.push({ line: row.line, ...checked });
          }
        }
      }
      const outcome = await saveChunk(actor, ready, rows, sameFileBatches.map((b) => String(b._id)));
      await EnrolmentImport.updateOne(
        { _id: batch._id },
        { $inc: { processed: chunk.length, saved: outcome.saved, alreadyImported: outcome.alreadyImported }, $push: { problems: { $each: [...problems, ...outcome.problems] }, notes: { $each: notes } } },
      ).setOptions({ scope: 'system' });
    }
    await EnrolmentImport.updateOne({ _id: batch._id }, { $set: { status: 'done', finishedAt: new Date() } }).setOptions({ scope: 'system' });
  } catch (err) {
    logger.error({ err, batch: String(batch._id) }, 'enrolment import failed');
    // a chunk is one transaction: the chunk that failed saved nothing, the ones before it were saved whole
    const lines = { from: chunk[0]?.line ?? 0, to: chunk.at(-1)?.line ?? 0 };
    const failure: ImportFailure = { reason: isDatabaseError(err) ? 'enrolments.import.failure.database' : 'enrolments.import.failure.unexpected', params: lines };
    await EnrolmentImport.updateOne({ _id: batch._id }, { $set: { status: 'failed', finishedAt: new Date(), failure } }).setOptions({ scope: 'system' });
  }
}

/** A refusal by the database (a MongoServerError, a bulk write error, a lost connection), as opposed to a fault of ours. */
function isDatabaseError(err: unknown): boolean {
  return err instanceof Error && err.name.startsWith('Mongo');
}

type CheckedRow = { enrolment: NewEnrolment; place: PlaceRecord; zerosRestored: boolean } | { problems: ImportProblem[] };

async function checkRow(actor: Actor, campaign: CampaignRecord, batchId: Types.ObjectId, row: TabularRow, places: Map<string, Promise<PlaceRecord>>, now: Date): Promise<CheckedRow> {
  const read = readEnrolmentInput(row.values, { fromFile: true });
  if (!read.ok) return { problems: Object.entries(read.fields).map(([field, reason]) => problem(row, field, reason!)) };
  try {
    const code = read.input.village ?? actor.placeCode;
    if (!places.has(code)) places.set(code, enrolmentPlace(actor, read.input.village));
    const place = await places.get(code)!;
    return { enrolment: newEnrolment(actor, read.input, campaign, place, now, batchId), place, zerosRestored: read.zerosRestored };
  } catch (err) {
    if (err instanceof AppError && err.fields) return { problems: problemsOf(row, err) };
    throw err;
  }
}

interface ChunkOutcome {
  saved: number;
  alreadyImported: number;
  problems: ImportProblem[];
}

/**
 * Writes the checked rows of a chunk. National IDs already enrolled are reported (or, when an earlier run of this
 * same file enrolled them, counted as already imported); the rest go in with one insert and one counter update per
 * place, in one transaction. Should someone enrol one of these people between the check and the write, the
 * transaction is refused whole and the chunk is written row by row instead, each row with its own answer.
 */
interface ReadyRow {
  line: number;
  enrolment: NewEnrolment;
  place: PlaceRecord;
}

async function saveChunk(actor: Actor, ready: ReadyRow[], rows: TabularRow[], sameFileBatches: string[]): Promise<ChunkOutcome> {
  const outcome: ChunkOutcome = { saved: 0, alreadyImported: 0, problems: [] };
  if (ready.length === 0) return outcome;
  const province = ready[0]!.place.province;
  const existing = await Enrolment.find({ province, nationalId: { $in: ready.map((r) => r.enrolment.nationalId) } })
    .setOptions({ scope: 'system' })
    .select('nationalId place province placePath importBatch')
    .lean<EnrolmentRecord[]>();
  const enrolled = new Map(existing.map((e) => [e.nationalId, e]));
  const fresh: ReadyRow[] = [];
  for (const item of ready) {
    const found = enrolled.get(item.enrolment.nationalId);
    if (!found) fresh.push(item);
    else if (found.importBatch && sameFileBatches.includes(String(found.importBatch))) outcome.alreadyImported++;
    else outcome.problems.push(...problemsOf(rowAt(rows, item.line), await alreadyEnrolled(actor, found)));
  }
  if (fresh.length === 0) return outcome;

  try {
    await inTransaction(async (session) => {
      await Enrolment.insertMany(fresh.map((f) => f.enrolment), { session });
      for (const { place, count, online } of byPlace(fresh)) {
        await countEnrolment({ campaignId: fresh[0]!.enrolment.campaign, place: countedPlace(place), logged: count, verified: 0, online, at: fresh[0]!.enrolment.createdAt }, session);
      }
    }, { queue: counterQueue(fresh[0]!.enrolment.campaign) });
    outcome.saved += fresh.length;
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    for (const item of fresh) {
      try {
        await saveEnrolment(actor, item.enrolment, item.place);
        outcome.saved++;
      } catch (rowError) {
        if (!(rowError instanceof AppError && rowError.fields)) throw rowError;
        outcome.problems.push(...problemsOf(rowAt(rows, item.line), rowError));
      }
    }
  }
  return outcome;
}

function byPlace(items: ReadyRow[]): { place: PlaceRecord; count: number; online: number }[] {
  const groups = new Map<string, { place: PlaceRecord; count: number; online: number }>();
  for (const { place, enrolment } of items) {
    const group = groups.get(place.code) ?? { place, count: 0, online: 0 };
    group.count++;
    if (enrolment.channel === 'online') group.online++;
    groups.set(place.code, group);
  }
  return [...groups.values()];
}

function rowAt(rows: TabularRow[], line: number): TabularRow {
  return rows.find((r) => r.line === line)!;
}

function problem(row: TabularRow, column: string, reason: string, params?: Record<string, string | number>): ImportProblem {
  return { line: row.line, column, value: row.values[column] ?? '', reason, ...(params ? { params } : {}) };
}

/** A refusal as the rows of the report: its own message when it has one (age, duplicate, scope), else each field's. */
function problemsOf(row: TabularRow, error: AppError): ImportProblem[] {
  return Object.entries(error.fields ?? {}).map(([column, fieldReason]) =>
    error.messageKey === 'errors.validation' ? problem(row, column, fieldReason) : problem(row, column, error.messageKey, error.params),
  );
}

/** A batch saves its progress after every chunk; one that has not moved for this long was cut off (a restart). */
const STALLED_AFTER_MS = 2 * 60_000;

/** An import that says it is running but has stopped moving: the server stopped under it. Uploading the file again resumes it. */
export function isStalled(batch: Pick<EnrolmentImportRecord, 'status' | 'updatedAt'>, now = new Date()): boolean {
  return batch.status === 'running' && now.getTime() - batch.updatedAt.getTime() > STALLED_AFTER_MS;
}

/**
 * One batch the user may see (404 otherwise). A batch that stalled (its server stopped under it, so nothing recorded
 * its end) is failed here, with that reason, so no import stays "running" for ever.
 */
export async function getImport(user: ScopeUser, id: string): Promise<EnrolmentImportRecord> {
  const batch = await EnrolmentImport.findOne({ _id: id }).setOptions({ scope: user }).lean<EnrolmentImportRecord>();
  if (!batch) throw notFound();
  if (!isStalled(batch)) return batch;
  const failure: ImportFailure = { reason: 'enrolments.import.failure.interrupted', params: { processed: batch.processed } };
  await EnrolmentImport.updateOne({ _id: batch._id, status: 'running', updatedAt: batch.updatedAt }, { $set: { status: 'failed', finishedAt: new Date(), failure } }).setOptions({ scope: 'system' });
  return (await EnrolmentImport.findOne({ _id: batch._id }).setOptions({ scope: 'system' }).lean<EnrolmentImportRecord>()) ?? batch;
}

/** A batch as the API shows it, its failure (if any) in the reader's language. */
export function describeImport(batch: EnrolmentImportRecord, lang: Lang): Record<string, unknown> {
  return {
    id: String(batch._id),
    campaign: String(batch.campaign),
    filename: batch.filename,
    status: batch.status,
    total: batch.total,
    processed: batch.processed,
    saved: batch.saved,
    alreadyImported: batch.alreadyImported,
    problems: batch.problems.length,
    createdAt: batch.createdAt,
    ...(batch.finishedAt ? { finishedAt: batch.finishedAt } : {}),
    ...(batch.failure ? { failure: { code: batch.failure.reason.split('.').at(-1), message: t(lang, batch.failure.reason, batch.failure.params ?? {}) } } : {}),
  };
}

/** The report of the rows not saved, as a CSV in the reader's language: row, column, value as typed, reason. */
export function problemsCsv(batch: EnrolmentImportRecord, lang: Lang): Buffer {
  const columns = [
    { header: t(lang, 'enrolments.import.row'), key: 'line' },
    { header: t(lang, 'enrolments.import.column'), key: 'column' },
    { header: t(lang, 'enrolments.import.value'), key: 'value' },
    { header: t(lang, 'enrolments.import.reason'), key: 'reason' },
  ];
  return toCsv(columns, describeProblems(batch, lang));
}

export function describeProblems(batch: Pick<EnrolmentImportRecord, 'problems'>, lang: Lang, which: 'problems' | 'notes' = 'problems'): { line: number; column: string; value: string; reason: string }[] {
  return [...((batch as Pick<EnrolmentImportRecord, 'problems' | 'notes'>)[which] ?? [])]
    .sort((a, b) => a.line - b.line)
    .map((p) => ({ line: p.line, column: columnLabel(p.column, lang), value: p.value, reason: t(lang, p.reason, p.params ?? {}) }));
}

function columnLabel(column: string, lang: Lang): string {
  return (ENROLMENT_FIELDS as readonly string[]).includes(column) ? t(lang, `enrolments.label.${column}`) : column;
}

/** A file to fill in: the columns in the reader's language and one example row. */
export function templateCsv(lang: Lang): Buffer {
  const example: Record<string, string> = {
    nationalId: '0499370899',
    firstName: lang === 'fa' ? 'مریم' : 'Maryam',
    lastName: lang === 'fa' ? 'رضایی' : 'Rezaei',
    birthDate: '1370/05/03',
    sex: t(lang, 'enrolments.sex.female'),
    mobile: '09121234567',
    targetGroup: t(lang, 'enrolments.targetGroup.villagers'),
    channel: t(lang, 'enrolments.channel.in-person'),
    village: '',
    referringAgency: '',
    inPersonReason: t(lang, 'enrolments.inPersonReason.asked'),
  };
  return toCsv(ENROLMENT_FIELDS.map((f) => ({ header: t(lang, `enrolments.label.${f}`), key: f })), [example]);
}
