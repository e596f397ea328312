import { expect } from 'chai';
import { MongoServerError } from 'mongodb';
import { openTarget, rejection, type Target } from './target.js';

// MongoDB manual, "Read Concern "snapshot"": outside multi-document transactions, read concern
// "snapshot" is available (5.0+) for find, aggregate and distinct only; "All other read commands
// prohibit "snapshot"", and writes outside a transaction do not take it either.
describe('readConcern snapshot outside a transaction is accepted only by find, aggregate and distinct', () => {
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
});
