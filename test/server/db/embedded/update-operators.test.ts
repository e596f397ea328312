import { expect } from 'chai';
import { MongoServerError } from 'mongodb';
import { Schema } from 'mongoose';
import { rejection, useTarget } from './target.js';

// MongoDB manual: "$ (update)", "$[]", "$[<identifier>]", "$pull", "$push", "$inc", "$mul",
// "Field Names with Periods and Dollar Signs", "BSON Document Size" (16 MiB), and error codes
// 40 (ConflictingUpdateOperators), 28 (PathNotViable), 2 (BadValue), 14 (TypeMismatch).
describe('update operators answer as MongoDB does', () => {
  const t = useTarget('updops');

  type Child = { name: string; n?: number; at?: number; list?: number[]; k?: number };
  const coll = (name: string) => t.db.collection<{ _id: number; children?: Child[]; [field: string]: unknown }>(name);

  it('sets several fields through one positional $ in one update', async () => {
    const c = coll('positional');
    await c.insertOne({ _id: 1, children: [{ name: 'a' }, { name: 'b' }] });
    await c.updateOne({ _id: 1, 'children.name': 'b' }, { $set: { 'children.$.name': 'B', 'children.$.at': 5 } });
    expect((await c.findOne({ _id: 1 }))?.children).to.deep.equal([{ name: 'a' }, { name: 'B', at: 5 }]);
  });

  it('applies several $[] and $[<identifier>] paths in one update, filters judged on the document before it', async () => {
    const c = coll('allPositional');
    await c.insertOne({ _id: 1, children: [{ name: 'a', n: 1 }, { name: 'b', n: 2 }] });
    await c.updateOne({ _id: 1 }, { $set: { 'children.$[].k': 0, 'children.$[].at': 1 } });
    await c.updateOne({ _id: 1 }, { $set: { 'children.$[e].n': 10, 'children.$[e].k': 7 } }, { arrayFilters: [{ 'e.n': 1 }] });
    expect((await c.findOne({ _id: 1 }))?.children).to.deep.equal([
      { name: 'a', n: 10, k: 7, at: 1 },
      { name: 'b', n: 2, k: 0, at: 1 },
    ]);
  });

  it('pushes and adds to a set through the positional $', async () => {
    const c = coll('pushPositional');
    await c.insertOne({ _id: 1, children: [{ name: 'a', list: [1] }, { name: 'b', list: [] }] });
    await c.updateOne({ _id: 1, 'children.name': 'b' }, { $push: { 'children.$.list': 2 } } as never);
    await c.updateOne({ _id: 1, 'children.name': 'a' }, { $addToSet: { 'children.$.list': 1 } } as never);
    await c.updateOne({ _id: 1, 'children.name': 'a' }, { $addToSet: { 'children.$.list': 3 } } as never);
    expect((await c.findOne({ _id: 1 }))?.children).to.deep.equal([{ name: 'a', list: [1, 3] }, { name: 'b', list: [2] }]);
  });

  it('still refuses a true prefix conflict with ConflictingUpdateOperators (40)', async () => {
    const c = coll('conflict');
    await c.insertOne({ _id: 1, children: [{ name: 'a' }] });
    const err = await rejection(c.updateOne({ _id: 1 }, { $set: { children: [], 'children.0.name': 'x' } }));
    expect(err).to.be.instanceOf(MongoServerError);
    expect(err?.code).to.equal(40);
  });

  it('pulls the elements matching a condition with $or, $and or $elemMatch', async () => {
    const c = coll('pull');
    await c.insertOne({ _id: 1, children: [{ name: 'a', n: 1, list: [1] }, { name: 'b', n: 2, list: [5] }, { name: 'c', n: 3, list: [9] }] });
    await c.updateOne({ _id: 1 }, { $pull: { children: { $or: [{ name: 'a' }, { n: 99 }] } } as never });
    expect((await c.findOne({ _id: 1 }))?.children?.map((x) => x.name)).to.deep.equal(['b', 'c']);
    await c.updateOne({ _id: 1 }, { $pull: { children: { list: { $elemMatch: { $gte: 9 } } } } as never });
    expect((await c.findOne({ _id: 1 }))?.children?.map((x) => x.name)).to.deep.equal(['b']);
    await c.updateOne({ _id: 1 }, { $pull: { children: { $and: [{ name: 'b' }, { n: 2 }] } } as never });
    expect((await c.findOne({ _id: 1 }))?.children).to.deep.equal([]);
  });

  it('lets Mongoose pull an _id-less subdocument and stamp subdocument timestamps through $', async () => {
    const conn = await t.mongoose();
    const Child = new Schema({ name: String }, { _id: false });
    const Parent = conn.model('Parent', new Schema({ children: [Child] }));
    const parent = await Parent.create({ children: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
    parent.children.pull(parent.children[1]);
    await parent.save();
    expect((await Parent.findById(parent._id).lean())?.children).to.deep.equal([{ name: 'a' }, { name: 'c' }]);

    const Stamped = conn.model('Stamped', new Schema({ items: [new Schema({ label: String }, { timestamps: true })] }));
    const s = await Stamped.create({ items: [{ label: 'x' }] });
    await Stamped.updateOne({ _id: s._id, 'items._id': s.items[0]._id }, { $set: { 'items.$.label': 'y' } });
    const item = (await Stamped.findById(s._id).lean())?.items[0] as { label: string; updatedAt: Date; createdAt: Date };
    expect(item.label).to.equal('y');
    expect(item.updatedAt.getTime()).to.be.at.least(item.createdAt.getTime());
  });

  it('refuses $set through an array of documents by field name (28), $push on a non-array (2), $inc and $mul on a non-number (14)', async () => {
    const c = coll('refusals');
    await c.insertOne({ _id: 1, children: [{ name: 'a' }], s: 'text' });
    const codes = [
      await rejection(c.updateOne({ _id: 1 }, { $set: { 'children.name': 'z' } } as never)),
      await rejection(c.updateOne({ _id: 1 }, { $push: { s: 1 } } as never)),
      await rejection(c.updateOne({ _id: 1 }, { $addToSet: { s: 1 } } as never)),
      await rejection(c.updateOne({ _id: 1 }, { $inc: { s: 1 } } as never)),
      await rejection(c.updateOne({ _id: 1 }, { $mul: { s: 2 } } as never)),
    ].map((e) => e?.code);
    expect(codes).to.deep.equal([28, 2, 2, 14, 14]);
    expect(await c.findOne({ _id: 1 })).to.deep.equal({ _id: 1, children: [{ name: 'a' }], s: 'text' });
  });

  it('refuses a document over 16 MiB, on insert and as the result of an update', async () => {
    const c = coll('large');
    const big = 'x'.repeat(16 * 1024 * 1024 - 10);
    const inserted = await rejection(c.insertOne({ _id: 1, big, more: 'y'.repeat(100) }));
    expect(inserted).to.be.instanceOf(MongoServerError);
    expect(inserted?.message).to.match(/too large/);
    await c.insertOne({ _id: 2, small: 1 });
    const updated = await rejection(c.updateOne({ _id: 2 }, { $set: { big, more: 'y'.repeat(100) } }));
    expect(updated).to.be.instanceOf(MongoServerError);
    expect(await c.findOne({ _id: 2 })).to.deep.equal({ _id: 2, small: 1 });
    expect(await c.countDocuments({ _id: 1 })).to.equal(0);
  });

  it('stores dollar-prefixed field names inside $set values and __proto__ as an ordinary field', async () => {
    const c = coll('names');
    await c.insertOne({ _id: 1 });
    await c.updateOne({ _id: 1 }, { $set: { price: { $numberish: 5, currency: 'IRR' } } });
    expect(await c.findOne({ _id: 1 })).to.deep.equal({ _id: 1, price: { $numberish: 5, currency: 'IRR' } });

    await t.db.command({ insert: 'names', documents: [JSON.parse('{"_id": 2, "__proto__": {"polluted": true}, "a": 1}')] });
    await c.updateOne({ _id: 2 }, { $set: { a: 2 } });
    const got = (await c.findOne({ _id: 2 })) as Record<string, unknown>;
    expect(Object.keys(got)).to.deep.equal(['_id', '__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(got, '__proto__')?.value).to.deep.equal({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('refuses capped collection options it cannot honour instead of creating a plain collection', async () => {
    const err = await rejection(t.db.createCollection('capped', { capped: true, size: 4096 }));
    if (process.env.MONGODB_URI) {
      // MongoDB creates capped collections.
      expect(err).to.equal(undefined);
      expect(await t.db.collection('capped').isCapped()).to.equal(true);
    } else {
      expect(err?.code).to.equal(238);
      expect((await t.db.listCollections({ name: 'capped' }).toArray()).length).to.equal(0);
    }
  });
});
