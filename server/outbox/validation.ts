import { z } from 'zod';
import { OUTBOX_STATUSES } from '../../models/outbox-message.model.js';
import { toLatinDigits } from '../shared/persian-text.js';

export const outboxQuery = { query: z.object({ status: z.enum(OUTBOX_STATUSES).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }) };
/** A page of the development mailbox (1 = the newest), in any digits. */
export const mailboxQuery = { query: z.object({ page: z.preprocess((v) => (typeof v === 'string' && v.trim() ? toLatinDigits(v.trim()) : undefined), z.coerce.number().int().min(1).max(100_000).default(1)) }) };
export const messageParams = { params: z.object({ id: z.string().regex(/^[0-9a-f]{24}$/) }) };
