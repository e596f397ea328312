import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { ReminderRecord } from '../../models/reminder.model.js';
import { viewHelpers } from '../http/view-helpers.js';
import { t, type Lang } from '../i18n/index.js';
import { formatJalaliForDisplay } from '../shared/jalali.js';

const VIEWS = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'views/mail');

export interface MailContent {
  subject: string;
  html: string;
  text: string;
}

/** Mail templates get the same helpers as pages, in their own Handlebars instance. */
const mailHandlebars = Handlebars.create();
mailHandlebars.registerHelper(viewHelpers);
const templates = new Map<string, Handlebars.TemplateDelegate>();

export function renderMailTemplate(name: string, data: Record<string, unknown>): string {
  let template = templates.get(name);
  if (!template) {
    template = mailHandlebars.compile(readFileSync(join(VIEWS, `${name}.hbs`), 'utf8'));
    templates.set(name, template);
  }
  return template(data);
}

/** A reminder's params in the reader's language: Jalali dates, the right half of `{ fa, en }` pairs. */
function paramsIn(params: Record<string, unknown>, lang: Lang): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => {
      if (value instanceof Date) return [name, formatJalaliForDisplay(value, lang, { withTime: name === 'when' })];
      if (value && typeof value === 'object' && 'fa' in value && 'en' in value) return [name, (value as Record<Lang, string>)[lang]];
      return [name, value];
    }),
  );
}

interface MailItem {
  title: string;
  line: string;
  /** The item's address (not named `url`: a view helper has that name and would win in the template). */
  link: string;
}

function itemOf(reminder: ReminderRecord, baseUrl: string): MailItem {
  const params = paramsIn(reminder.params, reminder.lang);
  return {
    title: t(reminder.lang, `notifications.subject.${reminder.kind}`, params),
    line: t(reminder.lang, `notifications.line.${reminder.kind}`, params),
    link: `${baseUrl}${reminder.link}`,
  };
}

function compose(lang: Lang, subject: string, intro: string | undefined, items: MailItem[], baseUrl: string): MailContent {
  const settingsUrl = `${baseUrl}/settings/notifications`;
  const html = renderMailTemplate('reminders', { lang, dir: lang === 'fa' ? 'rtl' : 'ltr', subject, intro, items, settingsUrl });
  const text = [
    ...(intro ? [intro] : []),
    ...items.map((item) => `${item.title}\n${item.line}\n${t(lang, 'notifications.open')}: ${item.link}`),
    `${t(lang, 'notifications.footer')} ${settingsUrl}`,
  ].join('\n\n');
  return { subject, html, text };
}

/** One reminder, one email. */
export function singleMail(reminder: ReminderRecord, baseUrl: string): MailContent {
  const item = itemOf(reminder, baseUrl);
  return compose(reminder.lang, item.title, undefined, [item], baseUrl);
}

/** Commitments this many days past their due day (or silent this long) are old news: summarised, not listed. */
export const LONG_OVERDUE_DAYS = 365;

export function isLongOverdue(reminder: Pick<ReminderRecord, 'kind' | 'params'>): boolean {
  return reminder.kind.startsWith('commitment-') && typeof reminder.params.days === 'number' && reminder.params.days > LONG_OVERDUE_DAYS;
}

/**
 * The day's reminders of one address in one email, in the language of the latest of them. Commitments overdue for
 * more than a year make one line at the end (how many, of how many resolutions, with a link to the overdue list).
 */
export function digestMail(reminders: readonly ReminderRecord[], baseUrl: string): MailContent {
  const lang = reminders[reminders.length - 1]!.lang;
  const old = reminders.filter(isLongOverdue);
  const items = reminders.filter((r) => !isLongOverdue(r)).map((r) => itemOf({ ...r, lang }, baseUrl));
  if (old.length) {
    const resolutions = new Set(old.map((r) => r.link)).size;
    items.push({
      title: t(lang, 'notifications.digest.oldTitle', { count: old.length }),
      line: t(lang, 'notifications.digest.oldLine', { count: old.length, resolutions, days: LONG_OVERDUE_DAYS }),
      link: `${baseUrl}/resolutions?status=overdue`,
    });
  }
  const count = items.length - (old.length ? 1 : 0) + old.length;
  const subject = t(lang, 'notifications.digest.subject', { count });
  return compose(lang, subject, t(lang, 'notifications.digest.intro', { count }), items, baseUrl);
}
