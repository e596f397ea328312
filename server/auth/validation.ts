import { z } from 'zod';

export const loginForm = {
  body: z.object({
    login: z.string().trim().min(1, 'validation.required').max(64),
    password: z.string().min(1, 'validation.required').max(200),
    next: z.string().max(500).optional(),
  }),
};

export const tokenRequest = {
  body: z.object({
    username: z.string().trim().min(1, 'validation.required').max(64),
    password: z.string().min(1, 'validation.required').max(200),
  }),
};

export const tokenParams = { params: z.object({ id: z.string().regex(/^[0-9a-f]{24}$/, 'validation.invalid') }) };

export const passwordForm = {
  body: z.object({
    current: z.string().min(1, 'validation.required').max(200),
    password: z.string().min(8, 'validation.password').max(200),
  }),
};
