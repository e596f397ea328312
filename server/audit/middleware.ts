import type { NextFunction, Request, Response } from 'express';
import { requestActor, runAs } from './context.js';

/** The rest of the request runs as its user (or as a visitor before sign-in): every audited write names them. */
export function auditActor(req: Request, _res: Response, next: NextFunction): void {
  runAs(requestActor(req.user, req.ip), next);
}
