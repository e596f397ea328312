import mongoose, { type Types } from 'mongoose';
import { Campaign } from '../../models/campaign.model.js';
import { Committee, type CommitteeRecord } from '../../models/committee.model.js';
import { Quota } from '../../models/quota.model.js';
import { Meeting, type MeetingRecord } from '../../models/meeting.model.js';
import { Resolution, type DeadlineRecord, type ResolutionRecord, type ResolutionStatus } from '../../models/resolution.model.js';
import { isInScope, outOfScope, type AuthUser, type QueryScope, type ScopeUser } from '../auth/scope.js';
import { AppError, notFound, validationFailed } from '../errors/app-error.js';
import { compareJalali, jalaliMonthKey, toJalali, type JalaliDate } from '../shared/jalali.js';
import { requireAxis } from '../agreements/axes.service.js';
import { requireTopic } from '../field-problems/topics.service.js';
import { requireAgencies } from './agencies.service.js';
import { assertRunsCommittee } from './committees.service.js';
import { deadlineStatus, dueDate, recurringInstances, validateDeadline, type DeadlineStatus } from './deadlines.js';
import { getMeeting } from './meetings.service.js';

export interface ResolutionInput {
  text: string;
  agency: string;
  collaborators?: string[];
  targetGroup?: string;
  /** An axis code of the province's list (server/agreements/axes.service.ts). */
  policyAxis?: string;
  /** Field-problem topics it addresses (codes of the province's list). */
  topics?: string[];
  deadline: DeadlineRecord;
  /** The day it was communicated (ابلاغ), from which "within" deadlines run; the meeting's day when not given. */
  communicatedOn?: JalaliDate;
  quotaLink?: { holderLevel?: string; campaign?: string };
}

/** One period a commitment owes: `once` for a one-off, `YYYY-MM` for each month of a recurrence. */
export interface CommitmentInstance {
  period: string;
  due: JalaliDate;
  doneOn: JalaliDate | null;
  state: DeadlineStatus;
}

/** What the tracker shows of a resolution on a given day: its recorded status and the state derived from dates. */
export interface ResolutionView {
  id: string;
  /** The meeting that passed it, or '' for an agreement's clause (then `agreement` names the agreement). */
  meeting: string;
  agreement?: string;
  topics?: string[];
  committee: string;
  number: number;
  text: string;
  agency: string;
  collaborators: string[];
  targetGroup?: string;
  policyAxis?: string;
  deadline: DeadlineRecord;
  communicatedOn: JalaliDate;
  dueOn: JalaliDate | null;
  status: ResolutionStatus;
  /** `overdue` when any owed period is past due and not delivered (unless done or cancelled); otherwise the status. */
  state: ResolutionStatus | 'overdue';
  progress: number;
  instances: CommitmentInstance[];
  /** The next undelivered period's due date, if any. */
  nextDue: JalaliDate | null;
  lastUpdateAt?: Date;
  placePath: string[];
}

const jalaliToday = (today: Date): JalaliDate => {
  const j = toJalali(today);
  return { year: j.year, month: j.month, day: j.day };
};

/** The periods a commitment owes up to `today` (for a recurrence; a one-off always has its one), each with its state. */
export function commitmentInstances(resolution: Pick<ResolutionRecord, 'deadline' | 'communicatedOn' | 'dueOn' | 'deliveries' | 'status'>, today: JalaliDate): CommitmentInstance[] {
  const delivered = new Map(resolution.deliveries.map((d) => [d.period, d.doneOn]));
  const cancelled = resolution.status === 'cancelled';
  const periods =
    resolution.deadline.type === 'monthly'
      ? recurringInstances(resolution.deadline, resolution.communicatedOn, today).map((i) => ({ period: i.periodKey, due: i.due }))
      : [{ period: 'once', due: resolution.dueOn ?? dueDate(resolution.deadline, resolution.communicatedOn)! }];
  return periods.map(({ period, due }) => {
    const doneOn = delivered.get(period) ?? null;
    return { period, due, doneOn, state: deadlineStatus({ due, doneOn, cancelled }, today) };
  });
}

export function toResolutionView(r: ResolutionRecord, today: Date): ResolutionView {
  const day = jalaliToday(today);
  const instances = commitmentInstances(r, day);
  const overdue = r.status !== 'done' && r.status !== 'cancelled' && instances.some((i) => i.state === 'overdue');
  const next = instances.find((i) => !i.doneOn);
  return {
    id: String(r._id),
    meeting: r.meeting ? String(r.meeting) : '',
    ...(r.agreement ? { agreement: String(r.agreement) } : {}),
    ...(r.topics?.length ? { topics: r.topics } : {}),
    committee: String(r.committee),
    number: r.number,
    text: r.text,
    agency: r.agency,
    collaborators: r.collaborators,
    ...(r.targetGroup ? { targetGroup: r.targetGroup } : {}),
    ...(r.policyAxis ? { policyAxis: r.policyAxis } : {}),
    deadline: plainDeadline(r.deadline),
    communicatedOn: plainDate(r.communicatedOn),
    dueOn: r.dueOn ? plainDate(r.dueOn) : null,
    status: r.status,
    state: overdue ? 'overdue' : r.status,
    progress: r.progress,
    instances,
    nextDue: r.status === 'done' || r.status === 'cancelled' ? null : (next?.due ?? null),
    ...(r.lastUpdateAt ? { lastUpdateAt: r.lastUpdateAt } : {}),
    placePath: r.placePath,
  };
}

const plainDate = (d: JalaliDate): JalaliDate => ({ year: d.year, month: d.month, day: d.day });

function plainDeadline(d: DeadlineRecord): DeadlineRecord {
  switch (d.type) {
    case 'date':
      return { type: 'date', date: plainDate(d.date) };
    case 'within':
      return { type: 'within', ...(d.months ? { months: d.months } : {}), ...(d.days ? { days: d.days } : {}) };
    case 'monthly':
      return { type: 'monthly', ...(d.until ? { until: plainDate(d.until) } : {}) };
  }
}

/**
 * The committee's office records a resolution of one of its meetings (not a cancelled one). It gets the next
 * number within the meeting; its agency and collaborators must be in the register; its deadline must make sense
 * for the meeting's date (a fixed date or the end of a recurrence before the meeting is refused).
 */
export async function addResolution(actor: AuthUser, meetingId: string, input: ResolutionInput, now = new Date()): Promise<ResolutionRecord> {
  const { meeting, committee } = await getMeeting(actor, meetingId);
  assertRunsCommittee(actor, committee);
  if (meeting.state === 'cancelled') throw new AppError('meetingState', 'committees.meetingCancelled', 409);
  await requireAgencies(committee.province, [input.agency], 'agency');
  await requireAgencies(committee.province, input.collaborators ?? [], 'collaborators');
  await requireAxis(meeting.province, input.policyAxis);
  for (const topic of input.topics ?? []) await requireTopic({ role: actor.role, placeCode: actor.placeCode, province: meeting.province }, topic, 'topics');
  const meetingDay = jalaliToday(meeting.startsAt);
  const communicatedOn = input.communicatedOn ?? meetingDay;
  if (compareJalali(communicatedOn, meetingDay) < 0) throw validationFailed({ communicatedOn: 'committees.deadline.beforeMeeting' });
  const check = validateDeadline(input.deadline, meetingDay);
  if (!check.ok) throw validationFailed({ deadline: `committees.${check.reason}` });
  const due = dueDate(input.deadline, communicatedOn);
  return mongoose.connection.transaction(async (session) => {
    // the meeting's counter hands out numbers: two resolutions recorded at once write the same document, so one
    // transaction waits or retries instead of both taking the same number
    const counted = await Meeting.findOneAndUpdate({ _id: meeting._id }, { $inc: { resolutionCount: 1 } }, { returnDocument: 'after', session })
      .setOptions({ scope: 'system' })
      .lean<MeetingRecord>();
    const created = new Resolution({
      meeting: meeting._id,
      committee: committee._id,
      number: counted!.resolutionCount,
      text: input.text,
      agency: input.agency,
      collaborators: (input.collaborators ?? []).filter((c) => c !== input.agency),
      ...(input.targetGroup ? { targetGroup: input.targetGroup } : {}),
      ...(input.policyAxis ? { policyAxis: input.policyAxis } : {}),
      ...(input.topics?.length ? { topics: input.topics } : {}),
      deadline: input.deadline,
      communicatedOn,
      dueOn: due,
      status: 'open',
      progress: 0,
      ...(input.quotaLink ? { quotaLink: input.quotaLink } : {}),
      history: [{ at: now, by: actor.username, byName: actor.username, action: 'recorded' }],
      province: meeting.province,
      placePath: meeting.placePath,
    });
    await created.save({ session });
    return created.toObject() as unknown as ResolutionRecord;
  });
}

/** A resolution the user may see. */
export async function getResolution(user: QueryScope, id: string | Types.ObjectId): Promise<ResolutionRecord> {
  if (!mongoose.isValidObjectId(id)) throw notFound();
  const resolution = await Resolution.findById(id).setOptions({ scope: 'system' }).lean<ResolutionRecord>();
  if (!resolution) throw notFound();
  if (!isInScope(user, resolution)) throw outOfScope();
  return resolution;
}

export interface ResolutionFilter {
  agency?: string;
  status?: ResolutionStatus | 'overdue';
  committee?: string;
  meeting?: string;
  /** Only those with a period due in the current Jalali month and not yet delivered. */
  dueThisMonth?: boolean;
}

/** The resolution tracker: resolutions in the user's area, filtered, each with its state on `today`; overdue first, then by due date. */
export async function listResolutions(user: QueryScope, filter: ResolutionFilter = {}, today = new Date()): Promise<ResolutionView[]> {
  const query: Record<string, unknown> = {};
  if (filter.agency) query.agency = filter.agency;
  if (filter.committee) query.committee = mongoose.isValidObjectId(filter.committee) ? filter.committee : null;
  if (filter.meeting) query.meeting = mongoose.isValidObjectId(filter.meeting) ? filter.meeting : null;
  if (filter.status && filter.status !== 'overdue') query.status = filter.status;
  const records = await Resolution.find(query).setOptions({ scope: user }).sort({ createdAt: 1, number: 1 }).lean<ResolutionRecord[]>();
  const day = jalaliToday(today);
  const thisMonth = jalaliMonthKey(day.year, day.month);
  let views = records.map((r) => toResolutionView(r, today));
  if (filter.status === 'overdue') views = views.filter((v) => v.state === 'overdue');
  if (filter.dueThisMonth) views = views.filter((v) => v.instances.some((i) => !i.doneOn && jalaliMonthKey(i.due.year, i.due.month) === thisMonth) && v.state !== 'cancelled' && v.state !== 'done');
  return views.sort((a, b) => Number(b.state === 'overdue') - Number(a.state === 'overdue') || compareDue(a.nextDue, b.nextDue) || a.number - b.number);
}

function compareDue(a: JalaliDate | null, b: JalaliDate | null): number {
  if (a && b) return compareJalali(a, b);
  return a ? -1 : b ? 1 : 0;
}

/** An agency's record: what it owes (open and overdue), what it delivered, and its on-time rate. */
export interface AgencyRecordSummary {
  owed: ResolutionView[];
  delivered: ResolutionView[];
  periodsDue: number;
  onTime: number;
  late: number;
  overdue: number;
  /** Share of the periods due so far delivered by their due day (null when nothing has fallen due yet). */
  onTimeRate: number | null;
}

export async function agencySummary(user: ScopeUser, agency: string, today = new Date()): Promise<AgencyRecordSummary> {
  const views = await listResolutions(user, { agency }, today);
  const day = jalaliToday(today);
  const counted = views.filter((v) => v.status !== 'cancelled').flatMap((v) => v.instances).filter((i) => i.doneOn || compareJalali(i.due, day) < 0);
  const onTime = counted.filter((i) => i.state === 'done').length;
  const late = counted.filter((i) => i.state === 'done-late').length;
  const overdue = counted.filter((i) => i.state === 'overdue').length;
  return {
    owed: views.filter((v) => v.state === 'open' || v.state === 'in-progress' || v.state === 'overdue'),
    delivered: views.filter((v) => v.status === 'done' || v.instances.some((i) => i.doneOn)),
    periodsDue: counted.length,
    onTime,
    late,
    overdue,
    onTimeRate: counted.length ? onTime / counted.length : null,
  };
}

/** The meeting and committee of each resolution, for lists that link back to where it was decided. */
export async function meetingsAndCommittees(views: readonly ResolutionView[]): Promise<{ meetings: Map<string, MeetingRecord>; committees: Map<string, CommitteeRecord> }> {
  const meetings = await Meeting.find({ _id: { $in: [...new Set(views.map((v) => v.meeting).filter(Boolean))] } }).setOptions({ scope: 'system' }).lean<MeetingRecord[]>();
  const committees = await Committee.find({ _id: { $in: [...new Set(views.map((v) => v.committee))] } }).setOptions({ scope: 'system' }).lean<CommitteeRecord[]>();
  return { meetings: new Map(meetings.map((m) => [String(m._id), m])), committees: new Map(committees.map((c) => [String(c._id), c])) };
}

/** The quotas a resolution created (its holder level) in its campaign, or the province's latest one: how many, and their total target. */
export async function linkedQuotas(resolution: ResolutionRecord): Promise<{ campaign: string; campaignName: string; count: number; target: number } | null> {
  const holderLevel = resolution.quotaLink?.holderLevel;
  if (!holderLevel) return null;
  const campaign = resolution.quotaLink?.campaign
    ? await Campaign.findById(resolution.quotaLink.campaign).setOptions({ scope: 'system' }).lean<{ _id: Types.ObjectId; name: string }>()
    : await Campaign.findOne({ province: resolution.province }).setOptions({ scope: 'system' }).sort({ year: -1 }).lean<{ _id: Types.ObjectId; name: string }>();
  if (!campaign) return null;
  const [totals] = await Quota.aggregate<{ count: number; target: number }>([
    { $match: { campaign: campaign._id, holderLevel } },
    { $group: { _id: null, count: { $sum: 1 }, target: { $sum: '$target' } } },
  ]).option({ scope: 'system' });
  return { campaign: String(campaign._id), campaignName: campaign.name, count: totals?.count ?? 0, target: totals?.target ?? 0 };
}

// ── For the scheduled jobs (commitment reminders): system scope ──

export interface DueInstance {
  resolution: string;
  number: number;
  text: string;
  agency: string;
  committee: string;
  province: string;
  period: string;
  due: JalaliDate;
  state: DeadlineStatus;
  lastUpdateAt: Date | null;
}

/**
 * Every commitment period due between `from` and `to` (inclusive, Jalali days) in the state(s) asked for, as it
 * stands on `today`, with the time of the commitment's last update (a reminder can skip recently updated ones);
 * only `province`'s when it is given (a reminders run is one province's).
 */
export async function commitmentInstancesDue({ from, to, states, today = new Date(), province }: { from?: JalaliDate; to?: JalaliDate; states?: DeadlineStatus[]; today?: Date; province?: string }): Promise<DueInstance[]> {
  const records = await Resolution.find({ ...(province ? { province } : {}), status: { $ne: 'cancelled' } }).setOptions({ scope: 'system' }).lean<ResolutionRecord[]>();
  const day = jalaliToday(today);
  const horizon = to && compareJalali(to, day) > 0 ? to : day;
  return records
    .flatMap((r) =>
      commitmentInstances(r, horizon).map((i) => ({
        resolution: String(r._id),
        number: r.number,
        text: r.text,
        agency: r.agency,
        committee: String(r.committee),
        province: r.province,
        period: i.period,
        due: i.due,
        state: r.status === 'done' && !i.doneOn ? ('done' as const) : deadlineStatus({ due: i.due, doneOn: i.doneOn }, day),
        lastUpdateAt: r.lastUpdateAt ?? null,
      })),
    )
    .filter((i) => (!from || compareJalali(i.due, from) >= 0) && (!to || compareJalali(i.due, to) <= 0) && (!states || states.includes(i.state)))
    .sort((a, b) => compareJalali(a.due, b.due));
}
