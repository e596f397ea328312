import { expect } from 'chai';
import { Timestamp } from 'mongodb';
import { Schema } from 'mongoose';
import { rejection, useTarget } from './target.js';

// What an ODM's own suite sends and reads back. MongoDB manual: "$currentDate", "$push" ($each, $slice:
// "to update only the $slice, use an empty $each array"), "$addToSet", "$pull", "$pop",
// "$[<identifier>]" (arrayFilters), "Query for Null or Missing Fields", "$in", "Query an Array",
// "Query on Embedded/Nested Documents" (field order), "$comment", "$or", error codes 9, 14, 56.
describe('update and query answers an ODM relies on', () => {
  const t = useTarget('odmupd');

  let n = 0;
  const coll = () => t.db.collection<{ _id: number; [field: string]: unknown }>(`c${++n}`);

  describe('update operators', () => {
    it('$currentDate stores a Date, or a Timestamp with {$type: "timestamp"}', async () => {
      const c = coll();
      await c.insertOne({ _id: 1 });
      await c.updateOne({ _id: 1 }, { $currentDate: { d: true, t: { $type: 'timestamp' }, e: { $type: 'date' } } } as never);
      const doc = await c.findOne({ _id: 1 });
      expect(doc?.d).to.be.instanceOf(Date);
      expect(doc?.e).to.be.instanceOf(Date);
      expect(doc?.t).to.be.instanceOf(Timestamp);
    });

    it('$push with an empty $each and $slice only slices the array', async () => {
      const c = coll();
      await c.insertOne({ _id: 1, a: [1, 2, 3] });
      const r = await c.updateOne({ _id: 1 }, { $push: { a: { $each: [], $slice: -1 } } } as never);
      expect(r.modifiedCount).to.equal(1);
      expect((await c.findOne({ _id: 1 }))?.a).to.deep.equal([3]);
      await c.updateOne({ _id: 1 }, { $push: { a: { $each: [], $slice: 0 } } } as never);
      expect((await c.findOne({ _id: 1 }))?.a).to.deep.equal([]);
    });

    it('$addToSet adds a document whose fields are in another order (a different value)', async () => {
      const c = coll();
      await c.insertOne({ _id: 1, a: [{ x: 1, y: 2 }] });
      await c.updateOne({ _id: 1 }, { $addToSet: { a: { $each: [{ y: 2, x: 1 }, { x: 1, y: 2 }] } } } as never);
      expect((await c.findOne({ _id: 1 }))?.a).to.deep.equal([
        { x: 1, y: 2 },
        { y: 2, x: 1 },
      ]);
    });

    it('$pull with a regular expression removes the strings it matches', async () => {
      const c = coll();
      await c.insertOne({ _id: 1, tags: ['apple', 'banana', 'avocado', 7] });
      await c.updateOne({ _id: 1 }, { $pull: { tags: /^a/ } } as never);
      expect((await c.findOne({ _id: 1 }))?.tags).to.deep.equal(['banana', 7]);
    });

    it('$pop on a non-array answers TypeMismatch (14)', async () => {
      const c = coll();
      await c.insertOne({ _id: 1, a: 5 });
      expect((await rejection(c.updateOne({ _id: 1 }, { $pop: { a: 1 } } as never)))?.code).to.equal(14);
    });

    it('an array filter the update does not use answers FailedToParse (9)', async () => {
      const c = coll();
      await c.insertOne({ _id: 1, a: [1, 2] });
      const err = await rejection(c.updateOne({ _id: 1 }, { $set: { b: 1 } }, { arrayFilters: [{ e: 1 }] }));
      expect(err?.code).to.equal(9);
      expect((await c.findOne({ _id: 1 }))?.b).to.equal(undefined);
    });

    it('an identifier under an empty array still counts as used', async () => {
      const c = coll();
      await c.insertOne({ _id: 1, a: [] });
      await c.updateOne({ _id: 1 }, { $set: { 'a.$[].b.$[e]': 0 } }, { arrayFilters: [{ e: 1 }] });
      expect((await c.findOne({ _id: 1 }))?.a).to.deep.equal([]);
    });

    it('array filters may combine conditions on the identifier with $or and $and', async () => {
      const c = coll();
      await c.insertOne({ _id: 1, a: [{ k: 1 }, { k: 2 }, { k: 3, z: true }] });
      await c.updateOne(
        { _id: 1 },
        { $set: { 'a.$[e].hit': true } },
        { arrayFilters: [{ $and: [{ $or: [{ 'e.k': 1 }, { 'e.z': true }] }, { 'e.k': { $lt: 10 } }] }] },
      );
      expect((await c.findOne({ _id: 1 }))?.a).to.deep.equal([{ k: 1, hit: true }, { k: 2 }, { k: 3, z: true, hit: true }]);
    });

    it('$rename through an array answers BadValue (2) and leaves the document as it was', async () => {
      const c = coll();
      await c.insertOne({ _id: 1, x: 1, a: [{ b: 1 }] });
      expect((await rejection(c.updateOne({ _id: 1 }, { $rename: { 'a.b': 'c' } })))?.code).to.equal(2);
      expect((await rejection(c.updateOne({ _id: 1 }, { $rename: { x: 'a.0.z' } })))?.code).to.equal(2);
      expect(await c.findOne({ _id: 1 })).to.deep.equal({ _id: 1, x: 1, a: [{ b: 1 }] });
    });

    it('a path with an empty field name answers EmptyFieldName (56)', async () => {
      const c = coll();
      await c.insertOne({ _id: 1 });
      expect((await rejection(c.updateOne({ _id: 1 }, { $set: { 'a..b': 1 } })))?.code).to.equal(56);
    });

    it('Mongoose: updateOne with $pull by a regular expression and $currentDate', async () => {
      const conn = await t.mongoose();
      const M = conn.model('OdmTags', new Schema({ tags: [String], seen: [Date] }));
      const doc = await M.create({ tags: ['alpha', 'beta'] });
      await M.updateOne({ _id: doc._id }, { $pull: { tags: /^al/ }, $currentDate: { lastSeen: true } }, { strict: false });
      const lean = (await M.findById(doc._id).lean()) as unknown as { tags: string[]; lastSeen: Date };
      expect(lean.tags).to.deep.equal(['beta']);
      expect(lean.lastSeen).to.be.instanceOf(Date);
    });
  });

  describe('queries', () => {
    const ids = async (docs: Array<{ _id: number; [k: string]: unknown }>, filter: object) => {
      const c = coll();
      await c.insertMany(docs);
      return (await c.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
    };

    it('{ "a.b": null } matches when an element of the array a lacks b', async () => {
      const docs = [
        { _id: 1, a: [{ b: 1 }, { c: 1 }] },
        { _id: 2, a: [{ b: 1 }] },
        { _id: 3, a: [{ b: null }] },
        { _id: 4 },
      ];
      expect(await ids(docs, { 'a.b': null })).to.deep.equal([1, 3, 4]);
      expect(await ids(docs, { 'a.b': { $ne: null } })).to.deep.equal([2]);
      expect(await ids(docs, { 'a.b': { $in: [null] } })).to.deep.equal([1, 3, 4]);
      expect(await ids(docs, { 'a.b': { $nin: [null] } })).to.deep.equal([2]);
    });

    it('$in with an array value matches an array field equal to it as a whole', async () => {
      const docs = [
        { _id: 1, a: [1, 2] },
        { _id: 2, a: [2, 1] },
        { _id: 3, a: [[1, 2], 3] },
      ];
      expect(await ids(docs, { a: { $in: [[1, 2]] } })).to.deep.equal([1, 3]);
      expect(await ids(docs, { a: { $nin: [[1, 2]] } })).to.deep.equal([2]);
      expect(await ids(docs, { a: { $eq: [2, 1] } })).to.deep.equal([2]);
    });

    it('equality with an embedded document needs the same field order', async () => {
      const docs = [
        { _id: 1, a: { x: 1, y: 2 } },
        { _id: 2, a: { y: 2, x: 1 } },
      ];
      expect(await ids(docs, { a: { x: 1, y: 2 } })).to.deep.equal([1]);
      expect(await ids(docs, { a: { $in: [{ y: 2, x: 1 }] } })).to.deep.equal([2]);
    });

    it('$all with regular expressions needs each to match some element', async () => {
      const docs = [
        { _id: 1, a: ['apple', 'cherry'] },
        { _id: 2, a: ['apple'] },
        { _id: 3, a: 'cherry apple' },
      ];
      expect(await ids(docs, { a: { $all: [/pp/, /err/] } })).to.deep.equal([1, 3]);
    });

    it('a range on an indexed array field matches when different elements satisfy each bound', async () => {
      const c = coll();
      await c.createIndex({ a: 1 });
      await c.createIndex({ 'o.b': 1 });
      await c.insertMany([
        { _id: 1, a: [1, 10], o: [{ b: 1 }, { b: 10 }] },
        { _id: 2, a: [5], o: [{ b: 5 }] },
        { _id: 3, a: [1, 2], o: [{ b: 1 }] },
      ]);
      const found = async (filter: object) => (await c.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
      expect(await found({ a: { $gt: 3, $lt: 6 } })).to.deep.equal([1, 2]);
      expect(await found({ 'o.b': { $gt: 3, $lt: 6 } })).to.deep.equal([1, 2]);
      expect(await found({ a: { $elemMatch: { $gt: 3, $lt: 6 } } })).to.deep.equal([2]);
      expect(await c.countDocuments({ a: { $gt: 3, $lt: 6 } })).to.equal(2);
    });

    it('$comment is accepted and matches every document', async () => {
      expect(await ids([{ _id: 1, a: 1 }, { _id: 2 }], { a: 1, $comment: 'why this query runs' })).to.deep.equal([1]);
    });

    it('$or, $and and $nor with an empty array answer BadValue (2)', async () => {
      const c = coll();
      await c.insertOne({ _id: 1 });
      for (const op of ['$or', '$and', '$nor']) {
        expect((await rejection(c.find({ [op]: [] }).toArray()))?.code, op).to.equal(2);
      }
    });
  });
});
