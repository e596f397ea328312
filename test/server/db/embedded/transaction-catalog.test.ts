/**
 * Collections created inside a transaction, and read/write concerns inherited from the client, as
 * MongoDB's manual describes them ("Transactions and Operations": since 4.4 a transaction may create
 * a collection explicitly or by a first insert; "Transactions and Read Concern": the transaction's
 * read concern is set on its first command, `local`/`majority`/`snapshot` only; write concern is set
 * on the transaction, not on its operations), on a one-member replica set.
 */
import { expect } from 'chai';
import { MongoClient, ReadPreference, type Db } from 'mongodb';
import { openTarget, rejection, type Target } from './target.js';

describe('transactions and the catalog', () => {
  let t: Target;

  before(async () => {
    t = await openTarget('txncat');
  });

  after(async () => {
    await t.close();
  });

  const names = async (db: Db) => (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();

  it('keep a collection created with createCollection in a transaction invisible until commit', async () => {
    const session = t.client.startSession();
    try {
      session.startTransaction();
      const created = await t.db.createCollection('explicit', { session });
      await created.insertOne({ _id: 1 as never, v: 'a' }, { session });
      expect(await created.countDocuments({}, { session })).to.equal(1);
      expect(await names(t.db)).to.not.include('explicit');
      expect(await t.db.collection('explicit').find().toArray()).to.deep.equal([]);
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    expect(await names(t.db)).to.include('explicit');
    expect(await t.db.collection('explicit').find().toArray()).to.deep.equal([{ _id: 1, v: 'a' }]);
  });

  it('keep a collection created by a first insert in a transaction invisible until commit, and drop it on abort', async () => {
    const session = t.client.startSession();
    try {
      session.startTransaction();
      await t.db.collection('implicit').insertOne({ _id: 1 as never }, { session });
      expect(await t.db.collection('implicit').find({}, { session }).toArray()).to.deep.equal([{ _id: 1 }]);
      expect(await names(t.db)).to.not.include('implicit');
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await names(t.db)).to.not.include('implicit');
    expect(await t.db.collection('implicit').countDocuments()).to.equal(0);
  });

  it('refuse createCollection in a transaction for a name that exists, with NamespaceExists (48)', async () => {
    await t.db.createCollection('existing');
    const session = t.client.startSession();
    try {
      session.startTransaction();
      const err = await rejection(t.db.createCollection('existing', { session }));
      expect(err?.code).to.equal(48);
      await session.abortTransaction().catch(() => undefined);
    } finally {
      await session.endSession();
    }
  });

  it('run a transaction with the read concern, write concern and read preference of the client', async () => {
    const client = await new MongoClient(t.uri, {
      readConcern: { level: 'majority' },
      writeConcern: { w: 'majority', journal: true },
      readPreference: ReadPreference.PRIMARY_PREFERRED,
    }).connect();
    try {
      const coll = client.db(t.dbName).collection('inherited');
      await coll.insertOne({ _id: 1 as never, n: 0 });
      const session = client.startSession();
      try {
        await session.withTransaction(async () => {
          await coll.updateOne({ _id: 1 as never }, { $inc: { n: 1 } }, { session });
          expect((await coll.findOne({ _id: 1 as never }, { session }))?.n).to.equal(1);
          await coll.insertOne({ _id: 2 as never, n: 5 }, { session });
          // A transaction reads from the primary (the driver refuses any other read preference).
        }, { readPreference: ReadPreference.PRIMARY });
      } finally {
        await session.endSession();
      }
      // On a one-member replica set, secondaryPreferred and nearest read from the primary.
      const secondaryPreferred = client.db(t.dbName).collection('inherited', { readPreference: ReadPreference.SECONDARY_PREFERRED });
      expect(await secondaryPreferred.countDocuments()).to.equal(2);
      const nearest = client.db(t.dbName).collection('inherited', { readPreference: ReadPreference.NEAREST });
      expect(await nearest.find().sort({ _id: 1 }).toArray()).to.deep.equal([
        { _id: 1, n: 1 },
        { _id: 2, n: 5 },
      ]);
    } finally {
      await client.close();
    }
  });

  it('refuse a transaction whose read concern is linearizable or available, with InvalidOptions (72)', async () => {
    for (const level of ['linearizable', 'available'] as const) {
      const client = await new MongoClient(t.uri, { readConcern: { level } }).connect();
      try {
        const session = client.startSession();
        try {
          session.startTransaction();
          const err = await rejection(client.db(t.dbName).collection('inherited').findOne({}, { session }));
          expect(err?.code, level).to.equal(72);
          await session.abortTransaction().catch(() => undefined);
        } finally {
          await session.endSession();
        }
        // Outside a transaction the same client reads normally.
        expect(await client.db(t.dbName).collection('inherited').countDocuments()).to.equal(2);
      } finally {
        await client.close();
      }
    }
  });

  it('refuse a read concern on a later command of a transaction, leaving the transaction open', async () => {
    const session = t.client.startSession();
    const db = t.client.db(t.dbName);
    try {
      session.startTransaction();
      await db.collection('inherited').findOne({}, { session });
      // The driver puts readConcern on the first command only; a raw command can carry it later.
      const err = await rejection(db.command({ find: 'inherited', readConcern: { level: 'majority' } }, { session }));
      expect(err?.code).to.equal(72);
      await db.collection('inherited').updateOne({ _id: 2 as never }, { $set: { later: true } }, { session });
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    expect((await db.collection('inherited').findOne({ _id: 2 as never }))?.later).to.equal(true);
  });
});
