/** Capturing a client's monitoring events and matching them against test.expectEvents. */
import type { MongoClient } from 'mongodb';
import { assertMatches, describe, MatchError, type MatchContext } from './matcher.js';
import type { Doc, ExpectedEventsForClient } from './types.js';
import { withoutDriverDeviations } from './driver-deviations.js';

/** Unified-format event name → driver event name, and its category. */
const EVENT_NAMES: Record<string, { driver: string; kind: 'command' | 'cmap' | 'sdam' }> = {
  commandStartedEvent: { driver: 'commandStarted', kind: 'command' },
  commandSucceededEvent: { driver: 'commandSucceeded', kind: 'command' },
  commandFailedEvent: { driver: 'commandFailed', kind: 'command' },
  poolCreatedEvent: { driver: 'connectionPoolCreated', kind: 'cmap' },
  poolReadyEvent: { driver: 'connectionPoolReady', kind: 'cmap' },
  poolClearedEvent: { driver: 'connectionPoolCleared', kind: 'cmap' },
  poolClosedEvent: { driver: 'connectionPoolClosed', kind: 'cmap' },
  connectionCreatedEvent: { driver: 'connectionCreated', kind: 'cmap' },
  connectionReadyEvent: { driver: 'connectionReady', kind: 'cmap' },
  connectionClosedEvent: { driver: 'connectionClosed', kind: 'cmap' },
  connectionCheckOutStartedEvent: { driver: 'connectionCheckOutStarted', kind: 'cmap' },
  connectionCheckOutFailedEvent: { driver: 'connectionCheckOutFailed', kind: 'cmap' },
  connectionCheckedOutEvent: { driver: 'connectionCheckedOut', kind: 'cmap' },
  connectionCheckedInEvent: { driver: 'connectionCheckedIn', kind: 'cmap' },
  serverDescriptionChangedEvent: { driver: 'serverDescriptionChanged', kind: 'sdam' },
  serverHeartbeatStartedEvent: { driver: 'serverHeartbeatStarted', kind: 'sdam' },
  serverHeartbeatSucceededEvent: { driver: 'serverHeartbeatSucceeded', kind: 'sdam' },
  serverHeartbeatFailedEvent: { driver: 'serverHeartbeatFailed', kind: 'sdam' },
  topologyDescriptionChangedEvent: { driver: 'topologyDescriptionChanged', kind: 'sdam' },
  topologyOpeningEvent: { driver: 'topologyOpening', kind: 'sdam' },
  topologyClosedEvent: { driver: 'topologyClosed', kind: 'sdam' },
};

/** The runner's own failPoint operations: never observed, sensitive commands observed or not. */
const FAIL_POINT_COMMAND = 'configurefailpoint';
/** Commands sensitive per the command monitoring spec: observed only with observeSensitiveCommands. */
const ALWAYS_IGNORED = new Set([
  'authenticate', 'saslstart', 'saslcontinue', 'getnonce', 'createuser', 'updateuser',
  'copydbgetnonce', 'copydbsaslstart', 'copydb',
]);

export interface CapturedEvent {
  /** Unified-format name, e.g. "commandStartedEvent". */
  type: string;
  kind: 'command' | 'cmap' | 'sdam';
  event: Record<string, unknown>;
}

export function commandEventsWanted(observe: string[] | undefined): boolean {
  return (observe ?? []).some(n => EVENT_NAMES[n]?.kind === 'command');
}

/** Attaches listeners for the observed event types; events land in `events` while `capturing` is true. */
export class EventRecorder {
  readonly events: CapturedEvent[] = [];
  capturing = true;
  private readonly ignored: Set<string>;

  constructor(client: MongoClient, readonly observed: string[], ignoreCommands: string[] = [], observeSensitive = false) {
    this.ignored = new Set(ignoreCommands.map(c => c.toLowerCase()));
    for (const name of observed) {
      const spec = EVENT_NAMES[name];
      if (!spec) throw new Error(`unsupported observeEvents type ${name}`);
      client.on(spec.driver as 'commandStarted', (ev: unknown) => {
        if (!this.capturing) return;
        const event = ev as Record<string, unknown>;
        if (spec.kind === 'command') {
          const cmd = String(event.commandName ?? '').toLowerCase();
          if (this.ignored.has(cmd) || cmd === FAIL_POINT_COMMAND) return;
          if (!observeSensitive && (ALWAYS_IGNORED.has(cmd) || isRedactedHello(cmd, event))) return;
        }
        this.events.push({ type: name, kind: spec.kind, event });
      });
    }
  }

  commandStarted(): Record<string, unknown>[] {
    return this.events.filter(e => e.type === 'commandStartedEvent').map(e => e.event);
  }
}

/** hello / legacy hello with speculative authentication come through redacted (empty command). */
function isRedactedHello(cmd: string, ev: Record<string, unknown>): boolean {
  if (cmd !== 'hello' && cmd !== 'ismaster') return false;
  const body = (ev.command ?? ev.reply) as Doc | undefined;
  return !!body && Object.keys(body).length === 0;
}

/** Checks one expectedEventsForClient block against what the client recorded. */
export function assertEvents(expected: ExpectedEventsForClient, recorder: EventRecorder, ctx: MatchContext): void {
  const kind = expected.eventType ?? 'command';
  const actual = recorder.events.filter(e => e.kind === kind);
  const where = `expectEvents[client ${expected.client}, ${kind}]`;
  const summary = (): string => actual.map(e => `${e.type}(${String(e.event.commandName ?? '')})`).join(', ') || 'none';
  if (expected.ignoreExtraEvents ? actual.length < expected.events.length : actual.length !== expected.events.length) {
    throw new MatchError(where, `expected ${expected.events.length} event(s)${expected.ignoreExtraEvents ? ' or more' : ''}, got ${actual.length}: ${summary()}`);
  }
  expected.events.forEach((exp, i) => {
    const keys = Object.keys(exp);
    if (keys.length !== 1) throw new Error(`${where}[${i}]: an expected event needs exactly one key`);
    const type = keys[0];
    const got = actual[i];
    const path = `${where}[${i}]`;
    if (got.type !== type) {
      throw new MatchError(path, `expected ${type}, got ${got.type}(${String(got.event.commandName ?? '')}); observed: ${summary()}`);
    }
    const want = (exp[type] ?? {}) as Doc;
    const ev = got.event;
    for (const [field, value] of Object.entries(want)) {
      switch (field) {
        case 'command':
        case 'reply':
          try {
            const seen = field === 'command' ? withoutDriverDeviations(String(ev.commandName), value, ev[field]) : ev[field];
            assertMatches(value, seen, ctx, { isRoot: true });
          } catch (e) {
            if (e instanceof MatchError) {
              throw new MatchError(`${path}.${type}(${String(ev.commandName)}).${field}${e.path.slice(1)}`, e.detail);
            }
            throw e;
          }
          break;
        case 'commandName':
        case 'databaseName':
          if (ev[field] !== value) throw new MatchError(`${path}.${field}`, `expected ${describe(value)}, got ${describe(ev[field])}`);
          break;
        case 'hasServiceId':
          if (Boolean(value) !== (ev.serviceId != null)) throw new MatchError(`${path}.hasServiceId`, `expected ${String(value)}`);
          break;
        case 'hasServerConnectionId':
          if (Boolean(value) !== (ev.serverConnectionId != null)) {
            throw new MatchError(`${path}.hasServerConnectionId`, `expected ${String(value)}`);
          }
          break;
        default:
          // cmap/sdam event fields (reason, interruptInUseConnections, ...): a nested match.
          assertMatches(value, ev[field], ctx, { isRoot: false });
      }
    }
  });
}
