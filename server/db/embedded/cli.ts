/**
 * `npm run db -- --dbpath <dir> --port <port>` (or `--inmemory`; `--socket <path>.sock` listens on a Unix domain
 * socket of mode 0600 instead of TCP): serves until SIGINT/SIGTERM and prints the connection URI on its first
 * line of output.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedMongo } from './index.js';

const { values } = parseArgs({
  options: {
    dbpath: { type: 'string' },
    port: { type: 'string', default: '27017' },
    host: { type: 'string', default: '127.0.0.1' },
    socket: { type: 'string' },
    inmemory: { type: 'boolean', default: false },
    journal: { type: 'string', default: 'sync' },
    'compact-bytes': { type: 'string' },
  },
});

if (!values.dbpath && !values.inmemory) {
  console.error('usage: npm run db -- --dbpath <dir> [--port <port>] [--host <host>] [--socket <path>.sock]   (or --inmemory)');
  process.exit(2);
}

const server = await startEmbeddedMongo({
  dbPath: values.dbpath,
  inMemory: values.inmemory,
  port: Number(values.port),
  host: values.host,
  ...(values.socket ? { socketPath: resolve(values.socket) } : {}),
  journal: values.journal === 'none' ? 'none' : 'sync',
  compactBytes: values['compact-bytes'] ? Number(values['compact-bytes']) : undefined,
});
console.log(server.uri);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
