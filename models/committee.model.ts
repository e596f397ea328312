import mongoose, { Schema, type Types } from 'mongoose';
import { placeScoped } from './plugins/place-scoped.js';
import { audited } from './plugins/audited.js';

export const COMMITTEE_KINDS = ['provincial-strategic', 'county-strategic', 'special-working-group', 'secretariat', 'ad-hoc', 'volunteer-working-group'] as const;
export type CommitteeKind = (typeof COMMITTEE_KINDS)[number];

/**
 * A seat at the table: a named person (with the address their invitations go to) or an executive agency's seat,
 * which is invited at the agency's office mailbox and filled by whoever the agency sends.
 */
const memberSchema = new Schema(
  {
    kind: { type: String, enum: ['person', 'agency'], required: true },
    name: { type: String, default: undefined, trim: true },
    title: { type: String, default: undefined, trim: true },
    email: { type: String, default: undefined, trim: true, lowercase: true },
    agency: { type: String, default: undefined },
    /** The member's account, when they have one (a volunteer mayor of a working group proposes clauses with it). */
    username: { type: String, default: undefined },
  },
  { _id: false },
);

/**
 * A committee (ستاد، کارگروه، دبیرخانه) bound to a place: the provincial strategic committee at the province,
 * one county strategic committee per county, working groups and ad-hoc groups wherever they sit. Its place
 * decides who sees it (place-scoped plugin) and whose office runs it: the governor's office for the province,
 * the county governor for a county. `meetsMonthly` puts it on the monthly compliance grid.
 */
const committeeSchema = new Schema(
  {
    kind: { type: String, enum: COMMITTEE_KINDS, required: true },
    name: { type: String, required: true, trim: true },
    placeCode: { type: String, required: true },
    chair: { name: { type: String, required: true, trim: true }, email: { type: String, default: undefined, trim: true, lowercase: true } },
    members: { type: [memberSchema], default: [] },
    meetsMonthly: { type: Boolean, required: true },
    /** The committee it reports to, or (for the top of the tree) whom, in words: "the governor", "the fund's head office". */
    reportsTo: { type: Schema.Types.ObjectId, ref: 'Committee', default: null },
    reportsToText: { type: String, default: undefined, trim: true },
    createdBy: { type: String, required: true },
  },
  { collection: 'committees', timestamps: true, versionKey: false },
);
committeeSchema.plugin(placeScoped);
committeeSchema.plugin(audited);
committeeSchema.index({ province: 1, placeCode: 1, kind: 1 });
// one county strategic committee per county (the shard key's province leads)
committeeSchema.index({ province: 1, placeCode: 1 }, { unique: true, partialFilterExpression: { kind: 'county-strategic' }, name: 'one_county_committee' });

export interface CommitteeMember {
  kind: 'person' | 'agency';
  name?: string;
  title?: string;
  email?: string;
  agency?: string;
  username?: string;
}

export interface CommitteeRecord {
  _id: Types.ObjectId;
  kind: CommitteeKind;
  name: string;
  placeCode: string;
  chair: { name: string; email?: string };
  members: CommitteeMember[];
  meetsMonthly: boolean;
  reportsTo: Types.ObjectId | null;
  reportsToText?: string;
  createdBy: string;
  province: string;
  placePath: string[];
  createdAt: Date;
  updatedAt: Date;
}

export const Committee = mongoose.model('Committee', committeeSchema);
