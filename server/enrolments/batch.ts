import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { apiError } from '../errors/error-handler.js';
import type { Lang } from '../i18n/index.js';
import { logEnrolment, type Actor } from './enrolments.service.js';
import { IDEMPOTENCY_KEY_FORMAT } from './idempotency.js';

/** A phone sends its queue in small batches, so one reply is never large and one lost reply costs little. */
export const MAX_BATCH = 20;

export const enrolmentBatch = {
  body: z.object({
    items: z
      .array(z.object({ idempotencyKey: z.string().regex(IDEMPOTENCY_KEY_FORMAT, 'offline.idempotencyKeyFormat'), enrolment: z.record(z.string(), z.unknown()) }))
      .min(1)
      .max(MAX_BATCH),
  }),
};

export type BatchItem = z.infer<typeof enrolmentBatch.body>['items'][number];

/** One answer per item, in order: what `POST /api/v1/enrolments` would have answered for it alone. */
export type BatchResult =
  | { idempotencyKey: string; status: 201; id: string; possibleDuplicate: boolean }
  | { idempotencyKey: string; status: number; error: ReturnType<typeof apiError> };

/**
 * `POST /api/v1/enrolments/batch`: each item is the single enrolment call with its own Idempotency-Key, one after
 * another. A refusal (4xx) is that item's answer and the others go on; a server failure stops the batch, which is
 * safe to send again whole, since every item that was stored answers its key with the same id.
 */
export async function logBatch(actor: Actor, items: BatchItem[], lang: Lang, now = () => new Date()): Promise<BatchResult[]> {
  const results: BatchResult[] = [];
  for (const { idempotencyKey, enrolment } of items) {
    try {
      const logged = await logEnrolment(actor, enrolment, now(), idempotencyKey);
      results.push({ idempotencyKey, status: 201, id: String(logged._id), possibleDuplicate: logged.duplicateCheck === 'open' });
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      results.push({ idempotencyKey, status: err.status, error: apiError(err, lang) });
    }
  }
  return results;
}
