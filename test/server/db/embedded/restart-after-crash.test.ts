import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';
import { startServer } from './helpers.js';

// This exercises the embedded server's own process and data directory, so it always runs the embedded CLI.
const CLI = path.resolve('server/db/embedded/cli.ts');

function startChild(dbPath: string): Promise<{ child: ChildProcess; uri: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--dbpath', dbPath, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (b) => (stderr += String(b)));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (uri) => resolve({ child, uri }));
    child.once('exit', (code) => reject(new Error(`server exited early with code ${code}: ${stderr}`)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('restarting the embedded server right after it was killed', () => {
  let dbPath: string;
  beforeEach(() => {
    dbPath = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-crash-'));
  });
  afterEach(() => fs.rmSync(dbPath, { recursive: true, force: true }));

  it('opens the data directory within 100 ms of a SIGKILL, round after round, and keeps every write', async function () {
    this.timeout(120_000);
    const rounds = 5;
    for (let round = 0; round < rounds; round++) {
      const { child, uri } = await startChild(dbPath);
      const client = await new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 }).connect();
      await client.db('crash').collection('rounds').insertOne({ round });
      await client.close(true);

      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      // Restart 0-80 ms after the kill, before the killed process has been reaped: it may still be dying, or a zombie.
      await sleep(round * 20);
      const server = await startServer({ dbPath });
      try {
        const again = await new MongoClient(server.uri).connect();
        const seen = await again.db('crash').collection('rounds').find({}, { projection: { _id: 0 } }).sort({ round: 1 }).toArray();
        await again.close();
        expect(seen).to.deep.equal(Array.from({ length: round + 1 }, (_, r) => ({ round: r })));
      } finally {
        await server.stop();
        await exited;
      }
    }
  });

  it('still refuses a data directory whose owner is alive', async function () {
    this.timeout(30_000);
    const { child } = await startChild(dbPath);
    try {
      const err = await startServer({ dbPath }).then(
        async (s) => {
          await s.stop();
          return undefined;
        },
        (e: Error) => e,
      );
      expect(err?.message).to.match(/is in use by process \d+/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
