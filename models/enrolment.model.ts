import mongoose, { Schema, type Types } from 'mongoose';
import { TARGET_GROUPS, type TargetGroup } from './campaign.model.js';
import { placeScoped } from './plugins/place-scoped.js';
import { audited } from './plugins/audited.js';

export const SEXES = ['male', 'female'] as const;
export type Sex = (typeof SEXES)[number];

export const CHANNELS = ['online', 'in-person'] as const;
export type Channel = (typeof CHANNELS)[number];
/** Why an enrolment was made in person although services are electronic first (seed 004): the exceptions it allows, or other. */
export const IN_PERSON_REASONS = ['disability', 'asked', 'other'] as const;
export type InPersonReason = (typeof IN_PERSON_REASONS)[number];

/** logged → verified, logged → rejected, verified → rejected; a rejection is final. */
export const ENROLMENT_STATUSES = ['logged', 'verified', 'rejected'] as const;
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];

/**
 * One person enrolled in the fund through a campaign, at a village or a small town (`place`). One person is
 * enrolled once in a province: the unique key `{ province, nationalId }` decides it, even between two village
 * heads submitting at the same moment, and begins with the shard key. A rejected enrolment keeps its national ID
 * (the record and its reason stay for the fund manager), so the same person is not logged again behind it.
 */
const enrolmentSchema = new Schema(
  {
    campaign: { type: Schema.Types.ObjectId, ref: 'Campaign', required: true },
    /** Code of the village or town the person lives in and is enrolled at. */
    place: { type: String, required: true },
    /** 10 Latin digits, leading zeros kept. */
    nationalId: { type: String, required: true, match: /^\d{10}$/ },
    firstName: { type: String, required: true, trim: true, maxlength: 100 },
    lastName: { type: String, required: true, trim: true, maxlength: 100 },
    /** The Jalali birth date as typed, made canonical (`1370/05/03`, Latin digits). */
    birthDateJalali: { type: String, required: true, match: /^\d{4}\/\d{2}\/\d{2}$/ },
    /** The same day as an instant (midnight in Tehran), for age queries. */
    birthDate: { type: Date, required: true },
    sex: { type: String, enum: SEXES, required: true },
    /** 09xxxxxxxxx. */
    mobile: { type: String, required: true, match: /^09\d{9}$/ },
    targetGroup: { type: String, enum: TARGET_GROUPS, required: true },
    channel: { type: String, enum: CHANNELS, required: true },
    inPersonReason: { type: String, enum: IN_PERSON_REASONS, default: undefined },
    referringAgency: { type: String, default: undefined },
    status: { type: String, enum: ENROLMENT_STATUSES, default: 'logged', required: true },
    rejectionReason: { type: String, default: undefined, maxlength: 500 },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    verifiedBy: { type: Schema.Types.ObjectId, ref: 'User', default: undefined },
    verifiedAt: { type: Date, default: undefined },
    rejectedBy: { type: Schema.Types.ObjectId, ref: 'User', default: undefined },
    rejectedAt: { type: Date, default: undefined },
    /** The bulk import that brought this enrolment in, if any. */
    importBatch: { type: Schema.Types.ObjectId, ref: 'EnrolmentImport', default: undefined },
    /** The `Idempotency-Key` the enrolment was sent with (a phone's queue id), and a hash of what was sent under it. */
    idempotencyKey: { type: String, default: undefined, maxlength: 100 },
    requestHash: { type: String, default: undefined },
    /** Normalised first name, last name and birth date: the same person typed with a mistyped national ID. */
    personKey: { type: String, default: undefined },
    /** Another enrolment of the same village with the same person key; open until a fund manager decides. */
    /** The person key again, on the one enrolment of the village that holds it (unique): a second one is flagged. */
    firstOfPerson: { type: String, default: undefined },
    possibleDuplicateOf: { type: Schema.Types.ObjectId, ref: 'Enrolment', default: undefined },
    duplicateCheck: { type: String, enum: ['open', 'confirmed', 'dismissed'], default: undefined },
  },
  { collection: 'enrolments', timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
/** Named, so a refused insert can tell this key from the national ID's. */
export const FIRST_OF_PERSON_INDEX = 'first_of_person';

enrolmentSchema.plugin(placeScoped);
enrolmentSchema.plugin(audited);
enrolmentSchema.index({ province: 1, nationalId: 1 }, { unique: true });
/** A holder's recent enrolments, and the fund manager's list of what awaits verification. */
enrolmentSchema.index({ province: 1, place: 1, createdAt: -1 });
enrolmentSchema.index({ province: 1, status: 1, createdAt: -1 });
/** A repeated key is answered with the enrolment it made (server/enrolments/idempotency.ts); keys are unique per province. */
enrolmentSchema.index({ province: 1, idempotencyKey: 1 }, { unique: true, partialFilterExpression: { idempotencyKey: { $type: 'string' } } });
/** Possible duplicates: the same person key in the same village, and the fund manager's list of open flags. */
enrolmentSchema.index({ province: 1, place: 1, personKey: 1 });
/** The first live enrolment of a person key in a village claims it, so the insert itself finds a possible duplicate. */
enrolmentSchema.index({ province: 1, place: 1, firstOfPerson: 1 }, { unique: true, name: FIRST_OF_PERSON_INDEX, partialFilterExpression: { firstOfPerson: { $type: 'string' } } });
enrolmentSchema.index({ province: 1, duplicateCheck: 1, createdAt: 1 }, { partialFilterExpression: { duplicateCheck: { $type: 'string' } } });

export interface EnrolmentRecord {
  _id: Types.ObjectId;
  campaign: Types.ObjectId;
  province: string;
  placePath: string[];
  place: string;
  nationalId: string;
  firstName: string;
  lastName: string;
  birthDateJalali: string;
  birthDate: Date;
  sex: Sex;
  mobile: string;
  targetGroup: TargetGroup;
  channel: Channel;
  inPersonReason?: InPersonReason;
  referringAgency?: string;
  status: EnrolmentStatus;
  rejectionReason?: string;
  createdBy: Types.ObjectId;
  createdAt: Date;
  verifiedBy?: Types.ObjectId;
  verifiedAt?: Date;
  rejectedBy?: Types.ObjectId;
  rejectedAt?: Date;
  importBatch?: Types.ObjectId;
  idempotencyKey?: string;
  requestHash?: string;
  personKey?: string;
  firstOfPerson?: string;
  possibleDuplicateOf?: Types.ObjectId;
  duplicateCheck?: 'open' | 'confirmed' | 'dismissed';
}

export const Enrolment = mongoose.model('Enrolment', enrolmentSchema);
