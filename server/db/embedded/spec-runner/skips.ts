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

export const SKIPS: SkipRule[] = [];

export function skipReasonFor(fileBase: string, testDescription: string): string | undefined {
  const rule = SKIPS.find(r => r.file === fileBase && (r.test === undefined || r.test === testDescription));
  return rule?.reason;
}
