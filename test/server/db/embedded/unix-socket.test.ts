import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo } from '../../../../server/db/embedded/index.js';

/** The embedded server on a Unix domain socket: the app's default (server/db/connect.ts) and `npm run db -- --socket`. */
describe('The embedded server on a Unix domain socket', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    // lower case: a client that discovers the replica set lower-cases the member names hello reports
    dir = join(tmpdir(), `rict-sock-${randomBytes(4).toString('hex')}`);
    mkdirSync(dir, { mode: 0o700 });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('listens on a socket of mode 0600, commits transactions over it, and removes the socket on stop', async () => {
    const socketPath = join(dir, 'mongodb.sock');
    const server = await startEmbeddedMongo({ inMemory: true, socketPath });
    try {
      expect(server.port).to.equal(0);
      expect((statSync(socketPath).mode & 0o777).toString(8)).to.equal('600');
      // the URI it gives, and one that discovers the one-member replica set by the names hello reports
      for (const uri of [server.uri, `mongodb://${encodeURIComponent(socketPath)}/?replicaSet=rs0`]) {
        const client = await new MongoClient(uri, { serverSelectionTimeoutMS: 5000 }).connect();
        try {
          const hello = await client.db('admin').command({ hello: 1 });
          expect(hello).to.include({ me: socketPath, primary: socketPath, isWritablePrimary: true });
          const session = client.startSession();
          await session.withTransaction(() => client.db('t').collection('c').insertOne({ uri }, { session }));
          await session.endSession();
          expect(await client.db('t').collection('c').countDocuments({ uri })).to.equal(1);
        } finally {
          await client.close();
        }
      }
    } finally {
      await server.stop();
    }
    expect(existsSync(socketPath)).to.equal(false);
  });

  it('takes over the socket file of a server that was killed, and refuses one a live server answers on', async () => {
    const socketPath = join(dir, 'mongodb.sock');
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/db/embedded/cli.ts', '--inmemory', '--socket', socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    const uri = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
    expect(uri).to.equal(`mongodb://${encodeURIComponent(socketPath)}/?directConnection=true`);
    let error: unknown;
    try {
      await startEmbeddedMongo({ inMemory: true, socketPath });
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.contain(`another server is listening on ${socketPath}`);

    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(statSync(socketPath).isSocket(), 'SIGKILL leaves the socket file').to.equal(true);
    const server = await startEmbeddedMongo({ inMemory: true, socketPath });
    try {
      const client = await new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 }).connect();
      expect(await client.db('admin').command({ ping: 1 })).to.include({ ok: 1 });
      await client.close();
    } finally {
      await server.stop();
    }
  });

  it('refuses, named, a path that is too long for a socket, does not end in .sock, or is not a socket', async () => {
    const refusal = async (socketPath: string) => {
      try {
        await startEmbeddedMongo({ inMemory: true, socketPath });
      } catch (err) {
        return String(err);
      }
      return 'started';
    };
    expect(await refusal(join(dir, `${'x'.repeat(120)}.sock`))).to.match(/is 1\d\d bytes; a Unix domain socket path may have at most 107/);
    expect(await refusal(join(dir, 'mongodb.socket'))).to.contain('must end in .sock');
    writeFileSync(join(dir, 'file.sock'), 'not a socket');
    expect(await refusal(join(dir, 'file.sock'))).to.contain('exists and is not a socket');
  });
});
