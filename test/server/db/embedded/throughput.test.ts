import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient, type Document } from 'mongodb';
import type { EmbeddedMongo } from '../../../../server/db/embedded/index.js';
import { startServer } from './helpers.js';

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Row = { _id: number | string; [field: string]: any };

const byId = (a: Row, b: Row): number => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);

describe('the embedded server under load', () => {
  let server: EmbeddedMongo;
  let client: MongoClient;

  before(async () => {
    server = await startServer();
    client = await MongoClient.connect(server.uri);
  });

  after(async () => {
    await client?.close();
    await server?.stop();
  });

  it('answers every query the same with and without indexes after a thousand random writes', async () => {
    const db = client.db('random_writes');
    const indexed = db.collection<Row>('indexed');
    const plain = db.collection<Row>('plain');
    await indexed.createIndex({ g: 1, k: 1 });
    await indexed.createIndex({ k: 1 }, { unique: true, sparse: true });
    await indexed.createIndex({ tags: 1 });
    const rand = rng(11);
    for (let step = 0; step < 800; step++) {
      const id = Math.floor(rand() * 400);
      const r = rand();
      if (r < 0.5) {
        const doc: Row = { _id: id, g: Math.floor(rand() * 5), tags: rand() < 0.3 ? [Math.floor(rand() * 4), Math.floor(rand() * 4)] : Math.floor(rand() * 4) };
        if (rand() < 0.9) doc.k = step * 1000 + id;
        await indexed.replaceOne({ _id: id }, doc, { upsert: true });
        await plain.replaceOne({ _id: id }, doc, { upsert: true });
      } else if (r < 0.8) {
        const update: Document = rand() < 0.5 ? { $inc: { g: 1 } } : { $set: { note: `n${step % 3}` } };
        await indexed.updateOne({ _id: id }, update);
        await plain.updateOne({ _id: id }, update);
      } else {
        await indexed.deleteOne({ _id: id });
        await plain.deleteOne({ _id: id });
      }
    }
    const queries: Document[] = [{ g: 2 }, { g: { $gte: 3 } }, { g: 1, k: { $lt: 2000 } }, { tags: 2 }, { k: { $exists: true } }, { g: { $in: [0, 4] }, tags: { $gt: 1 } }];
    for (const q of queries) {
      const got = (await indexed.find(q).toArray()).sort(byId);
      const want = (await plain.find(q).toArray()).sort(byId);
      expect(got, JSON.stringify(q)).to.deep.equal(want);
    }
    const sorted = await indexed.find({ g: 2 }).sort({ g: 1, k: -1 }).limit(5).toArray();
    const sortedPlain = await plain.find({ g: 2 }).sort({ g: 1, k: -1 }).limit(5).toArray();
    expect(sorted.map((d) => d.k)).to.deep.equal(sortedPlain.map((d) => d.k));
  });

  it('answers the same with and without indexes over 120,000 documents after inserts in random order, deletes and key changes', async function () {
    this.timeout(300_000);
    const db = client.db('large_index');
    const indexed = db.collection<Row>('indexed');
    const plain = db.collection<Row>('plain');
    // one index kept up insert by insert, one built over the loaded documents
    await indexed.createIndex({ g: 1 });
    const n = 120_000;
    const ids = Array.from({ length: n }, (_, i) => i);
    const rand = rng(17);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [ids[i], ids[j]] = [ids[j], ids[i]];
    }
    for (let start = 0; start < n; start += 10_000) {
      const batch = ids.slice(start, start + 10_000).map((i) => ({ _id: i, g: (i * 7919) % 997, k: i % 13, tags: [i % 5, (i % 7) + 10] }));
      await indexed.insertMany(batch);
      await plain.insertMany(batch);
    }
    await indexed.createIndex({ k: 1, g: -1 });
    await indexed.createIndex({ tags: 1 });
    for (const c of [indexed, plain]) {
      await c.deleteMany({ g: { $gte: 100, $lt: 130 } });
      await c.updateMany({ k: 3 }, { $inc: { g: 1000 } });
    }
    const queries: Document[] = [{ g: 500 }, { g: { $gte: 990, $lt: 1100 } }, { k: 3, g: { $gt: 1500 } }, { tags: 14 }, { tags: 2, g: { $lt: 50 } }];
    for (const q of queries) {
      const got = (await indexed.find(q).toArray()).sort(byId);
      const want = (await plain.find(q).toArray()).sort(byId);
      expect(got.length, JSON.stringify(q)).to.be.greaterThan(0);
      expect(got, JSON.stringify(q)).to.deep.equal(want);
    }
    const walked = await indexed.find({ k: 3 }).sort({ k: 1, g: -1 }).limit(5).toArray();
    const sortedPlain = await plain.find({ k: 3 }).sort({ g: -1 }).limit(5).toArray();
    expect(walked.map((d) => d.g)).to.deep.equal(sortedPlain.map((d) => d.g));
    expect(await indexed.countDocuments({ g: { $gte: 100, $lt: 130 } })).to.equal(0);
  });

  it('claims the message due longest by walking the index, examining one document', async () => {
    const outbox = client.db('outbox').collection<Row>('messages');
    await outbox.createIndex({ status: 1, nextAttemptAt: 1 });
    const base = Date.UTC(2026, 0, 1);
    const docs = Array.from({ length: 3000 }, (_, i) => ({ _id: i, status: i % 3 === 0 ? 'sent' : 'pending', nextAttemptAt: new Date(base + ((i * 7919) % 3000) * 1000) }));
    await outbox.insertMany(docs);
    const now = new Date(base + 10_000_000);
    const filter = { status: 'pending', nextAttemptAt: { $lte: now } };
    const plan = (await outbox.find(filter).sort({ status: 1, nextAttemptAt: 1 }).limit(1).explain('executionStats')) as Document;
    expect(plan.executionStats.totalDocsExamined).to.equal(1);
    const claimed = await outbox.findOneAndUpdate(filter, { $set: { status: 'sending' } }, { sort: { status: 1, nextAttemptAt: 1 }, returnDocument: 'after' });
    const earliest = docs.filter((d) => d.status === 'pending').sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime())[0];
    expect(claimed?._id).to.equal(earliest._id);
    expect(claimed?.status).to.equal('sending');
    const next = await outbox.findOneAndUpdate(filter, { $set: { status: 'sending' } }, { sort: { status: 1, nextAttemptAt: 1 } });
    expect(next?._id).to.not.equal(earliest._id);
  });

  it('reads a filter on two leading fields through the index that has both, not one sharing only the first', async () => {
    const outbox = client.db('outbox').collection<Row>('by_province');
    await outbox.createIndex({ province: 1, dedupeKey: 1 }, { unique: true });
    await outbox.createIndex({ province: 1, status: 1, nextAttemptAt: 1 });
    const base = Date.UTC(2026, 0, 1);
    await outbox.insertMany(Array.from({ length: 3000 }, (_, i) => ({ _id: i, province: '07', dedupeKey: `k${i}`, status: i % 1000 === 0 ? 'sending' : 'pending', leaseUntil: new Date(base + i), nextAttemptAt: new Date(base) })));
    const filter = { province: '07', status: 'sending', leaseUntil: { $lt: new Date(base + 2500) } };
    const plan = (await outbox.find(filter).explain('executionStats')) as Document;
    expect(plan.executionStats.nReturned).to.equal(3);
    expect(plan.executionStats.totalDocsExamined).to.equal(3);
    expect((await outbox.find(filter).toArray()).map((d) => d._id).sort()).to.deep.equal([0, 1000, 2000]);
  });

  it('answers a point lookup from another client while a long $group runs', async () => {
    const coll = client.db('long_group').collection<Row>('rows');
    const batch = Array.from({ length: 60_000 }, (_, i) => ({ _id: i, province: `p${i % 31}`, n: i % 7 }));
    await coll.insertMany(batch);
    const other = await MongoClient.connect(server.uri);
    try {
      await other.db('long_group').collection<Row>('rows').findOne({ _id: 1 });
      const finished: string[] = [];
      const group = coll
        .aggregate([{ $group: { _id: '$province', enrolled: { $sum: 1 }, total: { $sum: '$n' } } }, { $sort: { _id: 1 } }])
        .toArray()
        .then((rows) => {
          finished.push('group');
          return rows;
        });
      const lookup = other
        .db('long_group')
        .collection<Row>('rows')
        .findOne({ _id: 42 })
        .then((doc) => {
          finished.push('lookup');
          return doc;
        });
      const [rows, doc] = await Promise.all([group, lookup]);
      expect(finished).to.deep.equal(['lookup', 'group']);
      expect(doc).to.deep.equal({ _id: 42, province: 'p11', n: 0 });
      expect(rows).to.have.length(31);
      expect(rows[0]).to.deep.equal({ _id: 'p0', enrolled: 1936, total: batch.filter((d) => d.province === 'p0').reduce((s, d) => s + d.n, 0) });
    } finally {
      await other.close();
    }
  });

  it('returns every document of a read of several megabytes once and in order, and all of a one-batch read', async () => {
    const coll = client.db('large_read').collection<Row>('rows');
    const text = 'ی'.repeat(1000);
    await coll.insertMany(Array.from({ length: 3000 }, (_, i) => ({ _id: i, text })));
    const all = await coll.find({}).sort({ _id: 1 }).toArray();
    expect(all.map((d) => d._id)).to.deep.equal(Array.from({ length: 3000 }, (_, i) => i));
    const aggregated = await coll.aggregate<Row>([{ $match: { _id: { $gte: 1000 } } }, { $sort: { _id: -1 } }]).toArray();
    expect(aggregated.map((d) => d._id)).to.deep.equal(Array.from({ length: 2000 }, (_, i) => 2999 - i));
    // a negative limit asks for a single batch: these 5 MB fit in one reply
    const single = await coll.find({}).sort({ _id: 1 }).limit(-2500).toArray();
    expect(single).to.have.length(2500);
    expect(single[2499]).to.deep.equal({ _id: 2499, text });
  });

  it('applies $inc and $set on plain paths as MongoDB does, reporting no-ops as unmodified', async () => {
    const coll = client.db('counters').collection<Row>('counters');
    await coll.insertOne({ _id: 'c', logged: 1, nested: { a: 1 }, label: 'x' });
    const inc = await coll.updateOne({ _id: 'c' }, { $inc: { logged: 2, verified: 1, 'nested.b': 5 }, $set: { 'deep.er': 'y' } });
    expect(inc.modifiedCount).to.equal(1);
    expect(await coll.findOne({ _id: 'c' })).to.deep.equal({ _id: 'c', logged: 3, nested: { a: 1, b: 5 }, label: 'x', verified: 1, deep: { er: 'y' } });
    const same = await coll.updateOne({ _id: 'c' }, { $set: { label: 'x' }, $inc: { logged: 0 } });
    expect(same.matchedCount).to.equal(1);
    expect(same.modifiedCount).to.equal(0);
  });

  it('rebuilds its indexes on restart from a data directory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-'));
    try {
      let s = await startServer({ dbPath: dir });
      let c = await MongoClient.connect(s.uri);
      const coll = c.db('restart').collection<Row>('people');
      await coll.createIndex({ province: 1, nationalId: 1 }, { unique: true });
      await coll.insertMany(Array.from({ length: 500 }, (_, i) => ({ _id: i, province: 'p1', nationalId: String(1000 + i) })));
      await coll.updateOne({ _id: 7 }, { $set: { nationalId: '9999' } });
      await coll.deleteOne({ _id: 8 });
      await c.close();
      await s.stop();
      s = await startServer({ dbPath: dir });
      c = await MongoClient.connect(s.uri);
      const again = c.db('restart').collection<Row>('people');
      expect(await again.findOne({ province: 'p1', nationalId: '9999' })).to.deep.include({ _id: 7 });
      expect(await again.findOne({ province: 'p1', nationalId: '1008' })).to.equal(null);
      const dup = await again.insertOne({ _id: 1000, province: 'p1', nationalId: '1001' }).catch((err: { code?: number }) => err);
      expect((dup as { code?: number }).code).to.equal(11000);
      expect(await again.countDocuments({ province: 'p1', nationalId: { $gte: '1400' } })).to.equal(101);
      await c.close();
      await s.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
