import { expect } from 'chai';
import { MongoClient, MongoServerError } from 'mongodb';
import type { EmbeddedMongo } from '../../../../server/db/embedded/index.js';
import { startServer } from './helpers.js';

describe('update semantics where mingo and MongoDB differ', () => {
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

  const coll = (name: string) => client.db('upd').collection<Record<string, unknown>>(name);

  it('allow $set of _id to its current value, as session stores do on every save', async () => {
    const c = coll('sessions');
    await c.updateOne({ _id: 'sid' as never }, { $set: { _id: 'sid', data: 1 } as never }, { upsert: true });
    await c.updateOne({ _id: 'sid' as never }, { $set: { _id: 'sid', data: 2 } as never }, { upsert: true });
    expect(await c.find().toArray()).to.deep.equal([{ _id: 'sid', data: 2 }]);
  });

  it('refuse to change _id with ImmutableField (66)', async () => {
    const c = coll('immutable');
    await c.insertOne({ _id: 1 as never });
    const err = await c.updateOne({ _id: 1 as never }, { $set: { _id: 2 } as never }).then(
      () => undefined,
      (e: MongoServerError) => e,
    );
    expect(err?.code).to.equal(66);
  });

  it('evaluate let variables in the filter of an operator update', async () => {
    const c = coll('let');
    await c.insertMany([{ name: 'a' }, { name: 'b' }]);
    const res = await c.updateMany({ $expr: { $eq: ['$name', '$$wanted'] } }, { $set: { hit: true } }, { let: { wanted: { $literal: 'b' } } });
    expect(res.modifiedCount).to.equal(1);
    expect(await c.countDocuments({ hit: true, name: 'b' })).to.equal(1);
  });

  it('apply the positional $ operator to the element the filter matched', async () => {
    const c = coll('positional');
    await c.insertOne({ _id: 1 as never, grades: [80, 85, 90] });
    await c.updateOne({ _id: 1 as never, grades: 85 }, { $set: { 'grades.$': 86 } });
    expect((await c.findOne())?.grades).to.deep.equal([80, 86, 90]);
  });

  it('seed an upsert from the filter, apply $setOnInsert only on insert, and count n/nModified/upserted', async () => {
    const c = coll('upsert');
    const first = await c.updateOne({ code: 'x', 'meta.kind': 'k' }, { $set: { v: 1 }, $setOnInsert: { created: true } }, { upsert: true });
    expect(first.upsertedCount).to.equal(1);
    const second = await c.updateOne({ code: 'x' }, { $set: { v: 1 }, $setOnInsert: { created: false } }, { upsert: true });
    expect([second.matchedCount, second.modifiedCount, second.upsertedCount]).to.deep.equal([1, 0, 0]);
    const doc = await c.findOne({}, { projection: { _id: 0 } });
    expect(doc).to.deep.equal({ code: 'x', meta: { kind: 'k' }, v: 1, created: true });
  });

  it('keep the original _id when a pipeline update drops it', async () => {
    const c = coll('pipeline');
    await c.insertOne({ _id: 7 as never, inner: { a: 1 } });
    await c.updateOne({ _id: 7 as never }, [{ $replaceRoot: { newRoot: '$inner' } }, { $set: { b: 2 } }]);
    expect(await c.findOne()).to.deep.equal({ _id: 7, a: 1, b: 2 });
  });

  it('update array elements chosen by arrayFilters', async () => {
    const c = coll('arrayFilters');
    await c.insertOne({ _id: 1 as never, items: [{ q: 1 }, { q: 5 }, { q: 9 }] });
    await c.updateOne({ _id: 1 as never }, { $inc: { 'items.$[big].q': 100 } as never }, { arrayFilters: [{ 'big.q': { $gte: 5 } }] });
    expect((await c.findOne())?.items).to.deep.equal([{ q: 1 }, { q: 105 }, { q: 109 }]);
  });

  it('reject two operators on the same path with ConflictingUpdateOperators (40)', async () => {
    const c = coll('conflict');
    await c.insertOne({ a: 1 });
    const err = await c.updateOne({}, { $set: { a: 2 }, $inc: { a: 1 } as never }).then(
      () => undefined,
      (e: MongoServerError) => e,
    );
    expect(err?.code).to.equal(40);
  });
});
