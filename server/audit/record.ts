import type { ClientSession } from 'mongoose';
import { Types } from 'mongoose';
import { AuditEvent, type AuditAction, type AuditChange } from '../../models/audit-event.model.js';
import { currentActor, requireActor, type Actor } from './context.js';

/** The place an event belongs to, for scope and sharding. */
export interface AuditPlace {
  province: string;
  placePath: readonly string[];
}

/** One change to record. `before`/`after` are plain documents (lean or `toObject()`), null for a create/delete. */
export interface AuditInput {
  action: AuditAction;
  /** The collection (`enrolments`), or the kind of event without a document (`sessions`, `api_tokens`, `exports`). */
  subject: string;
  documentId?: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  /** Where the event belongs when the document does not say (records outside the place tree, sign-ins). */
  place?: AuditPlace;
  detail?: Record<string, unknown>;
  /** Fields not worth repeating in the trail (a record's own history array). */
  ignore?: readonly string[];
  /** Who made the change, when it is not the current actor: a group commit writes the changes of many callers. */
  actor?: Actor;
}

/** Never stored with their value: that a password or token changed is recorded, not what it is. */
const SECRET_FIELD = /password|token|secret/i;
/** Bookkeeping every write touches; the event's own time says when. */
const ALWAYS_IGNORED = new Set(['_id', 'updatedAt', 'createdAt']);
/** The country: events on records that belong to no province. */
export const COUNTRY: AuditPlace = { province: '00', placePath: ['00'] };

/**
 * Writes the audit events of one change, in `session` when the change runs in one (so a change that is rolled
 * back leaves no event), by the input's own actor or else the current one (server/audit/context.ts; none is an error). The audit plugin calls
 * it for every audited model; code that writes with the raw driver (`Model.collection.*`) must call it itself in
 * the same transaction. An update that changed nothing records nothing.
 */
export async function recordAudit(session: ClientSession | null | undefined, inputs: readonly AuditInput[]): Promise<void> {
  if (inputs.length === 0) return;
  const current = currentActor();
  const at = new Date();
  const events = [];
  for (const input of inputs) {
    const actor = input.actor ?? current ?? requireActor(input.subject);
    const changes = input.action === 'create' || input.action === 'update' || input.action === 'delete' ? diff(input.before ?? null, input.after ?? null, input.ignore) : [];
    if (input.action === 'update' && changes.length === 0) continue;
    const place = placeOf(input, actor);
    // keys in the schema's order (placeScoped adds province and placePath last), as the model would store them
    events.push({
      _id: new Types.ObjectId(),
      at,
      actor: storedActor(actor),
      action: input.action,
      subject: input.subject,
      ...(input.documentId ? { documentId: input.documentId } : {}),
      place: place.placePath.at(-1)!,
      changes: changes.map(minimizedChange),
      ...(input.detail && minimized(input.detail) ? { detail: minimized(input.detail) } : {}),
      province: place.province,
      placePath: [...place.placePath],
    });
  }
  if (events.length === 0) return;
  // built here from typed values, so the model's casting and validation would only copy them; its rules that the
  // types do not guarantee are checked below, and a broken event still goes through Mongoose for its ValidationError
  if (events.every(storable)) await AuditEvent.collection.insertMany(events, session ? { session } : {});
  else await AuditEvent.insertMany(events, session ? { session } : {});
}

/** A change as Mongoose stores it: a before or after that minimizes to nothing is left out. */
function minimizedChange(change: AuditChange): AuditChange {
  const before = minimized(change.before);
  const after = minimized(change.after);
  if (before === change.before && after === change.after) return change;
  const { before: _b, after: _a, ...rest } = change;
  return { ...rest, ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) } as AuditChange;
}

/**
 * Mongoose's `minimize` (on by default) applied to a value: a plain object loses its undefined and empty-object
 * values, recursively, and is itself undefined when nothing is left. Arrays, dates and ids are kept as they are.
 */
function minimized(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  let changed = false;
  const kept: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const small = minimized(inner);
    if (small !== inner) changed = true;
    if (small !== undefined) kept[key] = small;
  }
  if (Object.keys(kept).length === 0) return undefined;
  return changed ? kept : value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  return !proto || proto.constructor?.name === 'Object';
}

/** What audit_events' schema requires beyond the types: a two-digit province (placeScoped) and a place. */
function storable(event: { province: string; place: string }): boolean {
  return /^\d{2}$/.test(event.province) && typeof event.place === 'string' && event.place !== '';
}

/** The fields that differ between two versions of a document, each with its value before and after. */
export function diff(before: Record<string, unknown> | null, after: Record<string, unknown> | null, ignore: readonly string[] = []): AuditChange[] {
  const fields = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const changes: AuditChange[] = [];
  for (const field of [...fields].sort()) {
    if (ALWAYS_IGNORED.has(field) || ignore.includes(field)) continue;
    const from = normalise(before?.[field]);
    const to = normalise(after?.[field]);
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    changes.push(SECRET_FIELD.test(field) ? { field, before: null, after: null, redacted: true } : { field, before: from, after: to });
  }
  return changes;
}

/** Values as the trail keeps them: ids as strings, dates as dates, nothing binary, `undefined` as null. */
function normalise(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Types.ObjectId) return String(value);
  if (value instanceof Date) return value;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array || (value as { _bsontype?: string })._bsontype === 'Binary') return '[binary]';
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (typeof object.toHexString === 'function') return (object.toHexString as () => string)();
    return Object.fromEntries(Object.keys(object).filter((key) => !SECRET_FIELD.test(key)).sort().map((key) => [key, normalise(object[key])]));
  }
  return value;
}

function placeOf(input: AuditInput, actor: Actor): AuditPlace {
  const document = (input.after ?? input.before) as { province?: unknown; placePath?: unknown } | null | undefined;
  if (document && Array.isArray(document.placePath) && document.placePath.length && typeof document.province === 'string') {
    return { province: document.province, placePath: document.placePath as string[] };
  }
  if (document && typeof document.province === 'string' && /^\d{2}$/.test(document.province)) return { province: document.province, placePath: [document.province] };
  if (input.place) return input.place;
  if (actor.kind === 'user' && /^\d{2}$/.test(actor.province)) return { province: actor.province, placePath: [actor.province] };
  return COUNTRY;
}

function storedActor(actor: Actor): Record<string, unknown> {
  switch (actor.kind) {
    case 'user':
      return { kind: 'user', ...(/^[0-9a-f]{24}$/.test(actor.userId) ? { user: new Types.ObjectId(actor.userId) } : {}), username: actor.username, role: actor.role, ...(actor.ip ? { ip: actor.ip } : {}) };
    case 'visitor':
      return { kind: 'visitor', ...(actor.ip ? { ip: actor.ip } : {}) };
    case 'job':
      return { kind: 'job', job: actor.job, run: actor.runId };
    case 'system':
      return { kind: 'system', name: actor.name };
  }
}

/** A sign-in, or a failed one (`login` is what was typed: a username or a mobile), on the user's place when known. */
export async function recordSignIn(action: 'sign-in' | 'sign-in-failed', user: { _id: unknown; province: string; placePath: string[] } | null, login: Record<string, string>): Promise<void> {
  await recordAudit(null, [{ action, subject: 'sessions', ...(user ? { documentId: String(user._id), place: { province: user.province, placePath: user.placePath } } : { place: COUNTRY }), detail: login }]);
}

/** A download or export of personal data (`what` names the file), on the place of the records it holds. */
export async function recordExport(action: 'export' | 'download', subject: string, documentId: string | undefined, place: AuditPlace, what: Record<string, unknown>): Promise<void> {
  await recordAudit(null, [{ action, subject, ...(documentId ? { documentId } : {}), place, detail: what }]);
}
