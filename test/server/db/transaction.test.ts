import { expect } from 'chai';
import mongoose from 'mongoose';
import { inTransaction } from '../../../server/db/transaction.js';
import { resetDatabase } from '../../support/database.js';

describe('inTransaction', () => {
  beforeEach(() => resetDatabase());

  it('retries conflicting transactions until every one has committed once', async () => {
    const counters = mongoose.connection.collection('transaction_test_counters');
    await counters.insertOne({ _id: 'hot' as never, n: 0 });
    let attempts = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        inTransaction(async (session) => {
          attempts++;
          await counters.updateOne({ _id: 'hot' as never }, { $inc: { n: 1 } }, { session });
        }),
      ),
    );
    expect((await counters.findOne({ _id: 'hot' as never }))!.n).to.equal(20);
    expect(attempts).to.be.greaterThan(20, 'the transactions did conflict, and were retried');
  });

  it('lets transactions of one queue take turns, without conflicts', async () => {
    const counters = mongoose.connection.collection('transaction_test_counters');
    await counters.insertOne({ _id: 'queued' as never, n: 0 });
    let attempts = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        inTransaction(
          async (session) => {
            attempts++;
            await counters.updateOne({ _id: 'queued' as never }, { $inc: { n: 1 } }, { session });
          },
          { queue: 'queued' },
        ),
      ),
    );
    expect((await counters.findOne({ _id: 'queued' as never }))!.n).to.equal(20);
    expect(attempts).to.equal(20);
  });

  it('lets a transaction of several queues take turns with the transactions of each, without conflicts', async () => {
    const counters = mongoose.connection.collection('transaction_test_counters');
    await counters.insertMany([{ _id: 'a' as never, n: 0 }, { _id: 'b' as never, n: 0 }]);
    let attempts = 0;
    // every third writes both documents, the others one of them: all of them queue on what they write
    const keysOf = (i: number) => (i % 3 === 0 ? ['a', 'b'] : i % 3 === 1 ? ['a'] : ['b']);
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        inTransaction(
          async (session) => {
            attempts++;
            for (const key of keysOf(i)) await counters.updateOne({ _id: key as never }, { $inc: { n: 1 } }, { session });
          },
          { queue: keysOf(i) },
        ),
      ),
    );
    expect((await counters.find({}).sort({ _id: 1 }).toArray()).map((c) => c.n)).to.deep.equal([20, 20]);
    expect(attempts).to.equal(30);
  });

  it('writes nothing when the work fails, and lets the error through', async () => {
    const items = mongoose.connection.collection('transaction_test_items');
    const failure = await inTransaction(async (session) => {
      await items.insertOne({ name: 'half' }, { session });
      throw new Error('the second write failed');
    }).catch((err: Error) => err.message);
    expect(failure).to.equal('the second write failed');
    expect(await items.countDocuments()).to.equal(0);
  });
});
