import mongoose, { Schema, type Types } from 'mongoose';
import { placeScoped } from './plugins/place-scoped.js';
import { DELIVERY_MODES, REMINDER_KINDS, type DeliveryMode, type ReminderKind } from './notification-preference.model.js';

/**
 * One reminder owed to one address, written by the reminders job before any mail is queued. `key` is unique (per province) and
 * names the reminder's kind, its item, its period (the week of an overdue commitment, the month of a missing
 * meeting, …) and the address, so a reminder is owed once however often the job runs, and a run resumed after a
 * crash finds the reminders it already recorded. `outboxKey` is set when its mail (single, or the day's digest)
 * is queued. `params` are language-neutral (names, Jalali dates, figures); the mail is written in the
 * recipient's language when queued. Place-scoped by the item's place.
 */
const reminderSchema = new Schema(
  {
    /** Unique within its province (`{ province, key }`, the shard-key prefix first). */
    key: { type: String, required: true },
    kind: { type: String, enum: REMINDER_KINDS, required: true },
    address: { type: String, required: true },
    user: { type: Schema.Types.ObjectId, ref: 'User', default: undefined },
    lang: { type: String, enum: ['fa', 'en'], required: true },
    mode: { type: String, enum: DELIVERY_MODES, required: true },
    /** The Tehran day (`YYYY/MM/DD`) of the run that found it: a digest gathers one day's reminders. */
    day: { type: String, required: true },
    /** Path of the item in the application, e.g. `/resolutions/<id>`. */
    link: { type: String, required: true },
    params: { type: Schema.Types.Mixed, default: () => ({}) },
    outboxKey: { type: String, default: undefined },
  },
  { collection: 'reminders', timestamps: { createdAt: true, updatedAt: false }, versionKey: false, minimize: false },
);
reminderSchema.plugin(placeScoped);
reminderSchema.index({ province: 1, key: 1 }, { unique: true });
reminderSchema.index({ province: 1, day: 1, outboxKey: 1 });

export interface ReminderRecord {
  _id: Types.ObjectId;
  key: string;
  kind: ReminderKind;
  address: string;
  user?: Types.ObjectId;
  lang: 'fa' | 'en';
  mode: DeliveryMode;
  day: string;
  link: string;
  params: Record<string, unknown>;
  outboxKey?: string;
  province: string;
  placePath: string[];
  createdAt: Date;
}

export const Reminder = mongoose.model('Reminder', reminderSchema);
