import type { Aggregate, MongooseQueryMiddleware, Query, Schema } from 'mongoose';
import { AppError } from '../../server/errors/app-error.js';
import { scopeFilter, type QueryScope } from '../../server/auth/scope-rule.js';

declare module 'mongoose' {
  interface QueryOptions {
    /** Whose area this query runs in: a user, or 'system' for jobs and imports. Required on place-scoped models. */
    scope?: QueryScope;
  }
}

const SCOPED_QUERIES: MongooseQueryMiddleware[] = [
  'find',
  'findOne',
  'countDocuments',
  'estimatedDocumentCount',
  'distinct',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
];

/**
 * For every collection of place-bound records. Adds `province` (two-digit code; the shard-key prefix, so a large
 * collection can shard by province) and `placePath` (the codes of the record's place and all its ancestors,
 * indexed), and refuses every read, update, delete, count or aggregate that does not say whose scope it runs in:
 *
 *   Model.find(filter).setOptions({ scope: req.user })      // only what the user may see
 *   Model.countDocuments(filter).setOptions({ scope: 'system' })  // jobs and imports, on purpose
 *
 * Forgetting the scope is an error, not a leak.
 */
export function placeScoped(schema: Schema): void {
  schema.add({
    province: { type: String, required: true, match: /^\d{2}$/ },
    placePath: {
      type: [String],
      required: true,
      validate: { validator: (path: string[]) => path.length > 0, message: 'placePath must name at least the place itself' },
    },
  });
  schema.index({ placePath: 1 });
  schema.index({ province: 1 });

  schema.pre(SCOPED_QUERIES, function (this: Query<unknown, unknown>) {
    const filter = filterFor(this.getOptions().scope, this.model.modelName);
    delete this.getOptions().scope;
    if (filter) this.and([filter]);
  });

  schema.pre('aggregate', function (this: Aggregate<unknown>) {
    const options = this.options as { scope?: QueryScope };
    const filter = filterFor(options.scope, this.model().modelName);
    delete options.scope;
    if (filter) this.pipeline().unshift({ $match: filter });
  });
}

function filterFor(scope: QueryScope | undefined, model: string): Record<string, unknown> | null {
  if (scope === 'system') return null;
  if (!scope || typeof scope !== 'object') {
    throw new AppError('scopeMissing', 'errors.scopeMissing', 500, { model });
  }
  return scopeFilter(scope);
}

/** The scope fields of a record bound to `place`. */
export function placeFields(place: { code: string; province: string; ancestors: readonly string[] }): { province: string; placePath: string[] } {
  return { province: place.province, placePath: [...place.ancestors, place.code] };
}
