import { Agreement, type AgreementRecord } from '../../models/agreement.model.js';
import { Resolution, type ResolutionRecord } from '../../models/resolution.model.js';
import type { ScopeUser } from '../auth/scope.js';
import { topicAroundAdoption, type Figures } from '../field-problems/trends.service.js';
import { fromJalali } from '../shared/jalali.js';

/** A clause or resolution that addresses a topic, as the topic pages link to it. */
export interface Addressing {
  kind: 'clause' | 'resolution';
  number: number;
  text: string;
  /** The page it links to: the agreement (clauses) or the resolution. */
  link: string;
  adoptedAt: Date;
}

/**
 * For each topic, the clauses (of the province's agreements, which everyone in the province reads) and the
 * resolutions (those in the user's area) that name it.
 */
export async function addressing(user: ScopeUser, topics: readonly string[]): Promise<Map<string, Addressing[]>> {
  const wanted = [...new Set(topics)];
  const map = new Map<string, Addressing[]>(wanted.map((t) => [t, []]));
  if (!wanted.length) return map;
  const province: ScopeUser = { role: 'governor-office', placeCode: user.province, province: user.province };
  const [agreements, resolutions] = await Promise.all([
    // a province has a handful of agreements: read their clauses and match the topics here
    Agreement.find({}, { clauses: 1 }).setOptions({ scope: province }).lean<Pick<AgreementRecord, '_id' | 'clauses'>[]>(),
    Resolution.find({ topics: { $in: wanted }, agreement: { $exists: false } }, { number: 1, text: 1, topics: 1, communicatedOn: 1 }).setOptions({ scope: user }).lean<ResolutionRecord[]>(),
  ]);
  for (const agreement of agreements) {
    for (const clause of agreement.clauses) {
      for (const topic of clause.topics.filter((t) => map.has(t))) {
        map.get(topic)!.push({ kind: 'clause', number: clause.number, text: clause.text, link: `/agreements/${String(agreement._id)}#clause-${clause.number}`, adoptedAt: clause.addedAt });
      }
    }
  }
  for (const r of resolutions) {
    for (const topic of (r.topics ?? []).filter((t) => map.has(t))) map.get(topic)!.push({ kind: 'resolution', number: r.number, text: r.text, link: `/resolutions/${String(r._id)}`, adoptedAt: fromJalali(r.communicatedOn) });
  }
  return map;
}

export interface Effect {
  clause: number;
  topic: string;
  adoptedAt: Date;
  quarters: { quarter: string; relative: number; figures: Figures }[];
  /** Places reporting the topic in the two quarters after adoption against the two before (null until a quarter after has begun). */
  before: number;
  after: number | null;
}

/** "Did it help?": for each clause of the agreement that names a topic, the topic's reports in the quarters around its adoption. */
export async function clauseEffects(user: ScopeUser, agreement: AgreementRecord, now = new Date()): Promise<Effect[]> {
  const effects: Effect[] = [];
  for (const clause of agreement.clauses) {
    for (const topic of clause.topics) {
      const quarters = await topicAroundAdoption(user, topic, clause.addedAt, { now });
      const sum = (list: typeof quarters) => list.reduce((s, q) => s + q.figures.places, 0);
      const after = quarters.filter((q) => q.relative > 0);
      effects.push({ clause: clause.number, topic, adoptedAt: clause.addedAt, quarters, before: sum(quarters.filter((q) => q.relative < 0)), after: after.length ? sum(after) : null });
    }
  }
  return effects;
}
