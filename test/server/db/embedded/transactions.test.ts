import { expect } from 'chai';
import { MongoClient, MongoServerError } from 'mongodb';
import mongoose, { Schema } from 'mongoose';
import type { EmbeddedMongo } from '../../../../server/db/embedded/index.js';
import { connectMongoose, startServer } from './helpers.js';

describe('transactions on the embedded server', () => {
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

  it('leave nothing behind when a Mongoose withTransaction callback throws', async () => {
    const conn: mongoose.Connection = await connectMongoose(server.uri, 'txn-mongoose');
    try {
      const Enrolment = conn.model('Enrolment', new Schema({ person: String }));
      const Quota = conn.model('Quota', new Schema({ county: String, used: Number }));
      await Enrolment.createCollection();
      await Quota.create({ county: 'Sari', used: 0 });
      const failed = await conn
        .transaction(async (session) => {
          await Enrolment.create([{ person: 'a' }, { person: 'b' }], { session, ordered: true });
          await Quota.updateOne({ county: 'Sari' }, { $inc: { used: 2 } }, { session });
          await Quota.deleteMany({}, { session });
          throw new Error('quota check failed');
        })
        .then(
          () => undefined,
          (err: Error) => err,
        );
      expect(failed?.message).to.equal('quota check failed');
      expect(await Enrolment.countDocuments()).to.equal(0);
      expect((await Quota.findOne({ county: 'Sari' }).lean())?.used).to.equal(0);
    } finally {
      await conn.close();
    }
  });

  it('keep writes of an open transaction invisible to other sessions until commit', async () => {
    const c = client.db('txn').collection('visibility');
    await c.insertOne({ _id: 1, v: 'old' } as never);
    const session = client.startSession();
    try {
      session.startTransaction();
      await c.insertOne({ _id: 2, v: 'new' } as never, { session });
      await c.updateOne({ _id: 1 } as never, { $set: { v: 'changed' } }, { session });
      // Inside the transaction its own writes are visible...
      expect(await c.countDocuments({}, { session })).to.equal(2);
      expect((await c.findOne({ _id: 1 } as never, { session }))?.v).to.equal('changed');
      // ...outside they are not.
      expect(await c.countDocuments()).to.equal(1);
      expect((await c.findOne({ _id: 1 } as never))?.v).to.equal('old');
      expect(await c.find({ v: 'new' }).toArray()).to.deep.equal([]);
      await session.commitTransaction();
      expect(await c.find().sort({ _id: 1 }).toArray()).to.deep.equal([
        { _id: 1, v: 'changed' },
        { _id: 2, v: 'new' },
      ]);
    } finally {
      await session.endSession();
    }
  });

  it('read from a snapshot taken at the transaction start, whatever others commit meanwhile', async () => {
    const c = client.db('txn').collection('snapshot');
    await c.insertMany([
      { _id: 1, v: 'a' },
      { _id: 2, v: 'b' },
    ] as never[]);
    const session = client.startSession();
    try {
      session.startTransaction();
      expect(await c.countDocuments({}, { session })).to.equal(2);
      // Committed by others after the snapshot: an update, a delete and an insert.
      await c.updateOne({ _id: 1 } as never, { $set: { v: 'changed' } });
      await c.deleteOne({ _id: 2 } as never);
      await c.insertOne({ _id: 3, v: 'c' } as never);
      expect(await c.find({}, { session }).sort({ _id: 1 }).toArray()).to.deep.equal([
        { _id: 1, v: 'a' },
        { _id: 2, v: 'b' },
      ]);
      expect((await c.findOne({ v: 'b' }, { session }))?._id).to.equal(2);
      expect(await c.countDocuments({}, { session })).to.equal(2);
      // Writing a document changed since the snapshot is a write conflict.
      const err = await c.updateOne({ _id: 1 } as never, { $set: { v: 'mine' } }, { session }).then(
        () => undefined,
        (e: MongoServerError) => e.code,
      );
      expect(err).to.equal(112);
    } finally {
      await session.abortTransaction().catch(() => undefined);
      await session.endSession();
    }
    expect(await c.find().sort({ _id: 1 }).toArray()).to.deep.equal([
      { _id: 1, v: 'changed' },
      { _id: 3, v: 'c' },
    ]);
  });

  it('undo every write of an aborted transaction', async () => {
    const c = client.db('txn').collection('abort');
    await c.insertMany([{ _id: 1 }, { _id: 2 }] as never[]);
    const session = client.startSession();
    try {
      session.startTransaction();
      await c.deleteOne({ _id: 1 } as never, { session });
      await c.insertOne({ _id: 3 } as never, { session });
      await c.updateOne({ _id: 2 } as never, { $set: { x: 1 } }, { session });
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await c.find().sort({ _id: 1 }).toArray()).to.deep.equal([{ _id: 1 }, { _id: 2 }]);
  });

  it('answer WriteConflict (112) labelled TransientTransactionError to a second transaction writing the same document', async () => {
    const c = client.db('txn').collection('conflict');
    await c.insertOne({ _id: 1, n: 0 } as never);
    const a = client.startSession();
    const b = client.startSession();
    try {
      a.startTransaction();
      b.startTransaction();
      await c.updateOne({ _id: 1 } as never, { $inc: { n: 1 } }, { session: a });
      const err = await c.updateOne({ _id: 1 } as never, { $inc: { n: 10 } }, { session: b }).then(
        () => undefined,
        (e: MongoServerError) => e,
      );
      expect(err?.code).to.equal(112);
      expect(err?.codeName).to.equal('WriteConflict');
      expect(err?.hasErrorLabel('TransientTransactionError')).to.equal(true);
      await a.commitTransaction();
      await b.abortTransaction();
    } finally {
      await a.endSession();
      await b.endSession();
    }
    expect((await c.findOne({ _id: 1 } as never))?.n).to.equal(1);
  });

  it('let withTransaction retry after a write conflict and then succeed', async () => {
    const c = client.db('txn').collection('retry');
    await c.insertOne({ _id: 1, n: 0 } as never);
    const holder = client.startSession();
    const retrier = client.startSession();
    try {
      holder.startTransaction();
      await c.updateOne({ _id: 1 } as never, { $inc: { n: 1 } }, { session: holder });
      let attempts = 0;
      await retrier.withTransaction(async () => {
        attempts++;
        // The first attempt conflicts with the holder; before retrying, the holder commits.
        if (attempts === 2) await holder.commitTransaction();
        await c.updateOne({ _id: 1 } as never, { $inc: { n: 10 } }, { session: retrier });
      });
      expect(attempts).to.equal(2);
    } finally {
      await holder.endSession();
      await retrier.endSession();
    }
    expect((await c.findOne({ _id: 1 } as never))?.n).to.equal(11);
  });

  it('make a write outside any transaction wait for the transaction holding the document', async () => {
    const c = client.db('txn').collection('wait');
    await c.insertOne({ _id: 1, n: 0 } as never);
    const session = client.startSession();
    try {
      session.startTransaction();
      await c.updateOne({ _id: 1 } as never, { $set: { n: 1 } }, { session });
      const outside = c.updateOne({ _id: 1 } as never, { $inc: { n: 100 } });
      await session.commitTransaction();
      await outside;
    } finally {
      await session.endSession();
    }
    expect((await c.findOne({ _id: 1 } as never))?.n).to.equal(101);
  });

  it('give up waiting for a transaction after maxTimeMS with MaxTimeMSExpired (50)', async () => {
    const c = client.db('txn').collection('maxtime');
    await c.insertOne({ _id: 1, n: 0 } as never);
    const session = client.startSession();
    try {
      session.startTransaction();
      await c.updateOne({ _id: 1 } as never, { $set: { n: 1 } }, { session });
      const err = await c.updateOne({ _id: 1 } as never, { $set: { n: 2 } }, { maxTimeMS: 50 }).then(
        () => undefined,
        (e: MongoServerError) => e.code,
      );
      expect(err).to.equal(50);
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    expect((await c.findOne({ _id: 1 } as never))?.n).to.equal(1);
  });

  it('refuse a duplicate key inside a transaction against committed and own documents', async () => {
    const c = client.db('txn').collection('unique');
    await c.createIndex({ k: 1 }, { unique: true });
    await c.insertOne({ k: 1 });
    const session = client.startSession();
    try {
      session.startTransaction();
      await c.insertOne({ k: 2 }, { session });
      const errs = [];
      for (const k of [1, 2]) {
        errs.push(await c.insertOne({ k }, { session }).then(() => undefined, (e: MongoServerError) => e.code));
        if (session.inTransaction()) await session.abortTransaction().catch(() => undefined);
        session.startTransaction();
        await c.insertOne({ k: 2 }, { session });
      }
      expect(errs).to.deep.equal([11000, 11000]);
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await c.countDocuments()).to.equal(1);
  });
});
