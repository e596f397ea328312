import mongoose, { Schema, type Types } from 'mongoose';
import type { DeadlineRecord } from './resolution.model.js';
import { placeScoped } from './plugins/place-scoped.js';

export const PROPOSAL_STATES = ['proposed', 'adopted', 'declined'] as const;
export type ProposalState = (typeof PROPOSAL_STATES)[number];

const jalaliDate = { year: { type: Number, required: true }, month: { type: Number, required: true }, day: { type: Number, required: true } };

/**
 * A clause the working group proposes from the field problems it reviewed: the text, who would owe it (agency)
 * and by when (the deadline spec of server/committees/deadlines.ts), the topics and problem threads it answers
 * and the people who raised them (told when it is adopted). The agreement's owner adopts it (it becomes clause N
 * and a commitment) or declines it with a reason; either way the decision stays on the record.
 */
const clauseProposalSchema = new Schema(
  {
    agreement: { type: Schema.Types.ObjectId, ref: 'Agreement', required: true },
    text: { type: String, required: true, trim: true, maxlength: 5000 },
    agency: { type: String, required: true },
    deadline: {
      type: { type: String, enum: ['date', 'within', 'monthly'], required: true },
      date: { type: new Schema(jalaliDate, { _id: false }), default: undefined },
      months: { type: Number, default: undefined },
      days: { type: Number, default: undefined },
      until: { type: new Schema(jalaliDate, { _id: false }), default: undefined },
    },
    policyAxis: { type: String, default: undefined },
    topics: { type: [String], default: [] },
    problems: { type: [Schema.Types.ObjectId], default: [] },
    raisedBy: { type: [{ _id: false, username: String, role: String, placeCode: String }], default: [] },
    state: { type: String, enum: PROPOSAL_STATES, default: 'proposed' },
    proposedBy: { type: String, required: true },
    proposedAt: { type: Date, required: true },
    decision: { by: String, at: Date, reason: String },
    clauseNumber: { type: Number, default: undefined },
    illustrative: { type: Boolean, default: undefined },
  },
  { collection: 'clause_proposals', versionKey: false },
);
clauseProposalSchema.plugin(placeScoped);
clauseProposalSchema.index({ province: 1, agreement: 1, state: 1 });

export interface ClauseProposalRecord {
  _id: Types.ObjectId;
  agreement: Types.ObjectId;
  text: string;
  agency: string;
  deadline: DeadlineRecord;
  policyAxis?: string;
  topics: string[];
  problems: Types.ObjectId[];
  raisedBy: { username: string; role: string; placeCode: string }[];
  state: ProposalState;
  proposedBy: string;
  proposedAt: Date;
  decision?: { by?: string; at?: Date; reason?: string };
  clauseNumber?: number;
  illustrative?: boolean;
  province: string;
  placePath: string[];
}

export const ClauseProposal = mongoose.model('ClauseProposal', clauseProposalSchema);
