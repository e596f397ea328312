import { Committee, type CommitteeRecord } from '../../models/committee.model.js';
import { PolicyAxis, type PolicyAxisRecord } from '../../models/policy-axis.model.js';
import { Resolution, type ResolutionRecord } from '../../models/resolution.model.js';
import type { AuthUser, ScopeUser } from '../auth/scope.js';
import { getCommittee } from '../committees/committees.service.js';
import { toResolutionView, type ResolutionView } from '../committees/resolutions.service.js';
import { AppError, forbidden, notFound, validationFailed } from '../errors/app-error.js';
import { logger } from '../logger.js';

/** The axis list is the province's (its secretariat keeps it), whoever reads it. */
const provinceScope = (province: string): ScopeUser => ({ role: 'governor-office', placeCode: province, province });

/** The province's policy axes in the secretariat's order. */
export async function listAxes(user: ScopeUser): Promise<PolicyAxisRecord[]> {
  return PolicyAxis.find({}).setOptions({ scope: provinceScope(user.province) }).sort({ number: 1 }).lean<PolicyAxisRecord[]>();
}

export async function getAxis(user: ScopeUser, code: string): Promise<PolicyAxisRecord> {
  const axis = await PolicyAxis.findOne({ code }).setOptions({ scope: provinceScope(user.province) }).lean<PolicyAxisRecord>();
  if (!axis) throw notFound();
  return axis;
}

/** Refuses, beside `field`, an axis that is not on the province's list: resolutions and clauses name one from it, never free text. */
export async function requireAxis(province: string, code: string | undefined, field = 'policyAxis'): Promise<void> {
  if (!code) return;
  if (!(await PolicyAxis.exists({ code }).setOptions({ scope: provinceScope(province) }))) throw validationFailed({ [field]: 'agreements.unknownAxis' });
}

/** The governor's office adds an axis to the list its secretariat committee keeps; the next number and a code `axis-<n>`. */
export async function addAxis(actor: AuthUser, input: { secretariat: string; name: string }): Promise<PolicyAxisRecord> {
  if (actor.role !== 'governor-office') throw forbidden();
  const secretariat = await getCommittee(actor, input.secretariat);
  if (secretariat.kind !== 'secretariat') throw validationFailed({ secretariat: 'agreements.notSecretariat' });
  const last = await PolicyAxis.findOne({}).setOptions({ scope: provinceScope(actor.province) }).sort({ number: -1 }).lean<PolicyAxisRecord>();
  const number = (last?.number ?? 0) + 1;
  try {
    const created = await new PolicyAxis({ code: `axis-${number}`, number, name: input.name, secretariat: secretariat._id, province: secretariat.province, placePath: [secretariat.province] }).save();
    return created.toObject() as unknown as PolicyAxisRecord;
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw new AppError('conflict', 'agreements.axisNumberTaken', 409);
    throw err;
  }
}

export interface AxisPage {
  axis: PolicyAxisRecord;
  commitments: ResolutionView[];
  overdue: number;
  byState: Record<string, number>;
}

/** Everything committed under one axis in the user's area (resolutions and clauses alike), overdue first, and the count per state. */
export async function axisCommitments(user: ScopeUser, code: string, today = new Date()): Promise<AxisPage> {
  const axis = await getAxis(user, code);
  const records = await Resolution.find({ policyAxis: code }).setOptions({ scope: user }).lean<ResolutionRecord[]>();
  const commitments = records.map((r) => toResolutionView(r, today)).sort((a, b) => Number(b.state === 'overdue') - Number(a.state === 'overdue') || a.number - b.number);
  const byState: Record<string, number> = {};
  for (const c of commitments) byState[c.state] = (byState[c.state] ?? 0) + 1;
  return { axis, commitments, overdue: byState.overdue ?? 0, byState };
}

/**
 * Resolutions recorded before the axes became a list carry the axis as free text. Each distinct text of a
 * province becomes an axis of the list its secretariat keeps (a secretariat is set up when the province has
 * none) and the resolutions name it by code. Idempotent: texts that are already codes are left alone.
 */
export async function migrateFreeTextAxes(): Promise<number> {
  const withText = await Resolution.find({ policyAxis: { $exists: true, $ne: null } }, { policyAxis: 1, province: 1 }).setOptions({ scope: 'system' }).lean<{ _id: unknown; policyAxis: string; province: string }[]>();
  let migrated = 0;
  for (const province of new Set(withText.map((r) => r.province))) {
    const axes = await PolicyAxis.find({}).setOptions({ scope: provinceScope(province) }).lean<PolicyAxisRecord[]>();
    const codes = new Set(axes.map((a) => a.code));
    const byName = new Map(axes.map((a) => [a.name, a.code]));
    const texts = [...new Set(withText.filter((r) => r.province === province && !codes.has(r.policyAxis)).map((r) => r.policyAxis))];
    if (!texts.length) continue;
    const secretariat = await secretariatOf(province);
    let number = Math.max(0, ...axes.map((a) => a.number));
    for (const text of texts) {
      let code = byName.get(text);
      if (!code) {
        number++;
        code = `axis-${number}`;
        await new PolicyAxis({ code, number, name: text, secretariat: secretariat._id, province, placePath: [province] }).save();
        byName.set(text, code);
      }
      const result = await Resolution.updateMany({ province, policyAxis: text }, { $set: { policyAxis: code } }).setOptions({ scope: 'system' });
      migrated += result.modifiedCount;
    }
  }
  if (migrated) logger.info({ migrated }, 'free-text policy axes moved to the axis list');
  return migrated;
}

async function secretariatOf(province: string): Promise<CommitteeRecord> {
  const found = await Committee.findOne({ kind: 'secretariat', placeCode: province }).setOptions({ scope: 'system' }).lean<CommitteeRecord>();
  if (found) return found;
  const created = await new Committee({ kind: 'secretariat', name: 'دبیرخانه پیگیری محورهای سیاستی', placeCode: province, chair: { name: 'system' }, members: [], meetsMonthly: false, createdBy: 'system', province, placePath: [province] }).save();
  return created.toObject() as unknown as CommitteeRecord;
}
