import type { Request, Response } from 'express';
import type { Config } from '../config.js';
import { setFlash } from '../http/flash.js';
import { validated } from '../http/validate.js';
import { authenticate, issueApiToken, toAuthUser } from './auth.service.js';
import { describeMe } from '../places/places.service.js';
import { forgetUser } from './token-cache.js';
import { loginForm, tokenRequest } from './validation.js';

export function showLogin(req: Request, res: Response): void {
  if (req.user) return res.redirect(303, '/');
  res.render('auth/login', { next: safeNext(req.query.next) });
}

export async function login(req: Request, res: Response): Promise<void> {
  const { body } = validated(req, loginForm);
  const user = await authenticate(body.login, body.password);
  // a new session id at sign-in, so an id planted before it (session fixation) is worthless
  await new Promise<void>((done, fail) => req.session.regenerate((err) => (err ? fail(err) : done())));
  req.session.userId = String(user._id);
  res.redirect(303, safeNext(body.next));
}

export async function logout(req: Request, res: Response): Promise<void> {
  if (req.user) forgetUser(req.user.id);
  await new Promise<void>((done, fail) => req.session.regenerate((err) => (err ? fail(err) : done())));
  setFlash(req, { type: 'success', key: 'auth.loggedOut' });
  res.redirect(303, '/login');
}

export function tokenHandler(config: Config) {
  return async (req: Request, res: Response): Promise<void> => {
    const { body } = validated(req, tokenRequest);
    const user = await authenticate(body.username, body.password);
    const { token, expiresAt } = await issueApiToken(String(user._id), config.apiTokenDays);
    res.status(201).json({ token, expiresAt: expiresAt.toISOString(), user: toAuthUser(user).username });
  };
}

export async function me(req: Request, res: Response): Promise<void> {
  res.json(await describeMe(req.user!));
}

/** Only a local path may follow the login, never another site. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}
