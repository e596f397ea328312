import mongoose, { Schema, type Types } from 'mongoose';
import { audited } from './plugins/audited.js';

/**
 * An executive agency (دستگاه اجرایی): a directorate-general (اداره کل) that is assigned resolutions and reports on
 * them. Directorates-general are provincial, so each province keeps its own register: `{ province, code }` is unique,
 * and the short Latin `code` is what agency-officer users, committee seats and resolutions of that province name.
 * The ten agencies of seed 002 are created for every province at start-up (server/committees/agencies.service.ts)
 * and each governor's office adds others to its own. `email` is the agency's office mailbox: its seat on a committee is invited there.
 */
const agencySchema = new Schema(
  {
    province: { type: String, required: true, match: /^\d{2}$/ },
    code: { type: String, required: true, match: /^[a-z][a-z0-9-]{1,39}$/ },
    nameFa: { type: String, required: true, trim: true },
    nameEn: { type: String, required: true, trim: true },
    email: { type: String, default: undefined, trim: true, lowercase: true },
    active: { type: Boolean, default: true },
    /** Who added or last changed it; null for the agencies of the built-in register. */
    changedBy: { type: String, default: null },
  },
  { collection: 'agencies', timestamps: true, versionKey: false },
);
agencySchema.index({ province: 1, code: 1 }, { unique: true });
agencySchema.plugin(audited);

export interface AgencyRecord {
  _id: Types.ObjectId;
  province: string;
  code: string;
  nameFa: string;
  nameEn: string;
  email?: string;
  active: boolean;
  changedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const Agency = mongoose.model('Agency', agencySchema);
