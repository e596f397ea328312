/** Test helpers: each test file starts its own in-memory server on an ephemeral port. */
import mongoose from 'mongoose';
import { startEmbeddedMongo, type EmbeddedMongo, type EmbeddedMongoOptions } from '../../../../server/db/embedded/index.js';

export async function startServer(opts: EmbeddedMongoOptions = { inMemory: true }): Promise<EmbeddedMongo> {
  return startEmbeddedMongo({ port: 0, host: '127.0.0.1', ...opts });
}

/** A Mongoose connection of its own, so tests never share the global default connection. */
export async function connectMongoose(uri: string, dbName = 'test'): Promise<mongoose.Connection> {
  return mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 5000 }).asPromise();
}
