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
