import mongoose, { Schema, type Types } from 'mongoose';
import { REMINDER_KINDS, type ReminderKind } from './notification-preference.model.js';
import { audited } from './plugins/audited.js';

/**
 * The reminder kinds the governor's office of a province made mandatory: nobody in the province can opt out of them.
 * One document per province; none means nothing is mandatory.
 */
const notificationPolicySchema = new Schema(
  {
    province: { type: String, required: true, unique: true, match: /^\d{2}$/ },
    mandatory: { type: [String], enum: REMINDER_KINDS, default: [] },
    updatedBy: { type: String, required: true },
  },
  { collection: 'notification_policies', timestamps: true, versionKey: false },
);
notificationPolicySchema.plugin(audited);

export interface NotificationPolicyRecord {
  _id: Types.ObjectId;
  province: string;
  mandatory: ReminderKind[];
  updatedBy: string;
}

export const NotificationPolicy = mongoose.model('NotificationPolicy', notificationPolicySchema);
