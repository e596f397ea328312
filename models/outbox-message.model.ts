import mongoose, { Schema, type Types } from 'mongoose';

export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/**
 * One email, written here instead of being sent inline; jobs/deliver-outbox.ts hands it to SMTP.
 * `dedupeKey` is unique within the message's province: whoever queues a message names it after what it is about (e.g.
 * `commitment-due-7:<instance>:<user>`), so queuing the same reminder twice is a no-op, not a second email.
 * Delivery claims a message by moving it to `sending` with a lease (`leaseUntil`); a claim whose lease ran out
 * belonged to a process that died and is taken again, with the same `messageId`, so a resend is the same message.
 * Not place-scoped (mail is addressed to people), but every message says which province's work it carries
 * (`province`): the governor's office reads only its own province's mail, everyone else only mail addressed to them.
 */
const attachmentSchema = new Schema(
  {
    filename: { type: String, required: true },
    contentType: { type: String, required: true },
    /** Text as is, or binary as base64 (say so with `encoding: 'base64'`). */
    content: { type: String, required: true },
    encoding: { type: String, enum: ['base64', 'utf8'], default: undefined },
  },
  { _id: false },
);

const outboxMessageSchema = new Schema(
  {
    to: { type: String, required: true },
    /** The user the message is for, when it is for one (the development mailbox groups by it). */
    recipient: { type: Schema.Types.ObjectId, ref: 'User', default: undefined },
    /** The province whose work the message is about (two digits); the governor's office's view is walled by it. */
    province: { type: String, required: true, match: /^\d{2}$/ },
    subject: { type: String, required: true },
    html: { type: String, required: true },
    text: { type: String, required: true },
    attachments: { type: [attachmentSchema], default: undefined },
    kind: { type: String, required: true },
    /** Unique within its province (`{ province, dedupeKey }`, the shard-key prefix first). */
    dedupeKey: { type: String, required: true },
    status: { type: String, enum: OUTBOX_STATUSES, default: 'pending' },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, default: () => new Date(0) },
    /** While `sending`: until when the claiming process holds it. */
    leaseUntil: { type: Date, default: undefined },
    /** While `sending`: the claim that took it (a random token per batch), so a claimer reads back and marks only its own. */
    claim: { type: String, default: undefined },
    lastError: { type: String, default: undefined },
    sentAt: { type: Date, default: undefined },
    /** The RFC 5322 Message-ID, fixed when queued from the outbox id, so every attempt sends the same message. */
    messageId: { type: String, default: undefined },
    /** 'smtp' when handed to the mail server, 'mailbox' when kept for the development mailbox page. */
    deliveredTo: { type: String, enum: ['smtp', 'mailbox'], default: undefined },
  },
  { collection: 'outbox_messages', timestamps: true, versionKey: false },
);
outboxMessageSchema.index({ province: 1, dedupeKey: 1 }, { unique: true });
/** Delivery's claims, province by province (jobs/deliver-outbox.ts). */
outboxMessageSchema.index({ province: 1, status: 1, nextAttemptAt: 1 });
outboxMessageSchema.index({ recipient: 1, createdAt: -1 });
outboxMessageSchema.index({ createdAt: -1 });
outboxMessageSchema.index({ province: 1, createdAt: -1 });

export interface OutboxAttachment {
  filename: string;
  contentType: string;
  content: string;
  encoding?: 'base64' | 'utf8';
}

export interface OutboxMessageRecord {
  _id: Types.ObjectId;
  to: string;
  recipient?: Types.ObjectId;
  province: string;
  subject: string;
  html: string;
  text: string;
  attachments?: OutboxAttachment[];
  kind: string;
  dedupeKey: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil?: Date;
  claim?: string;
  lastError?: string;
  sentAt?: Date;
  messageId?: string;
  deliveredTo?: 'smtp' | 'mailbox';
  createdAt: Date;
  updatedAt: Date;
}

export const OutboxMessage = mongoose.model('OutboxMessage', outboxMessageSchema);
