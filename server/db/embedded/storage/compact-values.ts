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
    const hash = compositeHash(v);
    if (hash === undefined) return v;
    if (!table) {
      table = new CompositeTable();
      this.composites.set(field, table);
    }
    const found = table.shared(hash, v);
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
 * Whole values of one field, by a hash of their content (see compositeHash), each found value checked for
 * equality: a hash two different values share leaves the second one unshared, which costs memory, never
 * correctness. Keyed by a small integer rather than by a content string: a content key built by concatenation
 * was a tree of string pieces, about 300 bytes per sub-document held, and the tables hold up to 2 × TABLE_LIMIT
 * of them per field path. A value is kept once it is seen a second time (the first document's own object becomes
 * the shared one), so values that never repeat (a national ID's change, a unique list) fill only the bounded list
 * of values seen once, never the table; after TABLE_LIMIT values seen once with almost none seen again, the
 * field is given up.
 */
class CompositeTable {
  private readonly kept = new Map<number, Doc | unknown[]>();
  private seenOnce = new Map<number, Doc | unknown[]>();
  /** Values kept since seenOnce was last emptied. */
  private promoted = 0;

  shared(hash: number, v: Doc | unknown[]): Doc | unknown[] | typeof GIVE_UP {
    const kept = this.kept.get(hash);
    if (kept !== undefined) return sameComposite(kept, v) ? kept : v;
    const first = this.seenOnce.get(hash);
    if (first !== undefined) {
      if (!sameComposite(first, v)) return v;
      this.seenOnce.delete(hash);
      if (this.kept.size < TABLE_LIMIT) {
        this.kept.set(hash, first);
        this.promoted++;
      }
      return first;
    }
    if (this.seenOnce.size >= TABLE_LIMIT) {
      // Fewer than one in a hundred repeated: the table costs more than the sharing saves.
      if (this.promoted < TABLE_LIMIT / 100) return GIVE_UP;
      this.seenOnce = new Map();
      this.promoted = 0;
    }
    this.seenOnce.set(hash, v);
    return v;
  }
}

/** Fields (or elements) of a sub-document (or array) shared whole at most, and the most characters of strings in it. */
const COMPOSITE_FIELDS = 16;
const COMPOSITE_CHARS = 512;

/** Running state of compositeHash: the hash and the string characters it has read. */
interface HashState {
  h: number;
  chars: number;
}

const mix = (st: HashState, n: number): void => {
  st.h = Math.imul(st.h ^ n, 0x01000193);
};

/** Reinterprets a double's bits for hashing. */
const doubleBits = new Float64Array(1);
const doubleWords = new Int32Array(doubleBits.buffer);

/**
 * A 32-bit hash of a value's BSON content (field names and order, each value's type and value), equal for values
 * that sameComposite finds equal. Only for values made of strings, plain numbers (whose BSON type follows from
 * the value, see bson-values.ts), booleans, null, dates, ObjectIds and arrays of these; undefined for anything
 * else or for a value too large to be worth sharing.
 */
function compositeHash(v: Doc | unknown[]): number | undefined {
  const st: HashState = { h: 0x811c9dc5, chars: 0 };
  if (Array.isArray(v)) {
    if (!hashArray(st, v)) return undefined;
  } else {
    let n = 0;
    mix(st, 0x7b);
    for (const name in v) {
      if (++n > COMPOSITE_FIELDS) return undefined;
      hashString(st, name);
      const el = v[name];
      if (!(Array.isArray(el) ? hashArray(st, el) : hashScalar(st, el))) return undefined;
    }
  }
  return st.chars <= COMPOSITE_CHARS ? st.h | 0 : undefined;
}

function hashArray(st: HashState, v: unknown[]): boolean {
  if (v.length > COMPOSITE_FIELDS) return false;
  mix(st, 0x5b);
  mix(st, v.length);
  for (const el of v) if (!hashScalar(st, el)) return false;
  return true;
}

function hashString(st: HashState, s: string): void {
  mix(st, s.length);
  st.chars += s.length;
  if (st.chars > COMPOSITE_CHARS) return;
  for (let i = 0; i < s.length; i++) mix(st, s.charCodeAt(i));
}

/** Tagged by type, so values of two types never hash alike by construction. */
function hashScalar(st: HashState, v: unknown): boolean {
  switch (typeof v) {
    case 'string':
      mix(st, 0x73);
      hashString(st, v);
      return true;
    case 'number':
      // -0 and NaN are doubles whatever their value says
      if ((v === 0 && 1 / v < 0) || v !== v) return false;
      doubleBits[0] = v;
      mix(st, 0x6e);
      mix(st, doubleWords[0]);
      mix(st, doubleWords[1]);
      return true;
    case 'boolean':
      mix(st, v ? 0x54 : 0x46);
      return true;
    case 'object':
      if (v === null) {
        mix(st, 0x4e);
        return true;
      }
      if (v instanceof Date) {
        const ms = v.getTime();
        if (ms !== ms) return false;
        doubleBits[0] = ms;
        mix(st, 0x64);
        mix(st, doubleWords[0]);
        mix(st, doubleWords[1]);
        return true;
      }
      if (v instanceof ObjectId) {
        const key = objectIdKey(v);
        mix(st, 0x6f);
        mix(st, key | 0);
        mix(st, (key / 4_294_967_296) | 0);
        return true;
      }
      return false;
    default:
      return false;
  }
}

/** Whether two values compositeHash accepted are the same BSON: same fields in the same order, same typed values. */
function sameComposite(a: Doc | unknown[], b: Doc | unknown[]): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && sameArray(a, b);
  const names = Object.keys(a);
  const other = Object.keys(b);
  if (names.length !== other.length) return false;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (other[i] !== name) return false;
    const x = a[name];
    const y = (b as Doc)[name];
    if (Array.isArray(x) || Array.isArray(y)) {
      if (!(Array.isArray(x) && Array.isArray(y) && sameArray(x, y))) return false;
    } else if (!sameScalar(x, y)) return false;
  }
  return true;
}

function sameArray(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameScalar(a[i], b[i])) return false;
  return true;
}

function sameScalar(x: unknown, y: unknown): boolean {
  if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return x === y;
  if (x instanceof Date) return y instanceof Date && x.getTime() === y.getTime();
  if (x instanceof ObjectId) return y instanceof ObjectId && x.equals(y);
  return false;
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
