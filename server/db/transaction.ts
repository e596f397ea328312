import { setTimeout as sleep } from 'node:timers/promises';
import mongoose, { type ClientSession } from 'mongoose';

/** How long a transaction keeps being retried before its last error is let through. */
const RETRY_FOR_MS = 60_000;

/** The tail of each queue of `inTransaction(…, { queue })` calls in this process. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `work` in a transaction and commits it, retrying the whole of it on `TransientTransactionError` as MongoDB
 * documents, like the driver's `withTransaction`, but after a random, growing pause. Many writers of the same
 * documents (every enrolment of a province moves the province's counter) otherwise retry in lockstep and keep
 * conflicting; jitter lets them through one after another. A commit whose result is unknown is committed again.
 */
export async function inTransaction<T>(work: (session: ClientSession) => Promise<T>, options: { queue?: string | readonly string[] } = {}): Promise<T> {
  const keys = [...new Set(typeof options.queue === 'string' ? [options.queue] : (options.queue ?? []))];
  if (keys.length === 0) return runTransaction(work);
  // Transactions that write the same hot documents (the key names them) take turns in this process instead of
  // conflicting; between processes the retries below still decide. One that writes the documents of several keys
  // waits for the tail of each: it only ever waits for transactions queued before it, so none waits in a circle.
  const previous = Promise.all(keys.map((key) => queues.get(key)));
  const mine = previous.then(() => runTransaction(work));
  const tail = mine.catch(() => undefined);
  for (const key of keys) queues.set(key, tail);
  try {
    return await mine;
  } finally {
    for (const key of keys) if (queues.get(key) === tail) queues.delete(key);
  }
}

async function runTransaction<T>(work: (session: ClientSession) => Promise<T>): Promise<T> {
  const session = await mongoose.startSession();
  const started = Date.now();
  try {
    for (let attempt = 1; ; attempt++) {
      session.startTransaction();
      try {
        const result = await work(session);
        await commit(session, started);
        return result;
      } catch (err) {
        if (session.inTransaction()) await session.abortTransaction().catch(() => undefined);
        if (!hasLabel(err, 'TransientTransactionError') || Date.now() - started > RETRY_FOR_MS) throw err;
        await sleep(Math.random() * Math.min(500, 4 * 2 ** attempt));
      }
    }
  } finally {
    await session.endSession();
  }
}

async function commit(session: ClientSession, started: number): Promise<void> {
  for (;;) {
    try {
      await session.commitTransaction();
      return;
    } catch (err) {
      if (!hasLabel(err, 'UnknownTransactionCommitResult') || Date.now() - started > RETRY_FOR_MS) throw err;
    }
  }
}

function hasLabel(err: unknown, label: string): boolean {
  const e = err as { hasErrorLabel?: (label: string) => boolean; errorLabels?: string[] } | null;
  return Boolean(e?.hasErrorLabel?.(label) ?? e?.errorLabels?.includes(label));
}
