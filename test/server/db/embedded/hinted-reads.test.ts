import { expect } from 'chai';
import { Schema } from 'mongoose';
import { rejection, useTarget } from './target.js';

// MongoDB manual: "cursor.hint()" (the hinted index is the plan the query runs with), "Sparse
// Indexes" ("if a sparse index would result in an incomplete result set ... MongoDB will not use
// that index unless a hint() explicitly specifies the index": a hinted sparse index finds only the
// documents it holds), "Index Scan" order: without a sort, an index scan returns documents in the
// index's key order (forward for the pattern as written).
describe('reads with a hint run on the hinted index', () => {
  const t = useTarget('hinted');

  let n = 0;
  const coll = () => t.db.collection<{ _id: number; [field: string]: unknown }>(`c${++n}`);

  const items = [
    { _id: 1, name: 'Andrew', qty: 4 },
    { _id: 2, name: 'Betty', qty: 5 },
    { _id: 3, name: 'Charlie', qty: 4 },
  ];

  it('find without a sort returns documents in the hinted index order', async () => {
    const c = coll();
    await c.insertMany(items);
    await c.createIndex({ qty: -1, name: -1 });
    await c.createIndex({ name: 1 }, { name: 'by_name' });
    const byKey = await c.find({}).hint({ qty: -1, name: -1 }).toArray();
    expect(byKey.map((d) => d.name)).to.deep.equal(['Betty', 'Charlie', 'Andrew']);
    const byName = await c.find({ qty: 4 }).hint('by_name').toArray();
    expect(byName.map((d) => d.name)).to.deep.equal(['Andrew', 'Charlie']);
    // An explicit sort still decides the order.
    const sorted = await c.find({}).sort({ _id: 1 }).hint({ qty: -1, name: -1 }).toArray();
    expect(sorted.map((d) => d._id)).to.deep.equal([1, 2, 3]);
  });

  it('the first document in the hinted order is the one updateOne, deleteOne and findOneAndUpdate take', async () => {
    const c = coll();
    await c.insertMany(items);
    await c.createIndex({ qty: -1, name: -1 });
    await c.updateOne({}, { $set: { picked: 'update' } }, { hint: { qty: -1, name: -1 } });
    expect((await c.findOne({ picked: 'update' }))?._id).to.equal(2);
    const found = await c.findOneAndUpdate({ qty: 4 }, { $set: { picked: 'fam' } }, { hint: { qty: -1, name: -1 } });
    expect(found?._id).to.equal(3);
    await c.deleteOne({ qty: 4 }, { hint: { qty: -1, name: -1 } });
    expect((await c.find({}).sort({ _id: 1 }).toArray()).map((d) => d._id)).to.deep.equal([1, 2]);
  });

  it('aggregate with a hint reads in the hinted index order (through Mongoose too)', async () => {
    const c = coll();
    await c.insertMany(items);
    await c.createIndex({ qty: -1, name: -1 });
    const docs = await c.aggregate([{ $match: {} }], { hint: { qty: -1, name: -1 } }).toArray();
    expect(docs.map((d) => d.name)).to.deep.equal(['Betty', 'Charlie', 'Andrew']);

    const conn = await t.mongoose();
    const schema = new Schema({ name: String, qty: Number });
    schema.index({ qty: -1, name: -1 });
    const Item = conn.model('Item', schema);
    await Item.init();
    await Item.create([{ name: 'Andrew', qty: 4 }, { name: 'Betty', qty: 5 }, { name: 'Charlie', qty: 4 }]);
    const viaMongoose = await Item.aggregate().match({}).hint({ qty: -1, name: -1 }).exec();
    expect(viaMongoose.map((d) => d.name)).to.deep.equal(['Betty', 'Charlie', 'Andrew']);
  });

  it('a hinted sparse index finds only the documents that have its field', async () => {
    const c = coll();
    await c.insertMany([{ _id: 1, score: 3 }, { _id: 2 }, { _id: 3, score: 1 }, { _id: 4, score: null }]);
    await c.createIndex({ score: 1 }, { sparse: true });
    const found = await c.find({}).hint({ score: 1 }).toArray();
    expect(found.map((d) => d._id)).to.deep.equal([4, 3, 1]);
    expect(await c.countDocuments({}, { hint: { score: 1 } })).to.equal(3);
    // Without the hint every document is found.
    expect(await c.countDocuments({})).to.equal(4);
  });

  it('a {$natural: -1} hint scans the collection in reverse', async () => {
    // MongoDB manual, "$natural": hint({ $natural: -1 }) forces a reverse collection scan.
    const c = coll();
    await c.insertMany(items);
    const found = await c.find({}).hint({ $natural: -1 }).toArray();
    expect(found.map((d) => d._id)).to.deep.equal([3, 2, 1]);
    const forward = await c.find({}).hint({ $natural: 1 }).toArray();
    expect(forward.map((d) => d._id)).to.deep.equal([1, 2, 3]);
  });

  it('a hint naming no index is refused, in aggregate too', async () => {
    const c = coll();
    await c.insertMany(items);
    const err = await rejection(c.aggregate([{ $match: {} }], { hint: { nope: 1 } }).toArray());
    expect(err?.code).to.equal(2);
    expect((await rejection(c.find({}).hint('nope').toArray()))?.code).to.equal(2);
  });
});
