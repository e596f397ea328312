import { expect } from 'chai';
import { useTarget } from './target.js';

// MongoDB manual, "Comparison/Sort Order" (Objects): "MongoDB's comparison of BSON objects uses the following
// order: recursively compare key-value pairs in the order that they appear within the BSON object"; and
// "Query on Embedded/Nested Documents": "Equality matches on the whole embedded document require an exact match
// of the specified <value> document, including the field order." $pull with $in and arrayFilters take the same
// equality, as does the aggregation $eq.
describe('sub-documents are equal only with their fields in the same order', () => {
  const t = useTarget('fieldorder');
  const coll = () => t.db.collection<{ _id: number; o?: unknown; arr?: unknown[] }>('docs');

  before(async () => {
    await coll().insertMany([
      { _id: 1, o: { x: 1, y: 2 }, arr: [{ a: 1, b: 2 }, { b: 2, a: 1 }] },
      { _id: 2, o: { y: 2, x: 1 } },
    ]);
  });

  it('matches a whole embedded document in a find filter and in an aggregation $eq only in its own field order', async () => {
    expect((await coll().find({ o: { y: 2, x: 1 } }).toArray()).map((d) => d._id)).to.deep.equal([2]);
    const viaExpr = await coll().find({ $expr: { $eq: ['$o', { $literal: { y: 2, x: 1 } }] } }).toArray();
    expect(viaExpr.map((d) => d._id)).to.deep.equal([2]);
    const projected = await coll().aggregate([{ $project: { same: { $eq: ['$o', { $literal: { x: 1, y: 2 } }] } } }, { $sort: { _id: 1 } }]).toArray();
    expect(projected).to.deep.equal([{ _id: 1, same: true }, { _id: 2, same: false }]);
  });

  it('pulls with $in, and picks arrayFilters elements, only the element in the given field order', async () => {
    await coll().updateOne({ _id: 1 }, { $pull: { arr: { $in: [{ a: 1, b: 2 }] } } });
    expect((await coll().findOne({ _id: 1 }))?.arr).to.deep.equal([{ b: 2, a: 1 }]);
    await coll().updateOne({ _id: 1 }, { $push: { arr: { a: 1, b: 2 } } });
    await coll().updateOne({ _id: 1 }, { $set: { 'arr.$[e]': 'hit' } }, { arrayFilters: [{ e: { $eq: { a: 1, b: 2 } } }] });
    expect((await coll().findOne({ _id: 1 }))?.arr).to.deep.equal([{ b: 2, a: 1 }, 'hit']);
  });
});

// MongoDB manual, "Comparison/Sort Order" (Objects): after the order of the pairs, "compare the field types", then
// "if the field types are equal, compare the key field names", and only then "compare the field values".
describe('sub-documents sort by each field\'s type, then its name, then its value', () => {
  const t = useTarget('fieldsort');
  const coll = () => t.db.collection<{ _id: number; o: unknown }>('docs');

  before(async () => {
    await coll().insertMany([
      { _id: 1, o: { y: 1 } },
      { _id: 2, o: { x: 2 } },
      { _id: 3, o: { a: 'text' } },
      { _id: 4, o: { x: 1 } },
    ]);
  });

  it('puts a number field before a string field whatever their names, and a lower name before a lower value', async () => {
    const sorted = await coll().find({}, { sort: { o: 1 } }).toArray();
    expect(sorted.map((d) => d._id)).to.deep.equal([4, 2, 1, 3]);
  });
});

describe('$group keeps sub-document keys with their fields in another order apart', () => {
  const t = useTarget('fieldgroup');
  const coll = () => t.db.collection<{ _id: number; o: unknown }>('docs');

  before(async () => {
    await coll().insertMany([
      { _id: 1, o: { x: 1, y: 2 } },
      { _id: 2, o: { y: 2, x: 1 } },
      { _id: 3, o: { x: 1, y: 2 } },
    ]);
  });

  it('groups the stored documents into one group per field order', async () => {
    const groups = await coll().aggregate([{ $group: { _id: '$o', n: { $sum: 1 } } }, { $sort: { n: -1 } }]).toArray();
    expect(groups.map((g) => [Object.keys(g._id as object).join(','), g.n])).to.deep.equal([
      ['x,y', 2],
      ['y,x', 1],
    ]);
  });
});
