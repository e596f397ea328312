import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { MongoClient, type Collection } from 'mongodb';
import { startServer } from './helpers.js';

// Journal compaction of the embedded server's own data directory, so these always run the embedded server.
const CLI = path.resolve('server/db/embedded/cli.ts');
const COMPACT_BYTES = 64 * 1024;

interface Row {
  _id: number;
  n: number;
  pad: string;
}

const segments = (dir: string): string[] => fs.readdirSync(dir).filter((f) => /^journal(\.\d+)?\.bson$/.test(f)).sort();
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The collection's documents as a sorted list of [id, n]. */
async function contents(c: Collection<Row>): Promise<Array<[number, number]>> {
  return (await c.find({}, { projection: { n: 1 } }).sort({ _id: 1 }).toArray()).map((d) => [d._id, d.n]);
}

const expected = (model: Map<number, number>): Array<[number, number]> => [...model].sort((a, b) => a[0] - b[0]);

/** One round of writes: 40 new documents, an update of a range, one deletion; the model follows each acknowledgement. */
async function writeRound(c: Collection<Row>, model: Map<number, number>, round: number): Promise<void> {
  const docs = Array.from({ length: 40 }, (_, k) => ({ _id: round * 40 + k, n: 0, pad: 'x'.repeat(800) }));
  await c.insertMany(docs);
  for (const d of docs) model.set(d._id, 0);
  const low = Math.max(0, round * 40 - 200);
  await c.updateMany({ _id: { $gte: low, $lt: low + 60 } }, { $inc: { n: 1 } });
  for (const [id, n] of model) if (id >= low && id < low + 60) model.set(id, n + 1);
  const victim = round * 13;
  await c.deleteOne({ _id: victim });
  model.delete(victim);
}

describe('journal compaction of the embedded server', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-compact-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('keeps serving while it compacts, and a crash at any moment of a compaction loses nothing acknowledged', async function () {
    this.timeout(120_000);
    const dbPath = tempDir();
    const server = await startServer({ dbPath, compactBytes: COMPACT_BYTES });
    const client = await new MongoClient(server.uri).connect();
    const model = new Map<number, number>();
    // Each image is the directory as a crash at that moment would leave it, with what had been acknowledged by then.
    const images: Array<{ dir: string; rows: Array<[number, number]>; compacting: boolean }> = [];
    const image = () => {
      const dir = tempDir();
      fs.cpSync(dbPath, dir, { recursive: true });
      images.push({ dir, rows: expected(model), compacting: segments(dbPath).length > 1 });
    };
    let oldSegments: Array<{ name: string; bytes: Buffer }> = [];
    let compactions = 0;
    try {
      const c = client.db('compact').collection<Row>('rows');
      for (let round = 0; round < 60 && compactions < 3; round++) {
        await writeRound(c, model, round);
        if (segments(dbPath).length < 2) continue;
        // A compaction has begun: the older segments stay until its snapshot is in place.
        compactions++;
        oldSegments = segments(dbPath).slice(0, -1).map((name) => ({ name, bytes: fs.readFileSync(path.join(dbPath, name)) }));
        for (let step = 0; segments(dbPath).length > 1; step++) {
          image();
          // Writes while the snapshot is being written go to the new segment and are answered meanwhile.
          if (step % 2 === 0) await writeRound(c, model, 1000 + round * 50 + step);
          else await tick();
        }
        image();
      }
      expect(compactions).to.be.at.least(2);
      expect(images.filter((i) => i.compacting).length).to.be.at.least(2);
      expect(await contents(c)).to.deep.equal(expected(model));
    } finally {
      await client.close();
      await server.stop();
    }

    // A crash after the new snapshot's rename but before the older segments were deleted.
    const last = images[images.length - 1];
    const between = tempDir();
    fs.cpSync(last.dir, between, { recursive: true });
    for (const s of oldSegments) fs.writeFileSync(path.join(between, s.name), s.bytes);
    images.push({ dir: between, rows: last.rows, compacting: true });

    for (const img of images) {
      const again = await startServer({ dbPath: img.dir, compactBytes: COMPACT_BYTES });
      const reader = await new MongoClient(again.uri).connect();
      try {
        expect(await contents(reader.db('compact').collection<Row>('rows'))).to.deep.equal(img.rows);
      } finally {
        await reader.close();
        await again.stop();
      }
    }
    // Opening the last image removed the segments its snapshot already covered.
    expect(segments(between)).to.have.length(1);
  });

  it('finds every acknowledged write after a SIGKILL in the middle of a compaction', async function () {
    this.timeout(120_000);
    const dbPath = tempDir();
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CLI, '--dbpath', dbPath, '--port', '0', '--compact-bytes', String(COMPACT_BYTES)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const uri = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`server exited early with code ${code}`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const client = await new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 }).connect();
    const model = new Map<number, number>();
    let compactions = 0;
    try {
      const c = client.db('compact').collection<Row>('rows');
      let round = 0;
      // Write until the second compaction is seen under way (more than one segment), then kill the server with writes in flight.
      while (compactions < 2 && round < 200) {
        await writeRound(c, model, round++);
        if (segments(dbPath).length > 1) compactions++;
      }
      const inFlight = c.insertOne({ _id: -1, n: 0, pad: '' }).catch(() => undefined);
      child.kill('SIGKILL');
      await exited;
      if (await inFlight) model.set(-1, 0);
    } finally {
      await client.close(true).catch(() => undefined);
    }
    expect(compactions).to.equal(2);

    const again = await startServer({ dbPath });
    const reader = await new MongoClient(again.uri).connect();
    try {
      const rows = await contents(reader.db('compact').collection<Row>('rows'));
      // The write in flight at the kill may or may not have been made durable; everything acknowledged was.
      expect(rows.filter(([id]) => id !== -1)).to.deep.equal(expected(model).filter(([id]) => id !== -1));
    } finally {
      await reader.close();
      await again.stop();
    }
  });
  it('keeps a document larger than the snapshot writer\'s buffer through a compaction and a restart', async function () {
    this.timeout(120_000);
    const dbPath = tempDir();
    const server = await startServer({ dbPath, compactBytes: COMPACT_BYTES });
    const client = await new MongoClient(server.uri).connect();
    const big = 'b'.repeat(12 * 1024 * 1024);
    try {
      const c = client.db('compact').collection<Row>('rows');
      await c.insertOne({ _id: 1, n: 1, pad: big });
      // The next write outgrows the threshold: its compaction writes the 12 MB document into the snapshot.
      await c.insertOne({ _id: 2, n: 2, pad: 'small' });
      while (segments(dbPath).length > 1) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(fs.existsSync(path.join(dbPath, 'snapshot.bson'))).to.equal(true);
    } finally {
      await client.close();
      await server.stop();
    }
    const again = await startServer({ dbPath, compactBytes: COMPACT_BYTES });
    const reader = await new MongoClient(again.uri).connect();
    try {
      const rows = await reader.db('compact').collection<Row>('rows').find({}).sort({ _id: 1 }).toArray();
      expect(rows.map((r) => [r._id, r.n, r.pad.length])).to.deep.equal([
        [1, 1, big.length],
        [2, 2, 5],
      ]);
    } finally {
      await reader.close();
      await again.stop();
    }
  });
});
