import { Agency } from '../../models/agency.model.js';
import { AuditEvent, type AuditEventRecord } from '../../models/audit-event.model.js';
import { Quota } from '../../models/quota.model.js';
import { User } from '../../models/user.model.js';
import { assertInScope, type AuthUser } from '../auth/scope.js';
import type { Role } from '../auth/roles.js';
import { t, type Lang } from '../i18n/index.js';
import { toCsv } from '../shared/csv.js';
import { formatJalaliForDisplay, fromJalali, addJalaliDays, type JalaliDate } from '../shared/jalali.js';
import { toPersianDigits } from '../shared/persian-text.js';

/** Roles that handle people's enrolments and so may read national IDs and mobiles in the trail; the rest see them masked. */
export const PERSONAL_DATA_ROLES: readonly Role[] = ['governor-office', 'fund-manager', 'county-governor', 'district-governor', 'village-head', 'mayor'];
/** Fields that identify a person: masked for every other role, in changes and in an event's detail. */
const PERSONAL_FIELDS = new Set(['nationalId', 'mobile']);
/** Objects that have a history page, and the collection their events name. */
export const HISTORY_SUBJECTS = ['enrolments', 'quotas', 'meetings', 'resolutions', 'users', 'agencies', 'campaigns', 'committees'] as const;
/** Records of the installation-wide register: their history is read whatever province each change was made in. */
const REGISTER_SUBJECTS = new Set(['agencies']);

export const PAGE_SIZE = 50;
/** The CSV export's ceiling: a search wider than this is cut, and the file says so in its last row. */
export const EXPORT_LIMIT = 10_000;

export interface AuditFilter {
  place?: string;
  username?: string;
  subject?: string;
  from?: JalaliDate;
  to?: JalaliDate;
}

export interface EventView {
  id: string;
  at: Date;
  when: string;
  sentence: string;
  action: string;
  subject: string;
  documentId?: string;
  place: string;
  actor: { kind: string; username?: string; role?: string; job?: string; run?: string; name?: string };
  changes: { field: string; label: string; before: string; after: string; redacted: boolean }[];
  historyUrl?: string;
}

/** The trail as the reader may see it: their scope, their province in every query, newest first, one page. */
export async function searchEvents(user: AuthUser, filter: AuditFilter, page: number, lang: Lang): Promise<{ events: EventView[]; total: number; page: number; pages: number }> {
  const conditions = await conditionsFor(user, filter);
  const [records, total] = await Promise.all([
    AuditEvent.find(conditions).sort({ at: -1, _id: -1 }).skip((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).setOptions({ scope: user }).lean<AuditEventRecord[]>(),
    AuditEvent.countDocuments(conditions).setOptions({ scope: user }),
  ]);
  return { events: records.map((e) => describeEvent(e, user, lang)), total, page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}

/** One object's history, oldest first: every event recorded on it that the reader may see. */
export async function historyOf(user: AuthUser, subject: string, key: string, lang: Lang): Promise<EventView[]> {
  const documentId = await documentIdOf(user, subject, key);
  if (!documentId) return [];
  const query = AuditEvent.find({ subject, documentId, ...(REGISTER_SUBJECTS.has(subject) ? {} : { province: user.province }) }).sort({ at: 1, _id: 1 });
  // the agency register is one for the installation; its changes are read wherever they were made
  const records = await query.setOptions({ scope: REGISTER_SUBJECTS.has(subject) ? 'system' : user }).lean<AuditEventRecord[]>();
  return records.map((e) => describeEvent(e, user, lang));
}

/**
 * The object's id from the key its page links with: the id itself, or an agency's code, a user's username, a quota's
 * `<campaign>~<place code>` (pages that show those records by their natural keys).
 */
async function documentIdOf(user: AuthUser, subject: string, key: string): Promise<string | null> {
  if (/^[0-9a-f]{24}$/.test(key)) return key;
  const found =
    subject === 'agencies'
      ? await Agency.findOne({ code: key }).lean()
      : subject === 'users'
        ? await User.findOne({ username: key.toLowerCase() }).setOptions({ scope: user }).lean()
        : subject === 'quotas' && /^[0-9a-f]{24}~[0-9A-Z]+$/.test(key)
          ? await Quota.findOne({ province: user.province, campaign: key.split('~')[0], placeCode: key.split('~')[1] }).setOptions({ scope: user }).lean()
          : null;
  return found ? String(found._id) : null;
}

/** The search as a CSV file (the same filters, at most EXPORT_LIMIT rows), in the reader's language. */
export async function exportEvents(user: AuthUser, filter: AuditFilter, lang: Lang): Promise<Buffer> {
  const conditions = await conditionsFor(user, filter);
  const records = await AuditEvent.find(conditions).sort({ at: -1, _id: -1 }).limit(EXPORT_LIMIT).setOptions({ scope: user }).lean<AuditEventRecord[]>();
  const rows = records.map((e) => describeEvent(e, user, lang)).map((e) => ({
    at: e.at,
    actor: e.actor.username ?? e.actor.job ?? e.actor.name ?? '',
    role: e.actor.role ?? '',
    action: e.action,
    subject: e.subject,
    documentId: e.documentId ?? '',
    place: e.place,
    sentence: e.sentence,
    changes: e.changes.map((c) => `${c.label}: ${c.before} → ${c.after}`).join('; '),
  }));
  const columns = ['at', 'actor', 'role', 'action', 'subject', 'documentId', 'place', 'sentence', 'changes'].map((key) => ({ key, header: t(lang, `audit.csv.${key}`) }));
  return toCsv(columns, rows);
}

async function conditionsFor(user: AuthUser, filter: AuditFilter): Promise<Record<string, unknown>> {
  const conditions: Record<string, unknown> = { province: user.province };
  if (filter.place) {
    await assertInScope(user, filter.place);
    conditions.placePath = filter.place;
  }
  if (filter.username) conditions['actor.username'] = filter.username.toLowerCase();
  if (filter.subject) conditions.subject = filter.subject;
  if (filter.from || filter.to) {
    conditions.at = { ...(filter.from ? { $gte: fromJalali(filter.from) } : {}), ...(filter.to ? { $lt: fromJalali(addJalaliDays(filter.to, 1)) } : {}) };
  }
  return conditions;
}

/** An event in the reader's words: «who» did what to which object, and each field from what to what. */
export function describeEvent(event: AuditEventRecord, reader: Pick<AuthUser, 'role'>, lang: Lang): EventView {
  const maySeePersonal = PERSONAL_DATA_ROLES.includes(reader.role);
  const actor = event.actor;
  const who =
    actor.kind === 'user'
      ? t(lang, 'audit.actor.user', { username: actor.username ?? '?', role: t(lang, `users.role.${actor.role}`) })
      : actor.kind === 'job'
        ? t(lang, 'audit.actor.job', { job: t(lang, `jobs.name.${actor.job}`) })
        : actor.kind === 'system'
          ? t(lang, 'audit.actor.system', { name: systemName(actor.name ?? '', lang) })
          : t(lang, 'audit.actor.visitor');
  const detail = Object.entries(event.detail ?? {})
    .map(([key, value]) => (PERSONAL_FIELDS.has(key) && !maySeePersonal ? mask(String(value)) : String(value)))
    .join('، ');
  const sentence = t(lang, `audit.sentence.${event.action}`, { who, object: t(lang, `audit.subject.${event.subject}`), detail: digits(detail, lang) });
  return {
    id: String(event._id),
    at: event.at,
    when: formatJalaliForDisplay(event.at, lang, { withTime: true }),
    sentence,
    action: event.action,
    subject: event.subject,
    ...(event.documentId ? { documentId: event.documentId } : {}),
    place: event.place,
    actor: { kind: actor.kind, ...(actor.username ? { username: actor.username } : {}), ...(actor.role ? { role: actor.role } : {}), ...(actor.job ? { job: actor.job, run: actor.run } : {}), ...(actor.name ? { name: actor.name } : {}) },
    changes: event.changes.map((c) => {
      const show = (value: unknown) => (c.redacted ? t(lang, 'audit.redacted') : PERSONAL_FIELDS.has(c.field) && !maySeePersonal && value !== null ? digits(mask(String(value)), lang) : shown(value, lang));
      return { field: c.field, label: fieldLabel(c.field, lang), before: show(c.before), after: show(c.after), redacted: Boolean(c.redacted) };
    }),
    ...(event.documentId && (HISTORY_SUBJECTS as readonly string[]).includes(event.subject) ? { historyUrl: `/history/${event.subject}/${event.documentId}` } : {}),
  };
}

/** 0912***4567 / ******7890: enough to tell two apart, not enough to use. */
export function mask(value: string): string {
  return value.length <= 4 ? '****' : '*'.repeat(value.length - 4) + value.slice(-4);
}

function fieldLabel(field: string, lang: Lang): string {
  const key = `audit.field.${field}`;
  const label = t(lang, key);
  return label === key ? field : label;
}

/** A system actor (start-up, a test fixture, a benchmark) in the reader's words, or its own name when the catalogue has none. */
function systemName(name: string, lang: Lang): string {
  const key = `audit.system.${name}`;
  const label = t(lang, key);
  return label === key ? name : label;
}

function shown(value: unknown, lang: Lang): string {
  if (value === null || value === undefined || value === '') return '—';
  if (value instanceof Date) return formatJalaliForDisplay(value, lang, { withTime: true });
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return formatJalaliForDisplay(new Date(value), lang, { withTime: true });
  if (typeof value === 'boolean') return t(lang, value ? 'audit.yes' : 'audit.no');
  // an ID or a code is data, written as stored (the view isolates it left to right)
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'string' && /[A-Za-z]/.test(value)) return value;
  return digits(String(value), lang);
}

function digits(text: string, lang: Lang): string {
  return lang === 'fa' ? toPersianDigits(text) : text;
}
