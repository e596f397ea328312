import mongoose, { type Types } from 'mongoose';
import { FieldProblem, type FieldProblemRecord } from '../../models/field-problem.model.js';
import { OTHER_TOPIC } from '../../models/problem-topic.model.js';
import { placeFields } from '../../models/plugins/place-scoped.js';
import { PROVINCE_WIDE_ROLES, type Role } from '../auth/roles.js';
import { assertInScope, isInScope, outOfScope, type AuthUser, type ScopeUser } from '../auth/scope.js';
import { checkedAttachment } from '../committees/updates.service.js';
import { AppError, notFound, validationFailed } from '../errors/app-error.js';
import { requireTopic } from './topics.service.js';

/** Who logs field problems and says "we have this too": the people who meet them. */
export const FIELD_ROLES: readonly Role[] = ['village-head', 'mayor', 'district-governor', 'county-governor', 'agency-officer'];

/**
 * Whose problems a user sees: province-wide roles their province; everyone else the whole county they work in,
 * because a problem recurs across the villages and towns of a county and its mayors and village heads must see
 * each other's reports to say "we have this too". Still a place scope, given to the place-scoped plugin, so a
 * query without it fails closed; a mayor of another county sees nothing of this one.
 */
export function problemArea(user: ScopeUser): ScopeUser {
  if (PROVINCE_WIDE_ROLES.includes(user.role)) return user;
  return { role: user.role, province: user.province, placeCode: user.placeCode.slice(0, 4) };
}

export interface ProblemInput {
  topic: string;
  otherText?: string;
  description?: string;
  affected: number;
  attachment?: { filename: string; data: Buffer };
}

function assertFieldRole(actor: AuthUser): void {
  if (!FIELD_ROLES.includes(actor.role)) throw new AppError('forbidden', 'fieldProblems.notFieldRole', 403);
}

/** Someone in the field logs a problem at their own place; it opens a thread others can join. */
export async function reportProblem(actor: AuthUser, input: ProblemInput, now = new Date()): Promise<FieldProblemRecord> {
  assertFieldRole(actor);
  const place = await assertInScope(actor, actor.placeCode);
  await requireTopic(actor, input.topic);
  if (input.topic === OTHER_TOPIC && !input.otherText) throw validationFailed({ otherText: 'fieldProblems.otherNeedsWords' });
  const attachment = input.attachment ? checkedAttachment(input.attachment) : undefined;
  const id = new mongoose.Types.ObjectId();
  const created = await FieldProblem.create({
    _id: id,
    thread: id,
    first: true,
    topic: input.topic,
    ...(input.topic === OTHER_TOPIC ? { otherText: input.otherText } : {}),
    ...(input.description ? { description: input.description } : {}),
    affected: input.affected,
    placeCode: place.code,
    reportedAt: now,
    by: actor.username,
    byRole: actor.role,
    ...(attachment ? { attachment } : {}),
    ...placeFields(place),
  });
  return created.toObject() as unknown as FieldProblemRecord;
}

/** The first report of a thread, if the user's area holds it: 404 when there is none, 403 when it lies elsewhere. */
export async function getThread(user: ScopeUser, id: string): Promise<FieldProblemRecord> {
  if (!mongoose.isValidObjectId(id)) throw notFound();
  const problem = await FieldProblem.findById(id).setOptions({ scope: 'system' }).select({ 'attachment.data': 0 }).lean<FieldProblemRecord>();
  if (!problem) throw notFound();
  if (!isInScope(problemArea(user), problem)) throw outOfScope();
  if (!problem.first) return getThread(user, String(problem.thread));
  return problem;
}

/**
 * "We have this too": someone in the same area reports the same problem at their place, with their own count of
 * people. A place counts once per problem: the unique key refuses a second report from the same place (409).
 */
export async function sameHere(actor: AuthUser, threadId: string, input: { affected: number; description?: string }, now = new Date()): Promise<FieldProblemRecord> {
  assertFieldRole(actor);
  const thread = await getThread(actor, threadId);
  const place = await assertInScope(actor, actor.placeCode);
  try {
    const created = await FieldProblem.create({
      thread: thread._id,
      first: false,
      topic: thread.topic,
      ...(thread.otherText ? { otherText: thread.otherText } : {}),
      ...(input.description ? { description: input.description } : {}),
      affected: input.affected,
      placeCode: place.code,
      reportedAt: now,
      by: actor.username,
      byRole: actor.role,
      ...placeFields(place),
    });
    return created.toObject() as unknown as FieldProblemRecord;
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw new AppError('alreadyReported', 'fieldProblems.alreadyReported', 409);
    throw err;
  }
}

export interface ThreadSummary {
  id: string;
  topic: string;
  otherText?: string;
  description?: string;
  placeCode: string;
  by: string;
  reportedAt: Date;
  /** Places that reported it (the first one included) and the people they said it affected. */
  places: number;
  people: number;
  lastReportAt: Date;
  /** Whether the user's own place has reported it already. */
  reportedHere: boolean;
  hasAttachment: boolean;
}

/** Problems of the user's area (optionally one topic, or one place and below), the most widely reported first. */
export async function listThreads(user: ScopeUser, filter: { topic?: string; place?: string } = {}): Promise<ThreadSummary[]> {
  const match: Record<string, unknown> = {};
  if (filter.topic) match.topic = filter.topic;
  if (filter.place) match.placePath = filter.place;
  const rows = await FieldProblem.aggregate<{ _id: Types.ObjectId; places: number; people: number; last: Date; here: number }>([
    { $match: match },
    { $group: { _id: '$thread', places: { $sum: 1 }, people: { $sum: '$affected' }, last: { $max: '$reportedAt' }, here: { $sum: { $cond: [{ $eq: ['$placeCode', user.placeCode] }, 1, 0] } } } },
  ]).option({ scope: problemArea(user) });
  const firsts = await FieldProblem.find({ _id: { $in: rows.map((r) => r._id) } })
    .setOptions({ scope: problemArea(user) })
    .select({ 'attachment.data': 0 })
    .lean<FieldProblemRecord[]>();
  const byId = new Map(firsts.map((f) => [String(f._id), f]));
  return rows
    .filter((r) => byId.has(String(r._id)))
    .map((r) => {
      const f = byId.get(String(r._id))!;
      return {
        id: String(f._id),
        topic: f.topic,
        ...(f.otherText ? { otherText: f.otherText } : {}),
        ...(f.description ? { description: f.description } : {}),
        placeCode: f.placeCode,
        by: f.by,
        reportedAt: f.reportedAt,
        places: r.places,
        people: r.people,
        lastReportAt: r.last,
        reportedHere: r.here > 0,
        hasAttachment: Boolean(f.attachment),
      };
    })
    .sort((a, b) => b.places - a.places || b.people - a.people || b.lastReportAt.getTime() - a.lastReportAt.getTime());
}

/** Every report of a thread (the first and each "we have this too"), oldest first, without attachment bytes. */
export async function threadReports(user: ScopeUser, thread: FieldProblemRecord): Promise<FieldProblemRecord[]> {
  return FieldProblem.find({ thread: thread._id }).setOptions({ scope: problemArea(user) }).select({ 'attachment.data': 0 }).sort({ reportedAt: 1 }).lean<FieldProblemRecord[]>();
}

/** The people who raised these threads (every report's author), for telling them what became of it. */
export async function raisersOf(user: ScopeUser, threadIds: readonly string[]): Promise<{ username: string; role: string; placeCode: string; thread: string }[]> {
  const ids = threadIds.filter((id) => mongoose.isValidObjectId(id));
  const reports = await FieldProblem.find({ thread: { $in: ids } }, { by: 1, byRole: 1, placeCode: 1, thread: 1 }).setOptions({ scope: problemArea(user) }).lean<FieldProblemRecord[]>();
  return reports.map((r) => ({ username: r.by, role: r.byRole, placeCode: r.placeCode, thread: String(r.thread) }));
}

/** The attachment of a first report, for anyone whose area holds it. */
export async function problemAttachment(user: ScopeUser, id: string): Promise<{ filename: string; contentType: string; data: Buffer }> {
  if (!mongoose.isValidObjectId(id)) throw notFound();
  const problem = await FieldProblem.findById(id).setOptions({ scope: problemArea(user) }).lean<FieldProblemRecord>();
  if (!problem?.attachment) throw notFound();
  const data = Buffer.isBuffer(problem.attachment.data) ? problem.attachment.data : Buffer.from((problem.attachment.data as unknown as { buffer: Uint8Array }).buffer);
  return { filename: problem.attachment.filename, contentType: problem.attachment.contentType, data };
}

