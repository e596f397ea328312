import { z } from 'zod';
import { toLatinDigits } from '../shared/persian-text.js';

const monthKey = z.preprocess((value) => (typeof value === 'string' ? toLatinDigits(value.trim()) : value), z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'reports.badMonth'));
const provinceCode = z.string().regex(/^\d{2}$/);

export const reportParams = {
  params: z.object({ province: provinceCode, month: monthKey }),
  query: z.object({ compare: z.preprocess((value) => (value === '' ? undefined : value), monthKey.optional()) }),
};
export const downloadParams = { params: z.object({ province: provinceCode, month: monthKey, format: z.enum(['pdf', 'xlsx']) }) };
export const reportQuery = { query: z.object({ province: provinceCode, month: monthKey }) };
