import { z } from 'zod';
import { OUTBOX_STATUSES } from '../../models/outbox-message.model.js';

export const outboxQuery = { query: z.object({ status: z.enum(OUTBOX_STATUSES).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }) };
export const messageParams = { params: z.object({ id: z.string().regex(/^[0-9a-f]{24}$/) }) };
