/**
 * The explicit skip lists. Nothing else is skipped except by runOnRequirements, a file's skipReason, or an
 * operation the installed driver does not offer.
 *
 * SKIPS: tests needing a feature the embedded server documents as unsupported. Deviations of the installed
 * driver are not skipped: driver-deviations.ts tolerates the ones that only change what the driver sends, and
 * the rest run and fail, attributed to the driver in their failure message.
 *
 * Every entry names the file (basename, without .json) and one test description (or none: the whole file).
 */
export interface SkipRule {
  file: string;
  /** Omitted: the whole file. */
  test?: string;
  reason: string;
}

export const SKIPS: SkipRule[] = [
  // The client has readPreference=secondary in its URI; the driver's (auto) connect selects a server with it,
  // and a one-member replica set has no secondary, so the client can never connect.
  {
    file: 'run-command',
    test: 'run command with secondary read preference in client option and primary read preference in transaction options',
    reason: 'needs a secondary: the embedded server is a one-member replica set, and the driver connects with the client read preference (secondary)',
  },
];

const applies = (r: SkipRule, fileBase: string, test: string): boolean => r.file === fileBase && (r.test === undefined || r.test === test);

/** The reason a listed test is skipped, prefixed with the list it comes from; undefined when not listed. */
export function skipReasonFor(fileBase: string, testDescription: string): string | undefined {
  const server = SKIPS.find(r => applies(r, fileBase, testDescription));
  return server ? `skip list (embedded server): ${server.reason}` : undefined;
}
