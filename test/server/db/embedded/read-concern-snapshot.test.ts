import { expect } from 'chai';
import { MongoServerError, Timestamp } from 'mongodb';
import { openTarget, rejection, type Target } from './target.js';

// MongoDB manual, "Read Concern "snapshot"": outside multi-document transactions, read concern
// "snapshot" is available (5.0+) for find, aggregate and distinct only; "All other read commands
// prohibit "snapshot"", and writes outside a transaction do not take it either. "Snapshot Reads" (sessions):
// reads in a snapshot session all see the point in time of its first read (atClusterTime), whatever was written
// since; a read timestamp older than the history kept answers SnapshotTooOld (239).
describe('readConcern snapshot outside a transaction: find, aggregate and distinct only, each session at one point in time', () => {
  let t: Target;
  before(async () => {
    t = await openTarget('rcsnapshot');
    await t.db.collection('items').insertMany([{ _id: 1, x: 1 }, { _id: 2, x: 2 }] as never[]);
  });
  after(async () => t.close());

  it('reads with find, aggregate and distinct at readConcern snapshot', async () => {
    const items = t.db.collection('items');
    const snapshot = { readConcern: { level: 'snapshot' as const } };
    expect(await items.find({}, snapshot).sort({ _id: 1 }).toArray()).to.deep.equal([{ _id: 1, x: 1 }, { _id: 2, x: 2 }]);
    expect(await items.aggregate([{ $match: { x: 2 } }], snapshot).toArray()).to.deep.equal([{ _id: 2, x: 2 }]);
    expect((await t.db.command({ distinct: 'items', key: 'x', readConcern: { level: 'snapshot' } })).values).to.have.members([1, 2]);
  });

  it('refuses a write, count, listCollections and listIndexes at readConcern snapshot and changes nothing', async () => {
    const commands = [
      { insert: 'items', documents: [{ _id: 3, x: 3 }] },
      { update: 'items', updates: [{ q: { _id: 1 }, u: { $set: { x: 10 } } }] },
      { delete: 'items', deletes: [{ q: { _id: 2 }, limit: 1 }] },
      { findAndModify: 'items', query: { _id: 1 }, update: { $inc: { x: 1 } } },
      { count: 'items' },
      { listCollections: 1 },
      { listIndexes: 'items' },
    ];
    for (const command of commands) {
      const err = await rejection(t.db.command({ ...command, readConcern: { level: 'snapshot' } }));
      expect(err, Object.keys(command)[0]).to.be.instanceOf(MongoServerError);
    }
    expect(await t.db.collection('items').find().sort({ _id: 1 }).toArray()).to.deep.equal([{ _id: 1, x: 1 }, { _id: 2, x: 2 }]);
  });

  it('keeps every read of a snapshot session at the point in time of its first read', async () => {
    const items = t.db.collection<{ _id: number; x: number }>('pointintime');
    await items.insertMany([{ _id: 1, x: 11 }, { _id: 2, x: 11 }]);
    const session = t.client.startSession({ snapshot: true });
    try {
      expect(await items.find({ _id: 1 }, { session }).toArray()).to.deep.equal([{ _id: 1, x: 11 }]);
      await items.updateOne({ _id: 1 }, { $inc: { x: 1 } });
      await items.insertOne({ _id: 3, x: 33 });
      expect(await items.find({}, { session }).sort({ _id: 1 }).toArray()).to.deep.equal([{ _id: 1, x: 11 }, { _id: 2, x: 11 }]);
      expect(await items.distinct('x', {}, { session })).to.deep.equal([11]);
      expect(await items.aggregate([{ $match: { _id: 1 } }], { session }).toArray()).to.deep.equal([{ _id: 1, x: 11 }]);
      expect(await items.find({ _id: 1 }).toArray()).to.deep.equal([{ _id: 1, x: 12 }]);
    } finally {
      await session.endSession();
    }
  });

  it('answers SnapshotTooOld for a point in time older than the history it keeps', async () => {
    const err = await rejection(t.db.command({ find: 'items', readConcern: { level: 'snapshot', atClusterTime: new Timestamp({ t: 1, i: 1 }) } }));
    expect(err?.code).to.equal(239);
  });
});
