import type { Types } from 'mongoose';
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

/** Where to count: a place (its code and its depth in `placePath`, 0 for a province), and optionally one campaign. */
export interface OnlineShareArea {
  province: string;
  code: string;
  depth: number;
  campaign?: Types.ObjectId;
}

const empty = (): ChannelFigures => ({ online: 0, inPerson: 0, onlineShare: null, reasons: { disability: 0, asked: 0, other: 0, unrecorded: 0 } });

/**
 * The "electronic first" check of a province's Jalali month (`year`, `month`) against the month before: per county
 * and for the province (the monthly report).
 */
export async function onlineShare(province: string, year: number, month: number, asOf: Date): Promise<{ total: OnlineShareRow; counties: OnlineShareRow[] }> {
  const { total, children } = await onlineShareBelow({ province, code: province, depth: 0 }, year, month, asOf);
  return { total, counties: children };
}

/**
 * The same for any place: for the place itself and for each place one level below it (the dashboard's rows),
 * enrolments made online and in person (rejected ones included: the channel is how the person was served), with
 * the reasons recorded for in-person ones. One aggregation over the two months of the area's enrolments (shard key
 * first, then the place and the creation time). The caller has checked that the reader may see the place: the
 * match is the place's subtree, named with its province (a reader's own scope filter would lead without it).
 */
export async function onlineShareBelow(area: OnlineShareArea, year: number, month: number, asOf: Date): Promise<{ total: OnlineShareRow; children: OnlineShareRow[] }> {
  const previous = addJalaliMonths({ year, month, day: 1 }, -1);
  const start = jalaliMonthBounds(previous.year, previous.month).start;
  const thisStart = jalaliMonthBounds(year, month).start;
  const end = new Date(Math.min(jalaliMonthBounds(year, month).end.getTime(), asOf.getTime()));
  const groups = await Enrolment.aggregate<{ _id: { child: string | null; current: boolean; channel: string; reason: string | null }; count: number }>([
    { $match: { province: area.province, ...(area.depth > 0 ? { placePath: area.code } : {}), ...(area.campaign ? { campaign: area.campaign } : {}), createdAt: { $gte: start, $lt: end } } },
    { $group: { _id: { child: { $ifNull: [{ $arrayElemAt: ['$placePath', area.depth + 1] }, null] }, current: { $gte: ['$createdAt', thisStart] }, channel: '$channel', reason: { $ifNull: ['$inPersonReason', null] } }, count: { $sum: 1 } } },
  ]).option({ scope: 'system' });
  const rows = new Map<string, OnlineShareRow>();
  const total: OnlineShareRow = { code: area.code, thisMonth: empty(), lastMonth: empty() };
  for (const g of groups) {
    const child = g._id.child;
    if (child !== null && !rows.has(child)) rows.set(child, { code: child, thisMonth: empty(), lastMonth: empty() });
    // an enrolment at the place itself (a village shown alone) counts in its total only
    for (const row of child === null ? [total] : [rows.get(child)!, total]) {
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
  return { total: withShare(total), children: [...rows.values()].map(withShare).sort((a, b) => a.code.localeCompare(b.code)) };
}

/** A row for a place with no enrolments in the two months. */
export function noEnrolments(code: string): OnlineShareRow {
  return { code, thisMonth: empty(), lastMonth: empty() };
}
