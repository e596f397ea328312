import { z } from 'zod';
import { optionalWholeNumber } from '../shared/input.js';
import { OUTBOX_STATUSES } from '../../models/outbox-message.model.js';

export const outboxQuery = { query: z.object({ status: z.enum(OUTBOX_STATUSES).optional(), limit: optionalWholeNumber(1, 500).default(100) }) };
/** A page of the development mailbox (1 = the newest), in any digits. */
export const mailboxQuery = { query: z.object({ page: optionalWholeNumber(1, 100_000).default(1) }) };
export const messageParams = { params: z.object({ id: z.string().regex(/^[0-9a-f]{24}$/) }) };
