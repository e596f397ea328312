import type { NextFunction, Request, Response } from 'express';
import type { Flash } from './request.js';

/** Keeps a message for the next page the user sees (after a redirect). */
export function setFlash(req: Request, flash: Flash): void {
  req.session.flash = flash;
}

/** Moves the flash of the previous request onto this page: `flash` for the message, `form` for field errors and values. */
export function flashToLocals(req: Request, res: Response, next: NextFunction): void {
  const flash = req.session?.flash;
  if (flash) {
    delete req.session.flash;
    res.locals.flash = flash;
    res.locals.form = { errors: flash.fields ?? {}, values: flash.values ?? {} };
  } else {
    res.locals.form = { errors: {}, values: {} };
  }
  next();
}
