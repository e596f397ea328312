import type { Request, Response } from 'express';
import type { Config } from '../config.js';
import { setFlash } from '../http/flash.js';
import { validated } from '../http/validate.js';
import { t } from '../i18n/index.js';
import { savePolicy, saveSettings, settingsOf } from './preferences.service.js';
import { policyForm, settingsForm } from './validation.js';

/** The settings page; it links to the development mailbox when there is one (no SMTP_URL). */
export function settingsPage(config: Config) {
  return async (req: Request, res: Response): Promise<void> => {
    const settings = await settingsOf(req.user!);
    res.render('notifications/settings', {
      mailbox: !config.smtpUrl,
      title: t(req.lang, 'notifications.settings.title'),
      settings,
      modes: ['single', 'digest'].map((mode) => ({ mode, checked: settings.mode === mode })),
      langs: ['fa', 'en'].map((lang) => ({ lang, checked: settings.lang === lang })),
      policy: req.user!.role === 'governor-office' ? settings.kinds.map((k) => ({ kind: k.kind, mandatory: k.mandatory })) : null,
    });
  };
}

export async function saveSettingsForm(req: Request, res: Response): Promise<void> {
  const { body } = validated(req, settingsForm);
  await saveSettings(req.user!, body);
  setFlash(req, { type: 'success', key: 'notifications.settings.saved' });
  res.redirect(303, '/settings/notifications');
}

export async function savePolicyForm(req: Request, res: Response): Promise<void> {
  const { body } = validated(req, policyForm);
  await savePolicy(req.user!, body.mandatory);
  setFlash(req, { type: 'success', key: 'notifications.policy.saved' });
  res.redirect(303, '/settings/notifications');
}
