import type { ScopeUser } from '../auth/scope.js';
import { addJalaliMonths, jalaliMonthKey, toJalali } from '../shared/jalali.js';
import { complianceGrid, type ComplianceRow } from './compliance.service.js';
import { listResolutions, type ResolutionView } from './resolutions.service.js';

export interface OverdueByAgency {
  agency: string;
  resolutions: ResolutionView[];
}

export interface GovernorOverview {
  overdue: OverdueByAgency[];
  /** Monthly committees that have not met this month yet (nothing held, nothing scheduled). */
  notMetThisMonth: ComplianceRow[];
  /** Monthly committees that missed last month. */
  missedLastMonth: ComplianceRow[];
  thisMonth: string;
  lastMonth: string;
}

/**
 * The governor's office on one page: overdue commitments grouped by the agency that owes them (most first),
 * and the committees that have not met this month or missed the last. Each line links to its resolution or
 * committee, where the meeting and the person who recorded it are named.
 */
export async function governorOverview(user: ScopeUser, today = new Date()): Promise<GovernorOverview> {
  const overdue = await listResolutions(user, { status: 'overdue' }, today);
  const byAgency = new Map<string, ResolutionView[]>();
  for (const r of overdue) byAgency.set(r.agency, [...(byAgency.get(r.agency) ?? []), r]);

  const now = toJalali(today);
  const previous = addJalaliMonths({ year: now.year, month: now.month, day: 1 }, -1);
  const thisMonth = jalaliMonthKey(now.year, now.month);
  const lastMonth = jalaliMonthKey(previous.year, previous.month);
  const current = await complianceGrid({ place: user.placeCode, year: now.year, today, scope: user });
  const before = previous.year === now.year ? current : await complianceGrid({ place: user.placeCode, year: previous.year, today, scope: user });
  const stateIn = (row: ComplianceRow, key: string) => row.months.find((m) => m.key === key)?.state;

  return {
    overdue: [...byAgency].map(([agency, resolutions]) => ({ agency, resolutions })).sort((a, b) => b.resolutions.length - a.resolutions.length),
    notMetThisMonth: current.committees.filter((row) => stateIn(row, thisMonth) === 'due'),
    missedLastMonth: before.committees.filter((row) => stateIn(row, lastMonth) === 'missed'),
    thisMonth,
    lastMonth,
  };
}
