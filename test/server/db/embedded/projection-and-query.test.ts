import { expect } from 'chai';
import { Binary, DBRef, Decimal128, ObjectId } from 'mongodb';
import { Schema } from 'mongoose';
import { useTarget } from './target.js';

// MongoDB manual: "$slice (projection)" (neither inclusion nor exclusion), "$elemMatch (projection)",
// "$ (projection)", "$all" (equivalent to an $and of equalities), "$type", "Comparison/Sort Order"
// (BinData: length, then subtype, then bytes), "$bitsAllSet" (BinData bitmasks), "Database References".
describe('projections and query operators answer as MongoDB does', () => {
  const t = useTarget('projquery');

  const coll = (name: string) => t.db.collection<{ _id: number; [field: string]: unknown }>(name);

  it('keeps the other fields with a $slice projection, alone or beside an exclusion, and only the named ones beside an inclusion', async () => {
    const c = coll('slice');
    await c.insertOne({ _id: 1, a: 1, b: 2, arr: [1, 2, 3, 4, 5] });
    expect(await c.findOne({}, { projection: { arr: { $slice: 2 } } })).to.deep.equal({ _id: 1, a: 1, b: 2, arr: [1, 2] });
    expect(await c.findOne({}, { projection: { arr: { $slice: [1, 2] } } })).to.deep.equal({ _id: 1, a: 1, b: 2, arr: [2, 3] });
    expect(await c.findOne({}, { projection: { arr: { $slice: -1 }, b: 0 } })).to.deep.equal({ _id: 1, a: 1, arr: [5] });
    expect(await c.findOne({}, { projection: { arr: { $slice: -2 }, a: 1 } })).to.deep.equal({ _id: 1, a: 1, arr: [4, 5] });
  });

  it('populates with a slice through Mongoose', async () => {
    const conn = await t.mongoose();
    const Tag = conn.model('Tag', new Schema({ label: String }));
    const Post = conn.model('Post', new Schema({ title: String, tags: [{ type: Schema.Types.ObjectId, ref: 'Tag' }] }));
    const tags = await Tag.create([{ label: 'one' }, { label: 'two' }, { label: 'three' }]);
    await Post.create({ title: 'p', tags: tags.map((x) => x._id) });
    const post = await Post.findOne({ title: 'p' }).slice('tags', 2).populate('tags').lean();
    expect(post?.title).to.equal('p');
    expect((post?.tags as unknown as Array<{ label: string }>).map((x) => x.label)).to.deep.equal(['one', 'two']);
  });

  it('projects the first element matching an operator-only or a document $elemMatch, and the positional $', async () => {
    const c = coll('elemMatch');
    await c.insertOne({ _id: 1, ids: [1, 5, 9], kids: [{ n: 1 }, { n: 2 }, { n: 2, x: 1 }], other: true });
    expect(await c.findOne({}, { projection: { ids: { $elemMatch: { $in: [5, 9] } } } })).to.deep.equal({ _id: 1, ids: [5] });
    expect(await c.findOne({}, { projection: { kids: { $elemMatch: { n: 2 } } } })).to.deep.equal({ _id: 1, kids: [{ n: 2 }] });
    expect(await c.findOne({}, { projection: { ids: { $elemMatch: { $gt: 100 } } } })).to.deep.equal({ _id: 1 });
    expect(await c.findOne({ 'kids.n': 2 }, { projection: { 'kids.$': 1 } })).to.deep.equal({ _id: 1, kids: [{ n: 2 }] });
  });

  it('matches $all against a single non-array value equal to it', async () => {
    const c = coll('all');
    await c.insertMany([{ _id: 1, t: 5 }, { _id: 2, t: [5, 6] }, { _id: 3, t: 'x' }, { _id: 4, t: [6] }]);
    const ids = async (filter: object) => (await c.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await ids({ t: { $all: [5] } })).to.deep.equal([1, 2]);
    expect(await ids({ t: { $all: [5, 6] } })).to.deep.equal([2]);
    expect(await ids({ t: { $all: [] } })).to.deep.equal([]);
  });

  it('matches $type objectId, binData and decimal, and "number" for every numeric type', async () => {
    const c = coll('types');
    await c.insertMany([{ _id: 1, v: new ObjectId() }, { _id: 2, v: new Binary(Buffer.from('ab')) }, { _id: 3, v: Decimal128.fromString('1.5') }, { _id: 4, v: 2.5 }, { _id: 5, v: 'x' }, { _id: 6, v: [new ObjectId()] }]);
    const ids = async (type: string) => (await c.find({ v: { $type: type } as never }).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await ids('objectId')).to.deep.equal([1, 6]);
    expect(await ids('binData')).to.deep.equal([2]);
    expect(await ids('decimal')).to.deep.equal([3]);
    expect(await ids('double')).to.deep.equal([4]);
    expect(await ids('number')).to.deep.equal([3, 4]);
    expect(await ids('array')).to.deep.equal([6]);
  });

  it('orders BinData by length, then subtype, then bytes, in comparisons and sorts', async () => {
    const c = coll('bindata');
    await c.insertMany([
      { _id: 1, b: new Binary(Buffer.from([1, 2, 3])) },
      { _id: 2, b: new Binary(Buffer.from([9])) },
      { _id: 3, b: new Binary(Buffer.from([0, 0]), 4) },
      { _id: 4, b: new Binary(Buffer.from([0, 0])) },
    ]);
    const ids = async (filter: object) => (await c.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await ids({ b: { $gt: new Binary(Buffer.from([200])) } })).to.deep.equal([1, 3, 4]);
    expect(await ids({ b: { $lt: new Binary(Buffer.from([0, 0]), 4) } })).to.deep.equal([2, 4]);
    expect((await c.find().sort({ b: 1 }).toArray()).map((d) => d._id)).to.deep.equal([2, 4, 3, 1]);
  });

  it('tests bits of BinData with $bitsAllSet, $bitsAnySet, $bitsAllClear and $bitsAnyClear', async () => {
    const c = coll('bits');
    await c.insertMany([{ _id: 1, b: new Binary(Buffer.from([0b0101])) }, { _id: 2, b: new Binary(Buffer.from([0b0010, 0b1])) }, { _id: 3, b: 5 }]);
    const ids = async (filter: object) => (await c.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await ids({ b: { $bitsAllSet: [0, 2] } })).to.deep.equal([1, 3]);
    expect(await ids({ b: { $bitsAllSet: new Binary(Buffer.from([0b0101])) } })).to.deep.equal([1, 3]);
    expect(await ids({ b: { $bitsAnySet: [8] } })).to.deep.equal([2]);
    expect(await ids({ b: { $bitsAllClear: [0, 2] } })).to.deep.equal([2]);
    expect(await ids({ b: { $bitsAnyClear: [0, 1] } })).to.deep.equal([1, 2, 3]);
  });

  it("allows a DBRef's $id and $ref inside $elemMatch", async () => {
    const c = coll('refs');
    await c.insertMany([{ _id: 1, refs: [new DBRef('people', 7 as never), new DBRef('places', 8 as never)] }, { _id: 2, refs: [new DBRef('people', 9 as never)] }]);
    const ids = async (filter: object) => (await c.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await ids({ refs: { $elemMatch: { $id: 8 } } })).to.deep.equal([1]);
    expect(await ids({ refs: { $elemMatch: { $ref: 'people', $id: 9 } } })).to.deep.equal([2]);
  });
});
