import mongoose, { Schema, type Types } from 'mongoose';
import { placeScoped } from './plugins/place-scoped.js';
import { audited } from './plugins/audited.js';

/**
 * A progress update an agency officer posts on a commitment: text, a percentage, perhaps a new status, perhaps
 * one attachment. Attachments (PDF, PNG, JPEG; at most ATTACHMENT_MAX_BYTES) are stored in the document itself,
 * so a backup of the database is a backup of the evidence and several app servers need no shared disk.
 * Updates are never edited or deleted: together with the resolution's history they are the record of who did what.
 */
const resolutionUpdateSchema = new Schema(
  {
    resolution: { type: Schema.Types.ObjectId, ref: 'Resolution', required: true },
    text: { type: String, required: true, trim: true },
    progress: { type: Number, default: undefined, min: 0, max: 100 },
    status: { type: String, default: undefined },
    /** The month (`YYYY-MM`) a recurring commitment's update reports on. */
    period: { type: String, default: undefined },
    attachment: {
      type: new Schema({ filename: String, contentType: String, size: Number, data: Buffer }, { _id: false }),
      default: undefined,
    },
    by: { type: String, required: true },
    byName: { type: String, required: true },
    agency: { type: String, default: undefined },
  },
  { collection: 'resolution_updates', timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
resolutionUpdateSchema.plugin(placeScoped);
resolutionUpdateSchema.plugin(audited, { ignore: ['attachment'] });
resolutionUpdateSchema.index({ resolution: 1, createdAt: -1 });

export interface ResolutionUpdateRecord {
  _id: Types.ObjectId;
  resolution: Types.ObjectId;
  text: string;
  progress?: number;
  status?: string;
  period?: string;
  attachment?: { filename: string; contentType: string; size: number; data: Buffer };
  by: string;
  byName: string;
  agency?: string;
  province: string;
  placePath: string[];
  createdAt: Date;
}

export const ResolutionUpdate = mongoose.model('ResolutionUpdate', resolutionUpdateSchema);
