import mongoose, { Schema, type Types } from 'mongoose';
import { placeScoped } from './plugins/place-scoped.js';

/** The topic every province's list ends with: a problem that fits none of the others, described in words. */
export const OTHER_TOPIC = 'other';

/**
 * One entry of a province's list of field-problem topics (کارگروه مشکلات میدانی), kept by the governor's office.
 * `code` is stable (problems and resolutions name it); the names can change. A retired topic keeps its past
 * problems but takes no new ones. `fromOther` names the "other" problems it was made from, so the history says why.
 */
const problemTopicSchema = new Schema(
  {
    code: { type: String, required: true, match: /^[a-z][a-z0-9-]{1,39}$/ },
    nameFa: { type: String, required: true, trim: true, maxlength: 200 },
    nameEn: { type: String, required: true, trim: true, maxlength: 200 },
    active: { type: Boolean, default: true },
    createdBy: { type: String, required: true },
    fromOther: { type: [Schema.Types.ObjectId], default: [] },
  },
  { collection: 'problem_topics', timestamps: true, versionKey: false },
);
problemTopicSchema.plugin(placeScoped);
problemTopicSchema.index({ province: 1, code: 1 }, { unique: true });

export interface ProblemTopicRecord {
  _id: Types.ObjectId;
  code: string;
  nameFa: string;
  nameEn: string;
  active: boolean;
  createdBy: string;
  fromOther: Types.ObjectId[];
  province: string;
  placePath: string[];
  createdAt: Date;
}

export const ProblemTopic = mongoose.model('ProblemTopic', problemTopicSchema);
