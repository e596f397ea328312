import { expect } from 'chai';
import { MongoServerError } from 'mongodb';
import { rejection, useTarget } from './target.js';

// MongoDB manual, "cursor.min()" / "cursor.max()": an inclusive lower and exclusive upper bound on the keys of the
// index given by hint(), which they require; "cursor.returnKey()": only the index keys of each document.
describe('find min, max and returnKey answer from the index as MongoDB does', () => {
  const t = useTarget('indexbounds');
  const coll = () => t.db.collection<{ _id: number; x: number; y?: string }>('docs');

  before(async () => {
    await coll().insertMany([1, 2, 3, 4, 5].map((i) => ({ _id: i, x: i * 10, y: `v${i}` })));
    await coll().createIndex({ x: 1 });
  });

  it('keeps the hinted index keys from min (inclusive) to max (exclusive), before skip and limit', async () => {
    const ids = async (options: object) => (await coll().find({}, options).toArray()).map((d) => d._id);
    expect(await ids({ hint: { x: 1 }, min: { x: 20 }, max: { x: 50 } })).to.deep.equal([2, 3, 4]);
    expect(await ids({ hint: { x: 1 }, min: { x: 20 }, max: { x: 50 }, skip: 1, limit: 1 })).to.deep.equal([3]);
    expect(await ids({ hint: { x: 1 }, max: { x: 30 } })).to.deep.equal([1, 2]);
  });

  it('refuses min or max without a hint (51173)', async () => {
    const err = await rejection(coll().find({}, { min: { x: 20 } }).toArray());
    expect(err).to.be.instanceOf(MongoServerError);
    expect((err as MongoServerError).code).to.equal(51173);
  });

  it('returns only the index keys with returnKey', async () => {
    const keys = await coll().find({ _id: { $lte: 2 } }, { hint: { x: 1 }, returnKey: true }).toArray();
    expect(keys).to.deep.equal([{ x: 10 }, { x: 20 }]);
    const byId = await coll().find({}, { sort: { _id: 1 }, returnKey: true, limit: 2 }).toArray();
    expect(byId).to.deep.equal([{ _id: 1 }, { _id: 2 }]);
  });
});
