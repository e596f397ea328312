import mongoose, { Schema } from 'mongoose';

/**
 * Failed sign-ins, counted per account (`account:<login>`) and per client address (`address:<ip>`), in MongoDB so
 * every application instance sees the same counts. A count lives for one window from its first failure; MongoDB's
 * TTL monitor removes it after `expiresAt` (the check at sign-in does not wait for it). Successful sign-ins are never
 * counted, so the many people of one office behind one address are not locked out by each other.
 */
const loginFailureSchema = new Schema(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
    expiresAt: { type: Date, required: true, expires: 0 },
  },
  { collection: 'login_failures', versionKey: false },
);

export interface LoginFailureRecord {
  _id: string;
  count: number;
  expiresAt: Date;
}

export const LoginFailure = mongoose.model('LoginFailure', loginFailureSchema);
