import type { Schema } from 'mongoose';

const QUERY_WRITES = ['updateOne', 'updateMany', 'replaceOne', 'findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete', 'deleteOne', 'deleteMany'] as const;

/**
 * Calls `changed` after every write through the model: saves (and so `create`), `insertMany`, `bulkWrite`, and
 * every updating or deleting query. The in-process caches (server/shared/ttl-cache.ts) hang on it, so that a
 * write that forgets to clear one cannot be written: it clears itself.
 */
export function onWrite(schema: Schema, changed: () => void, options: { unless?: (update: Record<string, unknown>) => boolean } = {}): void {
  const after = () => changed();
  // `unless` names the updating queries that change nothing a cache keeps
  schema.post([...QUERY_WRITES], { document: false, query: true }, function (this: { getUpdate?: () => unknown }) {
    const update = this.getUpdate?.() as Record<string, unknown> | null | undefined;
    if (!(update && options.unless?.(update))) changed();
  });
  schema.post(['save', 'deleteOne', 'updateOne'], { document: true, query: false }, after);
  schema.post('insertMany', after);
  schema.post('bulkWrite', after);
}
