/**
 * The server: listens on a TCP port or a Unix domain socket, reads wire messages, runs each command through the
 * dispatcher, answers in the protocol the client used. Commands on one connection run one after another, in order.
 */
import fs from 'node:fs';
import net from 'node:net';
import { Binary, Long, Timestamp, type Document } from 'bson';
import { adminCommands, sessionKeyOf } from './commands/admin.js';
import { aggregateCommands } from './commands/aggregate.js';
import { catalogCommands } from './commands/catalog.js';
import type { CommandContext, Handler, ServerInfo } from './commands/context.js';
import { crudCommands } from './commands/crud.js';
import { CursorStore, cursorCommands } from './commands/cursors.js';
import { applyBeforeCommand, FailCommandPoint, failPointCommands, type ClientConnection } from './commands/fail-points.js';
import { transactionCommands } from './commands/transactions.js';
import { isPlainObject } from './bson-values.js';
import { errorLabelsFor } from './error-labels.js';
import { evaluateLet } from './query/match.js';
import { asServerError, ErrorCodes, MongoServerError } from './errors.js';
import type { Engine } from './storage/engine.js';
import { expireDocuments } from './storage/ttl.js';
import { endTransaction } from './storage/access.js';
import { checkSnapshotReadOutsideTransaction, checkTransactionTarget } from './txn/restrictions.js';
import { SessionRegistry } from './txn/sessions.js';
import { SnapshotHistory } from './txn/snapshots.js';
import { Transaction } from './txn/transaction.js';
import { encodeOpMsg, encodeOpReply, MessageReader, OP_QUERY, parseMessage, type Request } from './wire/protocol.js';

/** Writes the driver may retry with the same lsid + txnNumber. */
const RETRYABLE_WRITES = new Set(['insert', 'update', 'delete', 'findAndModify']);

/** Commands MongoDB has but this server does not implement: a clear error instead of "not found". */
const UNSUPPORTED_COMMANDS: Record<string, string> = {
  mapReduce: 'mapReduce is not supported by the embedded server; use aggregate',
  geoSearch: 'geospatial commands are not supported by the embedded server',
  geoNear: 'geospatial commands are not supported by the embedded server',
};

/** The handshake commands, whose `client` metadata names the connection's application. */
const HANDSHAKE_COMMANDS = new Set(['hello', 'isMaster', 'ismaster']);

/** No authentication, so the signature is a zero hash; drivers only echo it back. */
const CLUSTER_TIME_SIGNATURE = { hash: new Binary(Buffer.alloc(20)), keyId: Long.ZERO };

export class WireServer {
  private readonly engine: Engine;
  private readonly info: ServerInfo;
  private readonly cursors = new CursorStore();
  private readonly sessions: SessionRegistry;
  private readonly snapshots: SnapshotHistory;
  private readonly handlers: Map<string, Handler>;
  /** The failCommand fail point, when test commands are enabled. */
  private readonly failCommand?: FailCommandPoint;
  private readonly tcp: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private nextConnectionId = 1;
  private clusterTimeIncrement = 0;
  /** The last cluster time handed out, and the engine's write sequence then. */
  private lastClusterTime?: Timestamp;
  private seqAtLastClusterTime = 0;
  /**
   * The latest cluster time after which something was written: a snapshot read at or before it
   * would need versions the engine no longer keeps.
   */
  private writtenAfter?: Timestamp;
  private reaper?: NodeJS.Timeout;
  private ttlMonitor?: NodeJS.Timeout;
  private readonly ttlIntervalMs: number;

  /** (Re)starts the TTL monitor with its current parameters; setParameter calls it again. */
  private scheduleTtl(): void {
    clearInterval(this.ttlMonitor);
    const ttl = this.info.ttl;
    if (ttl && !ttl.enabled) return;
    this.ttlMonitor = setInterval(() => {
      try {
        expireDocuments(this.engine);
      } catch {
        // A failed pass (e.g. the journal could not be written) is retried at the next interval.
      }
    }, (ttl?.sleepSecs ?? this.ttlIntervalMs / 1000) * 1000);
    this.ttlMonitor.unref();
  }

  constructor(engine: Engine, info: ServerInfo, ttlIntervalMs: number) {
    this.engine = engine;
    this.ttlIntervalMs = ttlIntervalMs;
    this.info = info;
    this.sessions = new SessionRegistry(engine);
    this.snapshots = new SnapshotHistory(engine);
    if (info.testCommands) this.failCommand = new FailCommandPoint();
    const all: Record<string, Handler> = {
      ...adminCommands,
      ...crudCommands,
      ...catalogCommands,
      ...aggregateCommands,
      ...cursorCommands,
      ...transactionCommands(this.sessions),
      ...(this.failCommand ? failPointCommands(this.failCommand) : {}),
    };
    // MongoDB matches command names case-sensitively but accepts a few legacy spellings.
    all.findandmodify = all.findAndModify;
    this.handlers = new Map(Object.entries(all));
    this.tcp = net.createServer((socket) => this.accept(socket));
  }

  /**
   * Listens on `port` of `host`, or on the Unix domain socket `path` (mode 0600: only this user may connect), and
   * resolves with the TCP port (0 for a socket). A socket file left by a dead server is removed first; one a live
   * server answers on is refused.
   */
  async listen(target: { port: number; host: string } | { path: string }): Promise<number> {
    if ('path' in target) await removeStaleSocket(target.path);
    await new Promise<void>((resolve, reject) => {
      this.tcp.once('error', reject);
      const listening = () => {
        this.tcp.off('error', reject);
        resolve();
      };
      if ('path' in target) this.tcp.listen(target.path, listening);
      else this.tcp.listen(target.port, target.host, listening);
    });
    if ('path' in target) {
      fs.chmodSync(target.path, 0o600);
      this.info.socketPath = target.path;
      this.info.port = 0;
    } else {
      this.info.port = (this.tcp.address() as net.AddressInfo).port;
    }
    this.startTimers();
    return this.info.port;
  }

  private startTimers(): void {
    this.reaper = setInterval(() => {
      this.sessions.reap();
      this.snapshots.reap();
      this.cursors.reap();
    }, 5_000);
    this.reaper.unref();
    this.info.ttl = { enabled: true, sleepSecs: this.ttlIntervalMs / 1000, changed: () => this.scheduleTtl() };
    this.scheduleTtl();
  }

  async close(): Promise<void> {
    clearInterval(this.reaper);
    clearInterval(this.ttlMonitor);
    this.sessions.abortAll();
    this.snapshots.releaseAll();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const connection: ClientConnection = { id: this.nextConnectionId++, internal: false, close: () => socket.destroy() };
    const reader = new MessageReader();
    let queue = Promise.resolve();
    socket.on('data', (chunk) => {
      let messages: Buffer[];
      try {
        messages = reader.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const msg of messages) {
        // One failed message must neither stall the connection's queue nor crash the process.
        queue = queue.then(() => this.handleMessage(socket, msg, connection)).catch(() => {
          socket.destroy();
        });
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  private async handleMessage(socket: net.Socket, msg: Buffer, connection: ClientConnection): Promise<void> {
    let request: Request;
    try {
      request = parseMessage(msg);
    } catch {
      socket.destroy();
      return;
    }
    const reply = await this.run(request, connection);
    this.addClusterTime(reply);
    if (request.moreToCome || socket.destroyed) return;
    const encode = request.opCode === OP_QUERY ? encodeOpReply : encodeOpMsg;
    let out: Buffer;
    try {
      out = encode(request.requestId, reply);
    } catch (err) {
      // A reply BSON cannot hold (over 16 MiB): MongoDB answers BSONObjectTooLarge.
      const error = new MongoServerError(10334, `reply cannot be sent: ${err instanceof Error ? err.message : String(err)}`);
      const failed = error.toReply();
      this.addClusterTime(failed);
      out = encode(request.requestId, failed);
    }
    socket.write(out);
  }

  /**
   * Replica-set members stamp replies with operationTime and $clusterTime; drivers use them for
   * causally consistent sessions (afterClusterTime on later reads).
   */
  private addClusterTime(reply: Document): void {
    const time = this.clusterTime();
    reply.operationTime = time;
    reply.$clusterTime = { clusterTime: time, signature: CLUSTER_TIME_SIGNATURE };
  }

  /** A new cluster time, later than every one before; notes whether writes happened since the last. */
  private clusterTime(): Timestamp {
    const time = new Timestamp({ t: Math.floor(Date.now() / 1000), i: ++this.clusterTimeIncrement });
    if (this.engine.seq !== this.seqAtLastClusterTime) {
      this.writtenAfter = this.lastClusterTime;
      this.seqAtLastClusterTime = this.engine.seq;
    }
    this.lastClusterTime = time;
    return time;
  }

  /**
   * A read at read concern "snapshot" outside a transaction runs as a read-only transaction: on a
   * snapshot of now, kept for later reads and answered with its `atClusterTime` (a snapshot session
   * reads its later commands at it), or on the snapshot at the `atClusterTime` it asked for.
   */
  private startSnapshotRead(name: string, cmd: Document, requested: Timestamp | undefined): { txn: Transaction; atClusterTime: Timestamp } {
    checkSnapshotReadOutsideTransaction(name, cmd);
    let atClusterTime = requested;
    let seq = requested ? this.snapshots.seqAt(requested) : undefined;
    if (seq === undefined) {
      if (requested) this.checkNoWritesSince(requested);
      else {
        atClusterTime = this.clusterTime();
        this.snapshots.keep(atClusterTime);
      }
      seq = this.engine.seq;
    }
    const txn = new Transaction(0, seq, 'snapshot');
    this.engine.openTxns.add(txn);
    return { txn, atClusterTime: atClusterTime! };
  }

  /** The readConcern's atClusterTime: allowed with level snapshot only. */
  private requestedClusterTime(cmd: Document): Timestamp | undefined {
    const requested: unknown = cmd.readConcern?.atClusterTime;
    if (requested === undefined) return undefined;
    if (cmd.readConcern.level !== 'snapshot') throw new MongoServerError(ErrorCodes.InvalidOptions, 'readConcern.atClusterTime is only valid with readConcern level snapshot');
    if (!(requested instanceof Timestamp)) throw new MongoServerError(ErrorCodes.TypeMismatch, 'readConcern.atClusterTime must be a Timestamp');
    return requested;
  }

  /**
   * Reading at `time` from the latest data is exact only if nothing was written since; older
   * versions are kept only for open transactions and kept snapshots, so an earlier time answers
   * SnapshotTooOld rather than newer data.
   */
  private checkNoWritesSince(time: Timestamp): void {
    // A new cluster time takes note of writes since the last one.
    this.clusterTime();
    if (this.writtenAfter && time.compare(this.writtenAfter) <= 0) {
      throw new MongoServerError(
        ErrorCodes.SnapshotTooOld,
        `Read timestamp ${time.toString()} is older than the last write, and no snapshot at it is kept: the embedded server keeps older versions only for snapshots it handed out (300 s)`,
      );
    }
  }

  /**
   * Runs one command and returns the reply document (errors included, as `ok: 0`), with the error labels mongod
   * would add. An active failCommand fail point may hold the command, fail it or hang up before it runs, and give
   * it a write concern error after.
   */
  async run(request: Request, connection: ClientConnection): Promise<Document> {
    const cmd = request.command;
    const name = Object.keys(cmd)[0];
    const db = typeof cmd.$db === 'string' ? cmd.$db : (request.legacyDb ?? 'admin');
    if (HANDSHAKE_COMMANDS.has(name)) noteHandshake(connection, cmd);
    let labelsOverride: string[] | undefined;
    let reply: Document;
    try {
      const handler = this.handlers.get(name);
      if (!handler) {
        const unsupported = UNSUPPORTED_COMMANDS[name];
        if (unsupported) throw new MongoServerError(ErrorCodes.CommandNotSupported, unsupported);
        throw new MongoServerError(ErrorCodes.CommandNotFound, `no such command: '${name}'`);
      }
      const before = this.failCommand?.beforeCommand(name, db, cmd, connection);
      if (before) {
        labelsOverride = before.labels;
        const failure = await applyBeforeCommand(before, connection);
        if (failure) throw failure;
      }
      reply = await this.execute(handler, name, db, cmd, connection.id, request.bytes);
    } catch (err) {
      reply = asServerError(err).toReply();
    }
    const after = this.failCommand?.afterCommand(name, db, cmd, connection);
    if (after) {
      // the fail point's write concern error stands for waiting for the write concern
      reply.writeConcernError = after.writeConcernError;
      labelsOverride = after.labels ?? labelsOverride;
    }
    const labels = labelsOverride ?? labelsOf(reply, name, cmd, connection);
    if (labels.length > 0) reply.errorLabels = labels;
    else delete reply.errorLabels;
    return reply;
  }

  /** Runs a command the server has a handler for: sessions, transactions, snapshot reads, retried writes. */
  private async execute(handler: Handler, name: string, db: string, cmd: Document, connectionId: number, messageBytes: number): Promise<Document> {
    const sessionKey = cmd.lsid ? sessionKeyOf(cmd.lsid) : undefined;
    let ctx: CommandContext | undefined;
    try {
      const retried = RETRYABLE_WRITES.has(name) ? this.sessions.previousRetryableReply(sessionKey, cmd) : undefined;
      if (retried) return withWriteConcernError({ ...retried }, cmd);
      const txn = this.sessions.transactionFor(sessionKey, cmd, name);
      ctx = { engine: this.engine, cursors: this.cursors, server: this.info, connectionId, db, cmd, txn, sessionKey, messageBytes };
      if (txn) checkTransactionTarget(name, db, cmd);
      // A transaction reads at the atClusterTime its first command asks for, or refuses it.
      const atClusterTime = !txn || cmd.startTransaction === true ? this.requestedClusterTime(cmd) : undefined;
      if (txn && atClusterTime) this.checkNoWritesSince(atClusterTime);
      if (isPlainObject(cmd.let)) cmd.let = evaluateLet(cmd.let);
      const snapshotRead = !txn && cmd.readConcern?.level === 'snapshot' ? this.startSnapshotRead(name, cmd, atClusterTime) : undefined;
      if (snapshotRead) ctx.txn = snapshotRead.txn;
      if (name === 'endSessions') for (const lsid of cmd.endSessions ?? []) this.sessions.end(sessionKeyOf(lsid));
      const reply = await handler(ctx);
      if (snapshotRead) {
        endTransaction(this.engine, snapshotRead.txn, 'committed');
        if (isPlainObject(reply.cursor)) reply.cursor.atClusterTime = snapshotRead.atClusterTime;
        else reply.atClusterTime = snapshotRead.atClusterTime;
      }
      // A write error inside a transaction aborts it, as MongoDB does.
      if (txn && Array.isArray(reply.writeErrors) && reply.writeErrors.length > 0) this.sessions.abortAfterError(txn);
      await this.engine.flush();
      if (RETRYABLE_WRITES.has(name)) this.sessions.rememberRetryable(sessionKey, cmd, { ...reply });
      return withWriteConcernError(reply, cmd);
    } catch (err) {
      const error = asServerError(err);
      if (ctx?.txn && name !== 'commitTransaction' && name !== 'abortTransaction') this.sessions.abortAfterError(ctx.txn);
      // Whatever the command changed before failing is still made durable before answering.
      await this.engine.flush();
      return error.toReply();
    }
  }
}

/** Linux keeps a socket's path in sun_path: 108 bytes with the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;

/**
 * Makes way for a socket at `path`: a socket file nobody answers on (its server was killed) is removed; a live one,
 * or anything that is not a socket, is left alone and refused, named.
 */
async function removeStaleSocket(path: string): Promise<void> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new Error(`socket path ${path} is ${Buffer.byteLength(path)} bytes; a Unix domain socket path may have at most ${MAX_SOCKET_PATH_BYTES}`);
  }
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new Error(`${path} exists and is not a socket; move it away or choose another socket path`);
  // ECONNREFUSED: nobody listens (the server died); any other answer is not ours to remove
  const answer = await new Promise<string>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve('connected');
    });
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
  if (answer === 'ENOENT') return;
  if (answer === 'connected') throw new Error(`another server is listening on ${path}`);
  if (answer !== 'ECONNREFUSED') throw new Error(`cannot tell whether a server listens on ${path} (${answer})`);
  fs.unlinkSync(path);
}

/** The first hello of a connection names its application and tells another server's connection from a driver's. */
function noteHandshake(connection: ClientConnection, cmd: Document): void {
  const appName: unknown = cmd.client?.application?.name;
  if (connection.appName === undefined && typeof appName === 'string') connection.appName = appName;
  if (cmd.internalClient !== undefined) connection.internal = true;
}

/** The labels of a reply: those its error carries and those mongod adds for its outcome. */
function labelsOf(reply: Document, name: string, cmd: Document, connection: ClientConnection): string[] {
  const code = reply.ok === 0 && typeof reply.code === 'number' ? reply.code : undefined;
  const writeConcernCode = isPlainObject(reply.writeConcernError) && typeof reply.writeConcernError.code === 'number' ? reply.writeConcernError.code : undefined;
  const carried: string[] = Array.isArray(reply.errorLabels) ? reply.errorLabels : [];
  const added = errorLabelsFor({ commandName: name, cmd, code, writeConcernCode, internalClient: connection.internal });
  return [...new Set([...carried, ...added])];
}

function withWriteConcernError(reply: Document, cmd: Document): Document {
  const wcError = writeConcernError(cmd.writeConcern);
  if (wcError) reply.writeConcernError = wcError;
  return reply;
}

/** A single member cannot satisfy w > 1 or unknown tags; MongoDB reports that beside the result. */
function writeConcernError(wc: unknown): Document | undefined {
  if (!wc || typeof wc !== 'object') return undefined;
  const w = (wc as Document).w;
  if (typeof w === 'number' && w > 1) {
    return { code: 100, codeName: 'UnsatisfiableWriteConcern', errmsg: 'Not enough data-bearing nodes' };
  }
  if (typeof w === 'string' && w !== 'majority') {
    return { code: 79, codeName: 'UnknownReplWriteConcern', errmsg: `No write concern mode named '${w}' found in replica set configuration` };
  }
  return undefined;
}
