import type { Types } from 'mongoose';
import { Enrolment, type EnrolmentRecord } from '../../models/enrolment.model.js';
import type { ScopeUser } from '../auth/scope.js';
import { AppError, notFound } from '../errors/app-error.js';
import { t, type Lang } from '../i18n/index.js';
import { searchKey } from '../shared/persian-text.js';
import { rejectEnrolment, withPlaceNames, type Actor, type EnrolmentView } from './enrolments.service.js';

/**
 * Possible duplicates that the national-ID check cannot see: the same person typed twice with a mistyped ID.
 * Names are compared with the place search's Persian normalisation (ي/ی, ك/ک, ZWNJ, spaces, digits), so
 * «علي‌رضا» and «علیرضا» are one name. A match in the same village is stored, but flagged for the fund manager.
 */
export function personKey(firstName: string, lastName: string, birthDateJalali: string): string {
  return `${searchKey(firstName)}|${searchKey(lastName)}|${birthDateJalali}`;
}

export interface DuplicateFlag {
  possibleDuplicateOf?: Types.ObjectId;
  duplicateCheck?: 'open';
}

/** The flag of a new enrolment: the earliest enrolment of the same village with its person key, unless that one was rejected. */
export async function duplicateFlag(enrolment: { province: string; place: string; personKey?: string }): Promise<DuplicateFlag> {
  if (!enrolment.personKey) return {};
  const earlier = await Enrolment.findOne({ province: enrolment.province, place: enrolment.place, personKey: enrolment.personKey, status: { $ne: 'rejected' } })
    .setOptions({ scope: 'system' })
    .sort({ createdAt: 1 })
    .select('_id')
    .lean<Pick<EnrolmentRecord, '_id'>>();
  return earlier ? { possibleDuplicateOf: earlier._id, duplicateCheck: 'open' } : {};
}

/** A flagged enrolment beside the earlier one it may repeat, for the fund manager to decide. */
export interface DuplicatePair {
  earlier: EnrolmentView;
  later: EnrolmentView;
}

const PAIRS_SHOWN = 50;

/** The open flags of the fund manager's province, oldest first, each with the enrolment it may repeat. */
export async function openDuplicatePairs(actor: ScopeUser): Promise<DuplicatePair[]> {
  const flagged = await Enrolment.find({ duplicateCheck: 'open', status: { $ne: 'rejected' } }).setOptions({ scope: actor }).sort({ createdAt: 1 }).limit(PAIRS_SHOWN).lean<EnrolmentRecord[]>();
  if (flagged.length === 0) return [];
  const earlier = await Enrolment.find({ _id: { $in: flagged.map((f) => f.possibleDuplicateOf) } }).setOptions({ scope: actor }).lean<EnrolmentRecord[]>();
  const views = new Map((await withPlaceNames([...flagged, ...earlier])).map((v) => [v.id, v]));
  return flagged.flatMap((f) => {
    const pair = { earlier: views.get(String(f.possibleDuplicateOf)), later: views.get(String(f._id)) };
    return pair.earlier && pair.later ? [pair as DuplicatePair] : [];
  });
}

/** The fund manager confirms the pair is one person: the later enrolment is rejected (its counters move back), naming the earlier. */
export async function confirmPossibleDuplicate(actor: Actor, id: string, lang: Lang): Promise<EnrolmentRecord> {
  const later = await openFlag(actor, id);
  const earlier = await Enrolment.findOne({ _id: later.possibleDuplicateOf }).setOptions({ scope: actor }).select('nationalId').lean<EnrolmentRecord>();
  const rejected = await rejectEnrolment(actor, id, t(lang, 'offline.duplicates.reason', { nationalId: earlier?.nationalId ?? '' }));
  await Enrolment.updateOne({ _id: id }, { $set: { duplicateCheck: 'confirmed' } }).setOptions({ scope: actor });
  return rejected;
}

/** The fund manager finds two different people: the flag is closed and the enrolment waits for verification like any other. */
export async function dismissPossibleDuplicate(actor: Actor, id: string): Promise<EnrolmentRecord> {
  const later = await openFlag(actor, id);
  await Enrolment.updateOne({ _id: id, duplicateCheck: 'open' }, { $set: { duplicateCheck: 'dismissed' } }).setOptions({ scope: actor });
  return later;
}

async function openFlag(actor: Actor, id: string): Promise<EnrolmentRecord> {
  const flagged = await Enrolment.findOne({ _id: id }).setOptions({ scope: actor }).lean<EnrolmentRecord>();
  if (!flagged) throw notFound();
  if (flagged.duplicateCheck !== 'open' || flagged.status === 'rejected') throw new AppError('alreadyDecided', 'offline.duplicates.notOpen', 409);
  return flagged;
}
