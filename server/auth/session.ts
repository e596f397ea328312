import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import MongoStore from 'connect-mongo';
import session from 'express-session';
import type { MongoClient } from 'mongodb';
import mongoose from 'mongoose';
import type { RequestHandler } from 'express';
import { isInMemory, type Config } from '../config.js';

const EIGHT_HOURS = 8 * 60 * 60;

/**
 * The secret that signs session cookies: SESSION_SECRET when given (required with MONGODB_URI, so that every
 * server behind a balancer shares it); otherwise generated once and kept in DATA_DIR/session-secret, so sessions
 * survive a restart of the embedded default; random per process for an in-memory DATA_DIR.
 */
export function resolveSessionSecret(config: Config): string {
  if (config.sessionSecret) return config.sessionSecret;
  if (isInMemory(config)) return randomBytes(32).toString('hex');
  const file = join(resolve(config.dataDir), 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(resolve(config.dataDir), { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** Page sessions, stored in MongoDB (collection `sessions`, expired ones removed by a TTL index). */
export function sessionMiddleware(config: Config, secret: string): RequestHandler {
  return session({
    name: 'sid',
    secret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    store: MongoStore.create({
      // Mongoose bundles its own copy of the driver; the client is the same kind of object connect-mongo expects
      client: mongoose.connection.getClient() as unknown as MongoClient,
      collectionName: 'sessions',
      ttl: EIGHT_HOURS,
      autoRemove: 'native',
      touchAfter: 60,
    }),
    // Secure whenever users reach the application over HTTPS; a plain-http demo on localhost must still sign in
    cookie: { httpOnly: true, sameSite: 'lax', secure: config.publicUrl.startsWith('https:'), maxAge: EIGHT_HOURS * 1000 },
  });
}
