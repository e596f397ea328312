/**
 * MongoDB's `failCommand` fail point, set by the `configureFailPoint` test command (only with test commands
 * enabled, as mongod needs `--setParameter enableTestCommands=1`). Described by the server wiki ("The failCommand
 * fail point") and the unified test format's "Server Fail Points":
 *
 * - mode `'alwaysOn'`, `'off'`, `{times: n}` (then off), `{skip: n}` (then always on) or
 *   `{activationProbability: p}`; only commands the fail point applies to count.
 * - data: `failCommands` (or `failAllCommands`) names the commands; `appName`, `threadName` (`conn<id>`),
 *   `namespace` and `failInternalCommands` narrow which connections and commands it applies to;
 *   `blockConnection` + `blockTimeMS` hold the command first; `closeConnection` hangs up without a reply;
 *   `errorCode` answers that error instead of running the command; `writeConcernError` runs a command that takes
 *   a write concern and answers its result with that error (`ok: 1`); `errorLabels` replaces the labels the
 *   server would add (an empty array: none).
 *
 * The fail point is applied in the order mongod applies it: before the command starts (so a command failed
 * here changes no transaction state), and after it for the write concern error.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isPlainObject, type Doc } from '../bson-values.js';
import { ErrorCodes, fail, MongoServerError } from '../errors.js';
import { optionalNumber, type Handler } from './context.js';

/** The state of one client connection the fail point looks at. */
export interface ClientConnection {
  id: number;
  /** The application name from the driver's handshake (`client.application.name` of its first hello). */
  appName?: string;
  /** Another mongod or mongos: its hello carried `internalClient`. */
  internal: boolean;
  /** Hangs up on the client: it sees a network error and no reply. */
  close(): void;
}

type Mode =
  | { kind: 'off' }
  | { kind: 'alwaysOn' }
  | { kind: 'times'; remaining: number }
  | { kind: 'skip'; remaining: number }
  | { kind: 'probability'; p: number };

/** mongod's failCommand options this server does not reproduce: refused by name rather than ignored. */
const UNSUPPORTED_DATA = ['errorExtraInfo', 'tassert'];

/** Commands that take a write concern (mongod's supportsWriteConcern), where `writeConcernError` applies. */
const WRITE_CONCERN_COMMANDS = new Set([
  'insert', 'update', 'delete', 'findAndModify', 'findandmodify', 'commitTransaction', 'abortTransaction', 'create', 'drop',
  'dropDatabase', 'createIndexes', 'dropIndexes', 'renameCollection', 'collMod',
]);

/** What the fail point does to a command before it runs. */
export interface BeforeCommand {
  blockMs?: number;
  closeConnection: boolean;
  error?: MongoServerError;
  /** `errorLabels` of the fail point: they replace the labels the server would add to this reply. */
  labels?: string[];
}

/** The write concern error the fail point puts on a reply, and the labels that replace the server's. */
export interface AfterCommand {
  writeConcernError: Doc;
  labels?: string[];
}

const FAIL_POINT_MESSAGE = "Failing command via 'failCommand' failpoint";

/** An aggregate takes a write concern only when it writes ($out or $merge last). */
function takesWriteConcern(name: string, cmd: Doc): boolean {
  if (WRITE_CONCERN_COMMANDS.has(name)) return true;
  if (name !== 'aggregate' || !Array.isArray(cmd.pipeline)) return false;
  const last: unknown = cmd.pipeline[cmd.pipeline.length - 1];
  return isPlainObject(last) && ('$out' in last || '$merge' in last);
}

function parseMode(mode: unknown): Mode {
  if (mode === 'off') return { kind: 'off' };
  if (mode === 'alwaysOn') return { kind: 'alwaysOn' };
  if (isPlainObject(mode)) {
    const keys = Object.keys(mode);
    if (keys.length === 1) {
      const value = optionalNumber(mode[keys[0]]);
      if (keys[0] === 'times' || keys[0] === 'skip') {
        if (value === undefined || !Number.isInteger(value) || value < 0) fail(ErrorCodes.BadValue, `mode.${keys[0]} must be a non-negative integer`);
        return keys[0] === 'times' ? { kind: 'times', remaining: value } : { kind: 'skip', remaining: value };
      }
      if (keys[0] === 'activationProbability') {
        if (value === undefined || !(value >= 0 && value <= 1)) fail(ErrorCodes.BadValue, 'mode.activationProbability must be a number between 0 and 1');
        return { kind: 'probability', p: value };
      }
    }
  }
  fail(ErrorCodes.BadValue, "mode must be 'alwaysOn', 'off', or a document with one of times, skip or activationProbability");
}

function namespaceOf(db: string, cmd: Doc): string {
  const target = cmd[Object.keys(cmd)[0]];
  return typeof target === 'string' ? `${db}.${target}` : db;
}

export class FailCommandPoint {
  private mode: Mode = { kind: 'off' };
  private data: Doc = {};
  /** How many times the fail point has fired (configureFailPoint answers it as `count`). */
  private timesEntered = 0;
  /** waitForFailPoint callers, woken each time the fail point fires. */
  private waiters = new Set<() => void>();

  /**
   * waitForFailPoint: resolves once the fail point has fired `times` times since the server started (the count
   * configureFailPoint answers plus the entries awaited), or fails with MaxTimeMSExpired after `maxTimeMS`.
   */
  async waitForTimesEntered(times: number, maxTimeMS: number | undefined): Promise<void> {
    if (this.timesEntered >= times) return;
    await new Promise<void>((resolve, reject) => {
      const timer = maxTimeMS === undefined ? undefined : setTimeout(() => {
        this.waiters.delete(check);
        reject(new MongoServerError(ErrorCodes.MaxTimeMSExpired, 'operation exceeded time limit'));
      }, maxTimeMS);
      const check = () => {
        if (this.timesEntered < times) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  /** configureFailPoint for failCommand: replaces the mode and data; answers the count so far. */
  configure(cmd: Doc): Doc {
    const mode = parseMode(cmd.mode);
    const data = cmd.data === undefined ? {} : cmd.data;
    if (!isPlainObject(data)) fail(ErrorCodes.TypeMismatch, 'the fail point data must be a document');
    const unsupported = UNSUPPORTED_DATA.find((k) => k in data);
    if (unsupported) fail(ErrorCodes.FailPointSetFailed, `failCommand's ${unsupported} option is not supported by the embedded server`);
    if (data.blockConnection === true) {
      const ms = optionalNumber(data.blockTimeMS);
      if (ms === undefined || !Number.isInteger(ms)) fail(ErrorCodes.InvalidOptions, "must specify 'blockTimeMS' when 'blockConnection' is true");
      if (ms < 0) fail(ErrorCodes.InvalidOptions, "'blockTimeMS' must be non-negative");
    }
    const count = this.timesEntered;
    this.mode = mode;
    this.data = mode.kind === 'off' ? {} : data;
    return { count, ok: 1 };
  }

  /** Whether the fail point applies to this command on this connection (mongod's shouldActivateFailCommandFailPoint). */
  private appliesTo(name: string, db: string, cmd: Doc, conn: ClientConnection): boolean {
    const data = this.data;
    if (name === 'configureFailPoint') return false;
    if (typeof data.threadName === 'string' && data.threadName !== `conn${conn.id}`) return false;
    if (typeof data.appName === 'string' && data.appName !== (conn.appName ?? '')) return false;
    if (typeof data.namespace === 'string' && data.namespace !== namespaceOf(db, cmd)) return false;
    if (conn.internal && data.failInternalCommands !== true) return false;
    if ('failAllCommands' in data) return true;
    return Array.isArray(data.failCommands) && data.failCommands.some((c) => c === name);
  }

  /** Evaluates the mode for a command the fail point applies to: counts and fires, or lets it pass. */
  private fires(): boolean {
    const mode = this.mode;
    switch (mode.kind) {
      case 'off':
        return false;
      case 'alwaysOn':
        break;
      case 'times':
        if (mode.remaining === 0) return false;
        mode.remaining -= 1;
        if (mode.remaining === 0) this.mode = { kind: 'off' };
        break;
      case 'skip':
        if (mode.remaining > 0) {
          mode.remaining -= 1;
          return false;
        }
        break;
      case 'probability':
        if (Math.random() >= mode.p) return false;
        break;
    }
    this.timesEntered += 1;
    for (const wake of [...this.waiters]) wake();
    return true;
  }

  private labels(): string[] | undefined {
    const labels = this.data.errorLabels;
    return Array.isArray(labels) ? labels.map(String) : undefined;
  }

  /** What the fail point does before `name` runs, or undefined when it lets the command through untouched. */
  beforeCommand(name: string, db: string, cmd: Doc, conn: ClientConnection): BeforeCommand | undefined {
    if (this.mode.kind === 'off') return undefined;
    const data = this.data;
    const closeConnection = data.closeConnection === true;
    const blockConnection = data.blockConnection === true;
    const errorCode = optionalNumber(data.errorCode);
    const hasErrorCode = errorCode !== undefined && Number.isInteger(errorCode);
    if (!(closeConnection || blockConnection || hasErrorCode)) return undefined;
    if (!this.appliesTo(name, db, cmd, conn) || !this.fires()) return undefined;
    return {
      blockMs: blockConnection ? optionalNumber(data.blockTimeMS) : undefined,
      closeConnection,
      error: hasErrorCode ? new MongoServerError(errorCode, FAIL_POINT_MESSAGE) : undefined,
      labels: this.labels(),
    };
  }

  /** The write concern error the fail point gives a finished command that takes a write concern, if any. */
  afterCommand(name: string, db: string, cmd: Doc, conn: ClientConnection): AfterCommand | undefined {
    if (this.mode.kind === 'off' || !takesWriteConcern(name, cmd)) return undefined;
    const writeConcernError = this.data.writeConcernError;
    if (!isPlainObject(writeConcernError)) return undefined;
    if (!this.appliesTo(name, db, cmd, conn) || !this.fires()) return undefined;
    return { writeConcernError: { ...writeConcernError }, labels: this.labels() };
  }
}

/**
 * Applies `before` to a command: holds it for blockTimeMS, then hangs up or answers the error. Resolves with the
 * error reply to send (none after a hang-up), or undefined when the command should run.
 */
export async function applyBeforeCommand(before: BeforeCommand, conn: ClientConnection): Promise<MongoServerError | undefined> {
  if (before.blockMs) await sleep(before.blockMs);
  if (before.closeConnection) {
    conn.close();
    return new MongoServerError(50985, FAIL_POINT_MESSAGE);
  }
  return before.error;
}

/** configureFailPoint and waitForFailPoint: failCommand is the only fail point; any other is refused by name. */
export function failPointCommands(failCommand: FailCommandPoint): Record<string, Handler> {
  return {
    configureFailPoint(ctx) {
      if (ctx.db !== 'admin') fail(ErrorCodes.Unauthorized, 'configureFailPoint may only be run against the admin database.');
      const name: unknown = ctx.cmd.configureFailPoint;
      if (name !== 'failCommand') {
        fail(ErrorCodes.FailPointSetFailed, `fail point ${String(name)} is not supported by the embedded server (only failCommand)`);
      }
      return failCommand.configure(ctx.cmd);
    },
    async waitForFailPoint(ctx) {
      if (ctx.db !== 'admin') fail(ErrorCodes.Unauthorized, 'waitForFailPoint may only be run against the admin database.');
      const name: unknown = ctx.cmd.waitForFailPoint;
      if (name !== 'failCommand') fail(ErrorCodes.FailPointSetFailed, `${String(name)} not found`);
      const times = optionalNumber(ctx.cmd.timesEntered);
      if (times === undefined || !Number.isInteger(times) || times < 0) fail(ErrorCodes.TypeMismatch, "'timesEntered' must be a non-negative integer");
      await failCommand.waitForTimesEntered(times, optionalNumber(ctx.cmd.maxTimeMS));
      return { ok: 1 };
    },
  };
}
