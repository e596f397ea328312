/**
 * killAllSessions and killSessions, as MongoDB's manual documents them: they kill the sessions' operations, so an
 * open transaction is aborted (its writes never appear; a later commit answers NoSuchTransaction) and the
 * session's cursors are closed.
 */
import { expect } from 'chai';
import { MongoServerError, type Document } from 'mongodb';
import { openTarget, rejection, type Target } from './target.js';

const NoSuchTransaction = 251;
const CursorNotFound = 43;

describe('killing sessions', () => {
  let target: Target;

  before(async () => {
    target = await openTarget('killsessions');
  });

  after(async () => {
    await target.close();
  });

  it('killAllSessions aborts an open transaction: its insert never appears and the commit answers NoSuchTransaction', async () => {
    await target.db.createCollection('killed');
    const session = target.client.startSession();
    try {
      session.startTransaction();
      await target.db.collection('killed').insertOne({ _id: 1 } as Document, { session });
      await target.client.db('admin').command({ killAllSessions: [] });
      const failed = await rejection(session.commitTransaction());
      expect(failed).to.be.instanceOf(MongoServerError);
      expect((failed as MongoServerError).code).to.equal(NoSuchTransaction);
    } finally {
      await session.endSession();
    }
    expect(await target.db.collection('killed').find().toArray()).to.deep.equal([]);
  });

  it('killSessions closes the cursors of the session it names', async () => {
    await target.db.collection('cursors').insertMany([{ _id: 1 }, { _id: 2 }, { _id: 3 }] as Document[]);
    const session = target.client.startSession();
    try {
      const cursor = target.db.collection('cursors').find({}, { session, batchSize: 1 });
      expect(await cursor.next()).to.deep.equal({ _id: 1 });
      await target.client.db('admin').command({ killSessions: [session.id] });
      const failed = await rejection(cursor.toArray());
      expect((failed as MongoServerError | undefined)?.code).to.equal(CursorNotFound);
    } finally {
      await session.endSession();
    }
  });
});
