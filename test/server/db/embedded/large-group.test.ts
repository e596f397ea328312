import { expect } from 'chai';
import { useTarget } from './target.js';

// A group larger than the parts a long aggregation is computed in must give the same answer as in one go.
describe('$group over groups of thousands of documents', () => {
  const t = useTarget('large_group');

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
  it('groups by an _id of several fields, strings or not, as one key per distinct combination', async () => {
    const c = t.db.collection<{ _id: number; province: string; status?: string | number | null }>('pairs');
    // strings mostly; some statuses null, a number or missing (the _id then has no status field)
    const status = (i: number) => (i % 50 === 0 ? null : i % 70 === 0 ? 7 : i % 90 === 0 ? undefined : ['logged', 'verified'][i % 2]);
    const docs = Array.from({ length: 10_000 }, (_, i) => {
      const s = status(i);
      return { _id: i, province: `0${i % 4}`, ...(s === undefined ? {} : { status: s }) };
    });
    await c.insertMany(docs);
    const rows = await c.aggregate([{ $group: { _id: { province: '$province', status: '$status' }, n: { $sum: 1 } } }]).toArray();
    const expected = new Map<string, { _id: Record<string, unknown>; n: number }>();
    for (const d of docs) {
      const _id = { province: d.province, ...('status' in d ? { status: d.status } : {}) };
      const key = JSON.stringify(_id);
      const row = expected.get(key) ?? { _id, n: 0 };
      row.n++;
      expected.set(key, row);
    }
    const byKey = (r: { _id?: unknown }) => JSON.stringify(r._id);
    expect([...rows].sort((a, b) => byKey(a).localeCompare(byKey(b)))).to.deep.equal([...expected.values()].sort((a, b) => byKey(a).localeCompare(byKey(b))));
  });
});
