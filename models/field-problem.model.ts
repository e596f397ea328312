import mongoose, { Schema, type Types } from 'mongoose';
import { placeScoped } from './plugins/place-scoped.js';

/**
 * A problem someone met in the field, reported at their place: a topic of the province's list (or `other` with
 * words), a short description, how many people it affected, and perhaps one attachment (the rules of progress
 * updates: PDF, PNG or JPEG, at most 2 MB, stored in the document).
 *
 * "We have this too" from another place is a report of its own in the same `thread` (the first report's id), with
 * that place's own count of people: the unique key `{ province, thread, placeCode }` counts a place once per
 * problem, even when two people of the same place press the button at the same moment. Every figure of the topic
 * trends is a count of these documents, so a place that joins a thread counts as a place that reported the topic.
 */
const fieldProblemSchema = new Schema(
  {
    thread: { type: Schema.Types.ObjectId, required: true },
    /** True for the report that opened the thread; false for each "we have this too". */
    first: { type: Boolean, required: true },
    topic: { type: String, required: true },
    otherText: { type: String, default: undefined, trim: true, maxlength: 200 },
    description: { type: String, default: undefined, trim: true, maxlength: 2000 },
    affected: { type: Number, required: true, min: 0, max: 10_000_000 },
    placeCode: { type: String, required: true },
    reportedAt: { type: Date, required: true },
    by: { type: String, required: true },
    byRole: { type: String, required: true },
    attachment: {
      type: new Schema({ filename: String, contentType: String, size: Number, data: Buffer }, { _id: false }),
      default: undefined,
    },
    /** Demo records say so (the illustrative data); nothing real carries it. */
    illustrative: { type: Boolean, default: undefined },
  },
  { collection: 'field_problems', timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
fieldProblemSchema.plugin(placeScoped);
fieldProblemSchema.index({ province: 1, thread: 1, placeCode: 1 }, { unique: true });
fieldProblemSchema.index({ province: 1, reportedAt: -1 });
fieldProblemSchema.index({ province: 1, topic: 1, reportedAt: -1 });

export interface FieldProblemRecord {
  _id: Types.ObjectId;
  thread: Types.ObjectId;
  first: boolean;
  topic: string;
  otherText?: string;
  description?: string;
  affected: number;
  placeCode: string;
  reportedAt: Date;
  by: string;
  byRole: string;
  attachment?: { filename: string; contentType: string; size: number; data: Buffer };
  illustrative?: boolean;
  province: string;
  placePath: string[];
  createdAt: Date;
}

export const FieldProblem = mongoose.model('FieldProblem', fieldProblemSchema);
