/**
 * Value helpers that follow MongoDB's rules rather than JavaScript's: the cross-type sort order,
 * canonical keys (so 1, 1.0 and NumberLong(1) are the same `_id`), and deep copies that keep BSON
 * classes intact.
 *
 * Numbers keep their BSON type in stored documents (see keepNumberTypes): int32 and doubles that a
 * JavaScript number already serialises as (fractional, or integral beyond the int32 range, or -0)
 * are plain numbers; the rare values a plain number would misrepresent stay wrapped: an integral
 * double in the int32 range as `Double`, every int64 as `Long`. Decimal128, ObjectId, Binary,
 * Timestamp, MinKey/MaxKey stay as their classes. Every comparison, key and sort here treats the
 * wrappers as the numbers they hold, so 1, NumberLong(1) and 1.0 stay equal.
 */
import { Binary, Decimal128, Double, Int32, Long, ObjectId, Timestamp, MinKey, MaxKey, BSONSymbol, Code, DBRef, BSONRegExp } from 'bson';

export type Doc = Record<string, any>;

/** MongoDB's canonical type order used by sort and index comparisons. */
export function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 1;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 3;
    case 'string':
      return 4;
    case 'boolean':
      return 9;
  }
  if (v instanceof MinKey) return 0;
  if (v instanceof MaxKey) return 100;
  if (isInt64(v) || v instanceof Double || v instanceof Decimal128 || v instanceof Int32) return 3;
  if (v instanceof BSONSymbol) return 4;
  if (Array.isArray(v)) return 6;
  if (v instanceof Binary || ArrayBuffer.isView(v)) return 7;
  if (v instanceof ObjectId) return 8;
  if (v instanceof Date) return 10;
  if (v instanceof Timestamp) return 11;
  if (v instanceof RegExp || v instanceof BSONRegExp) return 12;
  if (v instanceof Code) return 13;
  return 5; // plain object / DBRef
}

export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Double || v instanceof Int32) return v.value;
  if (isInt64(v)) return v.toNumber();
  if (v instanceof Decimal128) return Number(v.toString());
  return NaN;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Whether a plain JavaScript number serialises as BSON int32 (else it is a double). */
export function isInt32Number(n: number): boolean {
  return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX && !Object.is(n, -0);
}

/** A double as it is stored: a plain number unless the number would serialise as int32. */
export function storedDouble(n: number): number | Double {
  return isInt32Number(n) ? new Double(n) : n;
}

/**
 * Converts numbers decoded without promotion (Int32, Double, Long) to the stored representation
 * (see the header), in place. `keep` false promotes wrappers to plain numbers instead (command
 * arguments such as `limit` or `txnNumber`, where only the value matters); a Long beyond 2^53
 * stays a Long either way. BSON symbols become strings, as value promotion makes them.
 */
/**
 * Whether a value is a BSON int64. The bson package's Timestamp extends its Long class, but a
 * Timestamp is a type of its own (17): never a number to compare, sort, add or convert.
 */
export function isInt64(v: unknown): v is Long {
  return v instanceof Long && !(v instanceof Timestamp);
}

export function keepNumberTypes(v: unknown, keep: boolean): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Int32) return v.value;
  if (v instanceof Double) return keep ? storedDouble(v.value) : v.value;
  if (isInt64(v)) return keep || !Number.isSafeInteger(v.toNumber()) ? v : v.toNumber();
  if (v instanceof BSONSymbol) return v.value;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = keepNumberTypes(v[i], keep);
    return v;
  }
  if (isPlainObject(v)) {
    for (const k of Object.keys(v)) {
      const x = v[k];
      if (x !== null && typeof x === 'object') setOwn(v, k, keepNumberTypes(x, keep));
    }
  }
  return v;
}

/** Whether a value holds a number wrapper (Double, Long, Int32, Decimal128) anywhere. */
export function hasNumberWrappers(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (v instanceof Double || isInt64(v) || v instanceof Int32 || v instanceof Decimal128) return true;
  if (Array.isArray(v)) return v.some(hasNumberWrappers);
  if (!isPlainObject(v)) return false;
  for (const k in v) if (hasNumberWrappers(v[k])) return true;
  return false;
}

/**
 * The value with number wrappers replaced by plain numbers (a Long beyond 2^53 stays a Long; a
 * Decimal128 becomes the nearest double), for mingo, which compares and computes with plain
 * numbers only. Returns the value itself when it holds no wrapper; otherwise copies only what
 * contains one.
 */
export function plainNumbers<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Double || v instanceof Int32) return v.value as T;
  if (v instanceof Decimal128) return Number(v.toString()) as T;
  if (isInt64(v)) return (Number.isSafeInteger(v.toNumber()) ? v.toNumber() : v) as T;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = plainNumbers(v[i]);
      if (x !== v[i]) (out ??= v.slice())[i] = x;
    }
    return (out ?? v) as T;
  }
  if (!isPlainObject(v)) return v;
  const src: Doc = v;
  let out: Doc | undefined;
  for (const k of Object.keys(src)) {
    const x = plainNumbers(src[k]);
    if (x !== src[k]) setOwn((out ??= { ...src }), k, x);
  }
  return (out ?? v) as T;
}

function compareNumbers(a: unknown, b: unknown): number {
  if (isInt64(a) && isInt64(b)) return a.compare(b);
  const x = toNumber(a);
  const y = toNumber(b);
  // MongoDB orders NaN before every other number.
  if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1;
  if (Number.isNaN(y)) return 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length - b.length === 0 ? 0 : a.length < b.length ? -1 : 1;
}

export type StringCompare = (a: string, b: string) => number;

/**
 * Compares two BSON values the way MongoDB does (sort order across and within types). `strings`
 * replaces the binary string comparison (a collation), also inside documents and arrays.
 */
export function compareValues(a: unknown, b: unknown, strings?: StringCompare): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
    case 1:
    case 100:
      return 0;
    case 3:
      return compareNumbers(a, b);
    case 4: {
      const x = String(a instanceof BSONSymbol ? a.value : a);
      const y = String(b instanceof BSONSymbol ? b.value : b);
      if (strings) return Math.sign(strings(x, y));
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 5:
      return compareObjects(a as Doc, b as Doc, strings);
    case 6: {
      const x = a as unknown[];
      const y = b as unknown[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(x[i], y[i], strings);
        if (c !== 0) return c;
      }
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
    case 7: {
      const x = a instanceof Binary ? a : new Binary(a as Uint8Array);
      const y = b instanceof Binary ? b : new Binary(b as Uint8Array);
      // BinData orders by length first, then subtype, then bytes.
      if (x.position !== y.position) return x.position < y.position ? -1 : 1;
      if (x.sub_type !== y.sub_type) return x.sub_type < y.sub_type ? -1 : 1;
      return compareBytes(x.buffer.subarray(0, x.position), y.buffer.subarray(0, y.position));
    }
    case 8:
      return compareBytes((a as ObjectId).id, (b as ObjectId).id);
    case 9:
      return a === b ? 0 : a ? 1 : -1;
    case 10: {
      const x = (a as Date).getTime();
      const y = (b as Date).getTime();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 11:
      return (a as Timestamp).compare(b as Timestamp);
    default: {
      const x = String(a);
      const y = String(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

function compareObjects(a: Doc, b: Doc, strings?: StringCompare): number {
  if (a instanceof DBRef || b instanceof DBRef) return compareValues(String(a), String(b));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const n = Math.min(ka.length, kb.length);
  // BSON compares each pair of fields in order: the value's type first, then the field name, then the value.
  for (let i = 0; i < n; i++) {
    const ra = typeRank(a[ka[i]]);
    const rb = typeRank(b[kb[i]]);
    if (ra !== rb) return ra < rb ? -1 : 1;
    if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    const c = compareValues(a[ka[i]], b[kb[i]], strings);
    if (c !== 0) return c;
  }
  return ka.length === kb.length ? 0 : ka.length < kb.length ? -1 : 1;
}

/**
 * A string that is equal for two values exactly when MongoDB considers them equal
 * (numbers across int/long/double, field order significant in sub-documents). `strings` maps each
 * string to the representative of its equality class first (a collation).
 */
export function canonicalKey(v: unknown, strings?: (s: string) => string): string {
  if (v === undefined || v === null) return 'N';
  switch (typeof v) {
    case 'number':
      return Object.is(v, -0) ? 'n0' : 'n' + v;
    case 'string':
      return 's' + (strings ? strings(v) : v);
    case 'boolean':
      return v ? 'T' : 'F';
    case 'bigint':
      return 'n' + v.toString();
  }
  if (v instanceof ObjectId) return 'o' + v.toHexString();
  if (v instanceof Date) return 'd' + v.getTime();
  if (isInt64(v)) return 'n' + (Number.isSafeInteger(v.toNumber()) ? v.toNumber() : v.toString());
  if (v instanceof Double || v instanceof Int32) return Object.is(v.value, -0) ? 'n0' : 'n' + v.value;
  if (v instanceof Decimal128) return 'n' + Number(v.toString());
  if (Array.isArray(v)) return '[' + v.map((x) => canonicalKey(x, strings)).join(',') + ']';
  if (v instanceof Binary) return 'b' + v.sub_type + ':' + Buffer.from(v.buffer.subarray(0, v.position)).toString('base64');
  if (v instanceof Timestamp) return 't' + v.toString();
  if (v instanceof RegExp) return 'r' + v.source + '/' + v.flags;
  if (v instanceof MinKey) return 'm';
  if (v instanceof MaxKey) return 'M';
  if (typeof v === 'object') {
    const parts: string[] = [];
    // A field whose value is undefined is a missing one (an expression object leaves out a missing field's path).
    for (const [k, val] of Object.entries(v as Doc)) if (val !== undefined) parts.push(JSON.stringify(k) + ':' + canonicalKey(val, strings));
    return '{' + parts.join(',') + '}';
  }
  return 'x' + String(v);
}

export function valuesEqual(a: unknown, b: unknown): boolean {
  return canonicalKey(a) === canonicalKey(b);
}

/** Deep copy of a document; BSON value classes are immutable, so they are shared. */
export function cloneDoc<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneDoc) as T;
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Doc = {};
    for (const k of Object.keys(v as Doc)) setOwn(out, k, cloneDoc((v as Doc)[k]));
    return out as T;
  }
  if (v instanceof Date) return new Date(v.getTime()) as T;
  return v;
}

export function isPlainObject(v: unknown): v is Doc {
  return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * Sets a field as an own data property: `__proto__` is an ordinary field name in BSON, and an
 * assignment would change the object's prototype instead of storing it.
 */
export function setOwn(obj: Doc, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/** Returns `_id` first, as MongoDB stores every document. */
export function idFirst(doc: Doc): Doc {
  const keys = Object.keys(doc);
  if (keys[0] === '_id' || !('_id' in doc)) return doc;
  const out: Doc = { _id: doc._id };
  for (const k of keys) if (k !== '_id') setOwn(out, k, doc[k]);
  return out;
}
