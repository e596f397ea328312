import { expect } from 'chai';
import { openTarget, type Target } from './target.js';

// A group larger than the parts a long aggregation is computed in must give the same answer as in one go.
describe('$group over groups of thousands of documents', () => {
  let t: Target;
  before(async () => {
    t = await openTarget('large_group');
  });
  after(async () => t.close());

  it('sums, finds the least and greatest and pushes in input order across the whole group', async () => {
    const c = t.db.collection<{ _id: number; g: string; v: number | null; w?: string }>('rows');
    const docs = Array.from({ length: 12_000 }, (_, i) => ({ _id: i, g: i % 3 === 0 ? 'a' : 'b', v: i % 7 === 0 ? null : (i * 37) % 1009, ...(i % 5 === 0 ? { w: `w${i}` } : {}) }));
    await c.insertMany(docs);
    const rows = await c
      .aggregate([{ $sort: { _id: 1 } }, { $group: { _id: '$g', n: { $sum: 1 }, total: { $sum: '$v' }, least: { $min: '$v' }, most: { $max: '$v' }, ws: { $push: '$w' }, firstW: { $min: '$w' } } }, { $sort: { _id: 1 } }])
      .toArray();
    const expected = ['a', 'b'].map((g) => {
      const group = docs.filter((d) => d.g === g);
      const values = group.map((d) => d.v).filter((v): v is number => v !== null);
      const ws = group.filter((d) => d.w !== undefined).map((d) => d.w!);
      return { _id: g, n: group.length, total: values.reduce((a, b) => a + b, 0), least: Math.min(...values), most: Math.max(...values), ws, firstW: [...ws].sort()[0] };
    });
    expect(rows).to.deep.equal(expected);
  });
});
