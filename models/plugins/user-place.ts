import mongoose, { type ClientSession } from 'mongoose';
import type { AuditPlace } from '../../server/audit/record.js';

/** For records that belong to a user (their API tokens, their notification settings): the user's place. */
export async function placeOfUser(doc: Record<string, unknown>, session: ClientSession): Promise<AuditPlace | undefined> {
  if (!doc.user) return undefined;
  const user = await mongoose.model('User').findById(doc.user).session(session).setOptions({ scope: 'system' }).select({ province: 1, placePath: 1 }).lean<AuditPlace>();
  return user ?? undefined;
}
