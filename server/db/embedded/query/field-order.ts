/**
 * The order of the fields an update creates. Since MongoDB 5.0 update operators process the fields
 * they name in lexicographic order of the names, numeric names in numeric order (manual: Update
 * Operators, Behavior), whatever order the update document gives them; a created field is appended
 * to its object, so fields created together land in that order. Existing fields keep their place.
 */
import { isPlainObject, setOwn, type Doc } from '../bson-values.js';

const NON_ASCII = /[^\u0000-\u007f]/;
const DIGITS = /^\d+$/;

/** MongoDB's order of two field names of an update: numeric names by value, others by their UTF-8 bytes. */
export function compareFieldNames(a: string, b: string): number {
  if (DIGITS.test(a) && DIGITS.test(b)) {
    const d = Number(a) - Number(b);
    if (d !== 0) return d;
  }
  if (NON_ASCII.test(a) || NON_ASCII.test(b)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Dotted paths compared part by part, as the update's field tree orders them. */
export function compareFieldPaths(a: string[], b: string[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const c = compareFieldNames(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

type PathTree = Map<string, PathTree>;

/**
 * Puts the fields `after` gained over `before` along the update's `paths` in MongoDB's order, at
 * the end of each object the paths run through (in place: `after` is the update's own copy). The
 * values the update wrote are left as given: `$set: {c: {z: 1, a: 2}}` keeps `{z, a}`.
 */
export function orderCreatedFields(before: unknown, after: Doc, paths: string[]): void {
  const tree: PathTree = new Map();
  for (const path of paths) {
    let node = tree;
    for (const part of path.split('.')) {
      let child = node.get(part);
      if (!child) node.set(part, (child = new Map()));
      node = child;
    }
  }
  reorder(before, after, tree);
}

function reorder(before: unknown, after: unknown, tree: PathTree): void {
  if (Array.isArray(after)) {
    for (const [part, sub] of tree) {
      if (sub.size > 0 && DIGITS.test(part)) reorder(Array.isArray(before) ? before[Number(part)] : undefined, after[Number(part)], sub);
    }
    return;
  }
  if (!isPlainObject(after)) return;
  const old = isPlainObject(before) ? before : undefined;
  const keys = Object.keys(after);
  const created = keys.filter((k) => tree.has(k) && !(old && Object.prototype.hasOwnProperty.call(old, k)));
  if (created.length > 0) {
    created.sort(compareFieldNames);
    const ordered = [...keys.filter((k) => !created.includes(k)), ...created];
    if (ordered.some((k, i) => keys[i] !== k)) {
      const values = new Map(keys.map((k) => [k, after[k]]));
      for (const k of keys) delete after[k];
      for (const k of ordered) setOwn(after, k, values.get(k));
    }
  }
  for (const [part, sub] of tree) {
    if (sub.size > 0 && Object.prototype.hasOwnProperty.call(after, part)) reorder(old?.[part], after[part], sub);
  }
}
