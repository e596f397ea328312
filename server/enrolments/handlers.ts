import { recordExport } from '../audit/record.js';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { TARGET_GROUPS } from '../../models/campaign.model.js';
import { CHANNELS, SEXES } from '../../models/enrolment.model.js';
import { AppError, validationFailed } from '../errors/app-error.js';
import { setFlash } from '../http/flash.js';
import { validated } from '../http/validate.js';
import { AGENCIES } from '../users/agencies.js';
import { enrolmentsByStatus, logEnrolment, openCampaigns, rejectEnrolment, verifyEnrolment, VERIFICATION_PAGE_SIZE } from './enrolments.service.js';
import { enrolmentHome } from './home.service.js';
import { describeProblems, isStalled, MAX_FILE_BYTES, getImport, INLINE_IMPORT_ROWS, MAX_IMPORT_ROWS, problemsCsv, startImport, templateCsv } from './import.service.js';
import { enrolmentParams, importParams, rejectForm, verificationList } from './validation.js';

/** The home of whoever logs enrolments: quota, progress and latest enrolments of their own place. */
export async function home(req: Request, res: Response): Promise<void> {
  res.render('enrolments/home', { home: await enrolmentHome(req.user!) });
}

export async function newForm(req: Request, res: Response): Promise<void> {
  const campaigns = await openCampaigns(req.user!);
  res.render('enrolments/new', {
    campaigns: campaigns.map((c) => ({ id: String(c._id), name: c.name })),
    choosesCampaign: campaigns.length > 1,
    // a village head or a mayor enrols at their own place; anyone above names the village or town
    choosesPlace: !['village-head', 'mayor'].includes(req.user!.role),
    sexes: SEXES,
    targetGroups: TARGET_GROUPS,
    channels: CHANNELS,
    agencies: AGENCIES,
  });
}

export async function create(req: Request, res: Response): Promise<void> {
  const enrolment = await asFormError(logEnrolment(req.user!, req.body ?? {}));
  setFlash(req, { type: 'success', key: 'enrolments.logged', params: { name: `${enrolment.firstName} ${enrolment.lastName}` } });
  res.redirect(303, '/enrolments');
}

export async function createJson(req: Request, res: Response): Promise<void> {
  const enrolment = await logEnrolment(req.user!, req.body ?? {});
  res.status(201).json({ id: String(enrolment._id) });
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
  const stalled = isStalled(batch);
  const running = batch.status === 'running' && !stalled;
  res.render('enrolments/import-status', {
    title: batch.filename,
    batch,
    status: stalled ? 'failed' : batch.status,
    running,
    // no JavaScript: the page asks the browser to reload it while the import runs
    refreshSeconds: running ? 2 : undefined,
    percentDone: batch.total ? Math.floor((batch.processed / batch.total) * 100) : 100,
    problems: describeProblems(batch, req.lang).slice(0, 100),
    problemCount: batch.problems.length,
  });
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
async function asFormError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof AppError && err.status === 403 && err.fields) throw new AppError(err.name, err.messageKey, 422, err.params, err.fields);
    throw err;
  }
}
