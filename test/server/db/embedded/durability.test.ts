import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Double, Long, MongoClient } from 'mongodb';
import { Schema } from 'mongoose';
import { connectMongoose, startServer } from './helpers.js';

const CLI = path.resolve('server/db/embedded/cli.ts');

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-'));
}

/** Starts the CLI as a child process and resolves with it and the URI it prints first. */
function startChild(dbPath: string): Promise<{ child: ChildProcess; uri: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--dbpath', dbPath, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (uri) => resolve({ child, uri }));
    child.once('exit', (code) => reject(new Error(`server exited early with code ${code}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

describe('durability of the embedded server with a data directory', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('keeps the BSON type of integral doubles and int64 across a restart (journal replay)', async () => {
    const dbPath = tempDir();
    dirs.push(dbPath);
    let server = await startServer({ dbPath });
    let client = await new MongoClient(server.uri).connect();
    await client.db('types').collection('c').insertOne({ _id: 1 as never, d: new Double(1), l: Long.fromNumber(2) });
    await client.db('types').collection('c').updateOne({ _id: 1 as never }, { $inc: { d: 1, l: 1 } });
    await client.close();
    await server.stop();

    server = await startServer({ dbPath });
    client = await new MongoClient(server.uri).connect();
    try {
      const doc = await client.db('types').collection('c').findOne({ _id: 1 as never }, { promoteValues: false });
      expect(doc!.d).to.be.instanceOf(Double);
      expect(doc!.d.valueOf()).to.equal(2);
      expect(doc!.l).to.be.instanceOf(Long);
      expect(doc!.l.toString()).to.equal('3');
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('keeps data written through Mongoose across a restart', async () => {
    const dbPath = tempDir();
    dirs.push(dbPath);
    const schema = new Schema({ nationalId: { type: String, unique: true }, village: String });

    let server = await startServer({ dbPath });
    let conn = await connectMongoose(server.uri, 'restart');
    const Person = conn.model('Person', schema);
    await Person.init();
    await Person.create([
      { nationalId: '1', village: 'a' },
      { nationalId: '2', village: 'b' },
    ]);
    await Person.updateOne({ nationalId: '2' }, { $set: { village: 'c' } });
    await conn.close();
    await server.stop();

    server = await startServer({ dbPath });
    conn = await connectMongoose(server.uri, 'restart');
    try {
      const Again = conn.model('Person', schema);
      const people = await Again.find().sort({ nationalId: 1 }).lean();
      expect(people.map((p) => [p.nationalId, p.village])).to.deep.equal([
        ['1', 'a'],
        ['2', 'c'],
      ]);
      // The unique index came back too.
      const dup = await Again.create({ nationalId: '1' }).then(
        () => undefined,
        (e: { code?: number }) => e.code,
      );
      expect(dup).to.equal(11000);
    } finally {
      await conn.close();
      await server.stop();
    }
  });

  it('finds every acknowledged document after the server process is killed with SIGKILL', async function () {
    this.timeout(60_000);
    const dbPath = tempDir();
    dirs.push(dbPath);

    const first = await startChild(dbPath);
    let client = await new MongoClient(first.uri, { serverSelectionTimeoutMS: 10_000 }).connect();
    const acknowledged: number[] = [];
    try {
      const c = client.db('durable').collection<{ _id: number; v: string }>('docs');
      for (let i = 0; i < 200; i++) {
        await c.insertOne({ _id: i, v: `single ${i}` });
        acknowledged.push(i);
      }
      const batch = Array.from({ length: 2000 }, (_, k) => ({ _id: 1000 + k, v: 'batch' }));
      await c.insertMany(batch);
      acknowledged.push(...batch.map((d) => d._id));
      await c.updateMany({ _id: { $lt: 100 } }, { $set: { v: 'updated' } });
      await c.deleteOne({ _id: 199 });
    } finally {
      first.child.kill('SIGKILL');
      await killed(first.child);
      await client.close(true).catch(() => undefined);
    }

    const second = await startChild(dbPath);
    client = await new MongoClient(second.uri, { serverSelectionTimeoutMS: 10_000 }).connect();
    try {
      const c = client.db('durable').collection<{ _id: number; v: string }>('docs');
      const ids = (await c.find({}, { projection: { _id: 1 } }).sort({ _id: 1 }).toArray()).map((d) => d._id);
      const expected = [...new Set(acknowledged)].filter((id) => id !== 199).sort((a, b) => a - b);
      expect(ids).to.deep.equal(expected);
      expect(await c.countDocuments({ v: 'updated' })).to.equal(100);
    } finally {
      await client.close();
      second.child.kill('SIGTERM');
      await killed(second.child);
    }
  });

  it('finds every document acknowledged to concurrent clients after a SIGKILL that comes while they are still writing', async function () {
    this.timeout(60_000);
    const dbPath = tempDir();
    dirs.push(dbPath);

    const first = await startChild(dbPath);
    let client = await new MongoClient(first.uri, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 20 }).connect();
    const acknowledged: string[] = [];
    const c = client.db('durable').collection<{ _id: string }>('concurrent');
    let killing: Promise<void> | undefined;
    const writer = async (w: number) => {
      for (let n = 0; !killing; n++) {
        try {
          await c.insertOne({ _id: `${w}-${n}` });
        } catch {
          return; // the server is gone: this insert was never acknowledged
        }
        acknowledged.push(`${w}-${n}`);
        if (acknowledged.length >= 2000 && !killing) {
          first.child.kill('SIGKILL');
          killing = killed(first.child);
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, (_, w) => writer(w)));
    await killing;
    await client.close(true).catch(() => undefined);

    const second = await startChild(dbPath);
    client = await new MongoClient(second.uri, { serverSelectionTimeoutMS: 10_000 }).connect();
    try {
      const found = new Set((await client.db('durable').collection<{ _id: string }>('concurrent').find({}).toArray()).map((d) => d._id));
      expect(acknowledged.filter((id) => !found.has(id))).to.deep.equal([]);
    } finally {
      await client.close();
      second.child.kill('SIGTERM');
      await killed(second.child);
    }
  });

  it('refuses to open a data directory another live server process is using', async function () {
    this.timeout(30_000);
    const dbPath = tempDir();
    dirs.push(dbPath);
    const owner = await startChild(dbPath);
    try {
      const err = await startServer({ dbPath }).then(
        async (s) => {
          await s.stop();
          return undefined;
        },
        (e: Error) => e,
      );
      expect(err?.message).to.match(/is in use by process/);
    } finally {
      owner.child.kill('SIGTERM');
      await killed(owner.child);
    }
  });

  it('compacts the journal into a snapshot so it stays bounded, and loses nothing', async () => {
    const dbPath = tempDir();
    dirs.push(dbPath);
    const compactBytes = 64 * 1024;
    let server = await startServer({ dbPath, compactBytes });
    let client = await new MongoClient(server.uri).connect();
    // The journal is every segment file (journal.bson, journal.000001.bson, ...).
    const journalBytes = () => fs.readdirSync(dbPath).filter((f) => /^journal(\.\d+)?\.bson$/.test(f)).reduce((sum, f) => sum + fs.statSync(path.join(dbPath, f)).size, 0);
    let largest = 0;
    try {
      const c = client.db('compact').collection<{ _id: number; n: number; pad: string }>('counters');
      await c.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, n: 0, pad: 'x'.repeat(100) })));
      // Many more bytes of updates than the threshold, over a small amount of live data.
      for (let round = 0; round < 40; round++) {
        await c.updateMany({}, { $inc: { n: 1 } });
        largest = Math.max(largest, journalBytes());
      }
    } finally {
      await client.close();
      await server.stop();
    }
    // The snapshot is written in 5 ms slices between the updates, so on a loaded machine the journal grows past the
    // threshold while it is written; it still stays well under the ~300 KB the 40 rounds write in all.
    expect(largest).to.be.lessThan(3 * compactBytes);
    expect(fs.existsSync(path.join(dbPath, 'snapshot.bson'))).to.equal(true);

    server = await startServer({ dbPath, compactBytes });
    client = await new MongoClient(server.uri).connect();
    try {
      const c = client.db('compact').collection('counters');
      expect(await c.countDocuments({ n: 40 })).to.equal(50);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('ignores a torn final journal record left by a crash mid-write', async () => {
    const dbPath = tempDir();
    dirs.push(dbPath);
    let server = await startServer({ dbPath });
    let client = await new MongoClient(server.uri).connect();
    await client.db('torn').collection('t').insertMany([{ _id: 1 }, { _id: 2 }] as never[]);
    await client.close();
    await server.stop();
    // Half a record at the end: a length prefix promising more bytes than follow.
    fs.appendFileSync(path.join(dbPath, 'journal.bson'), Buffer.from([0xff, 0x00, 0x00, 0x00, 0x01, 0x02]));

    server = await startServer({ dbPath });
    client = await new MongoClient(server.uri).connect();
    try {
      const c = client.db('torn').collection('t');
      expect(await c.countDocuments()).to.equal(2);
      await c.insertOne({ _id: 3 } as never);
    } finally {
      await client.close();
      await server.stop();
    }
    server = await startServer({ dbPath });
    client = await new MongoClient(server.uri).connect();
    try {
      expect(await client.db('torn').collection('t').countDocuments()).to.equal(3);
    } finally {
      await client.close();
      await server.stop();
    }
  });
});
