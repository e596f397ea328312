import { expect } from 'chai';
import { MongoClient, MongoServerError, type Collection } from 'mongodb';
import mongoose, { Schema } from 'mongoose';
import type { EmbeddedMongo } from '../../../../server/db/embedded/index.js';
import { connectMongoose, startServer } from './helpers.js';

async function duplicateError(p: Promise<unknown>): Promise<MongoServerError> {
  try {
    await p;
  } catch (err) {
    return err as MongoServerError;
  }
  throw new Error('expected a duplicate key error');
}

describe('unique indexes on the embedded server', () => {
  let server: EmbeddedMongo;
  let client: MongoClient;
  let conn: mongoose.Connection;

  before(async () => {
    server = await startServer();
    client = await new MongoClient(server.uri).connect();
    conn = await connectMongoose(server.uri, 'unique');
  });

  after(async () => {
    await conn.close();
    await client.close();
    await server.stop();
  });

  function coll(name: string): Collection {
    return client.db('unique').collection(name);
  }

  it('make Mongoose report a duplicate national id with code 11000, keyPattern and keyValue', async () => {
    const Member = conn.model('Member', new Schema({ nationalId: { type: String, required: true, unique: true } }));
    await Member.init();
    await Member.create({ nationalId: '0499370899' });
    const err = await duplicateError(Member.create({ nationalId: '0499370899' }));
    expect(err.code).to.equal(11000);
    expect(err.keyPattern).to.deep.equal({ nationalId: 1 });
    expect(err.keyValue).to.deep.equal({ nationalId: '0499370899' });
    expect(err.message).to.match(/E11000 duplicate key error collection: unique\.members index: nationalId_1/);
  });

  it('enforce a compound unique index on the combination, not on each field', async () => {
    const c = coll('compound');
    await c.createIndex({ campaign: 1, village: 1 }, { unique: true });
    await c.insertMany([
      { campaign: 'a', village: 'x' },
      { campaign: 'a', village: 'y' },
      { campaign: 'b', village: 'x' },
    ]);
    const err = await duplicateError(c.insertOne({ campaign: 'a', village: 'x' }));
    expect(err.code).to.equal(11000);
    expect(err.keyPattern).to.deep.equal({ campaign: 1, village: 1 });
    expect(err.keyValue).to.deep.equal({ campaign: 'a', village: 'x' });
  });

  it('let a sparse unique index hold many documents without the field', async () => {
    const c = coll('sparse');
    await c.createIndex({ email: 1 }, { unique: true, sparse: true });
    await c.insertMany([{ n: 1 }, { n: 2 }, { email: 'a@b' }]);
    expect((await duplicateError(c.insertOne({ email: 'a@b' }))).code).to.equal(11000);
  });

  it('treat a missing field as null on a non-sparse unique index', async () => {
    const c = coll('nonsparse');
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ n: 1 });
    const err = await duplicateError(c.insertOne({ n: 2 }));
    expect(err.keyValue).to.deep.equal({ email: null });
  });

  it('only constrain documents matching a partial index filter', async () => {
    const c = coll('partial');
    await c.createIndex({ phone: 1 }, { unique: true, partialFilterExpression: { active: true } });
    await c.insertMany([
      { phone: '0912', active: false },
      { phone: '0912', active: false },
      { phone: '0912', active: true },
    ]);
    expect((await duplicateError(c.insertOne({ phone: '0912', active: true }))).code).to.equal(11000);
  });

  it('check unique keys on update, upsert and findOneAndUpdate, and leave the data unchanged', async () => {
    const c = coll('updates');
    await c.createIndex({ code: 1 }, { unique: true });
    await c.insertMany([
      { _id: 1, code: 'A' },
      { _id: 2, code: 'B' },
    ] as never[]);
    expect((await duplicateError(c.updateOne({ _id: 2 } as never, { $set: { code: 'A' } }))).code).to.equal(11000);
    expect((await duplicateError(c.updateOne({ _id: 3 } as never, { $set: { code: 'B' } }, { upsert: true }))).code).to.equal(11000);
    expect((await duplicateError(c.findOneAndUpdate({ _id: 1 } as never, { $set: { code: 'B' } }))).code).to.equal(11000);
    expect(await c.find().sort({ _id: 1 }).toArray()).to.deep.equal([
      { _id: 1, code: 'A' },
      { _id: 2, code: 'B' },
    ]);
  });

  it('report each duplicate of an unordered insertMany by its index and insert the rest', async () => {
    const c = coll('bulk');
    await c.createIndex({ k: 1 }, { unique: true });
    const err = await duplicateError(c.insertMany([{ k: 1 }, { k: 1 }, { k: 2 }, { k: 2 }], { ordered: false }));
    const writeErrors = (err as unknown as { writeErrors: Array<{ index: number; code: number }> }).writeErrors;
    expect(writeErrors.map((e) => [e.index, e.code])).to.deep.equal([
      [1, 11000],
      [3, 11000],
    ]);
    expect(await c.countDocuments()).to.equal(2);
  });

  it('refuse to build a unique index over existing duplicates', async () => {
    const c = coll('late');
    await c.insertMany([{ k: 1 }, { k: 1 }]);
    expect((await duplicateError(c.createIndex({ k: 1 }, { unique: true }))).code).to.equal(11000);
    expect((await c.indexes()).map((i) => i.name)).to.deep.equal(['_id_']);
  });
});
