import mongoose, { Schema, type Types } from 'mongoose';
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
  },
  { collection: 'api_tokens', timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
apiTokenSchema.plugin(audited, { placeOf: placeOfUser });

export interface ApiTokenRecord {
  _id: Types.ObjectId;
  tokenHash: string;
  user: Types.ObjectId;
  expiresAt: Date;
}

export const ApiToken = mongoose.model('ApiToken', apiTokenSchema);
