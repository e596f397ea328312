import { fillMessage } from './fill.js';
import agreements from './catalogue/agreements.js';
import approvals from './catalogue/approvals.js';
import audit from './catalogue/audit.js';
import auth from './catalogue/auth.js';
import campaigns from './catalogue/campaigns.js';
import committees from './catalogue/committees.js';
import common from './catalogue/common.js';
import enrolments from './catalogue/enrolments.js';
import errors from './catalogue/errors.js';
import counts from './catalogue/counts.js';
import pastMeetings from './catalogue/past-meetings.js';
import history from './catalogue/history.js';
import home from './catalogue/home.js';
import jobs from './catalogue/jobs.js';
import notifications from './catalogue/notifications.js';
import offline from './catalogue/offline.js';
import fieldProblems from './catalogue/field-problems.js';
import onlineShare from './catalogue/online-share.js';
import places from './catalogue/places.js';
import quotas from './catalogue/quotas.js';
import reports from './catalogue/reports.js';
import upload from './catalogue/upload.js';
import users from './catalogue/users.js';
import validation from './catalogue/validation.js';
import national from './catalogue/national.js';

/**
 * The fa/en message catalogue. Each domain owns `catalogue/<domain>.ts` with keys prefixed by the domain;
 * a new domain adds one import and one entry below.
 */
const domains: { fa: Record<string, string>; en: Record<string, string> }[] = [common, errors, validation, auth, places, users, upload, committees, enrolments, jobs, notifications, reports, campaigns, quotas, offline, home, history, counts, pastMeetings, fieldProblems, agreements, onlineShare, audit, approvals, national];

export const LANGS = ['fa', 'en'] as const;
export type Lang = (typeof LANGS)[number];

export function isLang(value: unknown): value is Lang {
  return value === 'fa' || value === 'en';
}

function combine(lang: Lang): Map<string, string> {
  const messages = new Map<string, string>();
  for (const domain of domains) {
    for (const [key, text] of Object.entries(domain[lang])) {
      if (messages.has(key)) throw new Error(`i18n: the key ${key} is defined twice`);
      messages.set(key, text);
    }
  }
  return messages;
}

const catalogue: Record<Lang, Map<string, string>> = { fa: combine('fa'), en: combine('en') };

export function catalogueKeys(lang: Lang): string[] {
  return [...catalogue[lang].keys()];
}

export function hasMessage(key: string): boolean {
  return catalogue.fa.has(key);
}

/**
 * The message `key` in `lang`, with `{name}` placeholders filled. Numbers are written in the reader's digits.
 * An unknown key comes back as itself, so a gap shows on the page instead of breaking it (a test keeps them out).
 */
export function t(lang: Lang, key: string, params: Record<string, unknown> = {}): string {
  const text = catalogue[lang].get(key);
  if (text === undefined) return key;
  return fillMessage(text, params, lang);
}
