import { expect } from 'chai';
import { ObjectId, type Document, type Filter } from 'mongodb';
import { Schema } from 'mongoose';
import { rejection, useTarget } from './target.js';

// Which filter fields an upsert copies into the document it inserts. MongoDB manual, "Upsert with
// Operator Expressions": the new document is built from the equality clauses of the filter, then the
// update is applied; "Upsert with Replacement Document": only `_id` comes from the filter. mongod's own
// jstests/core/upsert_fields.js spells out what counts as an equality ($eq, a one-value $in, each
// value of $all, the single clause of an $or) and that two equalities on one path, or on a path and a
// path inside it, are refused (NotSingleValueField, 54).
describe('upsert: the fields an insert takes from its filter', () => {
  const t = useTarget('upsfields');

  let n = 0;
  // Numbers and patterns as _id: the driver's default schema types _id as an ObjectId.
  const coll = () => t.db.collection<{ _id: number } & Document>(`c${++n}`);

  async function inserted(filter: Filter<{ _id: number } & Document>, update: Document = { $set: { a: 1 } }) {
    const c = coll();
    await c.updateOne(filter, update, { upsert: true });
    return c.findOne({}, { projection: { _id: 0 } });
  }

  it('takes $eq, a one-value $in, each $all value and the one clause of an $or', async () => {
    expect(await inserted({ x: { $eq: 1 } })).to.deep.equal({ x: 1, a: 1 });
    expect(await inserted({ x: { $in: [1] } })).to.deep.equal({ x: 1, a: 1 });
    expect(await inserted({ x: { $all: [1] } })).to.deep.equal({ x: 1, a: 1 });
    expect(await inserted({ $or: [{ x: 1 }] })).to.deep.equal({ x: 1, a: 1 });
    expect(await inserted({ $and: [{ c: 1 }, { $or: [{ x: { $eq: 1 } }] }] })).to.deep.equal({ c: 1, x: 1, a: 1 });
    expect(await inserted({ $or: [{ 'x.y': 1 }] })).to.deep.equal({ x: { y: 1 }, a: 1 });
  });

  it('takes no comparison, pattern, $or of several clauses or $nor', async () => {
    for (const filter of <Filter<{ _id: number } & Document>[]>[{ x: { $in: [1, 2] } }, { x: { $gt: 1 } }, { x: /abc/ }, { $or: [{ x: 1 }, { x: 2 }] }, { $nor: [{ x: 1 }] }]) {
      expect(await inserted(filter)).to.deep.equal({ a: 1 });
    }
  });

  it('takes a regular expression only when $eq names it as the value', async () => {
    const doc = await inserted({ x: { $eq: /abc/ } });
    expect(String(doc?.x)).to.equal('/abc/');
  });

  it('takes the _id of a one-value $in or of the one clause of an $or', async () => {
    const c = coll();
    await c.updateOne({ _id: { $in: [7] } }, { $set: { a: 1 } }, { upsert: true });
    await c.updateOne({ $or: [{ _id: 8 }] }, { $set: { a: 1 } }, { upsert: true });
    expect((await c.find().toArray()).map((d) => d._id)).to.have.members([7, 8]);
  });

  it('refuses two equalities on one path or on a path and a path inside it (54)', async () => {
    for (const filter of <Filter<{ _id: number } & Document>[]>[
      { $and: [{ x: 1 }, { x: 2 }] },
      { x: { $all: [1, 2] } },
      { c: 2, $and: [{ c: 1 }] },
      { x: 1, 'x.y': 1 },
      { x: {}, 'x.y': 1 },
      { _id: 1, '_id.x': 1 },
    ]) {
      const c = coll();
      const err = await rejection(c.updateOne(filter, { $set: { a: 1 } }, { upsert: true }));
      expect(err?.code, JSON.stringify(filter)).to.equal(54);
      expect(await c.countDocuments()).to.equal(0);
    }
  });

  it('a replacement takes only _id from the filter, and an _id given in parts is refused', async () => {
    const c = coll();
    await c.replaceOne({ _id: 3, x: 1, 'x.y': 1 }, { r: 1 }, { upsert: true });
    expect(await c.findOne()).to.deep.equal({ _id: 3, r: 1 });
    expect(await rejection(c.replaceOne({ '_id.x': 1, '_id.y': 2 }, { r: 1 }, { upsert: true }))).to.be.instanceOf(Error);
    const generated = coll();
    await generated.replaceOne({ _id: /abc/ }, { r: 1 }, { upsert: true });
    expect((await generated.findOne())?._id).to.be.instanceOf(ObjectId);
  });

  it('through Mongoose: findOneAndUpdate with an $or of one clause upserts that field', async () => {
    const conn = await t.mongoose();
    const M = conn.model('UpsertOr', new Schema({ email: String, visits: Number }));
    const doc = await M.findOneAndUpdate({ $or: [{ email: 'a@b.ir' }] }, { $inc: { visits: 1 } }, { upsert: true, returnDocument: 'after' });
    expect(doc?.email).to.equal('a@b.ir');
    expect(doc?.visits).to.equal(1);
    const err = await rejection(M.updateOne({ email: 'x@y.ir', $and: [{ email: 'z@y.ir' }] }, { $inc: { visits: 1 } }, { upsert: true }));
    expect(err?.code).to.equal(54);
  });
});
