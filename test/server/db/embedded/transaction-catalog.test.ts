/**
 * Collections created inside a transaction, and read/write concerns inherited from the client, as
 * MongoDB's manual describes them ("Transactions and Operations": since 4.4 a transaction may create
 * a collection explicitly or by a first insert; "Transactions and Read Concern": the transaction's
 * read concern is set on its first command, `local`/`majority`/`snapshot` only; write concern is set
 * on the transaction, not on its operations), on a one-member replica set.
 */
import { expect } from 'chai';
import { MongoClient, ReadPreference, Timestamp, type ClientSession, type Db, type MongoServerError } from 'mongodb';
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

/**
 * MongoDB's rules for catalog changes and other operations in a transaction ("Transactions and
 * Operations", "Create Collections and Indexes in a Transaction", "Read Concern snapshot"), and
 * what its own tests show for a collection created inside and outside a transaction at once
 * (jstests/core/txns/create_collection_parallel.js: both creations succeed, the commit fails).
 */
describe('catalog changes and restricted operations in transactions', () => {
  let t: Target;

  before(async () => {
    t = await openTarget('txnops');
  });

  after(async () => {
    await t.close();
  });

  const names = async (db: Db) => (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();

  /** The code a later command of the session's transaction gets: 251 once the transaction was aborted. */
  const nextCommandCode = async (session: ClientSession) => (await rejection(t.db.collection('probe').insertOne({}, { session })))?.code;

  it('refuse createCollection and createIndex in a transaction whose read concern is not local, with InvalidOptions (72), aborting it', async () => {
    for (const level of ['snapshot', 'majority'] as const) {
      const session = t.client.startSession();
      try {
        session.startTransaction({ readConcern: { level } });
        const created = await rejection(t.db.createCollection(`explicit_${level}`, { session }));
        expect(created?.code, level).to.equal(72);
        expect(await nextCommandCode(session), level).to.equal(251);
        await session.abortTransaction();

        session.startTransaction({ readConcern: { level } });
        const indexed = await rejection(t.db.collection(`indexed_${level}`).createIndex({ a: 1 }, { session }));
        expect(indexed?.code, level).to.equal(72);
        await session.abortTransaction();
      } finally {
        await session.endSession();
      }
      expect(await names(t.db)).to.not.include.members([`explicit_${level}`, `indexed_${level}`]);
    }
  });

  it('let a first insert create a collection in a transaction under any read concern', async () => {
    const session = t.client.startSession();
    try {
      session.startTransaction({ readConcern: { level: 'snapshot' } });
      await t.db.collection('implicit_snapshot').insertOne({ _id: 1 as never }, { session });
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    expect(await t.db.collection('implicit_snapshot').find().toArray()).to.deep.equal([{ _id: 1 }]);
  });

  it("take the read concern of startTransaction over the session's default transaction options", async () => {
    const session = t.client.startSession({ defaultTransactionOptions: { readConcern: { level: 'snapshot' } } });
    try {
      session.startTransaction({ readConcern: { level: 'local' } });
      await t.db.createCollection('overridden', { session });
      await session.commitTransaction();

      session.startTransaction();
      const err = await rejection(t.db.createCollection('session_default', { session }));
      expect(err?.code).to.equal(72);
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await names(t.db)).to.include('overridden').and.not.include('session_default');
  });

  it('fail the commit with WriteConflict (112) when the collection the transaction created was created outside it meanwhile', async () => {
    const session = t.client.startSession();
    try {
      session.startTransaction();
      await t.db.createCollection('raced', { session });
      await t.db.collection('raced').insertOne({ _id: 1 as never, from: 'transaction' }, { session });
      await t.db.collection('raced_too').insertOne({ _id: 1 as never }, { session });
      // Outside the transaction the collection does not exist yet: creating it and writing to it succeed.
      await t.db.createCollection('raced');
      await t.db.collection('raced').insertOne({ _id: 2 as never, from: 'outside' });
      const err = await rejection(session.commitTransaction());
      expect(err?.code).to.equal(112);
      expect((err as MongoServerError | undefined)?.hasErrorLabel('TransientTransactionError')).to.equal(true);
    } finally {
      await session.endSession();
    }
    expect(await t.db.collection('raced').find().toArray()).to.deep.equal([{ _id: 2, from: 'outside' }]);
    expect(await names(t.db)).to.not.include('raced_too');
  });

  it('fail the later of two transactions that create the same collection at commit, with WriteConflict (112)', async () => {
    const first = t.client.startSession();
    const second = t.client.startSession();
    try {
      first.startTransaction();
      second.startTransaction();
      await t.db.collection('twice').insertOne({ _id: 1 as never }, { session: first });
      await t.db.collection('twice').insertOne({ _id: 2 as never }, { session: second });
      await first.commitTransaction();
      expect((await rejection(second.commitTransaction()))?.code).to.equal(112);
    } finally {
      await first.endSession();
      await second.endSession();
    }
    expect(await t.db.collection('twice').find().toArray()).to.deep.equal([{ _id: 1 }]);
  });

  // MongoDB's jstests/core/txns/create_collection_parallel.js: a create cannot observe a collection
  // created after the transaction's snapshot, so it succeeds and the commit fails with WriteConflict.
  it('let a transaction create a collection someone else created after its snapshot, and fail its commit with WriteConflict (112)', async () => {
    await t.db.collection('before_snapshot').insertOne({ _id: 1 as never });
    const session = t.client.startSession();
    try {
      session.startTransaction();
      // The first read takes the transaction's snapshot.
      expect(await t.db.collection('before_snapshot').countDocuments({}, { session })).to.equal(1);
      await t.db.createCollection('after_snapshot');
      await t.db.collection('after_snapshot').insertOne({ _id: 2 as never, from: 'outside' });
      await t.db.createCollection('after_snapshot', { session });
      await t.db.collection('after_snapshot').insertOne({ _id: 1 as never, from: 'transaction' }, { session });
      const err = await rejection(session.commitTransaction());
      expect(err?.code).to.equal(112);
      expect((err as MongoServerError | undefined)?.hasErrorLabel('TransientTransactionError')).to.equal(true);
    } finally {
      await session.endSession();
    }
    expect(await t.db.collection('after_snapshot').find().toArray()).to.deep.equal([{ _id: 2, from: 'outside' }]);
  });

  it("apply the default collation of a collection created in a transaction to the transaction's own reads and writes", async () => {
    const session = t.client.startSession();
    try {
      session.startTransaction();
      await t.db.createCollection('collated_in_txn', { session, collation: { locale: 'en', strength: 2 } });
      const c = t.db.collection('collated_in_txn');
      await c.insertMany([{ _id: 1 as never, n: 'abc' }, { _id: 2 as never, n: 'ABC' }, { _id: 3 as never, n: 'b' }], { session });
      expect(await c.countDocuments({ n: 'abc' }, { session })).to.equal(2);
      expect((await c.find({ n: 'ABC' }, { session }).sort({ _id: 1 }).toArray()).map((d) => d._id)).to.deep.equal([1, 2]);
      expect((await c.updateMany({ n: 'aBc' }, { $set: { hit: true } }, { session })).modifiedCount).to.equal(2);
      expect((await c.aggregate([{ $match: { n: 'ABC' } }, { $count: 'n' }], { session }).toArray())[0]).to.deep.equal({ n: 2 });
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    expect(await t.db.collection('collated_in_txn').countDocuments({ hit: true })).to.equal(2);
  });

  // getmore_cmd.cpp (validateTxnNumber): a cursor belongs to the transaction it was opened in, or to none.
  it('refuse a getMore in a transaction on a cursor opened outside it with 50739, aborting the transaction', async () => {
    await t.db.collection('paged').insertMany([{ p: 1 }, { p: 2 }, { p: 3 }, { p: 4 }]);
    const session = t.client.startSession();
    try {
      const cursor = t.db.collection('paged').find({}, { session, batchSize: 2 });
      await cursor.next();
      session.startTransaction();
      await t.db.collection('paged').findOne({}, { session });
      const err = await rejection((async () => {
        for (let i = 0; i < 3; i++) await cursor.next();
      })());
      expect(err?.code).to.equal(50739);
      expect(await nextCommandCode(session)).to.equal(251);
      await session.abortTransaction().catch(() => undefined);
      await cursor.close().catch(() => undefined);
    } finally {
      await session.endSession();
    }
  });

  it('build an index created in a transaction on its new empty collection, enforcing it on the writes of the transaction', async () => {
    const session = t.client.startSession();
    try {
      session.startTransaction();
      const coll = t.db.collection('indexed_new');
      await coll.createIndex({ code: 1 }, { unique: true, name: 'code_1', session });
      await coll.insertOne({ _id: 1 as never, code: 'a' }, { session });
      await session.commitTransaction();

      session.startTransaction();
      await t.db.createCollection('indexed_dup', { session });
      await t.db.collection('indexed_dup').createIndex({ code: 1 }, { unique: true, session });
      await t.db.collection('indexed_dup').insertOne({ _id: 1 as never, code: 'a' }, { session });
      const dup = await rejection(t.db.collection('indexed_dup').insertOne({ _id: 2 as never, code: 'a' }, { session }));
      expect(dup?.code).to.equal(11000);
      await session.abortTransaction();

      // Not once the transaction has written to the new collection.
      session.startTransaction();
      await t.db.collection('indexed_late').insertOne({ _id: 1 as never, code: 'a' }, { session });
      expect((await rejection(t.db.collection('indexed_late').createIndex({ code: 1 }, { session })))?.code).to.equal(263);
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    const indexes = await t.db.collection('indexed_new').listIndexes().toArray();
    expect(indexes.map((i) => [i.name, i.unique ?? false])).to.deep.equal([
      ['_id_', false],
      ['code_1', true],
    ]);
    expect(await names(t.db)).to.not.include.members(['indexed_dup', 'indexed_late']);
  });

  it('refuse a new index on an existing collection in a transaction (263), accept one that exists, refuse a conflicting one (86)', async () => {
    const coll = t.db.collection('indexed_existing');
    await coll.createIndex({ a: 1 }, { name: 'a_1' });
    const session = t.client.startSession();
    try {
      session.startTransaction();
      await coll.createIndex({ a: 1 }, { name: 'a_1', session });
      await session.commitTransaction();

      session.startTransaction();
      expect((await rejection(coll.createIndex({ b: 1 }, { session })))?.code).to.equal(263);
      await session.abortTransaction();

      session.startTransaction();
      expect((await rejection(coll.createIndex({ a: -1 }, { name: 'a_1', session })))?.code).to.equal(86);
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).to.deep.equal(['_id_', 'a_1']);
  });

  it('drop a collection an open transaction wrote to only after that transaction ends, so its commit does not bring it back', async () => {
    const coll = t.db.collection('dropped_later');
    await coll.insertOne({ _id: 1 as never });
    const session = t.client.startSession();
    try {
      session.startTransaction();
      await coll.insertOne({ _id: 2 as never }, { session });
      // MongoDB's drop waits for the transaction's lock on the collection, then drops what it committed.
      const dropped = coll.drop();
      await session.commitTransaction();
      await dropped;
    } finally {
      await session.endSession();
    }
    expect(await names(t.db)).to.not.include('dropped_later');
    expect(await coll.countDocuments()).to.equal(0);
  });

  it('build a unique index on a collection an open transaction wrote to only after it commits, refusing the duplicate it committed', async () => {
    const coll = t.db.collection('indexed_later');
    await coll.insertOne({ _id: 1 as never, k: 'a' });
    const session = t.client.startSession();
    try {
      session.startTransaction();
      await coll.insertOne({ _id: 2 as never, k: 'a' }, { session });
      const indexed = rejection(coll.createIndex({ k: 1 }, { unique: true }));
      await session.commitTransaction();
      expect((await indexed)?.code).to.equal(11000);
    } finally {
      await session.endSession();
    }
    expect(await coll.find().sort({ _id: 1 }).toArray()).to.deep.equal([
      { _id: 1, k: 'a' },
      { _id: 2, k: 'a' },
    ]);
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).to.deep.equal(['_id_']);
  });

  it('refuse count, listCollections, listIndexes and drop in a transaction with OperationNotSupportedInTransaction (263), leaving it open', async () => {
    await t.db.createCollection('restricted');
    const session = t.client.startSession();
    try {
      session.startTransaction();
      await t.db.collection('restricted').insertOne({ _id: 1 as never }, { session });
      for (const command of [{ count: 'restricted' }, { listCollections: 1 }, { listIndexes: 'restricted' }, { drop: 'restricted' }]) {
        const err = await rejection(t.db.command(command, { session }));
        expect(err?.code, Object.keys(command)[0]).to.equal(263);
      }
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    expect(await t.db.collection('restricted').find().toArray()).to.deep.equal([{ _id: 1 }]);
  });

  it('refuse $out and $merge in a transaction with OperationNotSupportedInTransaction (263)', async () => {
    await t.db.collection('source').insertOne({ _id: 1 as never });
    for (const stage of [{ $out: 'out_target' }, { $merge: { into: 'merge_target' } }]) {
      const session = t.client.startSession();
      try {
        session.startTransaction();
        const err = await rejection(t.db.collection('source').aggregate([stage], { session }).toArray());
        expect(err?.code, Object.keys(stage)[0]).to.equal(263);
        await session.abortTransaction();
      } finally {
        await session.endSession();
      }
    }
    expect(await names(t.db)).to.not.include.members(['out_target', 'merge_target']);
  });

  it('refuse writes to system collections (50791) and reads of the config database (50844) in a transaction', async () => {
    const session = t.client.startSession();
    try {
      session.startTransaction();
      expect((await rejection(t.db.collection('system.js').insertOne({ _id: 'f' as never }, { session })))?.code).to.equal(50791);
      await session.abortTransaction();

      session.startTransaction();
      expect((await rejection(t.client.db('config').collection('anything').findOne({}, { session })))?.code).to.equal(50844);
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
  });

  it('read at read concern snapshot outside a transaction with find, aggregate and distinct, at a given atClusterTime', async () => {
    const coll = t.db.collection('snapshots');
    const session = t.client.startSession({ causalConsistency: true });
    try {
      await coll.insertMany([{ _id: 1 as never, g: 'x' }, { _id: 2 as never, g: 'y' }], { session });
      const atClusterTime = session.operationTime!;
      const readConcern = { level: 'snapshot', atClusterTime };
      const found = await t.db.command({ find: 'snapshots', sort: { _id: 1 }, readConcern });
      expect(found.cursor.firstBatch).to.deep.equal([{ _id: 1, g: 'x' }, { _id: 2, g: 'y' }]);
      expect(found.cursor.atClusterTime.equals(atClusterTime)).to.equal(true);
      const grouped = await t.db.command({ aggregate: 'snapshots', pipeline: [{ $count: 'n' }], cursor: {}, readConcern });
      expect(grouped.cursor.firstBatch).to.deep.equal([{ n: 2 }]);
      const distinct = await t.db.command({ distinct: 'snapshots', key: 'g', readConcern });
      expect(distinct.values.sort()).to.deep.equal(['x', 'y']);
    } finally {
      await session.endSession();
    }
    // A snapshot session reads all its commands at the snapshot of its first, whatever is written since.
    const snapshot = t.client.startSession({ snapshot: true });
    try {
      expect(await coll.countDocuments({}, { session: snapshot })).to.equal(2);
      await coll.insertOne({ _id: 3 as never, g: 'z' });
      await coll.deleteOne({ _id: 1 as never });
      expect(await coll.find({}, { session: snapshot }).sort({ _id: 1 }).toArray()).to.deep.equal([
        { _id: 1, g: 'x' },
        { _id: 2, g: 'y' },
      ]);
      expect(await coll.distinct('g', {}, { session: snapshot })).to.have.members(['x', 'y']);
    } finally {
      await snapshot.endSession();
    }
    expect(await coll.distinct('g')).to.have.members(['y', 'z']);
  });

  it('refuse read concern snapshot outside a transaction on count and on writes, with InvalidOptions (72)', async () => {
    const readConcern = { level: 'snapshot' };
    for (const command of [
      { count: 'snapshots', readConcern },
      { insert: 'snapshots', documents: [{ _id: 9 }], readConcern },
      { update: 'snapshots', updates: [{ q: { _id: 1 }, u: { $set: { x: 1 } } }], readConcern },
      { delete: 'snapshots', deletes: [{ q: { _id: 1 }, limit: 1 }], readConcern },
      { findAndModify: 'snapshots', query: { _id: 1 }, remove: true, readConcern },
      // atClusterTime belongs to read concern snapshot only.
      { find: 'snapshots', readConcern: { level: 'local', atClusterTime: new Timestamp({ t: 1, i: 1 }) } },
    ]) {
      expect((await rejection(t.db.command(command)))?.code, Object.keys(command)[0]).to.equal(72);
    }
    expect(await t.db.collection('snapshots').countDocuments()).to.equal(2);
  });
});
