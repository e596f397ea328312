/**
 * Embedded MongoDB-compatible server. Start it in-process:
 *
 *   const db = await startEmbeddedMongo({ inMemory: true, port: 0 });
 *   await mongoose.connect(db.uri);
 *   ...
 *   await db.stop();
 *
 * It presents itself as a one-member replica set (`rs0`) running MongoDB 7.0, so the driver allows
 * sessions and transactions. With `socketPath` it listens on a Unix domain socket (mode 0600) instead of TCP:
 *
 *   const db = await startEmbeddedMongo({ inMemory: true, socketPath: '/run/me/mongodb.sock' });
 *   // db.uri === 'mongodb://%2Frun%2Fme%2Fmongodb.sock/?directConnection=true'
 *
 * Nothing here imports from the application.
 */
import { Journal, type JournalMode } from './journal/journal.js';
import { WireServer } from './server.js';

export { MAX_SOCKET_PATH_BYTES } from './server.js';
import { Engine } from './storage/engine.js';

export interface EmbeddedMongoOptions {
  /** Directory for the journal and snapshot. Required unless `inMemory`. */
  dbPath?: string;
  /** Keep everything in memory (no files); the default when no dbPath is given. */
  inMemory?: boolean;
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /**
   * Listen on this Unix domain socket instead of a TCP port (port and host are then unused). The driver knows a
   * socket host by its `.sock` ending, so the path must end so; at most 107 bytes (sun_path). The file is made
   * mode 0600, a stale one (its server killed) is removed first, and it is removed again on stop.
   */
  socketPath?: string;
  /** 'sync' (default) fsyncs the journal before every acknowledgement; 'none' leaves it to the OS. */
  journal?: JournalMode;
  /** Journal size that triggers compaction into a snapshot; default 64 MiB. */
  compactBytes?: number;
  /** Replica set name reported to drivers; default 'rs0'. */
  replSetName?: string;
  /** How often TTL indexes are enforced; default 60 s, as mongod's TTL monitor. */
  ttlIntervalMs?: number;
  /**
   * Accept test commands (configureFailPoint with the failCommand fail point), as mongod does when started with
   * `--setParameter enableTestCommands=1`; default off, as on mongod. For tests only: any client can then make
   * the server fail commands or drop connections.
   */
  enableTestCommands?: boolean;
}

export interface EmbeddedMongo {
  uri: string;
  /** The TCP port; 0 when listening on a socket. */
  port: number;
  socketPath?: string;
  stop(): Promise<void>;
}

const DEFAULT_COMPACT_BYTES = 64 * 1024 * 1024;

export async function startEmbeddedMongo(opts: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  const host = opts.host ?? '127.0.0.1';
  const setName = opts.replSetName ?? 'rs0';
  const inMemory = opts.inMemory === true || !opts.dbPath;
  const journal = inMemory
    ? undefined
    : new Journal({ dir: opts.dbPath!, mode: opts.journal ?? 'sync', compactBytes: opts.compactBytes ?? DEFAULT_COMPACT_BYTES });
  const socketPath = opts.socketPath;
  if (socketPath !== undefined && !socketPath.endsWith('.sock')) throw new Error(`socket path ${socketPath} must end in .sock (drivers tell a socket host by it)`);
  const engine = new Engine(journal);
  const server = new WireServer(engine, { host, port: opts.port ?? 0, setName, startedAt: new Date(), testCommands: opts.enableTestCommands === true }, opts.ttlIntervalMs ?? 60_000);
  let port: number;
  try {
    port = await server.listen(socketPath !== undefined ? { path: socketPath } : { port: opts.port ?? 0, host });
  } catch (err) {
    engine.close();
    throw err;
  }
  let stopped = false;
  return {
    // over a socket, a direct connection: the driver lower-cases the hosts a replica set member reports, which would
    // not find a socket path with capitals (hello still names the socket, for clients that discover the set)
    uri: socketPath !== undefined ? `mongodb://${encodeURIComponent(socketPath)}/?directConnection=true` : `mongodb://${host}:${port}/?replicaSet=${encodeURIComponent(setName)}`,
    port,
    ...(socketPath !== undefined ? { socketPath } : {}),
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      engine.close();
    },
  };
}
