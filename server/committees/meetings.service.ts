import mongoose, { type Types } from 'mongoose';
import { Committee, type CommitteeRecord } from '../../models/committee.model.js';
import { Meeting, type HistoryEntry, type MeetingRecord } from '../../models/meeting.model.js';
import { isInScope, outOfScope, type AuthUser, type QueryScope } from '../auth/scope.js';
import { AppError, notFound, validationFailed } from '../errors/app-error.js';
import { jalaliMonthKey, toJalali } from '../shared/jalali.js';
import { assertRunsCommittee, getCommittee } from './committees.service.js';
import { queueInvitations, type MailSettings } from './invitations.js';

export interface ScheduleInput {
  startsAt: Date;
  location: string;
  agenda?: string;
  durationMinutes?: number;
}

export interface AttendanceInput {
  attendance: { name: string; agency?: string; present: boolean }[];
}

/** The Jalali month (`YYYY-MM`, Tehran) an instant falls in. */
export function monthOf(instant: Date): string {
  const j = toJalali(instant);
  return jalaliMonthKey(j.year, j.month);
}

function historyEntry(actor: AuthUser, action: string, now: Date, detail?: string): HistoryEntry {
  return { at: now, by: actor.username, byName: actor.username, action, ...(detail ? { detail } : {}) };
}

/** A meeting the user may see, with its committee. */
export async function getMeeting(user: QueryScope, id: string | Types.ObjectId): Promise<{ meeting: MeetingRecord; committee: CommitteeRecord }> {
  if (!mongoose.isValidObjectId(id)) throw notFound();
  const meeting = await Meeting.findById(id).setOptions({ scope: 'system' }).lean<MeetingRecord>();
  if (!meeting) throw notFound();
  if (!isInScope(user, meeting)) throw outOfScope();
  return { meeting, committee: await getCommittee('system', meeting.committee) };
}

/**
 * The chair's office schedules a meeting: never in the past, always of a committee it runs (a county governor
 * schedules only their own county's). The meeting and the invitations to every member (with an ICS calendar
 * entry) are written together or not at all.
 */
export async function scheduleMeeting(actor: AuthUser, committeeId: string, input: ScheduleInput, mail: MailSettings, now = new Date()): Promise<MeetingRecord> {
  const committee = await getCommittee(actor, committeeId);
  assertRunsCommittee(actor, committee);
  if (input.startsAt.getTime() <= now.getTime()) throw validationFailed({ startsAt: 'committees.meetingInPast' });
  return mongoose.connection.transaction(async (session) => {
    const created = new Meeting({
      committee: committee._id,
      startsAt: input.startsAt,
      durationMinutes: input.durationMinutes ?? 90,
      month: monthOf(input.startsAt),
      location: input.location,
      agenda: input.agenda ?? '',
      state: 'scheduled',
      sequence: 0,
      history: [historyEntry(actor, 'scheduled', now)],
      province: committee.province,
      placePath: committee.placePath,
    });
    await created.save({ session });
    const meeting = created.toObject() as unknown as MeetingRecord;
    await queueInvitations('invitation', meeting, committee, mail, session);
    return meeting;
  });
}

/** A scheduled meeting of a committee the actor runs, for a change of plan. */
async function scheduledMeetingFor(actor: AuthUser, id: string): Promise<{ meeting: MeetingRecord; committee: CommitteeRecord }> {
  const found = await getMeeting(actor, id);
  assertRunsCommittee(actor, found.committee);
  if (found.meeting.state !== 'scheduled') throw new AppError('meetingState', `committees.meetingNotScheduled`, 409);
  return found;
}

/** Moves a scheduled meeting (to a future time): a new SEQUENCE, and every invitee gets the update. */
export async function rescheduleMeeting(actor: AuthUser, id: string, input: ScheduleInput, mail: MailSettings, now = new Date()): Promise<MeetingRecord> {
  const { meeting, committee } = await scheduledMeetingFor(actor, id);
  if (input.startsAt.getTime() <= now.getTime()) throw validationFailed({ startsAt: 'committees.meetingInPast' });
  return mongoose.connection.transaction(async (session) => {
    const updated = await Meeting.findOneAndUpdate(
      { _id: meeting._id, state: 'scheduled', sequence: meeting.sequence },
      {
        $set: { startsAt: input.startsAt, month: monthOf(input.startsAt), location: input.location, agenda: input.agenda ?? meeting.agenda, sequence: meeting.sequence + 1 },
        $push: { history: historyEntry(actor, 'rescheduled', now, `${meeting.startsAt.toISOString()} → ${input.startsAt.toISOString()}`) },
      },
      { returnDocument: 'after', session },
    )
      .setOptions({ scope: actor })
      .lean<MeetingRecord>();
    if (!updated) throw new AppError('meetingState', 'committees.meetingChanged', 409);
    await queueInvitations('update', updated, committee, mail, session);
    return updated;
  });
}

/** Cancels a scheduled meeting: a cancellation (METHOD:CANCEL, same UID) goes to every invitee. */
export async function cancelMeeting(actor: AuthUser, id: string, reason: string, mail: MailSettings, now = new Date()): Promise<MeetingRecord> {
  const { meeting, committee } = await scheduledMeetingFor(actor, id);
  return mongoose.connection.transaction(async (session) => {
    const updated = await Meeting.findOneAndUpdate(
      { _id: meeting._id, state: 'scheduled', sequence: meeting.sequence },
      { $set: { state: 'cancelled', sequence: meeting.sequence + 1 }, $push: { history: historyEntry(actor, 'cancelled', now, reason) } },
      { returnDocument: 'after', session },
    )
      .setOptions({ scope: actor })
      .lean<MeetingRecord>();
    if (!updated) throw new AppError('meetingState', 'committees.meetingChanged', 409);
    await queueInvitations('cancel', updated, committee, mail, session);
    return updated;
  });
}

export interface PastMeetingInput extends ScheduleInput, AttendanceInput {
  minutes?: string;
}

/**
 * A meeting that took place but was never entered beforehand, recorded in one step: when and where, who came and,
 * if written, its minutes. It is held from the start (so it counts for its month's compliance), no invitation goes
 * out for it, and a time still to come is refused (that is a meeting to schedule).
 */
export async function recordPastMeeting(actor: AuthUser, committeeId: string, input: PastMeetingInput, now = new Date()): Promise<MeetingRecord> {
  const committee = await getCommittee(actor, committeeId);
  assertRunsCommittee(actor, committee);
  if (input.startsAt.getTime() > now.getTime()) throw validationFailed({ date: 'committees.meetingInFuture' });
  const present = input.attendance.filter((a) => a.present).length;
  const minutes = input.minutes?.trim();
  const created = new Meeting({
    committee: committee._id,
    startsAt: input.startsAt,
    durationMinutes: input.durationMinutes ?? 90,
    month: monthOf(input.startsAt),
    location: input.location,
    agenda: input.agenda ?? '',
    state: 'held',
    sequence: 0,
    attendance: input.attendance,
    heldAt: now,
    ...(minutes ? { minutes } : {}),
    history: [historyEntry(actor, 'held', now, String(present)), ...(minutes ? [historyEntry(actor, 'minutes', now)] : [])],
    province: committee.province,
    placePath: committee.placePath,
  });
  await created.save();
  return created.toObject() as unknown as MeetingRecord;
}

/** After the meeting: who came. Only a scheduled meeting whose time has come can be recorded as held. */
export async function recordHeld(actor: AuthUser, id: string, input: AttendanceInput, now = new Date()): Promise<MeetingRecord> {
  const { meeting } = await scheduledMeetingFor(actor, id);
  if (meeting.startsAt.getTime() > now.getTime()) throw new AppError('meetingState', 'committees.meetingNotYetHeld', 409);
  const present = input.attendance.filter((a) => a.present).length;
  const updated = await Meeting.findOneAndUpdate(
    { _id: meeting._id, state: 'scheduled' },
    { $set: { state: 'held', heldAt: now, attendance: input.attendance }, $push: { history: historyEntry(actor, 'held', now, String(present)) } },
    { returnDocument: 'after' },
  )
    .setOptions({ scope: actor })
    .lean<MeetingRecord>();
  if (!updated) throw new AppError('meetingState', 'committees.meetingChanged', 409);
  return updated;
}

/** Minutes are written for a meeting that was held (and may be corrected until they are approved). */
export async function saveMinutes(actor: AuthUser, id: string, minutes: string, now = new Date()): Promise<MeetingRecord> {
  const { meeting, committee } = await getMeeting(actor, id);
  assertRunsCommittee(actor, committee);
  if (meeting.state !== 'held') throw new AppError('meetingState', meeting.state === 'minutes-approved' ? 'committees.minutesAlreadyApproved' : 'committees.minutesBeforeHeld', 409);
  const updated = await Meeting.findOneAndUpdate({ _id: meeting._id, state: 'held' }, { $set: { minutes }, $push: { history: historyEntry(actor, 'minutes', now) } }, { returnDocument: 'after' })
    .setOptions({ scope: actor })
    .lean<MeetingRecord>();
  if (!updated) throw new AppError('meetingState', 'committees.meetingChanged', 409);
  return updated;
}

/** Approving the minutes closes the meeting's record. */
export async function approveMinutes(actor: AuthUser, id: string, now = new Date()): Promise<MeetingRecord> {
  const { meeting, committee } = await getMeeting(actor, id);
  assertRunsCommittee(actor, committee);
  if (meeting.state !== 'held') throw new AppError('meetingState', 'committees.minutesBeforeHeld', 409);
  if (!meeting.minutes) throw new AppError('meetingState', 'committees.minutesMissing', 409);
  const updated = await Meeting.findOneAndUpdate(
    { _id: meeting._id, state: 'held' },
    { $set: { state: 'minutes-approved', minutesApprovedAt: now }, $push: { history: historyEntry(actor, 'minutes-approved', now) } },
    { returnDocument: 'after' },
  )
    .setOptions({ scope: actor })
    .lean<MeetingRecord>();
  if (!updated) throw new AppError('meetingState', 'committees.meetingChanged', 409);
  return updated;
}

/** A committee's meetings, latest first. */
export async function meetingsOf(user: QueryScope, committee: CommitteeRecord): Promise<MeetingRecord[]> {
  return Meeting.find({ committee: committee._id }).setOptions({ scope: user }).sort({ startsAt: -1 }).lean<MeetingRecord[]>();
}

// ── For the scheduled jobs (reminders): all run with the system scope ──

export interface UpcomingMeeting {
  meeting: MeetingRecord;
  committee: CommitteeRecord;
}

/** Scheduled meetings starting between `now` and `days` days later, soonest first, with their committees (only `province`'s when given). */
export async function meetingsStartingWithin(days: number, now = new Date(), province?: string): Promise<UpcomingMeeting[]> {
  const until = new Date(now.getTime() + days * 86_400_000);
  const meetings = await Meeting.find({ ...(province ? { province } : {}), state: 'scheduled', startsAt: { $gte: now, $lte: until } }).setOptions({ scope: 'system' }).sort({ startsAt: 1 }).lean<MeetingRecord[]>();
  return withCommittees(meetings, province);
}

/** Meetings recorded as held at least `days` days ago whose minutes are still not written (only `province`'s when given). */
export async function heldMeetingsWithoutMinutes(days: number, now = new Date(), province?: string): Promise<UpcomingMeeting[]> {
  const before = new Date(now.getTime() - days * 86_400_000);
  const meetings = await Meeting.find({ ...(province ? { province } : {}), state: 'held', heldAt: { $lte: before }, $or: [{ minutes: { $exists: false } }, { minutes: null }, { minutes: '' }] })
    .setOptions({ scope: 'system' })
    .sort({ heldAt: 1 })
    .lean<MeetingRecord[]>();
  return withCommittees(meetings, province);
}

async function withCommittees(meetings: MeetingRecord[], province: string | undefined): Promise<UpcomingMeeting[]> {
  const committees = await Committee.find({ ...(province ? { province } : {}), _id: { $in: meetings.map((m) => m.committee) } }).setOptions({ scope: 'system' }).lean<CommitteeRecord[]>();
  const byId = new Map(committees.map((c) => [String(c._id), c]));
  return meetings.flatMap((meeting) => {
    const committee = byId.get(String(meeting.committee));
    return committee ? [{ meeting, committee }] : [];
  });
}
