import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { clearAllCaches } from '../../server/shared/ttl-cache.js';

let stopEmbedded: (() => Promise<void>) | undefined;
let dropAtEnd = false;

/**
 * One database for the whole test run: MONGODB_URI when set (a fresh database on it, dropped at the end),
 * otherwise the embedded server in memory on a free loopback port.
 */
export async function startTestDatabase(): Promise<void> {
  let uri = process.env.MONGODB_URI;
  let dbName: string | undefined;
  if (uri) {
    dbName = `rict_test_${randomBytes(4).toString('hex')}`;
    dropAtEnd = true;
  } else {
    const { startEmbeddedMongo } = await import('../../server/db/embedded/index.js');
    const server = await startEmbeddedMongo({ inMemory: true, host: '127.0.0.1', port: 0 });
    uri = server.uri;
    stopEmbedded = () => server.stop();
  }
  // command monitoring on, so tests can count round trips and read filters (test/support/commands.ts)
  await mongoose.connect(uri, { serverSelectionTimeoutMS: 10_000, monitorCommands: true, ...(dbName ? { dbName } : {}) });
}

export async function stopTestDatabase(): Promise<void> {
  if (dropAtEnd) await mongoose.connection.dropDatabase();
  await mongoose.disconnect();
  await stopEmbedded?.();
}

/** Empties every collection (indexes stay), so a test file starts from nothing. */
export async function resetDatabase(): Promise<void> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('resetDatabase: no database connection (is the root hook loaded?)');
  for (const collection of await db.collections()) await collection.deleteMany({});
  // the app's in-process caches remember users, places and campaigns the database no longer has
  clearAllCaches();
  await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
}
