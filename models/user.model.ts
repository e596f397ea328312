import mongoose, { Schema, type Types } from 'mongoose';
import { ROLES, type Role } from '../server/auth/roles.js';
import { forgetAllUsers } from '../server/auth/token-cache.js';
import { onWrite } from './plugins/on-write.js';
import { placeScoped } from './plugins/place-scoped.js';
import { audited } from './plugins/audited.js';

/**
 * A person who signs in. Users are place-bound like every record of the campaign: `placeCode` is the place
 * they answer for, and the place-scoped plugin's `province`/`placePath` decide who may see them, so a county
 * governor lists only the users of their county. Sign-in looks users up with the system scope.
 */
const userSchema = new Schema(
  {
    username: { type: String, required: true, unique: true, lowercase: true, trim: true },
    /** 09xxxxxxxxx in Latin digits; unique when present. */
    mobile: { type: String, default: undefined, unique: true, sparse: true },
    displayName: { type: String, required: true, trim: true },
    passwordHash: { type: String, required: true },
    role: { type: String, enum: ROLES, required: true },
    placeCode: { type: String, required: true },
    /** For agency officers: the executive agency they speak for (server/users/agencies.ts). */
    agency: { type: String, default: undefined },
    lang: { type: String, enum: ['fa', 'en'], default: 'fa' },
    active: { type: Boolean, default: true },
    /** Demo accounts are created on an empty embedded database only (see server/users/demo.ts). */
    demo: { type: Boolean, default: false },
  },
  { collection: 'users', timestamps: true, versionKey: false },
);
userSchema.plugin(placeScoped);
// a changed role, place or password, or a deactivation, is seen by the next request of this process
onWrite(userSchema, () => forgetAllUsers());
userSchema.plugin(audited);

export interface UserRecord {
  _id: Types.ObjectId;
  username: string;
  mobile?: string;
  displayName: string;
  passwordHash: string;
  role: Role;
  placeCode: string;
  agency?: string;
  lang: 'fa' | 'en';
  active: boolean;
  demo: boolean;
  province: string;
  placePath: string[];
  createdAt: Date;
  updatedAt: Date;
}

export const User = mongoose.model('User', userSchema);
