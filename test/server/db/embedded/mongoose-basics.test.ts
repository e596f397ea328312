import { expect } from 'chai';
import mongoose, { Schema } from 'mongoose';
import { connectMongoose, startServer } from './helpers.js';
import type { EmbeddedMongo } from '../../../../server/db/embedded/index.js';

describe('embedded MongoDB server through Mongoose', () => {
  let server: EmbeddedMongo;
  let conn: mongoose.Connection;
  const personSchema = new Schema({ nationalId: { type: String, unique: true }, name: String, age: Number });

  before(async () => {
    server = await startServer();
    conn = await connectMongoose(server.uri);
  });

  after(async () => {
    await conn.close();
    await server.stop();
  });

  it('reports a replica-set URI for an ephemeral port', () => {
    expect(server.port).to.be.greaterThan(0);
    expect(server.uri).to.equal(`mongodb://127.0.0.1:${server.port}/?replicaSet=rs0`);
  });

  it('creates documents, finds, updates, counts and deletes them', async () => {
    const Person = conn.model('Person', personSchema);
    await Person.init();
    await Person.create([
      { nationalId: '1', name: 'Ali', age: 30 },
      { nationalId: '2', name: 'Sara', age: 25 },
      { nationalId: '3', name: 'Reza', age: 41 },
    ]);
    const older = await Person.find({ age: { $gte: 30 } }).sort({ age: -1 }).lean();
    expect(older.map((p) => p.name)).to.deep.equal(['Reza', 'Ali']);
    const updated = await Person.findOneAndUpdate({ nationalId: '2' }, { $inc: { age: 1 } }, { returnDocument: 'after' }).lean();
    expect(updated?.age).to.equal(26);
    await Person.updateMany({}, { $set: { name: 'x' } });
    expect(await Person.countDocuments({ name: 'x' })).to.equal(3);
    await Person.deleteOne({ nationalId: '3' });
    expect(await Person.countDocuments()).to.equal(2);
  });

  it('rejects a duplicate national id on a unique index with code 11000, keyPattern and keyValue', async () => {
    const Citizen = conn.model('Citizen', personSchema);
    await Citizen.init();
    await Citizen.create({ nationalId: '0012345678', name: 'A' });
    const err = await Citizen.create({ nationalId: '0012345678', name: 'B' }).then(
      () => undefined,
      (e: unknown) => e as { code?: number; keyPattern?: unknown; keyValue?: unknown },
    );
    expect(err?.code).to.equal(11000);
    expect(err?.keyPattern).to.deep.equal({ nationalId: 1 });
    expect(err?.keyValue).to.deep.equal({ nationalId: '0012345678' });
    expect(await Citizen.countDocuments()).to.equal(1);
  });

  it('runs aggregation pipelines with $group and $lookup', async () => {
    const Order = conn.model('Order', new Schema({ personId: String, total: Number }));
    await Order.create([
      { personId: '1', total: 10 },
      { personId: '1', total: 5 },
      { personId: '2', total: 7 },
    ]);
    const sums = await Order.aggregate([{ $group: { _id: '$personId', sum: { $sum: '$total' } } }, { $sort: { _id: 1 } }]);
    expect(sums).to.deep.equal([
      { _id: '1', sum: 15 },
      { _id: '2', sum: 7 },
    ]);
    const joined = await Order.aggregate([
      { $match: { personId: '2' } },
      { $lookup: { from: 'people', localField: 'personId', foreignField: 'nationalId', as: 'person' } },
      { $project: { _id: 0, total: 1, name: { $first: '$person.name' } } },
    ]);
    expect(joined).to.deep.equal([{ total: 7, name: 'x' }]);
  });

  it('commits a transaction through withTransaction', async () => {
    const Account = conn.model('Account', new Schema({ owner: String, balance: Number }));
    await Account.createCollection();
    await conn.transaction(async (session) => {
      await Account.create([{ owner: 'a', balance: 1 }], { session });
      await Account.create([{ owner: 'b', balance: 2 }], { session });
    });
    expect(await Account.countDocuments()).to.equal(2);
  });
});
