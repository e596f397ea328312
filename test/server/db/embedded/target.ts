/**
 * The database a behaviour test runs against: real MongoDB when MONGODB_URI is set (a fresh database
 * on it, dropped afterwards), otherwise the embedded server in memory. The same assertions must hold
 * on both, so these tests check MongoDB's documented answers, not the embedded server's.
 */
import { randomBytes } from 'node:crypto';
import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import mongoose from 'mongoose';
import { startEmbeddedMongo, type EmbeddedMongoOptions } from '../../../../server/db/embedded/index.js';

export interface Target {
  uri: string;
  client: MongoClient;
  db: Db;
  dbName: string;
  /** A Mongoose connection to the same database. */
  mongoose(): Promise<mongoose.Connection>;
  close(): Promise<void>;
}

/** `embedded` options apply only to the embedded server (e.g. enableTestCommands, which a real mongod takes at startup). */
export async function openTarget(prefix: string, clientOptions: MongoClientOptions = {}, embedded: EmbeddedMongoOptions = {}): Promise<Target> {
  const dbName = `${prefix}_${randomBytes(4).toString('hex')}`;
  const external = process.env.MONGODB_URI;
  const server = external ? undefined : await startEmbeddedMongo({ inMemory: true, host: '127.0.0.1', port: 0, ...embedded });
  const uri = external ?? server!.uri;
  const client = await new MongoClient(uri, clientOptions).connect();
  const connections: mongoose.Connection[] = [];
  return {
    uri,
    client,
    db: client.db(dbName),
    dbName,
    async mongoose() {
      const conn = await mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 5000 }).asPromise();
      connections.push(conn);
      return conn;
    },
    async close() {
      for (const c of connections) await c.close();
      await client.db(dbName).dropDatabase().catch(() => undefined);
      await client.close();
      await server?.stop();
    },
  };
}

/**
 * The target of a `describe` block: opened in its `before` hook and closed in its `after` hook. Call it
 * before the block's own hooks, which may then use it; reading it outside the hooks' span throws.
 */
export function useTarget(prefix: string, clientOptions: MongoClientOptions = {}, embedded: EmbeddedMongoOptions = {}): Target {
  let opened: Target | undefined;
  before(async () => {
    opened = await openTarget(prefix, clientOptions, embedded);
  });
  after(async () => opened?.close());
  const current = (): Target => {
    if (!opened) throw new Error(`the ${prefix} target is open only between its describe block's before and after hooks`);
    return opened;
  };
  return {
    get uri() {
      return current().uri;
    },
    get client() {
      return current().client;
    },
    get db() {
      return current().db;
    },
    get dbName() {
      return current().dbName;
    },
    mongoose: () => current().mongoose(),
    close: () => current().close(),
  };
}

/** The error a promise rejects with (undefined when it resolves), for asserting codes. */
export async function rejection<T>(p: Promise<T>): Promise<(Error & { code?: number; codeName?: string; errmsg?: string }) | undefined> {
  return p.then(
    () => undefined,
    (e: Error) => e,
  );
}
