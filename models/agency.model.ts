import mongoose, { Schema, type Types } from 'mongoose';
import { audited } from './plugins/audited.js';

/**
 * An executive agency (دستگاه اجرایی): a directorate-general that is assigned resolutions and reports on them.
 * The register is one per installation, keyed by a short Latin `code` that agency-officer users and resolutions
 * name; the ten agencies of seed 002 are created at start-up (server/committees/agencies.service.ts) and the
 * governor's office adds others. `email` is the agency's office mailbox: its seat on a committee is invited there.
 */
const agencySchema = new Schema(
  {
    code: { type: String, required: true, unique: true, match: /^[a-z][a-z0-9-]{1,39}$/ },
    nameFa: { type: String, required: true, trim: true },
    nameEn: { type: String, required: true, trim: true },
    email: { type: String, default: undefined, trim: true, lowercase: true },
    active: { type: Boolean, default: true },
    /** Who added or last changed it; null for the agencies of the built-in register. */
    changedBy: { type: String, default: null },
  },
  { collection: 'agencies', timestamps: true, versionKey: false },
);
agencySchema.plugin(audited);

export interface AgencyRecord {
  _id: Types.ObjectId;
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
