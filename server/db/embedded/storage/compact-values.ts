/**
 * Stored documents share their repeated values. A country's enrolments repeat a few hundred
 * strings (status, province, village codes, names), dates (birth dates) and ObjectIds (campaign,
 * author) millions of times, and every decoded document brings its own copy of each: about half of
 * a document's heap. Before a document is stored, each such value is swapped for the first equal one
 * the collection kept for that field, and arrays get a backing store of their exact length (decoded
 * arrays are grown element by element and carry three times the room they need).
 *
 * This is safe because stored documents and their values are never mutated: every write replaces
 * the document (see query/fast-update.ts), so two documents holding one Date cannot see each other's
 * changes. A field whose values hardly repeat (national IDs, timestamps) stops being looked up once
 * its table shows it, so unique fields cost one table of TABLE_LIMIT entries, once.
 *
 * The stored document is also rebuilt as an object literal of its own field list (compiled once per list): V8
 * turns an object given more than a dozen fields by computed names (as the BSON decoder gives them) into a hash
 * table, about 830 bytes for an enrolment's 18 fields, where a literal keeps them in the object (about 170).
 *
 * Small sub-documents and short arrays of plain values are shared whole in the same way (see CompositeTable): an
 * audit event's list of changes repeats `{ field: 'status', before: null, after: 'logged' }` in event after event,
 * and a place path is the same array in every document of the place. An object costs about 56 bytes and an array
 * about 90 before its values; a shared one costs its holder a pointer.
 */
import { ObjectId } from 'bson';
import { isPlainObject, type Doc } from '../bson-values.js';

/** Distinct values a field's table holds at most. */
const TABLE_LIMIT = 65_536;
/** Nesting depth of sub-documents whose fields are shared too. */
const MAX_DEPTH = 2;

interface FieldTable {
  /** string → string, date millis → Date, objectIdKey → ObjectId */
  values: Map<string | number, unknown>;
  hits: number;
  /** Full: equal values are still shared, new ones no longer added. */
  full: boolean;
}

export class ValueSharing {
  /** Per field path; null once a field proved to hold mostly distinct values. */
  private readonly tables = new Map<string, FieldTable | null>();
  /** Whole sub-documents and arrays per field path; null once a field proved to hold mostly distinct ones. */
  private readonly composites = new Map<string, CompositeTable | null>();

  /**
   * The document as it is to be stored: its values swapped in place for their shared equals (same values, fewer
   * copies), in a compact object with the same fields in the same order.
   */
  share(doc: Doc): Doc {
    this.shareFields(doc, '', 0);
    return compactObject(doc);
  }

  private shareFields(doc: Doc, prefix: string, depth: number): void {
    for (const key of Object.keys(doc)) {
      if (depth === 0 && key === '_id') continue;
      const v = doc[key];
      if (v === null || (typeof v !== 'object' && typeof v !== 'string')) continue;
      const field = prefix === '' ? key : prefix + '.' + key;
      if (Array.isArray(v)) {
        // An exact-length copy; its elements shared under the array's field, then the array itself.
        const copy = v.slice();
        for (let i = 0; i < copy.length; i++) {
          const el = copy[i];
          if (isPlainObject(el)) {
            if (depth < MAX_DEPTH) {
              this.shareFields(el, field, depth + 1);
              copy[i] = this.sharedComposite(field, el);
            }
          } else copy[i] = this.shared(field, el);
        }
        doc[key] = this.sharedComposite(field, copy);
      } else if (isPlainObject(v)) {
        if (depth < MAX_DEPTH) {
          this.shareFields(v, field, depth + 1);
          doc[key] = this.sharedComposite(field, v);
        }
      } else {
        // Always assigned: equal strings compare equal (===) even when they are two copies.
        doc[key] = this.shared(field, v);
      }
    }
  }

  /** An equal sub-document or array already stored under this field, or `v` itself (then perhaps kept for the next). */
  private sharedComposite(field: string, v: Doc | unknown[]): Doc | unknown[] {
    let table = this.composites.get(field);
    if (table === null) return v;
    const key = compositeKey(v);
    if (key === undefined) return v;
    if (!table) {
      table = new CompositeTable();
      this.composites.set(field, table);
    }
    const found = table.shared(key, v);
    if (found === GIVE_UP) {
      this.composites.set(field, null);
      return v;
    }
    return found;
  }

  private shared(field: string, v: unknown): unknown {
    let key: string | number;
    if (typeof v === 'string') {
      if (v.length > 64) return v;
      key = v;
    } else if (v instanceof Date) {
      key = v.getTime();
      if (key !== key) return v;
    } else if (v instanceof ObjectId) {
      key = objectIdKey(v);
    } else {
      return v;
    }
    let table = this.tables.get(field);
    if (table === null) return v;
    if (!table) {
      table = { values: new Map(), hits: 0, full: false };
      this.tables.set(field, table);
    }
    const found = table.values.get(key);
    // A date and an ObjectId may share a number key: only an equal value of the same kind is shared.
    if (found !== undefined && (typeof v === 'string' ? typeof found === 'string' : v instanceof ObjectId ? found instanceof ObjectId && found.equals(v) : found instanceof Date)) {
      table.hits++;
      return found;
    }
    if (table.full) return v;
    table.values.set(key, v);
    if (table.values.size >= TABLE_LIMIT) {
      // Mostly misses: the field's values are nearly all distinct, and the table only costs memory.
      if (table.hits < table.values.size) this.tables.set(field, null);
      else table.full = true;
    }
    return v;
  }
}

const GIVE_UP = Symbol('give up');

/**
 * Whole values of one field, by their content key. A value is kept once it is seen a second time (the first
 * document's own object becomes the shared one), so values that never repeat (a national ID's change, a unique
 * list) fill only the bounded list of values seen once, never the table; after TABLE_LIMIT values seen once with
 * almost none seen again, the field is given up.
 */
class CompositeTable {
  private readonly kept = new Map<string, Doc | unknown[]>();
  private seenOnce = new Map<string, Doc | unknown[]>();
  /** Values kept since seenOnce was last emptied. */
  private promoted = 0;

  shared(key: string, v: Doc | unknown[]): Doc | unknown[] | typeof GIVE_UP {
    const kept = this.kept.get(key);
    if (kept !== undefined) return kept;
    const first = this.seenOnce.get(key);
    if (first !== undefined) {
      this.seenOnce.delete(key);
      if (this.kept.size < TABLE_LIMIT) {
        this.kept.set(key, first);
        this.promoted++;
      }
      return first;
    }
    if (this.seenOnce.size >= TABLE_LIMIT) {
      // Fewer than one in a hundred repeated: the keys cost more than the sharing saves.
      if (this.promoted < TABLE_LIMIT / 100) return GIVE_UP;
      this.seenOnce = new Map();
      this.promoted = 0;
    }
    this.seenOnce.set(key, v);
    return v;
  }
}

/** Fields (or elements) of a sub-document (or array) shared whole at most, and the longest content key. */
const COMPOSITE_FIELDS = 16;
const COMPOSITE_KEY_LENGTH = 512;

/**
 * A string that is equal for two values exactly when they are the same BSON: same fields in the same order, each
 * value of the same type and value. Only for values made of strings, plain numbers (whose BSON type follows from
 * the value, see bson-values.ts), booleans, null, dates, ObjectIds and arrays of these; undefined for anything else.
 */
function compositeKey(v: Doc | unknown[]): string | undefined {
  let key = Array.isArray(v) ? '[' : '{';
  let n = 0;
  if (Array.isArray(v)) {
    if (v.length > COMPOSITE_FIELDS) return undefined;
    for (const el of v) {
      const part = scalarKey(el);
      if (part === undefined) return undefined;
      key += part;
    }
  } else {
    for (const name in v) {
      if (++n > COMPOSITE_FIELDS) return undefined;
      const el = v[name];
      const part = Array.isArray(el) ? arrayKey(el) : scalarKey(el);
      if (part === undefined) return undefined;
      key += name.length + ':' + name + part;
    }
  }
  return key.length <= COMPOSITE_KEY_LENGTH ? key : undefined;
}

function arrayKey(v: unknown[]): string | undefined {
  if (v.length > COMPOSITE_FIELDS) return undefined;
  let key = '[' + v.length + ':';
  for (const el of v) {
    const part = scalarKey(el);
    if (part === undefined) return undefined;
    key += part;
  }
  return key;
}

/** Tagged and length-prefixed, so no two values' keys run together. */
function scalarKey(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return 's' + v.length + ':' + v;
    case 'number':
      // -0 and NaN are doubles whatever their value says
      return v === 0 && 1 / v < 0 ? undefined : v === v ? 'n' + v + ';' : undefined;
    case 'boolean':
      return v ? 'T' : 'F';
    case 'object':
      if (v === null) return 'N';
      if (v instanceof Date) {
        const ms = v.getTime();
        return ms === ms ? 'd' + ms + ';' : undefined;
      }
      if (v instanceof ObjectId) return 'o' + v.toHexString();
      return undefined;
    default:
      return undefined;
  }
}

/** Field lists a process compiles a literal for at most; documents with other lists are stored as decoded. */
const SHAPE_LIMIT = 4096;
/** Objects with at most this many fields stay fast as decoded (V8 gives `{}` room for four). */
const FAST_AS_DECODED = 4;
/** Fields a literal holds at most (V8 keeps larger objects as hash tables anyway). */
const MAX_LITERAL_FIELDS = 128;
const literals = new Map<string, (doc: Doc) => Doc>();

/** A copy of the document made by the object literal of its field list, fields in the same order. */
function compactObject(doc: Doc): Doc {
  const keys = Object.keys(doc);
  if (keys.length <= FAST_AS_DECODED || keys.length > MAX_LITERAL_FIELDS) return doc;
  const fieldList = keys.join('\u0000');
  let build = literals.get(fieldList);
  if (!build) {
    // A `__proto__` field would set the literal's prototype instead of being a field.
    if (literals.size >= SHAPE_LIMIT || keys.includes('__proto__')) return doc;
    const fields = keys.map((k) => {
      const name = JSON.stringify(k);
      return `${name}: d[${name}]`;
    });
    build = new Function('d', `return { ${fields.join(', ')} };`) as (doc: Doc) => Doc;
    literals.set(fieldList, build);
  }
  return build(doc);
}

/**
 * A number standing for an ObjectId: its last six bytes (random part and counter), which differ
 * between the ids one process makes; bson's hex string costs a dozen concatenations. An id sharing
 * them with another is simply not shared (the caller compares the whole id).
 */
function objectIdKey(id: ObjectId): number {
  // bson 7 keeps an id as four 24-bit numbers; reading `id.id` would copy its bytes into a new buffer.
  const { i2, i3 } = id as unknown as { i2?: number; i3?: number };
  if (typeof i2 === 'number' && typeof i3 === 'number') return i2 * 16_777_216 + i3;
  const b = id.id;
  return ((b[6] << 16) | (b[7] << 8) | b[8]) * 16_777_216 + ((b[9] << 16) | (b[10] << 8) | b[11]);
}
