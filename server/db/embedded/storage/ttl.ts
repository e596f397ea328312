/**
 * The TTL monitor: like mongod's, it periodically deletes documents whose date field in a TTL index
 * (`expireAfterSeconds`) is older than the limit. Documents held by an open transaction are left
 * for the next pass.
 */
import type { Engine } from './engine.js';

export function expireDocuments(engine: Engine, now = Date.now()): number {
  let removed = 0;
  for (const db of engine.databaseNames()) {
    for (const coll of engine.collections(db)) {
      for (const index of coll.indexes.values()) {
        const seconds = index.spec.expireAfterSeconds;
        if (typeof seconds !== 'number' || index.fields.length !== 1) continue;
        const cutoff = new Date(now - seconds * 1000);
        // Dates below the cutoff, found through the index's sorted keys (arrays expire on their earliest date).
        const ids = [...index.scanLeading(undefined, { value: cutoff, inclusive: false }, { keys: 0 })];
        for (const id of new Set(ids)) {
          if (engine.locks.has(`${coll.ns}\0${id}`)) continue;
          engine.removeDoc(coll, id);
          removed++;
        }
      }
    }
  }
  engine.flush();
  return removed;
}
