import type { Request, Response } from 'express';
import type { Config } from '../config.js';
import { AppError } from '../errors/app-error.js';
import { setFlash } from '../http/flash.js';
import { validated } from '../http/validate.js';
import { changePassword, signIn, issueApiToken, listApiTokens, revokeApiToken, toAuthUser } from './auth.service.js';
import { t } from '../i18n/index.js';
import { describeMe } from '../places/places.service.js';
import { forgetUser } from './token-cache.js';
import { loginForm, passwordForm, tokenParams, tokenRequest } from './validation.js';

export function showLogin(req: Request, res: Response): void {
  if (req.user) return res.redirect(303, '/');
  res.render('auth/login', { next: safeNext(req.query.next) });
}

export function login(config: Config) {
  return async (req: Request, res: Response): Promise<void> => {
    const { body } = validated(req, loginForm);
    const user = await signIn(config, body.login, body.password, req.ip ?? 'unknown');
    // a new session id at sign-in, so an id planted before it (session fixation) is worthless
    await new Promise<void>((done, fail) => req.session.regenerate((err) => (err ? fail(err) : done())));
    req.session.userId = String(user._id);
    res.redirect(303, safeNext(body.next));
  };
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
    const user = await signIn(config, body.username, body.password, req.ip ?? 'unknown');
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

/** The signed-in user's own security settings: their API tokens (to revoke) and a new password. */
export async function securityPage(req: Request, res: Response): Promise<void> {
  res.render('auth/security', { title: t(req.lang, 'auth.security.title'), tokens: await listApiTokens(req.user!.id) });
}

export async function revokeTokenForm(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, tokenParams);
  await revokeApiToken(req.user!.id, params.id);
  setFlash(req, { type: 'success', key: 'auth.tokenRevoked' });
  res.redirect(303, '/settings/security');
}

export async function changePasswordForm(req: Request, res: Response): Promise<void> {
  const { body } = validated(req, passwordForm);
  await changePassword(req.user!.id, body.current, body.password);
  setFlash(req, { type: 'success', key: 'auth.passwordChanged' });
  res.redirect(303, '/settings/security');
}

export async function tokensJson(req: Request, res: Response): Promise<void> {
  res.json({ tokens: await listApiTokens(req.user!.id, req.apiTokenId) });
}

/** `DELETE /auth/token`: the token this very request came with (an API sign-out). */
export async function revokeCurrentToken(req: Request, res: Response): Promise<void> {
  if (!req.apiTokenId) throw new AppError('noToken', 'auth.noBearerToken', 400);
  await revokeApiToken(req.user!.id, req.apiTokenId);
  res.status(204).end();
}

export async function revokeTokenJson(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, tokenParams);
  await revokeApiToken(req.user!.id, params.id);
  res.status(204).end();
}
