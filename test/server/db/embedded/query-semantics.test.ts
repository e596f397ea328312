import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import type { EmbeddedMongo } from '../../../../server/db/embedded/index.js';
import { startServer } from './helpers.js';

describe('query semantics where mingo and MongoDB differ', () => {
  let server: EmbeddedMongo;
  let client: MongoClient;
  const ids = async (filter: object) =>
    (await client.db('q').collection('docs').find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);

  before(async () => {
    server = await startServer();
    client = await new MongoClient(server.uri).connect();
    await client.db('q').collection('docs').insertMany([
      { _id: 1, a: 'abc' },
      { _id: 2, a: 10 },
      { _id: 3, a: null },
      { _id: 4 },
      { _id: 5, a: [1, 20] },
    ] as never[]);
  });

  after(async () => {
    await client.close();
    await server.stop();
  });

  it('match array elements with $type, as MongoDB does', async () => {
    expect(await ids({ a: { $type: 'number' } })).to.deep.equal([2, 5]);
    expect(await ids({ a: { $type: 'array' } })).to.deep.equal([5]);
  });

  it('match missing fields with $gte: null and $lte: null', async () => {
    expect(await ids({ a: { $gte: null } })).to.deep.equal([3, 4]);
    expect(await ids({ a: { $lte: null } })).to.deep.equal([3, 4]);
  });

  it('compare only within a type bracket', async () => {
    expect(await ids({ a: { $gt: 5 } })).to.deep.equal([2, 5]);
    expect(await ids({ a: { $lt: 'b' } })).to.deep.equal([1]);
  });

  it('give the same answers with and without an index', async () => {
    const c = client.db('q').collection('docs');
    const before = [await ids({ a: { $gt: 5 } }), await ids({ a: 1 }), await ids({ a: { $in: [10, 'abc'] } })];
    await c.createIndex({ a: 1 });
    const after = [await ids({ a: { $gt: 5 } }), await ids({ a: 1 }), await ids({ a: { $in: [10, 'abc'] } })];
    expect(after).to.deep.equal(before);
    expect(before).to.deep.equal([[2, 5], [5], [1, 2]]);
  });

  it('leave stored documents whole after projections that exclude nested fields', async () => {
    const c = client.db('q').collection('nested');
    await c.insertOne({ _id: 1, file: { name: 'a.pdf', data: 'bytes' }, list: [{ a: 1, b: 2 }] } as never);
    expect(await c.findOne({}, { projection: { 'file.data': 0, 'list.b': 0 } })).to.deep.equal({ _id: 1, file: { name: 'a.pdf' }, list: [{ a: 1 }] });
    expect(await c.aggregate([{ $project: { 'file.data': 0 } }]).toArray()).to.deep.equal([{ _id: 1, file: { name: 'a.pdf' }, list: [{ a: 1, b: 2 }] }]);
    expect(await c.findOne()).to.deep.equal({ _id: 1, file: { name: 'a.pdf', data: 'bytes' }, list: [{ a: 1, b: 2 }] });
  });

  it('return _id first from an inclusion projection', async () => {
    const doc = await client.db('q').collection('nested').findOne({}, { projection: { 'file.name': 1 } });
    expect(Object.keys(doc!)).to.deep.equal(['_id', 'file']);
  });
});
