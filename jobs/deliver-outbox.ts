import { randomUUID } from 'node:crypto';
import type { Types } from 'mongoose';
import nodemailer, { type Transporter } from 'nodemailer';
import { OutboxMessage, type OutboxMessageRecord } from '../models/outbox-message.model.js';
import type { Config } from '../server/config.js';
import { logger } from '../server/logger.js';

/**
 * Delivery of the outbox. The guarantee, honestly: AT-LEAST-ONCE hand-over to the SMTP server, with an
 * IDEMPOTENT Message-ID.
 * - A message is claimed atomically (pending → sending, with a lease), so two instances never send it at once.
 * - Its Message-ID is derived from the outbox id (`<outbox.<id>@<sender domain>>`), the same on every attempt.
 * - Sent is recorded after the server said 250. If the process dies between the two, the lease runs out, the
 *   message is claimed again and re-sent with the SAME Message-ID: the mail server and the reader's mail program
 *   see a repeat of one message (which they collapse), never a second, different one. Nothing is lost: a message
 *   leaves the outbox only as `sent` or, after OUTBOX_MAX_ATTEMPTS failures, `failed` (visible to the governor's
 *   office).
 * - An SMTP outage only delays mail: each failure schedules the next attempt with exponential back-off
 *   (30 s, 1 min, 2 min, … up to 1 h); a permanent refusal (5xx, e.g. an unknown mailbox) fails at once.
 * Without SMTP_URL, messages are "delivered" to the development mailbox page (/dev/mailbox) instead.
 */

export interface DeliveryOptions {
  config: Config;
  /** The SMTP transport; by default built from SMTP_URL (none: the development mailbox). */
  transport?: Transporter | null;
  /** The clock (injected by tests); leases and back-off are measured on it. */
  now?: () => Date;
  /** How long a claim holds before another process may take the message over. */
  leaseMs?: number;
  /** Stop after this many messages (one pass of the loop). */
  limit?: number;
  /** Provinces drained at once (a claim is atomic per message, so workers never share one). */
  workers?: number;
}

export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
}

const DEFAULT_LEASE_MS = 5 * 60_000;
/**
 * Messages one claim takes: a claim costs three or four round trips whatever its size, and a batch is sent in well
 * under a second, far inside its lease.
 */
const CLAIM_BATCH = 50;
/** Provinces drained at once. */
const WORKERS = 2;
/** SMTP connections the pooled transport keeps open; a batch's messages are handed to them all at once. */
const SMTP_CONNECTIONS = 8;
const FIRST_RETRY_MS = 30_000;
const LONGEST_RETRY_MS = 60 * 60_000;

/**
 * The SMTP transport of SMTP_URL, pooled (connections reused for many messages, several at once) unless the URL
 * says `pool=false`; the URL's own `maxConnections` or `maxMessages` win over these.
 */
export function smtpTransport(config: Config): Transporter | null {
  if (!config.smtpUrl) return null;
  return nodemailer.createTransport({ url: config.smtpUrl, pool: true, maxConnections: SMTP_CONNECTIONS, maxMessages: Infinity });
}

/** The message's RFC 5322 Message-ID, the same on every attempt. */
export function messageIdFor(id: unknown, mailFrom: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(mailFrom)?.[1] ?? 'localhost';
  return `<outbox.${String(id)}@${domain}>`;
}

/** Delay before attempt `attempts + 1`: 30 s doubled per failure, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), LONGEST_RETRY_MS);
}

/**
 * Every province a message can carry (two digits, models/outbox-message.model.ts; 00 is installation-wide mail).
 * Delivery walks them all rather than asking the outbox which have mail: that question would go to every shard.
 */
const PROVINCES = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/**
 * Takes up to `max` due messages of `province` for this process: those left `sending` by a process whose lease ran
 * out, then the pending ones due longest. Every query names the province (the shard key's prefix: one shard on a
 * cluster sharded by province). The candidates are read by two single-condition walks of the
 * `{ province, status, nextAttemptAt }` index; one update then takes those that still match (a message another
 * process claimed meanwhile no longer does) and stamps them with this claim's token, by which they are read back.
 */
async function claimBatch(province: string, now: Date, leaseMs: number, max: number): Promise<OutboxMessageRecord[]> {
  const stale = { province, status: 'sending' as const, leaseUntil: { $lt: now } };
  const due = { province, status: 'pending' as const, nextAttemptAt: { $lte: now } };
  const ids = (await OutboxMessage.find(stale, { _id: 1 }).limit(max).lean<Array<{ _id: Types.ObjectId }>>()).map((m) => m._id);
  if (ids.length < max) {
    const pending = await OutboxMessage.find(due, { _id: 1 }).sort({ province: 1, status: 1, nextAttemptAt: 1 }).limit(max - ids.length).lean<Array<{ _id: Types.ObjectId }>>();
    ids.push(...pending.map((m) => m._id));
  }
  if (ids.length === 0) return [];
  const claim = randomUUID();
  await OutboxMessage.updateMany(
    { province, _id: { $in: ids }, $or: [stale, due] },
    { $set: { status: 'sending', leaseUntil: new Date(now.getTime() + leaseMs), claim }, $inc: { attempts: 1 } },
  );
  const claimed = await OutboxMessage.find({ province, _id: { $in: ids }, claim }).lean<OutboxMessageRecord[]>();
  // in the order they were found: taken-over messages first, then by due time
  const order = new Map(ids.map((id, i) => [String(id), i]));
  return claimed.sort((a, b) => order.get(String(a._id))! - order.get(String(b._id))!);
}

type Outcome = { filter: Record<string, unknown>; update: Record<string, unknown> };

/**
 * Writes delivery outcomes (sent, retry, failed) the way a group commit does: outcomes that arrive while a write is
 * under way go together into the next one (one bulkWrite), and each caller waits for the write carrying its own. A
 * message is written `sent` at most two writes after its 250 (the one under way, then its own), so the window in
 * which a crash makes a repeat (with the same Message-ID) stays about as short as with a write per message.
 */
class OutcomeWriter {
  private queued: Array<Outcome & { done: () => void; fail: (err: unknown) => void }> = [];
  private writing = false;

  write(outcome: Outcome): Promise<void> {
    return new Promise((done, fail) => {
      this.queued.push({ ...outcome, done, fail });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.queued.length > 0) {
      const batch = this.queued;
      this.queued = [];
      try {
        await OutboxMessage.bulkWrite(
          batch.map(({ filter, update }) => ({ updateOne: { filter, update } })),
          { ordered: false },
        );
        for (const o of batch) o.done();
      } catch (err) {
        for (const o of batch) o.fail(err);
      }
    }
    this.writing = false;
  }
}

/** Delivers every message that is due now; returns what happened. */
export async function deliverDue(options: DeliveryOptions): Promise<DeliveryReport> {
  const { config } = options;
  // a transport made here is closed here; one passed in (the delivery loop's) stays open for the next pass
  const ownTransport = options.transport === undefined;
  const transport = ownTransport ? smtpTransport(config) : (options.transport ?? null);
  try {
    return await deliverWith(transport, options);
  } finally {
    if (ownTransport) transport?.close();
  }
}

async function deliverWith(transport: Transporter | null, options: DeliveryOptions): Promise<DeliveryReport> {
  const { config } = options;
  const clock = options.now ?? (() => new Date());
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const report: DeliveryReport = { sent: 0, retried: 0, failed: 0 };
  const outcomes = new OutcomeWriter();

  // province by province, each drained by one worker (two on one province would read the same candidates and
  // split them); a worker claims a province's next batch while it sends the last one, so its connections stay busy
  const unvisited = [...PROVINCES];
  // claimed so far, and asked for by claims under way: together the workers never take more than the limit, and a
  // worker finding no room waits for the claims under way (a province with nothing due gives its room back)
  let claimed = 0;
  let asked = 0;
  const underWay = new Set<Promise<void>>();
  /** The province's next batch (empty: nothing due there), or undefined once the limit is all taken. */
  const claim = async (province: string): Promise<OutboxMessageRecord[] | undefined> => {
    const limit = options.limit ?? Infinity;
    while (limit - claimed - asked <= 0) {
      if (underWay.size === 0) return undefined;
      await Promise.race(underWay);
    }
    const room = Math.min(CLAIM_BATCH, limit - claimed - asked);
    asked += room;
    const claiming = claimBatch(province, clock(), leaseMs, room);
    const settled = claiming.then(
      () => undefined,
      () => undefined,
    );
    underWay.add(settled);
    try {
      const batch = await claiming;
      claimed += batch.length;
      return batch;
    } finally {
      asked -= room;
      underWay.delete(settled);
    }
  };
  /** Sends the province's due messages; false when the limit stopped it. */
  const drain = async (province: string): Promise<boolean> => {
    let next = claim(province);
    for (;;) {
      const batch = await next;
      if (!batch) return false;
      if (batch.length === 0) return true;
      next = claim(province);
      // awaited on the next turn of the loop; until then a failure must not count as unhandled
      next.catch(() => undefined);
      await Promise.all(batch.map(deliverOne));
    }
  };
  const worker = async () => {
    for (let province = unvisited.shift(); province !== undefined; province = unvisited.shift()) {
      if (!(await drain(province))) return;
    }
  };
  const deliverOne = async (message: OutboxMessageRecord) => {
    const messageId = messageIdFor(message._id, config.mailFrom);
    const claimed = { province: message.province, _id: message._id, status: 'sending' as const, claim: message.claim };
    let outcome: Outcome['update'];
    try {
      if (transport) {
        await transport.sendMail({
          from: config.mailFrom,
          to: message.to,
          subject: message.subject,
          html: message.html,
          text: message.text,
          messageId,
          headers: { 'X-Outbox-Kind': message.kind },
          attachments: (message.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content, ...(a.encoding ? { encoding: a.encoding } : {}) })),
        });
      }
      outcome = { $set: { status: 'sent', sentAt: clock(), messageId, deliveredTo: transport ? 'smtp' : 'mailbox' }, $unset: { leaseUntil: 1, lastError: 1, claim: 1 } };
      report.sent++;
    } catch (err) {
      const permanent = ((err as { responseCode?: number }).responseCode ?? 0) >= 500;
      const givingUp = permanent || message.attempts >= config.outboxMaxAttempts;
      const lastError = err instanceof Error ? err.message : String(err);
      logger.warn({ id: String(message._id), attempts: message.attempts, err: lastError }, givingUp ? 'email failed' : 'email will be retried');
      outcome = {
        $set: givingUp
          ? { status: 'failed', lastError, messageId }
          : { status: 'pending', lastError, messageId, nextAttemptAt: new Date(clock().getTime() + retryDelayMs(message.attempts)) },
        $unset: { leaseUntil: 1, claim: 1 },
      };
      if (givingUp) report.failed++;
      else report.retried++;
    }
    await outcomes.write({ filter: claimed, update: outcome });
  };
  await Promise.all(Array.from({ length: options.workers ?? WORKERS }, worker));
  return report;
}

/** The delivery loop of an instance: a pass every `intervalMs` (passes never overlap). */
export function startOutboxDelivery(options: DeliveryOptions & { intervalMs?: number }): { stop(): Promise<void> } {
  const transport = options.transport === undefined ? smtpTransport(options.config) : options.transport;
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const pass = () => {
    current = deliverDue({ ...options, transport })
      .catch((err: unknown) => logger.error({ err }, 'outbox delivery pass failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(pass, options.intervalMs ?? 5_000);
      });
  };
  pass();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
      transport?.close();
    },
  };
}
