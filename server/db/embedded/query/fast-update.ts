/**
 * `$set` and `$inc` on plain paths applied directly. mingo's updater rebuilds its operator context
 * and deep-copies the document on every call; most writes of the application are counters (`$inc`)
 * and status changes (`$set`) on ordinary fields, which need neither. Anything else (other
 * operators, array or `$` paths, paths through non-objects, object values or arrays holding them, number types
 * that would change) is left to the general path, which gives MongoDB's answers and errors.
 *
 * The new document shares untouched sub-objects with the old one; stored documents are never
 * mutated (every write replaces them), so sharing is safe.
 */
import { canonicalKey, isInt32Number, isPlainObject, storedDouble, type Doc } from '../bson-values.js';
import { compareFieldPaths } from './field-order.js';

type Assignment = [parts: string[], value: unknown];

/** The updated document, the same object when nothing changes, or undefined: use the general path. */
export function fastUpdate(doc: Doc, mod: Doc): Doc | undefined {
  const assignments: Assignment[] = [];
  for (const [op, arg] of Object.entries(mod)) {
    if ((op !== '$set' && op !== '$inc') || !isPlainObject(arg)) return undefined;
    for (const [path, value] of Object.entries(arg)) {
      const parts = plainPath(path);
      if (!parts) return undefined;
      const current = read(doc, parts);
      if (current === INVALID) return undefined;
      if (op === '$set') {
        if (isPlainObject(value) || (Array.isArray(value) && !value.every(isScalar)) || value === undefined) return undefined;
        assignments.push([parts, value]);
        continue;
      }
      if (typeof value !== 'number' || (current !== undefined && typeof current !== 'number')) return undefined;
      const sum = current === undefined ? value : current + value;
      // int32 + int32 past the int32 range becomes an int64 in MongoDB: the general path decides.
      // With a double on either side the sum is a double, even when integral (see storedDouble).
      const ints = isInt32Number(current ?? 0) && isInt32Number(value);
      if (ints && !isInt32Number(sum)) return undefined;
      assignments.push([parts, current === undefined || ints ? sum : storedDouble(sum)]);
    }
  }
  if (assignments.length === 0) return undefined;
  if (assignments.every(([parts, value]) => same(read(doc, parts), value))) return doc;
  const next: Doc = { ...doc };
  // Written in MongoDB's order of the paths, so that fields created together land in it (field-order.ts).
  if (assignments.length > 1) assignments.sort((a, b) => compareFieldPaths(a[0], b[0]));
  for (const [parts, value] of assignments) write(next, doc, parts, value);
  return next;
}

const INVALID = Symbol('invalid');

/** Dotted path of ordinary field names (no `$`, no array index, not `_id`), or undefined. */
function plainPath(path: string): string[] | undefined {
  const parts = path.split('.');
  if (parts[0] === '_id') return undefined;
  for (const p of parts) if (p === '' || p.includes('$') || /^\d+$/.test(p)) return undefined;
  return parts;
}

/** The value at the path (undefined when missing), or INVALID when the path crosses a non-object. */
function read(doc: Doc, parts: string[]): unknown {
  let cur: unknown = doc;
  for (let i = 0; i < parts.length; i++) {
    if (cur === undefined) return undefined;
    if (!isPlainObject(cur)) return INVALID;
    cur = (cur as Doc)[parts[i]];
  }
  return cur;
}

/** Sets the path in `next`, copying each object on the way that still belongs to the old document. */
function write(next: Doc, old: Doc, parts: string[], value: unknown): void {
  let target = next;
  let source: Doc | undefined = old;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i];
    const sourceChild: Doc | undefined = source?.[key];
    let child = target[key];
    if (child === undefined) child = {};
    else if (child === sourceChild) child = { ...child };
    target[key] = child;
    target = child;
    source = sourceChild;
  }
  target[parts[parts.length - 1]] = value;
}

/** An array element the fast path may store as given: no document or array inside (no field names to check). */
function isScalar(v: unknown): boolean {
  return v !== undefined && !isPlainObject(v) && !Array.isArray(v);
}

/** Equal as MongoDB compares an update's result: numbers by value whatever their type (1, 1.0, NumberLong(1)). */
function same(a: unknown, b: unknown): boolean {
  if (a === b || Object.is(a, b)) return true;
  if (a === undefined || b === undefined) return false;
  if ((typeof a !== 'object' || a === null) && (typeof b !== 'object' || b === null)) return false;
  return canonicalKey(a) === canonicalKey(b);
}
