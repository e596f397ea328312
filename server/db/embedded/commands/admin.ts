/** Handshake and server-level commands: hello, ping, buildInfo, getParameter, explain, ... */
import { ObjectId, Timestamp } from 'bson';
import { isPlainObject, type Doc } from '../bson-values.js';
import { ErrorCodes, fail } from '../errors.js';
import { newScanStats } from '../storage/access.js';
import { selfAddress, type CommandContext, type Handler } from './context.js';
import { findReply } from './crud.js';

export const SERVER_VERSION = '7.0.0';
/** MongoDB 7.0 speaks wire version 21. */
export const MAX_WIRE_VERSION = 21;
const ELECTION_ID = new ObjectId('7fffffff0000000000000001');

function hello(ctx: CommandContext, legacy: boolean): Doc {
  const me = selfAddress(ctx.server);
  const now = new Date();
  const opTime = { ts: new Timestamp({ t: Math.floor(now.getTime() / 1000), i: 1 }), t: 1 };
  const reply: Doc = {};
  if (ctx.cmd.helloOk === true) reply.helloOk = true;
  Object.assign(reply, {
    topologyVersion: undefined,
    hosts: [me],
    setName: ctx.server.setName,
    setVersion: 1,
    [legacy ? 'ismaster' : 'isWritablePrimary']: true,
    secondary: false,
    primary: me,
    me,
    electionId: ELECTION_ID,
    lastWrite: { opTime, lastWriteDate: now, majorityOpTime: opTime, majorityWriteDate: now },
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: now,
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  });
  delete reply.topologyVersion;
  return reply;
}

export const adminCommands: Record<string, Handler> = {
  hello: (ctx) => hello(ctx, false),
  isMaster: (ctx) => hello(ctx, true),
  ismaster: (ctx) => hello(ctx, true),
  ping: () => ({ ok: 1 }),
  buildInfo: () => ({
    version: SERVER_VERSION,
    gitVersion: 'embedded',
    versionArray: [7, 0, 0, 0],
    bits: 64,
    debug: false,
    maxBsonObjectSize: 16 * 1024 * 1024,
    storageEngines: ['embedded'],
    modules: [],
    ok: 1,
  }),
  buildinfo: (ctx) => adminCommands.buildInfo(ctx),
  getParameter(ctx) {
    const params: Doc = {
      featureCompatibilityVersion: { version: '7.0' },
      transactionLifetimeLimitSeconds: 60,
      maxTransactionLockRequestTimeoutMillis: 5,
      authenticationMechanisms: [],
      requireApiVersion: false,
      ttlMonitorEnabled: ctx.server.ttl?.enabled ?? true,
      ttlMonitorSleepSecs: ctx.server.ttl?.sleepSecs ?? 60,
      enableTestCommands: ctx.server.testCommands === true,
    };
    if (ctx.cmd.getParameter === '*') return { ...params, ok: 1 };
    const out: Doc = {};
    for (const k of Object.keys(ctx.cmd)) if (k in params) out[k] = params[k];
    return { ...out, ok: 1 };
  },
  /** The TTL monitor's parameters are honoured; any other parameter is refused by name. */
  setParameter(ctx) {
    if (ctx.db !== 'admin') fail(ErrorCodes.Unauthorized, 'setParameter may only be run against the admin database.');
    const ttl = ctx.server.ttl ?? { enabled: true, sleepSecs: 60 };
    const before = { enabled: ttl.enabled, sleepSecs: ttl.sleepSecs };
    const names = Object.keys(ctx.cmd).filter((k) => k !== 'setParameter' && !k.startsWith('$') && !['lsid', 'comment', 'writeConcern'].includes(k));
    if (names.length === 0) fail(ErrorCodes.NoSuchKey, 'no option found to set, use help:true to see options');
    const unknown = names.find((n) => n !== 'ttlMonitorEnabled' && n !== 'ttlMonitorSleepSecs');
    if (unknown) fail(ErrorCodes.InvalidOptions, `Parameter ${unknown} cannot be set on the embedded server (only ttlMonitorEnabled and ttlMonitorSleepSecs)`);
    for (const name of names) {
      const value = ctx.cmd[name];
      if (name === 'ttlMonitorEnabled') {
        if (typeof value !== 'boolean') fail(ErrorCodes.BadValue, "Invalid value for parameter ttlMonitorEnabled: expected a boolean");
        ttl.enabled = value;
      } else if (name === 'ttlMonitorSleepSecs') {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1) fail(ErrorCodes.BadValue, `Invalid value for parameter ttlMonitorSleepSecs: ${String(value)} is not greater than or equal to 1`);
        ttl.sleepSecs = n;
      }
    }
    ttl.changed?.();
    return { was: names.includes('ttlMonitorEnabled') ? before.enabled : before.sleepSecs, ok: 1 };
  },
  getCmdLineOpts: () => ({ argv: ['embedded'], parsed: {}, ok: 1 }),
  serverStatus: (ctx) => ({
    host: selfAddress(ctx.server),
    version: SERVER_VERSION,
    process: 'embedded',
    uptime: (Date.now() - ctx.server.startedAt.getTime()) / 1000,
    localTime: new Date(),
    ok: 1,
  }),
  hostInfo: () => ({ system: { currentTime: new Date(), hostname: 'embedded' }, os: {}, extra: {}, ok: 1 }),
  whatsmyuri: () => ({ you: 'embedded', ok: 1 }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
  replSetGetStatus: (ctx) => ({
    set: ctx.server.setName,
    myState: 1,
    members: [{ _id: 0, name: selfAddress(ctx.server), health: 1, state: 1, stateStr: 'PRIMARY', self: true }],
    ok: 1,
  }),
  endSessions(ctx) {
    for (const lsid of ctx.cmd.endSessions ?? []) ctx.cursors.killSession(sessionKeyOf(lsid));
    return { ok: 1 };
  },
  refreshSessions: () => ({ ok: 1 }),

  /** explain for find (and count): MongoDB's shape, with executionStats. */
  async explain(ctx) {
    const inner = ctx.cmd.explain;
    if (!isPlainObject(inner)) fail(ErrorCodes.BadValue, 'explain must be a document');
    const verb = Object.keys(inner)[0];
    if (verb === 'aggregate') return explainAggregate(ctx, inner);
    if (verb !== 'find' && verb !== 'count') fail(ErrorCodes.NotImplemented, `explain of ${verb} is not supported by the embedded server`);
    const innerCtx: CommandContext = { ...ctx, cmd: verb === 'count' ? { find: inner.count, filter: inner.query ?? {}, collation: inner.collation } : inner };
    const stats = newScanStats();
    const { docs } = await findReply(innerCtx, stats);
    const ns = `${ctx.db}.${String(inner[verb])}`;
    const inputStage = stats.indexName ? { stage: 'IXSCAN', indexName: stats.indexName } : undefined;
    const winningPlan: Doc =
      stats.stage === 'COLLSCAN'
        ? { stage: 'COLLSCAN', direction: 'forward' }
        : stats.stage === 'IDHACK'
          ? { stage: 'IDHACK' }
          : { stage: 'FETCH', inputStage };
    return {
      queryPlanner: { namespace: ns, parsedQuery: innerCtx.cmd.filter ?? {}, winningPlan, rejectedPlans: [] },
      executionStats: {
        executionSuccess: true,
        nReturned: docs.length,
        totalKeysExamined: stats.keysExamined,
        totalDocsExamined: stats.docsExamined,
        executionStages: winningPlan,
      },
      serverInfo: { host: ctx.server.host, port: ctx.server.port, version: SERVER_VERSION },
      ok: 1,
    };
  },
};

/**
 * explain of an aggregate, in MongoDB's "stages" shape: the leading $match answered by the query
 * planner under `$cursor`, then the remaining stages as given.
 */
async function explainAggregate(ctx: CommandContext, inner: Doc): Promise<Doc> {
  const pipeline: unknown = inner.pipeline;
  if (!Array.isArray(pipeline)) fail(ErrorCodes.TypeMismatch, "'pipeline' option must be specified as an array");
  const first = pipeline[0];
  const leadingMatch = isPlainObject(first) && '$match' in first ? (first.$match as Doc) : {};
  const rest = isPlainObject(first) && '$match' in first ? pipeline.slice(1) : pipeline;
  const stats = newScanStats();
  const { docs } = await findReply({ ...ctx, cmd: { find: inner.aggregate, filter: leadingMatch, collation: inner.collation } }, stats);
  const winningPlan: Doc = stats.indexName ? { stage: 'FETCH', inputStage: { stage: 'IXSCAN', indexName: stats.indexName } } : { stage: stats.stage === 'IDHACK' ? 'IDHACK' : 'COLLSCAN' };
  const ns = `${ctx.db}.${String(inner.aggregate)}`;
  return {
    explainVersion: '1',
    stages: [
      {
        $cursor: {
          queryPlanner: { namespace: ns, parsedQuery: leadingMatch, winningPlan, rejectedPlans: [] },
          executionStats: { executionSuccess: true, nReturned: docs.length, totalKeysExamined: stats.keysExamined, totalDocsExamined: stats.docsExamined },
        },
      },
      ...rest,
    ],
    serverInfo: { host: ctx.server.host, port: ctx.server.port, version: SERVER_VERSION },
    ok: 1,
  };
}

/** Session ids are UUID Binary values; their hex form keys server-side session state. */
export function sessionKeyOf(lsid: unknown): string {
  const id = isPlainObject(lsid) ? lsid.id : undefined;
  if (id && typeof id === 'object' && 'toString' in id) {
    const bin = id as { buffer?: Uint8Array; toString(enc?: string): string };
    return bin.buffer ? Buffer.from(bin.buffer).toString('hex') : bin.toString('hex');
  }
  return String(id);
}
