import { expect } from 'chai';
import { rejection, useTarget } from './target.js';

// $set through an array index past its end. mongod's jstests/core/set7.js: the missing elements are
// padded with null, in index order whatever order the update names them; past 1,500,000 nulls of
// padding (mongod's kMaxPaddingAllowed) the update is refused with CannotBackfillArray (34).
describe('$set of an array index past the end of the array', () => {
  const t = useTarget('arridx');

  let n = 0;
  const coll = () => t.db.collection<{ _id: number; a?: unknown }>(`c${++n}`);

  it('pads the array with nulls up to the index', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, a: [0, 1, 2, 3] });
    await c.updateOne({ _id: 1 }, { $set: { 'a.9': 9, 'a.7': 7 } });
    expect((await c.findOne({ _id: 1 }))?.a).to.deep.equal([0, 1, 2, 3, null, null, null, 7, null, 9]);
  });

  it('refuses more than 1,500,000 nulls of padding (34) and leaves the document as it was', async () => {
    const c = coll();
    await c.insertOne({ _id: 1, a: [] });
    for (const index of [1_500_001, 1_000_000_000]) {
      const err = await rejection(c.updateOne({ _id: 1 }, { $set: { [`a.${index}`]: 1 } }));
      expect(err?.code).to.equal(34);
    }
    expect((await c.findOne({ _id: 1 }))?.a).to.deep.equal([]);
  });
});
