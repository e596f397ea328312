import { expect } from 'chai';
import { Binary, Decimal128, Double, Int32, Long, MongoClient, MongoServerError, ObjectId, Timestamp } from 'mongodb';
import type { EmbeddedMongo } from '../../../../server/db/embedded/index.js';
import { startServer } from './helpers.js';

async function serverError(p: Promise<unknown>): Promise<MongoServerError> {
  try {
    await p;
  } catch (err) {
    return err as MongoServerError;
  }
  throw new Error('expected the server to answer an error');
}

describe('commands of the embedded server', () => {
  let server: EmbeddedMongo;
  let client: MongoClient;

  before(async () => {
    server = await startServer();
    client = await new MongoClient(server.uri).connect();
  });

  after(async () => {
    await client.close();
    await server.stop();
  });

  it('present a one-member replica set running MongoDB 7.0', async () => {
    const hello = await client.db('admin').command({ hello: 1 });
    expect(hello.setName).to.equal('rs0');
    expect(hello.isWritablePrimary).to.equal(true);
    expect(hello.hosts).to.deep.equal([`127.0.0.1:${server.port}`]);
    expect(hello.logicalSessionTimeoutMinutes).to.equal(30);
    expect(hello.maxWireVersion).to.equal(21);
    expect((await client.db('admin').command({ buildInfo: 1 })).version).to.equal('7.0.0');
  });

  it('answer an unknown command with CommandNotFound (59)', async () => {
    const err = await serverError(client.db('x').command({ frobnicate: 1 }));
    expect(err.code).to.equal(59);
    expect(err.codeName).to.equal('CommandNotFound');
    expect(err.message).to.equal("no such command: 'frobnicate'");
  });

  it('refuse unsupported features with a clear error instead of a wrong answer', async () => {
    const c = client.db('x').collection('unsupported');
    await c.insertOne({ text: 'hello' });
    const text = await serverError(c.find({ $text: { $search: 'hello' } }).toArray());
    expect(text.code).to.equal(238);
    expect(text.message).to.match(/text search/);
    const collatedGroup = await serverError(c.aggregate([{ $sortByCount: '$text' }], { collation: { locale: 'fa' } }).toArray());
    expect(collatedGroup.code).to.equal(238);
    expect(collatedGroup.message).to.match(/\$sortByCount with a non-simple collation is not supported/);
    const geoIndex = await serverError(c.createIndex({ where: '2dsphere' }));
    expect(geoIndex.message).to.match(/2dsphere indexes are not supported/);
    const textIndex = await serverError(c.createIndex({ text: 'text' }));
    expect(textIndex.message).to.match(/text indexes are not supported/);
    const changeStream = await serverError(c.aggregate([{ $changeStream: {} }]).toArray());
    expect(changeStream.code).to.equal(115);
    expect(changeStream.message).to.match(/change streams are not supported/);
    const fn = await serverError(c.aggregate([{ $project: { r: { $function: { body: 'function() { return 1; }', args: [], lang: 'js' } } } }]).toArray());
    expect([fn.code, fn.message]).to.deep.equal([238, '$function (server-side JavaScript) is not supported by the embedded server']);
    const accumulator = { init: 'function() { return 0; }', accumulate: 'function(s) { return s + 1; }', accumulateArgs: [], merge: 'function(a, b) { return a + b; }', lang: 'js' };
    const acc = await serverError(c.aggregate([{ $group: { _id: null, n: { $accumulator: accumulator } } }]).toArray());
    expect(acc.code).to.equal(238);
  });

  it('enforce a query-operator validator with DocumentValidationFailure (121) and refuse $jsonSchema', async () => {
    const db = client.db('x');
    await db.createCollection('validated', { validator: { age: { $gte: 18 } } });
    const c = db.collection('validated');
    await c.insertOne({ age: 30 });
    const invalid = await serverError(c.insertOne({ age: 12 }));
    expect(invalid.code).to.equal(121);
    await c.insertOne({ age: 12 }, { bypassDocumentValidation: true });
    await db.command({ collMod: 'validated', validator: { age: { $gte: 10 } } });
    await c.insertOne({ age: 11 });
    const schema = await serverError(db.createCollection('schema', { validator: { $jsonSchema: { required: ['a'] } } }));
    expect(schema.code).to.equal(238);
  });

  it('make watch() fail with the change-stream error', async () => {
    const stream = client.db('x').collection('unsupported').watch();
    const err = await serverError(stream.next());
    expect(err.message).to.match(/change streams are not supported/);
    await stream.close();
  });

  it('use an index for a point query on a large collection instead of scanning it', async function () {
    this.timeout(60_000);
    const c = client.db('x').collection<{ _id: number; code: string; g: number }>('big');
    const n = 100_000;
    for (let start = 0; start < n; start += 20_000) {
      await c.insertMany(Array.from({ length: 20_000 }, (_, k) => ({ _id: start + k, code: `c${start + k}`, g: (start + k) % 1000 })));
    }
    await c.createIndex({ code: 1 }, { unique: true });
    await c.createIndex({ g: 1 });

    const point = await client.db('x').command({ explain: { find: 'big', filter: { code: 'c77777' } }, verbosity: 'executionStats' });
    expect(point.executionStats.nReturned).to.equal(1);
    expect(point.executionStats.totalDocsExamined).to.equal(1);
    expect(point.queryPlanner.winningPlan.inputStage.indexName).to.equal('code_1');

    const range = await client.db('x').command({ explain: { find: 'big', filter: { g: { $gte: 10, $lt: 12 } } }, verbosity: 'executionStats' });
    expect(range.executionStats.nReturned).to.equal(200);
    expect(range.executionStats.totalDocsExamined).to.equal(200);

    const byId = await c.find({ _id: 4242 }).explain('executionStats');
    expect(byId.executionStats.totalDocsExamined).to.equal(1);

    const scan = await client.db('x').command({ explain: { find: 'big', filter: { unindexed: 1 } }, verbosity: 'executionStats' });
    expect(scan.executionStats.totalDocsExamined).to.equal(n);

    // A sort with a limit walks the sort field's index and stops early instead of sorting everything.
    const top = await client.db('x').command({ explain: { find: 'big', filter: {}, sort: { code: -1 }, limit: 3 }, verbosity: 'executionStats' });
    expect(top.executionStats.totalDocsExamined).to.equal(3);
    const firstThree = await c.find({}).sort({ code: -1 }).limit(3).toArray();
    expect(firstThree.map((d) => d.code)).to.deep.equal(['c99999', 'c99998', 'c99997']);
    const withFilter = await c.find({ g: { $exists: true }, code: { $regex: '^c1' } }).sort({ code: 1 }).skip(1).limit(2).toArray();
    expect(withFilter.map((d) => d.code)).to.deep.equal(['c10', 'c100']);
  });

  it('round-trip BSON types, with int32, fractional doubles, large int64, counts and cursor ids in their wire types', async () => {
    const c = client.db('x').collection('types');
    const doc = {
      _id: new ObjectId(),
      long: Long.fromString('9007199254740993'),
      dec: Decimal128.fromString('1.10'),
      bin: new Binary(Buffer.from([1, 2, 3]), 4),
      ts: new Timestamp({ t: 1, i: 2 }),
      date: new Date('2024-03-20T00:00:00Z'),
      int: 5,
      frac: 2.5,
    };
    await c.insertOne(doc);
    const raw = await client.db('x').command({ find: 'types', filter: { _id: doc._id } }, { promoteValues: false, promoteLongs: false } as never);
    const back = raw.cursor.firstBatch[0];
    expect(back.long).to.be.instanceOf(Long);
    expect(back.long.toString()).to.equal('9007199254740993');
    expect(back.dec.toString()).to.equal('1.10');
    expect(Buffer.from(back.bin.buffer).toString('hex')).to.equal('010203');
    expect(back.bin.sub_type).to.equal(4);
    expect(back.ts.equals(doc.ts)).to.equal(true);
    expect(back.date.toISOString()).to.equal('2024-03-20T00:00:00.000Z');
    expect(back.int).to.be.instanceOf(Int32);
    expect(back.frac).to.be.instanceOf(Double);
    expect(raw.cursor.id).to.be.instanceOf(Long);
    const count = await client.db('x').command({ count: 'types' }, { promoteValues: false } as never);
    expect(count.n).to.be.instanceOf(Int32);
  });

  it('page through a result with getMore and close cursors with killCursors', async () => {
    const c = client.db('x').collection('paging');
    await c.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    const all = await c.find({}, { batchSize: 40 }).sort({ i: -1 }).toArray();
    expect(all.map((d) => d.i)).to.deep.equal(Array.from({ length: 250 }, (_, i) => 249 - i));
    const cursor = c.find({}, { batchSize: 10 });
    await cursor.next();
    await cursor.close();
  });

  it('sort across BSON types in MongoDB order', async () => {
    const c = client.db('x').collection('mixed');
    await c.insertMany([{ v: 'b' }, { v: 3 }, { v: null }, { v: true }, { v: new Date(0) }, { v: { a: 1 } }, { v: 1.5 }, {}] as never[]);
    const values = (await c.find({}, { projection: { _id: 0 } }).sort({ v: 1 }).toArray()).map((d) => d.v);
    // null and missing sort as equals, so they keep insertion order.
    expect(values).to.deep.equal([null, undefined, 1.5, 3, 'b', { a: 1 }, true, new Date(0)]);
  });

  it('answer a reply too large for BSON with an error and keep serving', async () => {
    const c = client.db('x').collection('large');
    const tenMiB = 'x'.repeat(10 * 1024 * 1024);
    await c.insertMany([{ s: tenMiB }, { s: tenMiB }]);
    const err = await serverError(c.aggregate([{ $group: { _id: null, all: { $push: '$s' } } }]).toArray());
    expect(err.code).to.equal(10334);
    expect(await c.countDocuments()).to.equal(2);
  });

  it('answer a retried write (same session and txnNumber) with the first outcome instead of applying it twice', async () => {
    const db = client.db('x');
    const session = client.startSession();
    try {
      const insert = { insert: 'retry', documents: [{ _id: 1 }], txnNumber: Long.fromNumber(7) };
      const first = await db.command(insert, { session });
      const again = await db.command(insert, { session });
      expect([first.n, again.n, again.writeErrors]).to.deep.equal([1, 1, undefined]);
      const inc = { update: 'retry', updates: [{ q: { _id: 1 }, u: { $inc: { n: 1 } } }], txnNumber: Long.fromNumber(8) };
      await db.command(inc, { session });
      await db.command(inc, { session });
      expect(await db.collection('retry').findOne()).to.deep.equal({ _id: 1, n: 1 });
    } finally {
      await session.endSession();
    }
  });
});
