import mongoose from 'mongoose';
import { Resolution, type ResolutionRecord, type ResolutionStatus } from '../../models/resolution.model.js';
import { ResolutionUpdate, type ResolutionUpdateRecord } from '../../models/resolution-update.model.js';
import type { AuthUser, QueryScope } from '../auth/scope.js';
import { AppError, notFound, validationFailed } from '../errors/app-error.js';
import { toJalali, type JalaliDate } from '../shared/jalali.js';
import { commitmentInstances, getResolution } from './resolutions.service.js';

/** Evidence files (progress updates, field problems): PDF or an image, recognised by their first bytes (not by the name or the browser's word). */
export const ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024;
const SIGNATURES: { contentType: string; magic: number[] }[] = [
  { contentType: 'application/pdf', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { contentType: 'image/png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { contentType: 'image/jpeg', magic: [0xff, 0xd8, 0xff] },
];

export interface UpdateInput {
  text: string;
  progress?: number;
  status?: ResolutionStatus;
  /** For a recurring commitment: the month (`YYYY-MM`) this update reports on; the oldest undelivered one by default. */
  period?: string;
  attachment?: { filename: string; data: Buffer };
}

/** Only the officers of the responsible agency report on a commitment; the governor's office may also record and cancel. */
function assertMayUpdate(actor: AuthUser, resolution: ResolutionRecord, status?: ResolutionStatus): void {
  const ownAgency = actor.role === 'agency-officer' && actor.agency === resolution.agency;
  const governor = actor.role === 'governor-office';
  if (!ownAgency && !governor) throw new AppError('forbidden', 'committees.notYourAgency', 403);
  if (status === 'cancelled' && !governor) throw new AppError('forbidden', 'committees.onlyGovernorCancels', 403);
}

export function attachmentType(data: Buffer): string | null {
  return SIGNATURES.find((s) => s.magic.every((byte, i) => data[i] === byte))?.contentType ?? null;
}

/**
 * An agency officer reports progress on a commitment. "Done" on a one-off closes it; on a monthly commitment it
 * delivers one month's report (and closes it when no month is left). The update, the resolution's new status and
 * progress, and a line in its history are written together; a cancelled resolution takes no more updates.
 */
export async function postUpdate(actor: AuthUser, resolutionId: string, input: UpdateInput, now = new Date()): Promise<ResolutionUpdateRecord> {
  const resolution = await getResolution(actor, resolutionId);
  assertMayUpdate(actor, resolution, input.status);
  if (resolution.status === 'cancelled') throw new AppError('resolutionCancelled', 'committees.resolutionCancelled', 409);
  const attachment = input.attachment ? checkedAttachment(input.attachment) : undefined;

  const today = toJalali(now);
  const day: JalaliDate = { year: today.year, month: today.month, day: today.day };
  const deliveries = [...resolution.deliveries];
  let status = input.status ?? (resolution.status === 'open' ? 'in-progress' : resolution.status);
  let period: string | undefined;
  if (input.status === 'done') {
    if (resolution.deadline.type === 'monthly') {
      const outstanding = commitmentInstances(resolution, day).filter((i) => !i.doneOn);
      const target = input.period ? outstanding.find((i) => i.period === input.period) : outstanding[0];
      if (!target) throw validationFailed({ period: 'committees.noPeriodToDeliver' });
      period = target.period;
      deliveries.push({ period, doneOn: day });
      const until = resolution.deadline.until;
      const lastPeriodDelivered = until && outstanding.length === 1 && target.period === `${until.year}-${String(until.month).padStart(2, '0')}`;
      status = lastPeriodDelivered ? 'done' : 'in-progress';
    } else {
      period = 'once';
      if (!deliveries.some((d) => d.period === 'once')) deliveries.push({ period, doneOn: day });
    }
  }
  const progress = status === 'done' ? 100 : (input.progress ?? resolution.progress);

  return mongoose.connection.transaction(async (session) => {
    const update = new ResolutionUpdate({
      resolution: resolution._id,
      text: input.text,
      ...(input.progress !== undefined ? { progress: input.progress } : {}),
      ...(input.status ? { status: input.status } : {}),
      ...(period ? { period } : {}),
      ...(attachment ? { attachment } : {}),
      by: actor.username,
      byName: actor.username,
      ...(actor.agency ? { agency: actor.agency } : {}),
      province: resolution.province,
      placePath: resolution.placePath,
    });
    await update.save({ session });
    const changed = await Resolution.updateOne(
      { _id: resolution._id, status: { $ne: 'cancelled' }, updatedAt: resolution.updatedAt },
      {
        $set: { status, progress, deliveries, lastUpdateAt: now },
        $push: { history: { at: now, by: actor.username, byName: actor.username, action: 'update', detail: describe(resolution, status, progress, period) } },
      },
      { session },
    ).setOptions({ scope: actor });
    // someone else changed it meanwhile: the transaction is abandoned, nothing is half-written
    if (changed.matchedCount !== 1) throw new AppError('conflict', 'committees.resolutionChanged', 409);
    return update.toObject() as unknown as ResolutionUpdateRecord;
  });
}

function describe(resolution: ResolutionRecord, status: string, progress: number, period?: string): string {
  const parts = [];
  if (status !== resolution.status) parts.push(`${resolution.status} → ${status}`);
  if (progress !== resolution.progress) parts.push(`${resolution.progress}% → ${progress}%`);
  if (period) parts.push(period);
  return parts.join('، ');
}

export function checkedAttachment(file: { filename: string; data: Buffer }): { filename: string; contentType: string; size: number; data: Buffer } {
  if (file.data.length > ATTACHMENT_MAX_BYTES) throw validationFailed({ attachment: 'committees.attachmentTooLarge' });
  const contentType = attachmentType(file.data);
  if (!contentType) throw validationFailed({ attachment: 'committees.attachmentType' });
  return { filename: file.filename.replace(/[\\/\u0000-\u001f"]/g, '_').slice(0, 120) || 'attachment', contentType, size: file.data.length, data: file.data };
}

/** A commitment's updates, newest first, without the attachments' bytes. */
export async function updatesOf(user: QueryScope, resolution: ResolutionRecord): Promise<ResolutionUpdateRecord[]> {
  return ResolutionUpdate.find({ resolution: resolution._id }).setOptions({ scope: user }).select({ 'attachment.data': 0 }).sort({ createdAt: -1 }).lean<ResolutionUpdateRecord[]>();
}

/** The attachment of an update, for download by anyone who may see the resolution. */
export async function attachmentOf(user: QueryScope, updateId: string): Promise<{ filename: string; contentType: string; data: Buffer }> {
  if (!mongoose.isValidObjectId(updateId)) throw notFound();
  const update = await ResolutionUpdate.findById(updateId).setOptions({ scope: user }).lean<ResolutionUpdateRecord>();
  if (!update?.attachment) throw notFound();
  const data = Buffer.isBuffer(update.attachment.data) ? update.attachment.data : Buffer.from((update.attachment.data as unknown as { buffer: Uint8Array }).buffer);
  return { filename: update.attachment.filename, contentType: update.attachment.contentType, data };
}
