/**
 * The TTL monitor: like mongod's, it periodically deletes documents whose date field in a TTL index
 * (`expireAfterSeconds`) is older than the limit. Documents held by an open transaction are left
 * for the next pass.
 */
import type { Collection } from './collection.js';
import type { Engine } from './engine.js';

/** A clustered collection with `expireAfterSeconds` is a TTL index on `_id`: documents whose `_id` is an older date go. */
function expireClustered(engine: Engine, coll: Collection, now: number): number {
  const seconds = coll.options.expireAfterSeconds;
  if (!coll.options.clusteredIndex || typeof seconds !== 'number') return 0;
  const cutoff = now - seconds * 1000;
  const expired = [...coll.docs].filter(([, doc]) => doc._id instanceof Date && doc._id.getTime() < cutoff);
  let removed = 0;
  for (const [id] of expired) {
    if (engine.locks.has(`${coll.ns}\0${id}`)) continue;
    engine.removeDoc(coll, id);
    removed++;
  }
  return removed;
}

export function expireDocuments(engine: Engine, now = Date.now()): number {
  let removed = 0;
  for (const db of engine.databaseNames()) {
    for (const coll of engine.collections(db)) {
      removed += expireClustered(engine, coll, now);
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
  // Nobody waits for these deletions to be durable; a failed sync leaves them to be expired again after a restart.
  engine.flush()?.catch(() => undefined);
  return removed;
}
