import type { Request, Response } from 'express';
import { catalogueKeys, t } from '../i18n/index.js';
import { offlineAssets } from './offline-assets.js';

/** The catalogue's messages the phone's script shows: the checks' reasons and the queue's words. */
const PHONE_MESSAGES = [/^nationalId\./, /^mobile\./, /^eligibility\./, /^enrolments\.field\./, /^offline\./, /^(validation\.required|errors\.validation|enrolments\.birthDateFormat|enrolments\.nameTooLong|enrolments\.targetGroupNotInCampaign|enrolments\.logged)$/, /^enrolments\.inPersonReason/];

/** Scripts are revalidated on every load (304 when unchanged); the service worker's caches do the offline part. */
const REVALIDATE = 'no-cache';

export async function appScript(_req: Request, res: Response): Promise<void> {
  const { app, version } = await offlineAssets();
  res.type('text/javascript').set({ 'cache-control': REVALIDATE, etag: `"${version}"` }).send(app);
}

export async function serviceWorker(_req: Request, res: Response): Promise<void> {
  const { serviceWorker: script, version } = await offlineAssets();
  res.type('text/javascript').set({ 'cache-control': REVALIDATE, etag: `"${version}"`, 'service-worker-allowed': '/' }).send(script);
}

export function manifest(req: Request, res: Response): void {
  res.type('application/manifest+json').set('cache-control', REVALIDATE).send({
    name: t(req.lang, 'common.appName'),
    short_name: t(req.lang, 'common.appShortName'),
    lang: req.lang,
    dir: req.lang === 'fa' ? 'rtl' : 'ltr',
    start_url: '/enrolments/new',
    scope: '/',
    display: 'standalone',
    background_color: '#ffffff',
    theme_color: '#0b6e4f',
    icons: [{ src: '/static/offline/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
  });
}

/** What the phone needs from the session: who is signed in, the CSRF token its sends carry, and the messages. */
export function phoneSession(req: Request, res: Response): void {
  const messages = Object.fromEntries(catalogueKeys(req.lang).filter((key) => PHONE_MESSAGES.some((p) => p.test(key))).map((key) => [key, t(req.lang, key)]));
  res.set('cache-control', 'private, no-cache').json({ username: req.user!.username, lang: req.lang, csrfToken: res.locals.csrfToken, messages });
}

export function pendingPage(_req: Request, res: Response): void {
  res.render('enrolments/pending');
}
