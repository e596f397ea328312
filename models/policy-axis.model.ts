import mongoose, { Schema, type Types } from 'mongoose';
import { placeScoped } from './plugins/place-scoped.js';

/**
 * One policy axis (محور سیاستی) of the list a secretariat committee keeps (seed 001: nine axes). Resolutions and
 * clauses name an axis by its `code`; the list is per province, numbered in the secretariat's order.
 */
const policyAxisSchema = new Schema(
  {
    code: { type: String, required: true, match: /^[a-z0-9][a-z0-9-]{0,39}$/ },
    number: { type: Number, required: true, min: 1 },
    name: { type: String, required: true, trim: true, maxlength: 200 },
    secretariat: { type: Schema.Types.ObjectId, ref: 'Committee', required: true },
    illustrative: { type: Boolean, default: undefined },
  },
  { collection: 'policy_axes', timestamps: true, versionKey: false },
);
policyAxisSchema.plugin(placeScoped);
policyAxisSchema.index({ province: 1, code: 1 }, { unique: true });

export interface PolicyAxisRecord {
  _id: Types.ObjectId;
  code: string;
  number: number;
  name: string;
  secretariat: Types.ObjectId;
  illustrative?: boolean;
  province: string;
  placePath: string[];
}

export const PolicyAxis = mongoose.model('PolicyAxis', policyAxisSchema);
