import type { Types } from 'mongoose';
import { Enrolment, type EnrolmentRecord } from '../../models/enrolment.model.js';
import { searchKey } from '../shared/persian-text.js';

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
