import { recordExport } from '../audit/record.js';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { TARGET_GROUPS } from '../../models/campaign.model.js';
import { CHANNELS, IN_PERSON_REASONS, SEXES } from '../../models/enrolment.model.js';
import { AppError, validationFailed } from '../errors/app-error.js';
import { setFlash } from '../http/flash.js';
import { t } from '../i18n/index.js';
import { validated } from '../http/validate.js';
import { AGENCIES } from '../users/agencies.js';
import { ENROLMENT_LEVELS, enrolmentName, enrolmentPlace, enrolmentsByStatus, logEnrolment, openCampaigns, rejectEnrolment, verifyEnrolment, VERIFICATION_PAGE_SIZE } from './enrolments.service.js';
import { enrolmentBatch, logBatch } from './batch.js';
import { enrolmentHome } from './home.service.js';
import { readIdempotencyKey } from './idempotency.js';
import { confirmPossibleDuplicate, dismissPossibleDuplicate, openDuplicatePairs } from './possible-duplicates.js';
import { describeImport, describeProblems, MAX_FILE_BYTES, getImport, INLINE_IMPORT_ROWS, MAX_IMPORT_ROWS, problemsCsv, startImport, templateCsv } from './import.service.js';
import { placeCodeFromText, placePicker } from '../places/place-picker.js';
import { enrolmentParams, importParams, invalidEnrolment, readEnrolmentInput, rejectForm, verificationList } from './validation.js';

/**
 * The home of whoever logs enrolments: quota, progress and latest enrolments of their own place, and after the
 * form the message naming who was just logged.
 */
export async function home(req: Request, res: Response): Promise<void> {
  const justLogged = takeJustLogged(req, res);
  const home = await enrolmentHome(req.user!);
  if (justLogged) {
    const name = home.recent.find((e) => e.id === justLogged)?.name ?? (await enrolmentName(req.user!, justLogged));
    if (name) res.locals.flash = { type: 'success', key: 'enrolments.logged', params: { name } };
  }
  res.render('enrolments/home', { home });
}

/**
 * The form's success message rides in a short-lived cookie holding only the new enrolment's id, not in the
 * session: the busiest form of the app then writes no session on its way (POST, redirect, page). The page
 * shows the name only of an enrolment the user may see, so a forged cookie shows nothing new.
 */
const JUST_LOGGED = 'enrolment-logged';
const justLoggedCookie = { httpOnly: true, sameSite: 'lax', path: '/enrolments' } as const;

function takeJustLogged(req: Request, res: Response): string | undefined {
  const id = new RegExp(`(?:^|;\\s*)${JUST_LOGGED}=([0-9a-f]{24})(?:;|$)`).exec(req.headers.cookie ?? '')?.[1];
  if (id) res.clearCookie(JUST_LOGGED, justLoggedCookie);
  return id;
}

export async function newForm(req: Request, res: Response): Promise<void> {
  const campaigns = await openCampaigns(req.user!);
  const choosesPlace = !['village-head', 'mayor'].includes(req.user!.role);
  res.render('enrolments/new', {
    // the limits ride with the form, so the phone checks the age offline (public/offline/)
    campaigns: campaigns.map((c) => ({ id: String(c._id), name: c.name, minAge: c.minAge, maxAge: c.maxAge, townThreshold: c.townThreshold, targetGroups: c.targetGroups.join(',') })),
    choosesCampaign: campaigns.length > 1,
    // a village head or a mayor enrols at their own place; anyone above names the village or town
    choosesPlace,
    ownPlace: choosesPlace ? undefined : await enrolmentPlace(req.user!, undefined).catch(() => undefined),
    villagePicker: choosesPlace ? await placePicker(req.user!, ENROLMENT_LEVELS, res.locals.form?.values?.village) : null,
    sexes: SEXES,
    targetGroups: TARGET_GROUPS,
    channels: CHANNELS,
    inPersonReasons: IN_PERSON_REASONS,
    agencies: AGENCIES,
  });
}

export async function create(req: Request, res: Response): Promise<void> {
  const enrolment = await asFormError(logEnrolment(req.user!, await withPlaceCode(req.user!, req.body ?? {})));
  res.cookie(JUST_LOGGED, String(enrolment._id), { ...justLoggedCookie, maxAge: 5 * 60_000, secure: req.secure });
  res.redirect(303, '/enrolments');
}

export async function createJson(req: Request, res: Response): Promise<void> {
  const enrolment = await logEnrolment(req.user!, req.body ?? {}, new Date(), readIdempotencyKey(req.get('idempotency-key')));
  res.status(201).json({ id: String(enrolment._id) });
}

export async function createBatchJson(req: Request, res: Response): Promise<void> {
  const { body } = validated(req, enrolmentBatch);
  res.json({ results: await logBatch(req.user!, body.items, req.lang) });
}

export async function verificationPage(req: Request, res: Response): Promise<void> {
  const { query } = validated(req, verificationList);
  const { enrolments, total } = await enrolmentsByStatus(req.user!, query.status, query.page);
  const pages = Math.max(1, Math.ceil(total / VERIFICATION_PAGE_SIZE));
  res.render('enrolments/verify', {
    enrolments,
    total,
    status: query.status,
    statuses: ['logged', 'verified', 'rejected'],
    duplicatePairs: await openDuplicatePairs(req.user!),
    page: query.page,
    ...(query.page > 1 ? { previousPage: query.page - 1 } : {}),
    ...(query.page < pages ? { nextPage: query.page + 1 } : {}),
  });
}

export async function verify(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, enrolmentParams);
  const enrolment = await verifyEnrolment(req.user!, params.id);
  setFlash(req, { type: 'success', key: 'enrolments.verified', params: { name: `${enrolment.firstName} ${enrolment.lastName}` } });
  res.redirect(303, '/enrolments/verify');
}

export async function reject(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, rejectForm);
  const enrolment = await rejectEnrolment(req.user!, params.id, body.reason);
  setFlash(req, { type: 'success', key: 'enrolments.rejected', params: { name: `${enrolment.firstName} ${enrolment.lastName}` } });
  res.redirect(303, '/enrolments/verify');
}

export async function confirmDuplicate(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, enrolmentParams);
  const enrolment = await confirmPossibleDuplicate(req.user!, params.id, req.lang);
  setFlash(req, { type: 'success', key: 'offline.duplicates.confirmed', params: { name: `${enrolment.firstName} ${enrolment.lastName}` } });
  res.redirect(303, '/enrolments/verify');
}

export async function dismissDuplicate(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, enrolmentParams);
  const enrolment = await dismissPossibleDuplicate(req.user!, params.id);
  setFlash(req, { type: 'success', key: 'offline.duplicates.dismissed', params: { name: `${enrolment.firstName} ${enrolment.lastName}` } });
  res.redirect(303, '/enrolments/verify');
}

export async function verifyJson(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, enrolmentParams);
  const enrolment = await verifyEnrolment(req.user!, params.id);
  res.json({ id: String(enrolment._id), status: enrolment.status });
}

export async function rejectJson(req: Request, res: Response): Promise<void> {
  const { params, body } = validated(req, rejectForm);
  const enrolment = await rejectEnrolment(req.user!, params.id, body.reason);
  res.json({ id: String(enrolment._id), status: enrolment.status });
}

export async function importForm(req: Request, res: Response): Promise<void> {
  const campaigns = await openCampaigns(req.user!);
  res.render('enrolments/import', { campaigns: campaigns.map((c) => ({ id: String(c._id), name: c.name })), choosesCampaign: campaigns.length > 1, maxRows: MAX_IMPORT_ROWS, inlineRows: INLINE_IMPORT_ROWS });
}

export async function upload(req: Request, res: Response): Promise<void> {
  if (!req.file) throw validationFailed({ file: 'validation.required' });
  const campaign = typeof req.body?.campaign === 'string' && req.body.campaign ? req.body.campaign : undefined;
  const { batch, alreadyImported } = await startImport(req.user!, req.file, campaign);
  if (alreadyImported) setFlash(req, { type: 'error', key: 'enrolments.import.sameFile', params: { filename: batch.filename } });
  res.redirect(303, `/enrolments/imports/${batch._id}`);
}

export async function importPage(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, importParams);
  const batch = await getImport(req.user!, params.id);
  // a stalled batch was failed by getImport, with its reason
  const running = batch.status === 'running';
  res.render('enrolments/import-status', {
    title: batch.filename,
    batch,
    status: batch.status,
    running,
    // no JavaScript: the page asks the browser to reload it while the import runs
    refreshSeconds: running ? 2 : undefined,
    percentDone: batch.total ? Math.floor((batch.processed / batch.total) * 100) : 100,
    failure: batch.failure ? t(req.lang, batch.failure.reason, batch.failure.params ?? {}) : undefined,
    problems: describeProblems(batch, req.lang).slice(0, 100),
    problemCount: batch.problems.length,
    notes: describeProblems(batch, req.lang, 'notes').slice(0, 100),
  });
}

export async function importJson(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, importParams);
  res.json(describeImport(await getImport(req.user!, params.id), req.lang));
}

export async function problemsFile(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, importParams);
  const batch = await getImport(req.user!, params.id);
  await recordExport('download', 'enrolment_imports', String(batch._id), batch, { file: 'problems.csv' });
  res.attachment(`problems-${batch._id}.csv`).type('text/csv; charset=utf-8').send(problemsCsv(batch, req.lang));
}

export function templateFile(req: Request, res: Response): void {
  res.attachment('enrolments-template.csv').type('text/csv; charset=utf-8').send(templateCsv(req.lang));
}

// browsers send a Persian file name as raw UTF-8 bytes; busboy's default would read them as latin1
const enrolmentFile = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_FILE_BYTES, files: 1 }, defParamCharset: 'utf8' }).single('file');

/** Receives the one uploaded file in memory; a file over the size limit is a problem of the file field, not a crash. */
export function receiveFile(req: Request, res: Response, next: NextFunction): void {
  enrolmentFile(req, res, (err: unknown) => {
    if (err instanceof multer.MulterError) return next(new AppError('badFile', 'enrolments.import.tooLarge', 422, {}, { file: 'enrolments.import.tooLarge' }));
    next(err);
  });
}

/**
 * A village outside the user's area is 403 in the API; on the form it is one more problem shown beside the
 * village field, so the user keeps what they typed.
 */
/**
 * The form's place field takes a name or a code (server/places/place-picker.ts). A name that finds no place, or
 * several, is reported together with every other problem of the form, in one round.
 */
async function withPlaceCode(user: NonNullable<Request['user']>, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (typeof body.village !== 'string' || !body.village.trim()) return body;
  try {
    return { ...body, village: await placeCodeFromText(user, body.village, ENROLMENT_LEVELS, 'village', typeof body.villagePick === 'string' ? body.villagePick : undefined) };
  } catch (err) {
    if (!(err instanceof AppError) || !err.fields) throw err;
    const read = readEnrolmentInput({ ...body, village: undefined });
    throw invalidEnrolment({ ...(read.ok ? {} : read.fields), ...err.fields });
  }
}

async function asFormError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof AppError && err.status === 403 && err.fields) throw new AppError(err.name, err.messageKey, 422, err.params, err.fields);
    throw err;
  }
}
