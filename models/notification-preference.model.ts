import mongoose, { Schema, type Types } from 'mongoose';
import { audited } from './plugins/audited.js';
import { placeOfUser } from './plugins/user-place.js';

/** The kinds of reminder a person can receive (jobs/reminders.ts); the catalogue names them `notifications.kind.<kind>`. */
export const REMINDER_KINDS = [
  'meeting-upcoming',
  'meeting-not-scheduled',
  'meeting-minutes-missing',
  'commitment-due-soon',
  'commitment-due-tomorrow',
  'commitment-overdue',
  'commitment-stale',
  'commitment-escalation',
  'quota-behind',
  'quota-behind-supervised',
  'clause-proposal-waiting',
  'clause-adopted',
] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

export const DELIVERY_MODES = ['single', 'digest'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

/**
 * How one user wants reminders: where (`email`; users have no address otherwise), in which language, one email
 * per reminder or one daily digest, and which kinds they do not want. Opting out of a kind the governor's office
 * made mandatory for the province (models/notification-policy.model.ts) has no effect while it is mandatory.
 */
const notificationPreferenceSchema = new Schema(
  {
    user: { type: Schema.Types.ObjectId, ref: 'User', required: true, unique: true },
    email: { type: String, default: undefined, trim: true, lowercase: true },
    lang: { type: String, enum: ['fa', 'en'], default: undefined },
    mode: { type: String, enum: DELIVERY_MODES, default: 'digest' },
    optOut: { type: [String], enum: REMINDER_KINDS, default: [] },
  },
  { collection: 'notification_preferences', timestamps: true, versionKey: false },
);
notificationPreferenceSchema.plugin(audited, { placeOf: placeOfUser });
notificationPreferenceSchema.index({ email: 1 });

export interface NotificationPreferenceRecord {
  _id: Types.ObjectId;
  user: Types.ObjectId;
  email?: string;
  lang?: 'fa' | 'en';
  mode: DeliveryMode;
  optOut: ReminderKind[];
  createdAt: Date;
  updatedAt: Date;
}

export const NotificationPreference = mongoose.model('NotificationPreference', notificationPreferenceSchema);
