import { AsyncLocalStorage } from 'node:async_hooks';
import { AppError } from '../errors/app-error.js';
import type { Role } from '../auth/roles.js';

/**
 * Who is changing things right now: set once per request (server/app.ts) and once per job run (jobs/runner.ts),
 * read by the audit plugin (models/plugins/audited.ts). A write of an audited model with no actor throws: a change
 * nobody answers for is refused, never written unaudited.
 */
export type Actor =
  | { kind: 'user'; userId: string; username: string; role: Role; province: string; placeCode: string; ip?: string }
  | { kind: 'visitor'; ip?: string }
  | { kind: 'job'; job: string; runId: string }
  /** Start-up seeding, command-line tools, benchmarks and test fixtures, named. */
  | { kind: 'system'; name: string };

const storage = new AsyncLocalStorage<Actor>();

/** Runs `work` (and everything it starts) as `actor`. */
export function runAs<T>(actor: Actor, work: () => T): T {
  return storage.run(actor, work);
}

export function currentActor(): Actor | undefined {
  return storage.getStore();
}

/** The actor of this write, or AppError 500 `auditActorMissing`. */
export function requireActor(model: string): Actor {
  const actor = storage.getStore();
  if (!actor) throw new AppError('auditActorMissing', 'audit.actorMissing', 500, { model });
  return actor;
}

/** The actor of a signed-in request (or a visitor's), for the request pipeline. */
export function requestActor(user: { id: string; username: string; role: Role; province: string; placeCode: string } | undefined, ip: string | undefined): Actor {
  return user
    ? { kind: 'user', userId: user.id, username: user.username, role: user.role, province: user.province, placeCode: user.placeCode, ...(ip ? { ip } : {}) }
    : { kind: 'visitor', ...(ip ? { ip } : {}) };
}


/** Runs `work` with no actor at all (what a forgotten context looks like; the audit tests use it). */
export function outsideAnyActor<T>(work: () => T): T {
  return storage.exit(work);
}
