/**
 * The explicit skip list: tests needing a feature the embedded server documents as unsupported.
 * Every entry names the file (basename, without .json) and optionally one test description, and says why.
 * Nothing else is skipped except by runOnRequirements, skipReason, or an operation the installed driver lacks.
 */
export interface SkipRule {
  file: string;
  /** Omitted: the whole file. */
  test?: string;
  reason: string;
}

const COLLATION = 'non-simple collation is not supported by the embedded server (it answers NotImplemented)';

export const SKIPS: SkipRule[] = [
  // Operations with { locale: 'en_US', strength: 2 } collation: case-insensitive matching is not implemented.
  { file: 'aggregate-collation', test: 'Aggregate with collation', reason: COLLATION },
  { file: 'count-collation', test: 'Count documents with collation', reason: COLLATION },
  { file: 'count-collation', test: 'Deprecated count with collation', reason: COLLATION },
  { file: 'deleteMany-collation', test: 'DeleteMany when many documents match with collation', reason: COLLATION },
  { file: 'distinct-collation', test: 'Distinct with a collation', reason: COLLATION },
  { file: 'find-collation', test: 'Find with a collation', reason: COLLATION },
  { file: 'findOneAndDelete-collation', test: 'FindOneAndDelete when one document matches with collation', reason: COLLATION },
  { file: 'findOneAndUpdate-collation', test: 'FindOneAndUpdate when many documents match with collation returning the document before modification', reason: COLLATION },
  { file: 'replaceOne-collation', test: 'ReplaceOne when one document matches with collation', reason: COLLATION },
  { file: 'updateOne-collation', test: 'UpdateOne when one document matches with collation', reason: COLLATION },
];

export function skipReasonFor(fileBase: string, testDescription: string): string | undefined {
  const rule = SKIPS.find(r => r.file === fileBase && (r.test === undefined || r.test === testDescription));
  return rule?.reason;
}
