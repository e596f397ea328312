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
});
