import { expect } from 'chai';
import { rejection, useTarget } from './target.js';

// Each answer below is MongoDB's own: the codes come from the server's sources (the find projection
// parser, ExpressionIn, the $rename and positional update nodes, the upsert's query-field
// extraction, the IDL parsers of create and collMod) and the manual's "Update Operators" behaviour
// (since 5.0, fields are processed in lexicographic order of their names).
describe('answers with MongoDB error codes, and update field order', () => {
  const t = useTarget('codes');

  describe('find projections', () => {
    before(async () => {
      await t.db.collection('proj').insertOne({ _id: 1 as never, a: { b: 1, c: 2 }, x: 5 });
    });
    const find = (projection: Record<string, unknown>) => t.db.collection('proj').find({}, { projection }).toArray();

    it('a path inside a path given before answers 31249, a path already given or a prefix of one 31250', async () => {
      expect((await rejection(find({ a: 1, 'a.b': 1 })))?.code).to.equal(31249);
      expect((await rejection(find({ 'a.b': 1, a: 1 })))?.code).to.equal(31250);
      expect((await rejection(find({ 'a.b': 1, a: { b: 1 } })))?.code).to.equal(31250);
    });

    it('an exclusion in an inclusion projection answers 31254, an inclusion in an exclusion 31253', async () => {
      expect((await rejection(find({ a: 1, x: 0 })))?.code).to.equal(31254);
      expect((await rejection(find({ x: 0, a: 1 })))?.code).to.equal(31253);
      expect((await rejection(find({ 'a.c': 0, 'a.b': true })))?.code).to.equal(31253);
    });

    it('_id may be excluded from an inclusion and included in an exclusion', async () => {
      expect(await find({ _id: 0, x: 1 })).to.deep.equal([{ x: 5 }]);
      expect(await find({ _id: 1, a: 0 })).to.deep.equal([{ _id: 1, x: 5 }]);
    });

    it('a $project stage answers the same codes, and keeps _id in an exclusion that names it', async () => {
      const aggregate = (projection: Record<string, unknown>) => t.db.collection('proj').aggregate([{ $project: projection }]).toArray();
      expect((await rejection(aggregate({ a: 1, 'a.b': 1 })))?.code).to.equal(31249);
      expect((await rejection(aggregate({ a: 1, x: 0 })))?.code).to.equal(31254);
      expect((await rejection(aggregate({ x: 0, a: 1 })))?.code).to.equal(31253);
      expect(await aggregate({ _id: 1, x: 0 })).to.deep.equal([{ _id: 1, a: { b: 1, c: 2 } }]);
    });

    it('findAndModify refuses the same projections', async () => {
      const err = await rejection(t.db.collection('proj').findOneAndUpdate({ _id: 1 as never }, { $set: { y: 1 } }, { projection: { a: 1, x: 0 } }));
      expect(err?.code).to.equal(31254);
      expect(await t.db.collection('proj').countDocuments({ y: 1 })).to.equal(0);
    });
  });

  it('$in with a second argument that is not an array answers 40081, in $expr and in a pipeline', async () => {
    const c = t.db.collection('inexpr');
    await c.insertOne({ x: 5 });
    const inFind = await rejection(c.find({ $expr: { $in: [1, '$x'] } }).toArray());
    expect(inFind?.code).to.equal(40081);
    const inPipeline = await rejection(c.aggregate([{ $project: { r: { $in: [1, '$nothing'] } } }]).toArray());
    expect(inPipeline?.code).to.equal(40081);
    expect(inPipeline?.message).to.contain('missing');
  });

  it('aggregation operators given an argument of the wrong type answer their own codes', async () => {
    const c = t.db.collection('argtypes');
    await c.insertOne({ s: 'text' });
    const codes: Array<[Record<string, unknown>, number]> = [
      [{ $size: '$s' }, 17124],
      [{ $size: '$missing' }, 17124],
      [{ $arrayElemAt: ['$s', 0] }, 28689],
      [{ $concat: ['$s', 1] }, 16702],
      [{ $concatArrays: ['$s', [1]] }, 28664],
      [{ $filter: { input: '$s', cond: true } }, 28651],
      [{ $map: { input: '$s', in: 1 } }, 16883],
      [{ $reduce: { input: '$s', initialValue: 0, in: 1 } }, 40080],
      [{ $slice: ['$s', 1] }, 28724],
      [{ $reverseArray: '$s' }, 34435],
      [{ $indexOfArray: ['$s', 1] }, 40090],
    ];
    for (const [expr, code] of codes) {
      const err = await rejection(c.aggregate([{ $project: { r: expr } }]).toArray());
      expect(err?.code, JSON.stringify(expr)).to.equal(code);
    }
  });

  it('the same operators give null for a missing array or string, as the manual documents', async () => {
    const c = t.db.collection('nullargs');
    await c.insertOne({ s: 'text' });
    const projected = await c
      .aggregate([{ $project: { _id: 0, a: { $slice: ['$missing', 1] }, b: { $concat: ['$missing', 'x'] }, c: { $filter: { input: '$missing', cond: true } }, d: { $arrayElemAt: ['$missing', 0] } } }])
      .toArray();
    expect(projected).to.deep.equal([{ a: null, b: null, c: null, d: null }]);
  });

  it('$unwind of a path without $ answers 28818 instead of unwinding nothing', async () => {
    const c = t.db.collection('unwindpath');
    await c.insertOne({ arr: [1, 2] });
    expect((await rejection(c.aggregate([{ $unwind: 'arr' }]).toArray()))?.code).to.equal(28818);
    expect((await rejection(c.aggregate([{ $unwind: { path: 'arr' } }]).toArray()))?.code).to.equal(28818);
    expect(await c.aggregate([{ $unwind: '$arr' }, { $project: { _id: 0 } }]).toArray()).to.deep.equal([{ arr: 1 }, { arr: 2 }]);
  });

  it('a bad $limit, $skip or sort answers the stage parser codes ($limit: 0 is refused, not an empty result)', async () => {
    const c = t.db.collection('stageargs');
    await c.insertOne({ a: 1 });
    expect((await rejection(c.aggregate([{ $limit: 0 }]).toArray()))?.code).to.equal(15958);
    expect((await rejection(c.aggregate([{ $limit: -1 }]).toArray()))?.code).to.equal(15958);
    expect((await rejection(c.aggregate([{ $skip: -1 }]).toArray()))?.code).to.equal(15956);
    expect((await rejection(c.aggregate([{ $sort: { a: 2 } }]).toArray()))?.code).to.equal(15975);
    expect((await rejection(c.aggregate([{ $sort: { a: 'up' } }]).toArray()))?.code).to.equal(15974);
    expect((await rejection(t.db.command({ find: 'stageargs', sort: { a: 2 } })))?.code).to.equal(15975);
  });

  describe('updates', () => {
    it('$rename of a field onto itself or onto its own path answers BadValue (2)', async () => {
      const c = t.db.collection('rename');
      await c.insertOne({ _id: 1 as never, x: 1, a: { b: 1 } });
      expect((await rejection(c.updateOne({ _id: 1 as never }, { $rename: { x: 'x' } })))?.code).to.equal(2);
      expect((await rejection(c.updateOne({ _id: 1 as never }, { $rename: { a: 'a.b' } })))?.code).to.equal(2);
      expect(await c.findOne()).to.deep.equal({ _id: 1, x: 1, a: { b: 1 } });
    });

    it('an upsert that inserts cannot use the positional $ (BadValue 2) and inserts nothing', async () => {
      const c = t.db.collection('posupsert');
      const err = await rejection(c.updateOne({ arr: 1 }, { $set: { 'arr.$': 3 } }, { upsert: true }));
      expect(err?.code).to.equal(2);
      expect(await c.countDocuments()).to.equal(0);
    });

    it('an upsert whose filter pins a path and a path inside it answers NotSingleValueField (54)', async () => {
      const c = t.db.collection('seedclash');
      expect((await rejection(c.updateOne({ a: 1, 'a.b': 2 }, { $set: { c: 1 } }, { upsert: true })))?.code).to.equal(54);
      expect((await rejection(c.updateOne({ 'a.b': 2, a: 1 }, { $set: { c: 1 } }, { upsert: true })))?.code).to.equal(54);
      expect(await c.countDocuments()).to.equal(0);
      // Separate paths under one field are not a conflict.
      await c.updateOne({ 'a.b': 2, 'a.c': 3 }, { $set: { d: 1 } }, { upsert: true });
      expect(await c.findOne({}, { projection: { _id: 0, d: 1, 'a.b': 1, 'a.c': 1 } })).to.deep.equal({ a: { b: 2, c: 3 }, d: 1 });
    });

    it('new fields of $set are created in lexicographic order of their names, existing ones keep their place', async () => {
      const c = t.db.collection('order');
      await c.insertOne({ _id: 1 as never, m: 1 });
      await c.updateOne({ _id: 1 as never }, { $set: { zz: 1, m: 2, b: 2, 'c.z': 1, 'c.a': 2 } });
      const doc = await c.findOne({ _id: 1 as never });
      expect(Object.keys(doc!)).to.deep.equal(['_id', 'm', 'b', 'c', 'zz']);
      expect(Object.keys(doc!.c)).to.deep.equal(['a', 'z']);
    });

    it('fields created by different operators of one update share that order; a value set whole keeps its own', async () => {
      const c = t.db.collection('order2');
      await c.insertOne({ _id: 1 as never, m: 1 });
      await c.updateOne({ _id: 1 as never }, { $push: { w: 1 }, $inc: { y: 1 }, $set: { x: { q: 1, a: 2 } }, $min: { d: 4 } } as never);
      const doc = await c.findOne({ _id: 1 as never });
      expect(Object.keys(doc!)).to.deep.equal(['_id', 'm', 'd', 'w', 'x', 'y']);
      expect(Object.keys(doc!.x)).to.deep.equal(['q', 'a']);
    });

    it('an upsert creates $set and $setOnInsert fields in that order too', async () => {
      const c = t.db.collection('order3');
      await c.updateOne({ _id: 7 as never }, { $set: { z: 1, k: 1 }, $setOnInsert: { a: 1 }, $inc: { n: 1 } }, { upsert: true });
      expect(Object.keys((await c.findOne({ _id: 7 as never }))!)).to.deep.equal(['_id', 'a', 'k', 'n', 'z']);
    });

    it('Mongoose: findOneAndUpdate with $set of new fields stores them in that order', async () => {
      const conn = await t.mongoose();
      const coll = conn.collection('order4');
      await coll.insertOne({ _id: 1 as never, name: 'x' });
      await coll.findOneAndUpdate({ _id: 1 as never }, { $set: { 'profile.zip': '1', 'profile.city': 'c' } });
      const doc = await coll.findOne({ _id: 1 as never });
      expect(Object.keys(doc!.profile)).to.deep.equal(['city', 'zip']);
    });
  });

  describe('create and collMod parse strictly', () => {
    it('an unknown field answers 40415', async () => {
      expect((await rejection(t.db.command({ create: 'strict1', noSuchOption: 1 })))?.code).to.equal(40415);
      await t.db.createCollection('strict2');
      expect((await rejection(t.db.command({ collMod: 'strict2', noSuchOption: 1 })))?.code).to.equal(40415);
    });

    it('generic command arguments are accepted and not stored as collection options', async () => {
      await t.db.command({ create: 'strict3', comment: 'made by a test', maxTimeMS: 10000, writeConcern: { w: 1 } });
      const [info] = await t.db.listCollections({ name: 'strict3' }).toArray();
      expect((info as { options?: unknown }).options).to.deep.equal({});
      await t.db.command({ collMod: 'strict3', comment: 'changed by a test', validator: { a: { $exists: true } } });
      const [changed] = await t.db.listCollections({ name: 'strict3' }).toArray();
      expect((changed as { options?: { validator?: unknown } }).options?.validator).to.deep.equal({ a: { $exists: true } });
    });
  });
});
