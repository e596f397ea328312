/** runOnRequirements evaluation and schema-version compatibility. */
import { scalarEquals } from './matcher.js';
import type { RunOnRequirement, ServerInfo } from './types.js';

/** The schema versions this runner implements (major 1, up to this minor). */
export const SUPPORTED_SCHEMA: [number, number] = [1, 24];

/** A version as the tests write it: a string ("4.2.1"), or in older files a number (3.6, loaded as a BSON double). */
export function parseVersion(version: unknown): [number, number, number] {
  const v = String(version);
  const parts = v.split(/[.-]/).slice(0, 3).map(p => Number.parseInt(p, 10));
  return [parts[0] || 0, parts[1] || 0, parts[2] || 0];
}

export function compareVersions(a: [number, number, number], b: [number, number, number]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

export function schemaSupported(schemaVersion: string): boolean {
  const [maj, min] = parseVersion(schemaVersion);
  return maj === SUPPORTED_SCHEMA[0] && min <= SUPPORTED_SCHEMA[1];
}

/** Why one requirement is not met, or null when it is. */
export function unmetReason(req: RunOnRequirement, server: ServerInfo): string | null {
  const v = server.version.join('.');
  if (req.minServerVersion && compareVersions(server.version, parseVersion(req.minServerVersion)) < 0) {
    return `needs server >= ${req.minServerVersion} (server is ${v})`;
  }
  if (req.maxServerVersion && compareVersions(server.version, parseVersion(req.maxServerVersion)) > 0) {
    return `needs server <= ${req.maxServerVersion} (server is ${v})`;
  }
  if (req.topologies) {
    const topo = server.topology;
    const ok = req.topologies.some(t => t === topo || (t === 'sharded-replicaset' && topo === 'sharded'));
    if (!ok) return `needs topology ${req.topologies.join('|')} (server is ${topo})`;
  }
  if (req.serverless === 'require' && !server.serverless) return 'needs serverless';
  if (req.serverless === 'forbid' && server.serverless) return 'forbids serverless';
  if (req.auth === true && !server.auth) return 'needs auth enabled';
  if (req.auth === false && server.auth) return 'needs auth disabled';
  if (req.authMechanism) return `needs auth mechanism ${req.authMechanism}`;
  if (req.csfle !== undefined && req.csfle !== false && !server.csfle) return 'needs CSFLE';
  if (req.csfle === false && server.csfle) return 'needs CSFLE absent';
  for (const [name, want] of Object.entries(req.serverParameters ?? {})) {
    // An unknown parameter counts as not equal (the spec's rule); numbers compare flexibly.
    const have = server.parameters?.[name];
    if (have === undefined || !scalarEquals(want, have)) return `needs server parameter ${name} = ${String(want)}`;
  }
  return null;
}

/** null when some requirement is met (or none are given), else the reasons joined. */
export function requirementsUnmet(reqs: RunOnRequirement[] | undefined, server: ServerInfo): string | null {
  if (!reqs || reqs.length === 0) return null;
  const reasons: string[] = [];
  for (const r of reqs) {
    const why = unmetReason(r, server);
    if (why === null) return null;
    reasons.push(why);
  }
  return reasons.join('; or ');
}
