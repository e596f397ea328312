import { expect } from 'chai';
import { MongoServerError } from 'mongodb';
import { useTarget } from './target.js';

// Under steady load some transaction is always open; one that stays open must keep reading its snapshot.
describe('a transaction open while many others come and go', () => {
  const t = useTarget('long_txn');

  it('reads the documents as they were when it began, after twelve thousand writes and other transactions, and conflicts on a changed one', async function () {
    this.timeout(120_000);
    const c = t.db.collection<{ _id: number; n: number }>('counters');
    await c.insertMany(Array.from({ length: 100 }, (_, i) => ({ _id: i, n: 0 })));
    const long = t.client.startSession();
    try {
      long.startTransaction();
      expect((await c.findOne({ _id: 7 }, { session: long }))?.n).to.equal(0);
      for (let round = 1; round <= 120; round++) {
        await c.updateMany({}, { $inc: { n: 1 } });
        // Short transactions beginning and ending meanwhile, as the application's enrolments do.
        if (round % 10 === 0) {
          const short = t.client.startSession();
          try {
            await short.withTransaction(async () => {
              await c.updateOne({ _id: 99 }, { $inc: { n: 1000 } }, { session: short });
            });
          } finally {
            await short.endSession();
          }
        }
      }
      expect((await c.findOne({ _id: 7 }, { session: long }))?.n).to.equal(0);
      expect((await c.findOne({ _id: 99 }, { session: long }))?.n).to.equal(0);
      const err = await c.updateOne({ _id: 7 }, { $inc: { n: 1 } }, { session: long }).then(
        () => undefined,
        (e: MongoServerError) => e,
      );
      expect(err?.code).to.equal(112); // WriteConflict
    } finally {
      await long.abortTransaction().catch(() => undefined);
      await long.endSession();
    }
    expect((await c.findOne({ _id: 7 }))?.n).to.equal(120);
    expect((await c.findOne({ _id: 99 }))?.n).to.equal(120 + 12 * 1000);
  });

  it('keeps each of two overlapping transactions on its own snapshot when the older one ends first', async () => {
    const c = t.db.collection<{ _id: number; n: number }>('overlapping');
    await c.insertMany([{ _id: 1, n: 0 }, { _id: 2, n: 0 }]);
    const older = t.client.startSession();
    const younger = t.client.startSession();
    try {
      older.startTransaction();
      expect((await c.findOne({ _id: 1 }, { session: older }))?.n).to.equal(0);
      await c.updateMany({}, { $set: { n: 1 } });
      younger.startTransaction();
      expect((await c.findOne({ _id: 1 }, { session: younger }))?.n).to.equal(1);
      await c.updateMany({}, { $set: { n: 2 } });
      await c.insertOne({ _id: 3, n: 2 });
      expect((await c.find({}, { session: older }).sort({ _id: 1 }).toArray()).map((d) => d.n)).to.deep.equal([0, 0]);
      await older.commitTransaction();
      // the versions only the older one read are gone; those the younger one reads stay
      expect((await c.find({}, { session: younger }).sort({ _id: 1 }).toArray()).map((d) => d.n)).to.deep.equal([1, 1]);
      await c.updateOne({ _id: 2 }, { $set: { n: 3 } });
      expect((await c.findOne({ _id: 2 }, { session: younger }))?.n).to.equal(1);
      await younger.commitTransaction();
    } finally {
      await older.endSession();
      await younger.endSession();
    }
    expect((await c.find().sort({ _id: 1 }).toArray()).map((d) => d.n)).to.deep.equal([2, 3, 2]);
  });
});
