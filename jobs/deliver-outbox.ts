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
  /** Messages sent at once (each claim is atomic, so workers never share one). */
  workers?: number;
}

export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
}

const DEFAULT_LEASE_MS = 5 * 60_000;
/** The pooled transport keeps up to 5 connections; 4 senders keep them busy. */
const WORKERS = 4;
const FIRST_RETRY_MS = 30_000;
const LONGEST_RETRY_MS = 60 * 60_000;

/** The SMTP transport of SMTP_URL, pooled (one connection reused for many messages) unless the URL says `pool=false`. */
export function smtpTransport(config: Config): Transporter | null {
  if (!config.smtpUrl) return null;
  const url = new URL(config.smtpUrl);
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
  return nodemailer.createTransport(url.href);
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
 * Takes one due message of `province` for this process: one left `sending` by a process whose lease ran out, else
 * the pending message due longest. Each claim names the province (the shard key's prefix: one shard on a cluster
 * sharded by province) and is a single-condition walk of the `{ province, status, nextAttemptAt }` index, hence
 * two claims rather than one `$or`.
 */
async function claimNext(province: string, now: Date, leaseMs: number): Promise<OutboxMessageRecord | null> {
  const claim = { $set: { status: 'sending', leaseUntil: new Date(now.getTime() + leaseMs) }, $inc: { attempts: 1 } };
  return (
    (await OutboxMessage.findOneAndUpdate({ province, status: 'sending', leaseUntil: { $lt: now } }, claim, { returnDocument: 'after' }).lean<OutboxMessageRecord>()) ??
    (await OutboxMessage.findOneAndUpdate({ province, status: 'pending', nextAttemptAt: { $lte: now } }, claim, { returnDocument: 'after', sort: { province: 1, status: 1, nextAttemptAt: 1 } }).lean<OutboxMessageRecord>())
  );
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

  // province by province: each worker takes the next province not yet looked at, and once none is left joins one
  // still being drained; a province is done when a claim in it finds nothing due
  const unvisited = [...PROVINCES];
  const draining = new Set<string>();
  const nextProvince = (): string | undefined => {
    const fresh = unvisited.shift();
    if (fresh !== undefined) draining.add(fresh);
    return fresh ?? draining.values().next().value;
  };
  let taken = 0;
  const worker = async () => {
    while (options.limit === undefined || taken < options.limit) {
      const province = nextProvince();
      if (province === undefined) return;
      taken++;
      const message = await claimNext(province, clock(), leaseMs);
      if (!message) {
        taken--;
        draining.delete(province);
        continue;
      }
      await deliverOne(message);
    }
  };
  const deliverOne = async (message: OutboxMessageRecord) => {
    const messageId = messageIdFor(message._id, config.mailFrom);
    const claimed = { province: message.province, _id: message._id, status: 'sending' as const, attempts: message.attempts };
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
      await OutboxMessage.updateOne(claimed, {
        $set: { status: 'sent', sentAt: clock(), messageId, deliveredTo: transport ? 'smtp' : 'mailbox' },
        $unset: { leaseUntil: 1, lastError: 1 },
      });
      report.sent++;
    } catch (err) {
      const permanent = ((err as { responseCode?: number }).responseCode ?? 0) >= 500;
      const givingUp = permanent || message.attempts >= config.outboxMaxAttempts;
      const lastError = err instanceof Error ? err.message : String(err);
      logger.warn({ id: String(message._id), attempts: message.attempts, err: lastError }, givingUp ? 'email failed' : 'email will be retried');
      await OutboxMessage.updateOne(claimed, {
        $set: givingUp
          ? { status: 'failed', lastError, messageId }
          : { status: 'pending', lastError, messageId, nextAttemptAt: new Date(clock().getTime() + retryDelayMs(message.attempts)) },
        $unset: { leaseUntil: 1 },
      });
      if (givingUp) report.failed++;
      else report.retried++;
    }
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
