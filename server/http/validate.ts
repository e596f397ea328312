import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { validationFailed } from '../errors/app-error.js';
import { hasMessage } from '../i18n/index.js';
import { checkUploadCsrf } from '../auth/csrf.js';

export interface InputSchemas {
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
}

export type ValidInput<S extends InputSchemas> = { [K in keyof S]: S[K] extends z.ZodType ? z.infer<S[K]> : never };

declare module 'express-serve-static-core' {
  interface Request {
    /** What `validate(...)` parsed (Express 5's `req.query` is read-only, so parsed values live here). */
    valid?: Partial<Record<keyof InputSchemas, unknown>>;
    /** Problems found before `validate(...)` (a place name that fits no single place), reported with the schema's. */
    fieldProblems?: Record<string, string>;
  }
}

/**
 * Checks the request against zod schemas before the handler runs and stores the parsed values on `req.valid`.
 * A failure becomes one AppError('validation', …, 400) whose `fields` map each field to a catalogue key: the
 * schema's own message when it is a catalogue key (`z.string().min(8, 'validation.password')`), otherwise
 * `validation.required` for a missing or empty value and `validation.invalid` for a wrong one.
 */
export function validate(schemas: InputSchemas): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    // an upload form's CSRF token arrives with its parsed body: it is checked before any of the body is read
    if (req.csrfPending) return checkUploadCsrf(req, res, (err?: unknown) => (err ? next(err) : validate(schemas)(req, res, next)));
    const valid: Partial<Record<keyof InputSchemas, unknown>> = {};
    const fields: Record<string, string> = { ...req.fieldProblems };
    for (const part of ['params', 'query', 'body'] as const) {
      const schema = schemas[part];
      if (!schema) continue;
      const result = schema.safeParse(req[part] ?? {});
      if (result.success) {
        valid[part] = result.data;
        continue;
      }
      for (const issue of result.error.issues) {
        const field = String(issue.path[0] ?? part);
        if (fields[field]) continue;
        const given = (req[part] as Record<string, unknown> | undefined)?.[field];
        fields[field] = hasMessage(issue.message)
          ? issue.message
          : given === undefined || given === ''
            ? 'validation.required'
            : 'validation.invalid';
      }
    }
    if (Object.keys(fields).length > 0) return next(validationFailed(fields));
    req.valid = valid;
    next();
  };
}

/** The values `validate(schemas)` parsed, typed by the same schemas: `const { body } = validated(req, createUser)`. */
export function validated<S extends InputSchemas>(req: Request, _schemas: S): ValidInput<S> {
  if (!req.valid) throw new Error('validated() called on a route without validate()');
  return req.valid as ValidInput<S>;
}
