import { isValidObjectId } from 'mongoose';
import { OutboxMessage, type OutboxMessageRecord } from '../../models/outbox-message.model.js';
import type { AuthUser } from '../auth/scope.js';
import { notFound } from '../errors/app-error.js';
import { readableBy } from './outbox.service.js';

/**
 * The development mailbox (SMTP_URL unset), behind the outbox wall: the governor's office reads its province's
 * mail, everyone else the messages addressed to them; any other message answers 404, like one that does not exist.
 */

export const MAILBOX_PAGE_SIZE = 25;

/** One page of the reader's mail, newest first, and whether an older page follows. */
export async function mailboxMessages(reader: AuthUser, page = 1): Promise<{ messages: OutboxMessageRecord[]; hasMore: boolean }> {
  const found = await OutboxMessage.find(readableBy(reader), { html: 0, text: 0, 'attachments.content': 0 })
    .sort({ createdAt: -1, _id: -1 })
    .skip((page - 1) * MAILBOX_PAGE_SIZE)
    .limit(MAILBOX_PAGE_SIZE + 1)
    .lean<OutboxMessageRecord[]>();
  return { messages: found.slice(0, MAILBOX_PAGE_SIZE), hasMore: found.length > MAILBOX_PAGE_SIZE };
}

export async function mailboxMessage(reader: AuthUser, id: string): Promise<OutboxMessageRecord> {
  const message = isValidObjectId(id) ? await OutboxMessage.findOne({ _id: id, ...readableBy(reader) }).lean<OutboxMessageRecord>() : null;
  if (!message) throw notFound();
  return message;
}

/** A message as the outbox API shows it (bodies and attachment contents left out). */
export function messageJson(message: OutboxMessageRecord) {
  return {
    id: String(message._id),
    to: message.to,
    subject: message.subject,
    kind: message.kind,
    dedupeKey: message.dedupeKey,
    status: message.status,
    attempts: message.attempts,
    nextAttemptAt: message.status === 'pending' ? message.nextAttemptAt : null,
    lastError: message.lastError ?? null,
    sentAt: message.sentAt ?? null,
    messageId: message.messageId ?? null,
    attachments: (message.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType })),
    createdAt: message.createdAt,
  };
}
