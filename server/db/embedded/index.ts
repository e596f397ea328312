/**
 * Embedded MongoDB-compatible server. Start it in-process:
 *
 *   const db = await startEmbeddedMongo({ inMemory: true, port: 0 });
 *   await mongoose.connect(db.uri);
 *   ...
 *   await db.stop();
 *
 * It presents itself as a one-member replica set (`rs0`) running MongoDB 7.0, so the driver allows
 * sessions and transactions. Nothing here imports from the application.
 */
import { Journal, type JournalMode } from './journal/journal.js';
import { WireServer } from './server.js';
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
  /** 'sync' (default) fsyncs the journal before every acknowledgement; 'none' leaves it to the OS. */
  journal?: JournalMode;
  /** Journal size that triggers compaction into a snapshot; default 64 MiB. */
  compactBytes?: number;
  /** Replica set name reported to drivers; default 'rs0'. */
  replSetName?: string;
  /** How often TTL indexes are enforced; default 60 s, as mongod's TTL monitor. */
  ttlIntervalMs?: number;
}

export interface EmbeddedMongo {
  uri: string;
  port: number;
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
  const engine = new Engine(journal);
  const server = new WireServer(engine, { host, port: opts.port ?? 0, setName, startedAt: new Date() }, opts.ttlIntervalMs ?? 60_000);
  const port = await server.listen(opts.port ?? 0, host);
  let stopped = false;
  return {
    uri: `mongodb://${host}:${port}/?replicaSet=${encodeURIComponent(setName)}`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      engine.close();
    },
  };
}
