import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mongoose from 'mongoose';
import { isInMemory, usesEmbeddedDatabase, type Config } from '../config.js';
import { logger } from '../logger.js';

export interface Database {
  uri: string;
  embedded: boolean;
  close(): Promise<void>;
}

/** The embedded database's socket, inside its data directory. */
export const SOCKET_NAME = 'mongodb.sock';

/**
 * Connects Mongoose to MONGODB_URI, or, when it is unset, to the embedded MongoDB-compatible server started here
 * with its files under DATA_DIR (in memory for `:memory:`). The embedded server listens on a Unix domain socket
 * that only this user may open (DATA_DIR/db/mongodb.sock, mode 0600, in a directory of mode 0700), and on no TCP
 * port unless EMBEDDED_DB_PORT asks for one: other local users can neither connect to it nor read its files.
 */
export async function connectDatabase(config: Config): Promise<Database> {
  let uri = config.mongodbUri;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (usesEmbeddedDatabase(config)) {
    const { startEmbeddedMongo, MAX_SOCKET_PATH_BYTES } = await import('./embedded/index.js');
    const inMemory = isInMemory(config);
    const dbPath = inMemory ? undefined : resolve(config.dataDir, 'db');
    if (dbPath) {
      mkdirSync(dbPath, { recursive: true, mode: 0o700 });
      // a directory made by an earlier version (or by hand) is closed too: it holds the journal and the socket
      chmodSync(dbPath, 0o700);
    }
    const socket = config.embeddedDbPort === undefined ? socketFor(dbPath, MAX_SOCKET_PATH_BYTES) : undefined;
    const listen = socket ? { socketPath: socket.path } : { host: '127.0.0.1', port: config.embeddedDbPort };
    const server = await startEmbeddedMongo({ dbPath, inMemory, ...listen }).catch((err: unknown) => {
      socket?.cleanUp?.();
      throw err;
    });
    uri = server.uri;
    stopEmbedded = async () => {
      await server.stop();
      socket?.cleanUp?.();
    };
    logger.info({ dbPath: dbPath ?? ':memory:', uri }, 'embedded database started');
  }
  await mongoose.connect(uri!, { serverSelectionTimeoutMS: 10_000 });
  // Indexes are declared on the schemas; wait for them so the first queries already use them.
  await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
  logger.info({ embedded: Boolean(stopEmbedded) }, 'database connected');
  return {
    uri: uri!,
    embedded: Boolean(stopEmbedded),
    async close() {
      await mongoose.disconnect();
      await stopEmbedded?.();
    },
  };
}

/**
 * Where the embedded server's socket goes: inside the data directory, or, in memory (or when the data directory's
 * path is too long for a socket path), in a fresh private temporary directory (mode 0700) removed on stop.
 */
function socketFor(dbPath: string | undefined, maxBytes: number): { path: string; cleanUp?: () => void } {
  const inDataDir = dbPath === undefined ? undefined : join(dbPath, SOCKET_NAME);
  if (inDataDir !== undefined && Buffer.byteLength(inDataDir) <= maxBytes) return { path: inDataDir };
  const dir = mkdtempSync(join(tmpdir(), 'rict-db-'));
  if (inDataDir !== undefined) logger.warn({ wanted: inDataDir, socket: join(dir, SOCKET_NAME) }, `DATA_DIR is too long for a socket path (at most ${maxBytes} bytes): the database socket is in a private temporary directory instead`);
  return { path: join(dir, SOCKET_NAME), cleanUp: () => rmSync(dir, { recursive: true, force: true }) };
}
