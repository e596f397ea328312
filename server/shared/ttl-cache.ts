/**
 * A small in-process cache of values that change rarely (who a token belongs to, the campaigns open in a province):
 * each entry lives until its own deadline, the oldest entries go first when the cache is full, and every cache is
 * registered so `clearAllCaches()` empties them together (a test that empties the database, a reload of the places).
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();

  constructor(
    readonly ttlMs: number,
    readonly maxEntries: number,
  ) {
    ALL_CACHES.add(this as TtlCache<unknown, unknown>);
  }

  get(key: K, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Keeps `value` for the cache's TTL, or until `until` when that comes sooner (a token that expires earlier). */
  set(key: K, value: V, until = Infinity, now = Date.now()): void {
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, { value, until: Math.min(until, now + this.ttlMs) });
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Drops every entry whose value matches (all the tokens of one user). */
  deleteWhere(test: (value: V, key: K) => boolean): void {
    for (const [key, entry] of this.entries) if (test(entry.value, key)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

const ALL_CACHES = new Set<TtlCache<unknown, unknown>>();

/** Empties every cache of this process. */
export function clearAllCaches(): void {
  for (const cache of ALL_CACHES) cache.clear();
}
