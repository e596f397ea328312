import { Enrolment } from '../../models/enrolment.model.js';
import { addJalaliMonths, jalaliMonthBounds } from '../shared/jalali.js';

/** Enrolments of one place and month by channel, and why the in-person ones were in person (seed 004). */
export interface ChannelFigures {
  online: number;
  inPerson: number;
  /** Online as a percentage of all (null when there were none). */
  onlineShare: number | null;
  /** `unrecorded`: in-person enrolments stored before the reason was asked for, and file rows that left it out. */
  reasons: { disability: number; asked: number; other: number; unrecorded: number };
}

export interface OnlineShareRow {
  code: string;
  thisMonth: ChannelFigures;
  lastMonth: ChannelFigures;
}

const empty = (): ChannelFigures => ({ online: 0, inPerson: 0, onlineShare: null, reasons: { disability: 0, asked: 0, other: 0, unrecorded: 0 } });

/**
 * The "electronic first" check of a province's Jalali month (`year`, `month`) against the month before: per county
 * and for the province, enrolments made online and in person (rejected ones included: the channel is how the
 * person was served), with the reasons recorded for in-person ones. One aggregation over the two months of the
 * province's enrolments (shard key first, then the creation time).
 */
export async function onlineShare(province: string, year: number, month: number, asOf: Date): Promise<{ total: OnlineShareRow; counties: OnlineShareRow[] }> {
  const previous = addJalaliMonths({ year, month, day: 1 }, -1);
  const start = jalaliMonthBounds(previous.year, previous.month).start;
  const thisStart = jalaliMonthBounds(year, month).start;
  const end = new Date(Math.min(jalaliMonthBounds(year, month).end.getTime(), asOf.getTime()));
  const groups = await Enrolment.aggregate<{ _id: { county: string; current: boolean; channel: string; reason: string | null }; count: number }>([
    { $match: { province, createdAt: { $gte: start, $lt: end } } },
    { $group: { _id: { county: { $arrayElemAt: ['$placePath', 1] }, current: { $gte: ['$createdAt', thisStart] }, channel: '$channel', reason: { $ifNull: ['$inPersonReason', null] } }, count: { $sum: 1 } } },
  ]).option({ scope: 'system' });
  const rows = new Map<string, OnlineShareRow>();
  const total: OnlineShareRow = { code: province, thisMonth: empty(), lastMonth: empty() };
  for (const g of groups) {
    if (!rows.has(g._id.county)) rows.set(g._id.county, { code: g._id.county, thisMonth: empty(), lastMonth: empty() });
    for (const row of [rows.get(g._id.county)!, total]) {
      const figures = g._id.current ? row.thisMonth : row.lastMonth;
      if (g._id.channel === 'online') figures.online += g.count;
      else {
        figures.inPerson += g.count;
        const reason = (g._id.reason ?? 'unrecorded') as keyof ChannelFigures['reasons'];
        figures.reasons[reason] += g.count;
      }
    }
  }
  const withShare = (row: OnlineShareRow): OnlineShareRow => {
    for (const f of [row.thisMonth, row.lastMonth]) f.onlineShare = f.online + f.inPerson ? Math.round((f.online / (f.online + f.inPerson)) * 100) : null;
    return row;
  };
  return { total: withShare(total), counties: [...rows.values()].map(withShare).sort((a, b) => a.code.localeCompare(b.code)) };
}
