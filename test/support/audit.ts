import Mocha from 'mocha';
import { AuditEvent, type AuditEventRecord } from '../../models/audit-event.model.js';
import { runAs, type Actor } from '../../server/audit/context.js';

export const TEST_ACTOR: Actor = { kind: 'system', name: 'test fixture' };

/**
 * Fixtures that tests write straight to the database (and services that tests call directly) run as the named
 * system actor "test fixture": every hook and test body is started as it. Requests and job runs still set their own
 * actor, which is what the audit tests check; `outsideAnyActor` runs code with none, to see a write refused.
 */
export function runTestsAsFixtureActor(): void {
  const run = Mocha.Runnable.prototype.run;
  Mocha.Runnable.prototype.run = function (this: Mocha.Runnable, done: (err?: unknown) => void) {
    return runAs(TEST_ACTOR, () => run.call(this, done));
  };
}

/** Every audit event of one object, oldest first. */
export async function eventsOf(subject: string, documentId: unknown): Promise<AuditEventRecord[]> {
  return AuditEvent.find({ subject, documentId: String(documentId) }).sort({ at: 1, _id: 1 }).setOptions({ scope: 'system' }).lean<AuditEventRecord[]>();
}
