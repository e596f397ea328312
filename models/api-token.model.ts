import mongoose, { Schema, type Types } from 'mongoose';
import { forgetAllUsers } from '../server/auth/token-cache.js';
import { onWrite } from './plugins/on-write.js';
import { audited } from './plugins/audited.js';
import { placeOfUser } from './plugins/user-place.js';

/**
 * An API bearer token. Only the SHA-256 of the token is stored, so a copy of the database grants nothing;
 * MongoDB's TTL monitor deletes a token once `expiresAt` has passed (the check at use does not wait for it).
 */
const apiTokenSchema = new Schema(
  {
    tokenHash: { type: String, required: true, unique: true },
    user: { type: Schema.Types.ObjectId, ref: 'User', required: true, index: true },
    expiresAt: { type: Date, required: true, expires: 0 },
    /** When it last let a request in (written at most once a minute per token). */
    lastUsedAt: { type: Date, default: undefined },
  },
  { collection: 'api_tokens', timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
apiTokenSchema.plugin(audited, { placeOf: placeOfUser });

// a revoked or deleted token stops working at once in this process; its "last used" (written once a minute per
// token in use) changes nothing about whom it lets in, and forgetting every user on it made each token in use be read
// again after any other token's minute
onWrite(apiTokenSchema, () => forgetAllUsers(), { unless: onlyLastUsed });

function onlyLastUsed(update: Record<string, unknown>): boolean {
  const set = update.$set as Record<string, unknown> | undefined;
  return Object.keys(update).every((key) => key === '$set') && set !== undefined && Object.keys(set).every((key) => key === 'lastUsedAt');
}

export interface ApiTokenRecord {
  _id: Types.ObjectId;
  tokenHash: string;
  user: Types.ObjectId;
  expiresAt: Date;
  lastUsedAt?: Date;
  createdAt: Date;
}

export const ApiToken = mongoose.model('ApiToken', apiTokenSchema);
