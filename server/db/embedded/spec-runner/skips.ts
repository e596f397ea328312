/**
 * Skips by feature: a test is skipped when it uses a feature the embedded server documents as
 * unsupported (server/db/embedded/README.md, "Limits"), detected in the test itself (its operations,
 * their arguments and the entities it creates), never because its file or title is on a list.
 * Nothing else is skipped except by runOnRequirements, a file's skipReason, or an operation the
 * installed driver does not offer. Deviations of the installed driver are not skipped:
 * driver-deviations.ts tolerates the ones that only change what the driver sends, and the rest run
 * and fail, attributed to the driver in their failure message.
 */
import type { Doc, TestCase, TestFile } from './types.js';

/** Field names (query/update operators, pipeline stages, command options) of unsupported features. */
const FEATURE_KEYS: Record<string, string> = {
  $text: 'text search ($text)',
  $near: 'geospatial queries ($near)',
  $nearSphere: 'geospatial queries ($nearSphere)',
  $geoWithin: 'geospatial queries ($geoWithin)',
  $geoIntersects: 'geospatial queries ($geoIntersects)',
  $geoNear: 'geospatial queries ($geoNear)',
  $where: '$where',
  $changeStream: 'change streams',
  $search: 'Atlas Search',
  $searchMeta: 'Atlas Search',
  $vectorSearch: 'vector search',
  $currentOp: '$currentOp',
  $collStats: '$collStats',
  $indexStats: '$indexStats',
  $planCacheStats: '$planCacheStats',
  $jsonSchema: '$jsonSchema validators',
  timeseries: 'time-series collections',
  viewOn: 'views',
  capped: 'capped collections',
};

/** Unified-format operation names of unsupported features. */
const FEATURE_OPERATIONS: Record<string, string> = {
  createChangeStream: 'change streams',
  mapReduce: 'mapReduce',
  createSearchIndex: 'Atlas Search indexes',
  createSearchIndexes: 'Atlas Search indexes',
  listSearchIndexes: 'Atlas Search indexes',
  updateSearchIndex: 'Atlas Search indexes',
  dropSearchIndex: 'Atlas Search indexes',
};

/** The fail point the embedded server implements (commands/fail-points.ts); the others it refuses by name. */
const SUPPORTED_FAIL_POINT = 'failCommand';
/** failCommand options the embedded server refuses rather than reproduce. */
const UNSUPPORTED_FAIL_COMMAND_DATA = ['errorExtraInfo', 'tassert'];

/** A fail point a failPoint/targetedFailPoint operation sets that the embedded server does not reproduce. */
function failPointFeature(args: unknown): string | undefined {
  const fp = (args as Doc | undefined)?.failPoint as Doc | undefined;
  const name = fp?.configureFailPoint;
  if (name !== SUPPORTED_FAIL_POINT) return `the ${String(name)} fail point (only failCommand is implemented)`;
  const data = (fp?.data ?? {}) as Doc;
  const option = UNSUPPORTED_FAIL_COMMAND_DATA.find(k => k in data);
  return option ? `failCommand's ${option} option` : undefined;
}

const INDEX_TYPES: Record<string, string> = { text: 'text indexes', '2d': 'geospatial indexes', '2dsphere': 'geospatial indexes', geoHaystack: 'geospatial indexes' };

/** Read preferences a one-member replica set cannot serve (no secondary to select). */
const SECONDARY_ONLY = new Set(['secondary']);

function indexKeyFeature(key: unknown): string | undefined {
  if (key === null || typeof key !== 'object' || Array.isArray(key)) return undefined;
  for (const [field, dir] of Object.entries(key as Doc)) {
    if (typeof dir === 'string' && INDEX_TYPES[dir]) return INDEX_TYPES[dir];
    if (field.includes('$**')) return 'wildcard indexes';
  }
  return undefined;
}

/** modifyCollection's `index` argument changes an index (hidden, expireAfterSeconds, prepareUnique, unique). */
function isIndexChange(args: unknown): boolean {
  return args !== null && typeof args === 'object' && 'index' in (args as Doc);
}

function featureIn(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = featureIn(v);
      if (found) return found;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const obj = value as Doc;
  // Canonical EJSON ({$symbol: ...}) is loaded as a BSONSymbol; the server stores symbols as strings.
  if (obj._bsontype === 'BSONSymbol') return 'the BSON symbol type (deprecated; stored as a string)';
  if (typeof obj.name === 'string' && 'object' in obj && FEATURE_OPERATIONS[obj.name]) return FEATURE_OPERATIONS[obj.name];
  if ((obj.name === 'failPoint' || obj.name === 'targetedFailPoint') && obj.object === 'testRunner') {
    const unsupported = failPointFeature(obj.arguments);
    if (unsupported) return unsupported;
  }
  if (obj.name === 'modifyCollection' && 'object' in obj && isIndexChange(obj.arguments)) return 'collMod of indexes';
  if ('collMod' in obj && 'index' in obj) return 'collMod of indexes';
  for (const [k, v] of Object.entries(obj)) {
    if (FEATURE_KEYS[k] && !(k === 'capped' && v === false)) return FEATURE_KEYS[k];
    if (k === 'keys' || k === 'key') {
      const index = indexKeyFeature(v);
      if (index) return index;
    }
    if (k === 'client' && v !== null && typeof v === 'object') {
      // A client whose own read preference needs a secondary never selects a server to connect to;
      // a secondary preference on an operation or a transaction is an error the tests expect.
      const mode = ((v as Doc).uriOptions as Doc | undefined)?.readPreference;
      if (typeof mode === 'string' && SECONDARY_ONLY.has(mode)) return 'a secondary (a client with readPreference secondary; a one-member replica set has none)';
    }
    const found = featureIn(v);
    if (found) return found;
  }
  return undefined;
}

/** The unsupported feature a test uses (in its operations or the file's entities), if any. */
export function unsupportedFeature(file: TestFile, test: TestCase): string | undefined {
  const found = featureIn(file.createEntities) ?? featureIn(test.operations);
  return found ? `uses ${found}, which the embedded server does not support` : undefined;
}
