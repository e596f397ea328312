/**
 * The unified test format's "Evaluating Matches" rules (pure; no server):
 * - root-level documents may hold extra fields, nested documents must match exactly;
 * - key order is free; arrays must have the same length;
 * - int32, int64 and double compare as numbers (Decimal128 only with Decimal128);
 * - special operators: $$exists, $$type, $$unsetOrMatches, $$matchesEntity, $$matchesHexBytes,
 *   $$sessionLsid, $$lte, $$matchAsDocument, $$matchAsRoot.
 * Failures throw a MatchError naming the path of the first mismatch.
 */
import { EJSON } from 'bson';

export class MatchError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = 'MatchError';
  }
}

/** Lookups the special operators need from the test's entity map. */
export interface MatchContext {
  /** A BSON value saved in the entity map ($$matchesEntity). */
  entity?(name: string): unknown;
  /** The logical session id document of a session entity ($$sessionLsid). */
  sessionLsid?(name: string): unknown;
}

export interface MatchOptions {
  /** Is the top value a root-level document (extra fields allowed)? Default true. */
  isRoot?: boolean;
  /** For arrays of documents from cursors (find, aggregate...): each element is a root-level document. */
  rootElements?: boolean;
  /** Exact mode (collection outcome): no special operators, no extra fields anywhere. */
  exact?: boolean;
}

const NUMERIC = new Set(['Int32', 'Double', 'Long']);

function bsonType(v: unknown): string | undefined {
  if (v !== null && typeof v === 'object' && '_bsontype' in v) return String((v as { _bsontype: unknown })._bsontype);
  return undefined;
}

/** A plain (sub)document: an object that is not a BSON value, array, Date, RegExp, Buffer or typed array. */
export function isDocument(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v) || v instanceof Date || v instanceof RegExp || ArrayBuffer.isView(v)) return false;
  const t = bsonType(v);
  return t === undefined || t === 'DBRef';
}

function isNumeric(v: unknown): boolean {
  return typeof v === 'number' || typeof v === 'bigint' || NUMERIC.has(bsonType(v) ?? '');
}

/** A numeric value as bigint when it is an exact integer, else as a JS number. */
function numericValue(v: unknown): bigint | number {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  const t = bsonType(v);
  if (t === 'Long') return BigInt((v as { toString(): string }).toString());
  const n = (v as { valueOf(): number }).valueOf();
  return Number.isInteger(n) ? BigInt(n) : n;
}

function compareNumeric(a: unknown, b: unknown): number {
  const x = numericValue(a);
  const y = numericValue(b);
  if (typeof x === 'bigint' && typeof y === 'bigint') return x < y ? -1 : x > y ? 1 : 0;
  const nx = Number(x);
  const ny = Number(y);
  return nx < ny ? -1 : nx > ny ? 1 : nx === ny ? 0 : NaN;
}

/** The $type alias names an actual value may answer to. Integral JS numbers (the driver promotes
 * int32/int64/double to number) answer to int, long and double; fractional ones to double. */
export function typeNamesOf(v: unknown): string[] {
  if (v === undefined) return ['undefined'];
  if (v === null) return ['null'];
  if (typeof v === 'string') return ['string'];
  if (typeof v === 'boolean') return ['bool'];
  if (typeof v === 'number') return Number.isInteger(v) ? ['int', 'long', 'double', 'number'] : ['double', 'number'];
  if (typeof v === 'bigint') return ['long', 'number'];
  if (Array.isArray(v)) return ['array'];
  if (v instanceof Date) return ['date'];
  if (v instanceof RegExp) return ['regex'];
  if (ArrayBuffer.isView(v)) return ['binData'];
  switch (bsonType(v)) {
    case 'Int32': return ['int', 'number'];
    case 'Long': return ['long', 'number'];
    case 'Double': return ['double', 'number'];
    case 'Decimal128': return ['decimal', 'number'];
    case 'ObjectId': return ['objectId'];
    case 'Binary': return ['binData'];
    case 'Timestamp': return ['timestamp'];
    case 'BSONRegExp': return ['regex'];
    case 'Code': return (v as { scope?: unknown }).scope ? ['javascriptWithScope'] : ['javascript'];
    case 'BSONSymbol': return ['symbol'];
    case 'MinKey': return ['minKey'];
    case 'MaxKey': return ['maxKey'];
    case 'DBRef': return ['object', 'dbPointer'];
    default: return ['object'];
  }
}

export function describe(v: unknown): string {
  if (v === undefined) return '(absent)';
  try {
    return EJSON.stringify(v as never, { relaxed: true }).slice(0, 300);
  } catch {
    return String(v);
  }
}

/** Is v a single-key object whose key starts with "$$" (a special operator)? */
export function specialOperator(v: unknown): string | undefined {
  if (!isDocument(v)) return undefined;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0].startsWith('$$') ? keys[0] : undefined;
}

function bytesOf(v: unknown): Uint8Array | undefined {
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (bsonType(v) === 'Binary') {
    const b = v as { buffer: Uint8Array; position?: number };
    return b.buffer.subarray(0, b.position ?? b.buffer.length);
  }
  return undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Equality of two non-document, non-array values (numbers flexibly). */
export function scalarEquals(expected: unknown, actual: unknown): boolean {
  if (isNumeric(expected) && isNumeric(actual)) {
    // NaN equals NaN here, as it does for the server (e.g. an _id of NaN in a collection outcome).
    const bothNaN = Number.isNaN(Number(numericValue(expected))) && Number.isNaN(Number(numericValue(actual)));
    return bothNaN || compareNumeric(expected, actual) === 0;
  }
  const te = bsonType(expected);
  const ta = bsonType(actual);
  if (te === 'Decimal128' || ta === 'Decimal128') return te === ta && String(expected) === String(actual);
  if (expected === null || actual === null || expected === undefined || actual === undefined) return expected === actual;
  if (typeof expected !== 'object' || typeof actual !== 'object') return expected === actual;
  if (expected instanceof Date || actual instanceof Date) {
    return expected instanceof Date && actual instanceof Date && expected.getTime() === actual.getTime();
  }
  const be = bytesOf(expected);
  const ba = bytesOf(actual);
  if (be || ba) {
    if (!be || !ba || !sameBytes(be, ba)) return false;
    const se = te === 'Binary' ? (expected as { sub_type: number }).sub_type : 0;
    const sa = ta === 'Binary' ? (actual as { sub_type: number }).sub_type : 0;
    return se === sa;
  }
  if (te === 'ObjectId' && ta === 'ObjectId') return String(expected) === String(actual);
  if (te === 'Timestamp' && ta === 'Timestamp') return String(expected) === String(actual);
  const re = regexParts(expected);
  const ra = regexParts(actual);
  if (re || ra) return !!re && !!ra && re.pattern === ra.pattern && sortChars(re.flags) === sortChars(ra.flags);
  if (te !== ta) return false;
  // Remaining BSON types (Code, MinKey, MaxKey, Symbol...): compare canonical EJSON of key-sorted forms.
  return canonical(expected) === canonical(actual);
}

function regexParts(v: unknown): { pattern: string; flags: string } | undefined {
  if (v instanceof RegExp) return { pattern: v.source, flags: v.flags };
  if (bsonType(v) === 'BSONRegExp') {
    const r = v as { pattern: string; options: string };
    return { pattern: r.pattern, flags: r.options };
  }
  return undefined;
}

const sortChars = (s: string): string => [...s].sort().join('');

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isDocument(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

function canonical(v: unknown): string {
  return EJSON.stringify(sortKeys(v) as never, { relaxed: false });
}

const present = (doc: Record<string, unknown>, key: string): boolean =>
  Object.prototype.hasOwnProperty.call(doc, key) && doc[key] !== undefined;

class Matcher {
  constructor(
    private readonly ctx: MatchContext,
    private readonly exact: boolean,
  ) {}

  match(expected: unknown, actual: unknown, path: string, isRoot: boolean, rootElements = false): void {
    // The driver keeps some command fields (sort, index keys) as Maps to preserve their order.
    if (actual instanceof Map) actual = Object.fromEntries(actual);
    const op = this.exact ? undefined : specialOperator(expected);
    if (op) return this.operator(op, (expected as Record<string, unknown>)[op], actual, path, isRoot);

    if (isDocument(expected)) {
      if (!isDocument(actual)) throw new MatchError(path, `expected a document ${describe(expected)}, got ${describe(actual)}`);
      for (const [key, value] of Object.entries(expected)) {
        const p = `${path}.${key}`;
        const kop = this.exact ? undefined : specialOperator(value);
        if (kop === '$$exists') {
          const want = Boolean(valueOf((value as Record<string, unknown>)[kop]));
          if (want !== present(actual, key)) {
            throw new MatchError(p, want ? 'expected the field to exist' : `expected no such field, got ${describe(actual[key])}`);
          }
          continue;
        }
        if (kop === '$$unsetOrMatches') {
          if (!present(actual, key)) continue;
          this.match((value as Record<string, unknown>)[kop], actual[key], p, false);
          continue;
        }
        if (!present(actual, key)) {
          throw new MatchError(p, `missing; expected ${describe(value)}`);
        }
        this.match(value, actual[key], p, false);
      }
      if (!isRoot || this.exact) {
        const extra = Object.keys(actual).filter(k => actual[k] !== undefined && !Object.prototype.hasOwnProperty.call(expected, k));
        if (extra.length > 0) {
          throw new MatchError(path, `unexpected extra field(s) ${extra.join(', ')} in ${isRoot ? 'document' : 'nested document'} ${describe(actual)}`);
        }
      }
      return;
    }

    if (Array.isArray(expected)) {
      if (!Array.isArray(actual)) throw new MatchError(path, `expected an array ${describe(expected)}, got ${describe(actual)}`);
      if (actual.length !== expected.length) {
        throw new MatchError(path, `expected ${expected.length} element(s), got ${actual.length}: ${describe(actual)}`);
      }
      expected.forEach((e, i) => this.match(e, actual[i], `${path}[${i}]`, rootElements && !this.exact));
      return;
    }

    if (actual === undefined) throw new MatchError(path, `missing; expected ${describe(expected)}`);
    if (!scalarEquals(expected, actual)) {
      throw new MatchError(path, `expected ${describe(expected)} (${typeNamesOf(expected)[0]}), got ${describe(actual)} (${typeNamesOf(actual)[0]})`);
    }
  }

  private operator(op: string, arg: unknown, actual: unknown, path: string, isRoot: boolean): void {
    switch (op) {
      case '$$exists': {
        // At value level (e.g. an array element or the whole result): existence of the value itself.
        const want = Boolean(valueOf(arg));
        if (want !== (actual !== undefined)) throw new MatchError(path, want ? 'expected a value' : `expected no value, got ${describe(actual)}`);
        return;
      }
      case '$$type': {
        const wanted = (Array.isArray(arg) ? arg : [arg]).map(String);
        if (actual === undefined) throw new MatchError(path, `missing; expected type ${wanted.join('|')}`);
        const names = typeNamesOf(actual);
        if (!wanted.some(w => names.includes(w))) {
          throw new MatchError(path, `expected type ${wanted.join('|')}, got ${names[0]} ${describe(actual)}`);
        }
        return;
      }
      case '$$unsetOrMatches':
        if (actual === undefined) return;
        return this.match(arg, actual, path, isRoot);
      case '$$matchesEntity': {
        if (!this.ctx.entity) throw new Error('$$matchesEntity used without an entity map');
        return this.match(this.ctx.entity(String(arg)), actual, path, isRoot);
      }
      case '$$sessionLsid': {
        if (!this.ctx.sessionLsid) throw new Error('$$sessionLsid used without an entity map');
        const lsid = this.ctx.sessionLsid(String(arg));
        if (actual === undefined) throw new MatchError(path, `missing; expected the lsid of ${String(arg)}`);
        new Matcher(this.ctx, true).match(lsid, actual, path, false);
        return;
      }
      case '$$lte': {
        if (!isNumeric(arg)) throw new Error(`$$lte needs a number, got ${describe(arg)}`);
        if (!isNumeric(actual)) throw new MatchError(path, `expected a number <= ${describe(arg)}, got ${describe(actual)}`);
        if (!(compareNumeric(actual, arg) <= 0)) throw new MatchError(path, `expected <= ${describe(arg)}, got ${describe(actual)}`);
        return;
      }
      case '$$matchesHexBytes': {
        const hex = String(arg);
        if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`$$matchesHexBytes: malformed hex string ${hex}`);
        const bytes = bytesOf(actual);
        const actualHex = bytes ? Buffer.from(bytes).toString('hex') : typeof actual === 'string' ? actual : undefined;
        if (actualHex === undefined || actualHex.toLowerCase() !== hex.toLowerCase()) {
          throw new MatchError(path, `expected bytes ${hex}, got ${describe(actual)}`);
        }
        return;
      }
      case '$$matchAsDocument': {
        if (typeof actual !== 'string') throw new MatchError(path, `expected an extended JSON string, got ${describe(actual)}`);
        let parsed: unknown;
        try {
          parsed = EJSON.parse(actual, { relaxed: false });
        } catch (e) {
          throw new MatchError(path, `not extended JSON: ${(e as Error).message}`);
        }
        return this.match(arg, parsed, path, false);
      }
      case '$$matchAsRoot':
        return this.match(arg, actual, path, true);
      default:
        throw new Error(`unknown special operator ${op} at ${path}`);
    }
  }
}

function valueOf(v: unknown): unknown {
  return isNumeric(v) && typeof v === 'object' ? Number(numericValue(v)) : v;
}

/** Throws MatchError unless `actual` matches `expected` under the unified format's rules. */
export function assertMatches(expected: unknown, actual: unknown, ctx: MatchContext = {}, opts: MatchOptions = {}): void {
  new Matcher(ctx, opts.exact ?? false).match(expected, actual, '$', opts.isRoot ?? true, opts.rootElements ?? false);
}

/** Boolean form of assertMatches. */
export function matches(expected: unknown, actual: unknown, ctx: MatchContext = {}, opts: MatchOptions = {}): boolean {
  try {
    assertMatches(expected, actual, ctx, opts);
    return true;
  } catch (e) {
    if (e instanceof MatchError) return false;
    throw e;
  }
}
