import { z } from 'zod';

export const jobParams = { params: z.object({ name: z.string().regex(/^[a-z-]{1,40}$/) }) };
export const runParams = { params: z.object({ runId: z.string().regex(/^[0-9a-f]{24}$/) }) };
