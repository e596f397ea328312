import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { DEMO_PASSWORD } from '../../server/users/demo.js';
import { enrolmentBody } from '../support/enrolments.js';

/** Runs `npm start`'s entry point as a separate process and collects what it logs until `until` matches. */
function start(env: Record<string, string>, until: RegExp, timeoutMs = 60_000): Promise<{ output: string; code: number | null; stop(): void; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`timed out; output so far:\n${output}`));
    }, timeoutMs);
    const check = (chunk: Buffer) => {
      output += chunk.toString();
      if (until.test(output)) {
        clearTimeout(timer);
        resolve({ output, code: null, stop: () => child.kill('SIGTERM'), child });
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ output, code, stop: () => {}, child });
    });
  });
}

/** The TCP ports process `pid` listens on (Linux: its socket inodes matched against /proc/net/tcp and tcp6). */
function tcpListeningPorts(pid: number): number[] {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`)
      .map((fd) => {
        try {
          return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        } catch {
          return undefined;
        }
      })
      .filter((inode) => inode !== undefined),
  );
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; the inode is the tenth field
      if (fields[3] === '0A' && inodes.has(fields[9]!)) ports.push(parseInt(fields[1]!.split(':')[1]!, 16));
    }
  }
  return ports.sort((a, b) => a - b);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const urlOf = (output: string) => /"url":"([^"]+)","msg":"listening"/.exec(output)![1]!;

/** Signs in through the API as a demo account and enrols one person: the app's reads and writes over its database. */
async function signInAndEnrol(url: string, n: number): Promise<void> {
  const signIn = await fetch(`${url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo.mayor', password: DEMO_PASSWORD }) });
  expect(signIn.status).to.equal(201);
  const { token } = (await signIn.json()) as { token: string };
  const enrolled = await fetch(`${url}/api/v1/enrolments`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(enrolmentBody(n)) });
  expect(enrolled.status, await enrolled.clone().text()).to.equal(201);
}

describe('Starting the application', function () {
  this.timeout(90_000);

  it('stops at once on a bad setting, naming it', async () => {
    const run = await start({ PORT: 'eighty', MONGODB_URI: '' }, /$^/);
    expect(run.code).to.equal(78);
    expect(run.output).to.contain('PORT');
  });

  it('on an empty embedded database loads the places and the demo accounts, then serves the login page', async () => {
    const run = await start({ DATA_DIR: ':memory:', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', MONGODB_URI: '' }, /"msg":"listening"/);
    try {
      expect(run.output).to.match(/"created":10766,"rejected":0,"msg":"census places loaded"/);
      expect(run.output).to.match(/"msg":"demo accounts created/);
      const url = /"url":"([^"]+)","msg":"listening"/.exec(run.output)![1]!;
      // in memory, the database's socket is in a fresh private directory, and it has no TCP port
      const socketPath = decodeURIComponent(/"uri":"mongodb:\/\/([^/"]+)\/[^"]*","msg":"embedded database started"/.exec(run.output)![1]!);
      expect((statSync(socketPath).mode & 0o777).toString(8)).to.equal('600');
      expect((statSync(dirname(socketPath)).mode & 0o777).toString(8)).to.equal('700');
      expect(tcpListeningPorts(run.child.pid!)).to.deep.equal([Number(new URL(url).port)]);
      const login = await fetch(`${url}/login`);
      expect(login.status).to.equal(200);
      expect(await login.text()).to.contain('dir="rtl"');
    } finally {
      run.stop();
    }
  });

  describe('on the embedded default, its database on a Unix socket only this user may open', () => {
    let dataDir: string;
    before(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'rict-main-'));
    });
    after(() => rmSync(dataDir, { recursive: true, force: true }));

    it('listens on DATA_DIR/db/mongodb.sock (mode 0600) and on no TCP port but the web server\'s; signing in and enrolling work over it', async () => {
      const run = await start({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', MONGODB_URI: '', EMBEDDED_DB_PORT: '' }, /"msg":"listening"/);
      try {
        const socket = statSync(join(dataDir, 'db', 'mongodb.sock'));
        expect(socket.isSocket()).to.equal(true);
        expect((socket.mode & 0o777).toString(8)).to.equal('600');
        expect((statSync(join(dataDir, 'db')).mode & 0o777).toString(8)).to.equal('700');
        const url = urlOf(run.output);
        expect(tcpListeningPorts(run.child.pid!)).to.deep.equal([Number(new URL(url).port)]);
        await signInAndEnrol(url, 901);
      } finally {
        run.child.kill('SIGKILL');
        await new Promise((resolve) => run.child.once('exit', resolve));
      }
    });

    it('starts again over the socket file a killed process left behind', async () => {
      expect(statSync(join(dataDir, 'db', 'mongodb.sock')).isSocket(), 'SIGKILL left the socket file').to.equal(true);
      const run = await start({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', MONGODB_URI: '', EMBEDDED_DB_PORT: '' }, /"msg":"listening"/);
      try {
        expect(run.code).to.equal(null);
        await signInAndEnrol(urlOf(run.output), 902);
      } finally {
        run.stop();
        await new Promise((resolve) => run.child.once('exit', resolve));
      }
    });
  });

  it('puts the socket in a private temporary directory when DATA_DIR is too long for a socket path, saying so', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'rict-long-')), 'a-data-directory-whose-path-is-longer-than-a-unix-socket-path-may-be-on-linux');
    try {
      const run = await start({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', MONGODB_URI: '', EMBEDDED_DB_PORT: '', DEMO_DATA: 'no' }, /"msg":"listening"/);
      let socketPath = '';
      try {
        expect(Buffer.byteLength(join(dataDir, 'db', 'mongodb.sock'))).to.be.above(107);
        expect(run.output).to.contain('DATA_DIR is too long for a socket path');
        socketPath = decodeURIComponent(/"uri":"mongodb:\/\/([^/"]+)\/[^"]*","msg":"embedded database started"/.exec(run.output)![1]!);
        expect(socketPath.startsWith(dataDir)).to.equal(false);
        expect((statSync(socketPath).mode & 0o777).toString(8)).to.equal('600');
        expect((statSync(dirname(socketPath)).mode & 0o777).toString(8)).to.equal('700');
        expect(tcpListeningPorts(run.child.pid!)).to.deep.equal([Number(new URL(urlOf(run.output)).port)]);
      } finally {
        run.stop();
        await new Promise((resolve) => run.child.once('exit', resolve));
      }
      expect(existsSync(dirname(socketPath)), 'a clean stop removes the temporary directory').to.equal(false);
    } finally {
      rmSync(dirname(dataDir), { recursive: true, force: true });
    }
  });

  it('listens on the loopback TCP port EMBEDDED_DB_PORT names, for tools, when asked', async () => {
    const dbPort = await freePort();
    const run = await start({ DATA_DIR: ':memory:', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', MONGODB_URI: '', EMBEDDED_DB_PORT: String(dbPort) }, /"msg":"listening"/);
    try {
      expect(tcpListeningPorts(run.child.pid!)).to.include(dbPort);
      const client = await new MongoClient(`mongodb://127.0.0.1:${dbPort}/?directConnection=true`, { serverSelectionTimeoutMS: 5000 }).connect();
      try {
        expect(await client.db('admin').command({ ping: 1 })).to.include({ ok: 1 });
      } finally {
        await client.close();
      }
    } finally {
      run.stop();
    }
  });
});
