import { Enrolment } from '../../models/enrolment.model.js';
import { Meeting, type MeetingRecord } from '../../models/meeting.model.js';
import type { AuthUser } from '../auth/scope.js';
import { Committee, type CommitteeRecord } from '../../models/committee.model.js';
import { complianceGrid, type ComplianceRow } from '../committees/compliance.service.js';
import { governorOverview, type GovernorOverview } from '../committees/overview.service.js';
import { listResolutions, type ResolutionView } from '../committees/resolutions.service.js';
import { enrolmentHome, type EnrolmentHome } from '../enrolments/home.service.js';
import { openCampaigns } from '../enrolments/enrolments.service.js';
import { behindPace, progressOf, type PlaceProgress, type ProgressRow } from '../quotas/dashboard.service.js';
import { toJalali } from '../shared/jalali.js';

/** The places below the user's own that are behind pace in one open campaign, worst first. */
export interface BehindCard {
  campaignId: string;
  campaignName: string;
  own: ProgressRow;
  behind: ProgressRow[];
}

export interface NextMeeting {
  id: string;
  committeeName: string;
  startsAt: Date;
  location: string;
}

/** Everything a role's home may show; each role fills the cards that are its work. */
export interface HomeCards {
  holder?: EnrolmentHome;
  pendingVerification?: number;
  behind?: BehindCard[];
  nextMeetings?: NextMeeting[];
  mustSchedule?: ComplianceRow[];
  resolutionsDue?: ResolutionView[];
  commitments?: ResolutionView[];
  overview?: GovernorOverview;
}

const BEHIND_SHOWN = 5;
const RESOLUTIONS_SHOWN = 5;

/**
 * "My work today", by role: a village head or mayor their quota, their latest enrolments and what waits for the
 * fund; a district or county governor the places under them behind pace, the next meeting or the one still to
 * schedule this month, and the resolutions of their area that are due; an agency officer their agency's
 * commitments, overdue first; a fund manager what waits to be verified and the places behind pace; the
 * governor's office the overview. Everything is read in the user's own scope.
 */
export async function homeCards(user: AuthUser, now = new Date()): Promise<HomeCards> {
  switch (user.role) {
    case 'village-head':
    case 'mayor':
      return { holder: await enrolmentHome(user, now), pendingVerification: await waitingForVerification(user) };
    case 'district-governor':
      return { holder: await enrolmentHome(user, now), behind: await placesBehind(user, now) };
    case 'county-governor': {
      const [behind, meetings, resolutionsDue] = await Promise.all([placesBehind(user, now), meetingsToCome(user, now), dueResolutions(user, now)]);
      return { behind, ...meetings, resolutionsDue };
    }
    case 'agency-officer':
      return { commitments: await openCommitments(user, now) };
    case 'fund-manager': {
      const [pendingVerification, behind] = await Promise.all([waitingForVerification(user), placesBehind(user, now)]);
      return { pendingVerification, behind };
    }
    case 'governor-office': {
      const [overview, behind] = await Promise.all([governorOverview(user, now), placesBehind(user, now)]);
      return { overview, behind };
    }
    case 'viewer':
      return { behind: await placesBehind(user, now) };
    case 'installation-admin':
    case 'national-office':
      return {};
  }
}

/** Enrolments in the user's area logged and not yet verified or rejected. */
async function waitingForVerification(user: AuthUser): Promise<number> {
  return Enrolment.countDocuments({ province: user.province, status: 'logged' }).setOptions({ scope: user });
}

async function placesBehind(user: AuthUser, now: Date): Promise<BehindCard[]> {
  const campaigns = await openCampaigns(user, now);
  return Promise.all(
    campaigns.map(async (campaign) => {
      const progress: PlaceProgress = await progressOf(user, campaign, user.placeCode, now);
      const behind = behindPace(progress.children).sort((a, b) => a.percent - b.percent);
      return { campaignId: String(campaign._id), campaignName: campaign.name, own: progress, behind: behind.slice(0, BEHIND_SHOWN) };
    }),
  );
}

/** The next scheduled meetings in the user's area, and the monthly committees that have nothing planned this month. */
async function meetingsToCome(user: AuthUser, now: Date): Promise<{ nextMeetings: NextMeeting[]; mustSchedule: ComplianceRow[] }> {
  const today = toJalali(now);
  const [meetings, grid] = await Promise.all([
    Meeting.find({ province: user.province, state: 'scheduled', startsAt: { $gte: now } }).setOptions({ scope: user }).sort({ startsAt: 1 }).limit(3).lean<MeetingRecord[]>(),
    complianceGrid({ place: user.placeCode, year: today.year, today: now, scope: user }),
  ]);
  const mustSchedule = grid.committees.filter((row) => row.months.find((m) => m.key === grid.currentMonth)?.state === 'due');
  const committees = await Committee.find({ province: user.province, _id: { $in: meetings.map((m) => m.committee) } }).setOptions({ scope: user }).lean<CommitteeRecord[]>();
  const nameOf = new Map(committees.map((c) => [String(c._id), c.name]));
  const nextMeetings = meetings.map((m) => ({ id: String(m._id), committeeName: nameOf.get(String(m.committee)) ?? '', startsAt: m.startsAt, location: m.location }));
  return { nextMeetings, mustSchedule };
}

/** Resolutions of the user's area that are overdue or have a period due this month. */
async function dueResolutions(user: AuthUser, now: Date): Promise<ResolutionView[]> {
  const [overdue, thisMonth] = await Promise.all([listResolutions(user, { status: 'overdue' }, now), listResolutions(user, { dueThisMonth: true }, now)]);
  const seen = new Set<string>();
  return [...overdue, ...thisMonth].filter((r) => !seen.has(r.id) && seen.add(r.id)).slice(0, RESOLUTIONS_SHOWN);
}

/** What the officer's agency still owes in the province: overdue first, then by the next due day (listResolutions' order). */
export async function openCommitments(user: AuthUser, now = new Date()): Promise<ResolutionView[]> {
  if (!user.agency) return [];
  const views = await listResolutions(user, { agency: user.agency }, now);
  return views.filter((v) => v.state === 'overdue' || v.state === 'open' || v.state === 'in-progress');
}
