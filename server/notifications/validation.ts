import { z } from 'zod';
import { DELIVERY_MODES, REMINDER_KINDS } from '../../models/notification-preference.model.js';

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
/** Ticked checkboxes arrive as nothing, one value, or several. */
const ticked = z.preprocess((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]), z.array(z.enum(REMINDER_KINDS)));

export const settingsForm = {
  body: z.object({
    email: z.preprocess(blankToUndefined, z.email('notifications.settings.badEmail').trim().toLowerCase().optional()),
    lang: z.enum(['fa', 'en']),
    mode: z.enum(DELIVERY_MODES),
    wanted: ticked,
  }),
};

export const policyForm = { body: z.object({ mandatory: ticked }) };
