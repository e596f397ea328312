/** Dotted-path reading with MongoDB's implicit array traversal, used by index keys and sort keys. */
import type { Doc } from '../bson-values.js';

/**
 * Every value a dotted path reaches in a document, traversing arrays the way MongoDB does:
 * `a.b` over `{ a: [{ b: 1 }, { b: 2 }] }` yields 1 and 2; a terminal array yields its elements.
 * A path that reaches nothing yields an empty list.
 */
export function pathValues(doc: unknown, path: string | string[]): unknown[] {
  const out: unknown[] = [];
  collect(doc, typeof path === 'string' ? path.split('.') : path, 0, out);
  return out;
}

function collect(value: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    if (Array.isArray(value)) {
      if (value.length === 0) out.push(undefined);
      else out.push(...value);
    } else {
      out.push(value);
    }
    return;
  }
  if (value === null || value === undefined || typeof value !== 'object') return;
  const part = parts[i];
  if (Array.isArray(value)) {
    // A numeric part addresses an element; otherwise the path continues into each element.
    if (/^\d+$/.test(part)) {
      collect(value[Number(part)], parts, i + 1, out);
      return;
    }
    for (const el of value) if (el !== null && typeof el === 'object' && !Array.isArray(el)) collect(el, parts, i, out);
    return;
  }
  const next = (value as Doc)[part];
  if (next === undefined) return;
  collect(next, parts, i + 1, out);
}
