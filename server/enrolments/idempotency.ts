import { createHash } from 'node:crypto';
import { Enrolment, type EnrolmentRecord } from '../../models/enrolment.model.js';
import type { AuthUser } from '../auth/scope.js';
import { AppError } from '../errors/app-error.js';

/**
 * `Idempotency-Key`: a client (a phone's offline queue, an integration retrying after a lost reply) names each
 * enrolment it sends. The key is stored with the enrolment it made, unique per province (the index
 * `{ province, idempotencyKey }`), so a repeated key is answered with the first answer instead of a second
 * enrolment, even when the two requests race. Only an enrolment that was made keeps its key: a refused request
 * stored nothing, so the same key may be sent again after the problem is fixed.
 */

/** A UUID, or any 8–100 letters, digits, dashes and underscores. */
export const IDEMPOTENCY_KEY_FORMAT = /^[A-Za-z0-9_-]{8,100}$/;

/** What is stored with the enrolment so a repeat can be recognised, and a different request under the same key refused. */
export interface IdempotencyStamp {
  idempotencyKey: string;
  requestHash: string;
}

/** The key as sent (header or batch item), or undefined when none was sent; 422 when it is not a key. */
export function readIdempotencyKey(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' && IDEMPOTENCY_KEY_FORMAT.test(value)) return value;
  throw new AppError('validation', 'errors.validation', 422, {}, { idempotencyKey: 'offline.idempotencyKeyFormat' });
}

/**
 * Runs `work` (which makes the enrolment, writing the stamp with it) once per key: an enrolment already made
 * under the key by this user with the same request is returned as it is; the same key with another request, or
 * another user's key, is 422. A request that lost the race to the unique index finds the winner afterwards.
 */
export async function idempotent(actor: Pick<AuthUser, 'id' | 'province'>, key: string | undefined, request: unknown, work: (stamp?: IdempotencyStamp) => Promise<EnrolmentRecord>): Promise<EnrolmentRecord> {
  if (key === undefined) return work();
  const stamp = { idempotencyKey: key, requestHash: requestHash(request) };
  const first = await firstAnswer(actor, stamp);
  if (first) return first;
  try {
    return await work(stamp);
  } catch (err) {
    const winner = await firstAnswer(actor, stamp);
    if (winner) return winner;
    throw err;
  }
}

async function firstAnswer(actor: Pick<AuthUser, 'id' | 'province'>, stamp: IdempotencyStamp): Promise<EnrolmentRecord | null> {
  const existing = await Enrolment.findOne({ province: actor.province, idempotencyKey: stamp.idempotencyKey }).setOptions({ scope: 'system' }).lean<EnrolmentRecord>();
  if (!existing) return null;
  if (existing.requestHash !== stamp.requestHash || String(existing.createdBy) !== String(actor.id)) {
    throw new AppError('idempotencyKeyReused', 'offline.idempotencyKeyReused', 422, {}, { idempotencyKey: 'offline.idempotencyKeyReused' });
  }
  return existing;
}

/** SHA-256 of the request with its keys sorted, so the same fields in another order are the same request. */
export function requestHash(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(sorted(request))).digest('hex');
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sorted(v)]));
  return value;
}
