import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import mongoose from 'mongoose';
import { isInMemory, usesEmbeddedDatabase, type Config } from '../config.js';
import { logger } from '../logger.js';

export interface Database {
  uri: string;
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * Connects Mongoose to MONGODB_URI, or, when it is unset, to the embedded MongoDB-compatible server started
 * here on a free loopback port with its files under DATA_DIR (in memory for `:memory:`).
 */
export async function connectDatabase(config: Config): Promise<Database> {
  let uri = config.mongodbUri;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (usesEmbeddedDatabase(config)) {
    const { startEmbeddedMongo } = await import('./embedded/index.js');
    const inMemory = isInMemory(config);
    const dbPath = inMemory ? undefined : resolve(config.dataDir, 'db');
    if (dbPath) mkdirSync(dbPath, { recursive: true });
    const server = await startEmbeddedMongo({ dbPath, inMemory, host: '127.0.0.1', port: 0 });
    uri = server.uri;
    stopEmbedded = () => server.stop();
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
