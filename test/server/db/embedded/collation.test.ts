import { expect } from 'chai';
import { MongoServerError, type CollationOptions } from 'mongodb';
import { Schema } from 'mongoose';
import { rejection, useTarget } from './target.js';

// MongoDB manual, "Collation": locale is mandatory; strength 1 compares base letters only, 2 adds
// diacritics, 3 (the default) adds case; caseFirst orders case at tertiary level; numericOrdering
// compares digit runs as numbers; alternate "shifted" ignores spaces and punctuation below
// quaternary strength; an index, count, distinct, update, delete and findAndModify take a collation.
describe('collation on the embedded server, as MongoDB documents it', () => {
  const t = useTarget('collation');

  const caseInsensitive: CollationOptions = { locale: 'en', strength: 2 };
  const coll = (name: string) => t.db.collection<{ _id?: number | string; [field: string]: unknown }>(name);

  it('matches strings case-insensitively at strength 2 and ignores diacritics only at strength 1', async () => {
    const c = coll('words');
    await c.insertMany([{ _id: 1, w: 'café' } as never, { _id: 2, w: 'Cafe' }, { _id: 3, w: 'CAFÉ' }, { _id: 4, w: 'tea' }]);
    const ids = async (filter: object, collation?: CollationOptions) => (await c.find(filter, { collation, sort: { _id: 1 } }).toArray()).map((d) => d._id);
    expect(await ids({ w: 'cafe' })).to.deep.equal([]);
    expect(await ids({ w: 'cafe' }, caseInsensitive)).to.deep.equal([2]);
    expect(await ids({ w: 'café' }, caseInsensitive)).to.deep.equal([1, 3]);
    expect(await ids({ w: 'cafe' }, { locale: 'en', strength: 1 })).to.deep.equal([1, 2, 3]);
    expect(await ids({ w: { $in: ['CAFE', 'TEA'] } }, caseInsensitive)).to.deep.equal([2, 4]);
    expect(await ids({ w: { $ne: 'CAFE' } }, caseInsensitive)).to.deep.equal([1, 3, 4]);
    expect(await ids({ $or: [{ w: 'TEA' }, { w: 'x' }] }, caseInsensitive)).to.deep.equal([4]);
    // Ranges compare in collation order: "Cafe" < "d" holds in English, not in code points for "tea".
    expect(await ids({ w: { $lt: 'D' } }, caseInsensitive)).to.deep.equal([1, 2, 3]);
  });

  it('sorts in the locale order, with caseFirst and numericOrdering', async () => {
    const c = coll('sorting');
    await c.insertMany([{ s: 'b' }, { s: 'A' }, { s: 'a' }, { s: 'B' }, { s: '10' }, { s: '2' }]);
    const sorted = async (collation?: CollationOptions) => (await c.find({}, { collation, sort: { s: 1 }, projection: { _id: 0 } }).toArray()).map((d) => d.s);
    expect(await sorted()).to.deep.equal(['10', '2', 'A', 'B', 'a', 'b']);
    expect(await sorted({ locale: 'en', caseFirst: 'upper' })).to.deep.equal(['10', '2', 'A', 'a', 'B', 'b']);
    expect(await sorted({ locale: 'en', caseFirst: 'lower' })).to.deep.equal(['10', '2', 'a', 'A', 'b', 'B']);
    expect(await sorted({ locale: 'en', numericOrdering: true, caseFirst: 'upper' })).to.deep.equal(['2', '10', 'A', 'a', 'B', 'b']);
  });

  it('ignores spaces and punctuation with alternate "shifted"', async () => {
    const c = coll('shifted');
    await c.insertMany([{ _id: 1, s: 'a b' } as never, { _id: 2, s: 'a-b' }, { _id: 3, s: 'ab' }, { _id: 4, s: 'ac' }]);
    const found = await c.find({ s: 'ab' }, { collation: { locale: 'en', alternate: 'shifted' }, sort: { _id: 1 } }).toArray();
    expect(found.map((d) => d._id)).to.deep.equal([1, 2, 3]);
  });

  it('applies the collation to count, distinct, updateMany, deleteMany and findOneAndUpdate', async () => {
    const c = coll('writes');
    await c.insertMany([{ _id: 1, v: 'ping' } as never, { _id: 2, v: 'PING' }, { _id: 3, v: 'pong' }]);
    expect(await c.countDocuments({ v: 'Ping' }, { collation: caseInsensitive })).to.equal(2);
    expect(await c.countDocuments({ v: 'Ping' })).to.equal(0);
    const distinct = await c.distinct('v', {}, { collation: caseInsensitive });
    expect(distinct).to.have.length(2);
    const before = await c.findOneAndUpdate({ v: 'PONG' }, { $set: { hit: true } }, { collation: caseInsensitive, returnDocument: 'before' });
    expect(before).to.deep.equal({ _id: 3, v: 'pong' });
    const updated = await c.updateMany({ v: 'Ping' }, { $set: { seen: 1 } }, { collation: caseInsensitive });
    expect([updated.matchedCount, updated.modifiedCount]).to.deep.equal([2, 2]);
    const deleted = await c.deleteMany({ v: 'pIng' }, { collation: caseInsensitive });
    expect(deleted.deletedCount).to.equal(2);
    expect(await c.find().toArray()).to.deep.equal([{ _id: 3, v: 'pong', hit: true }]);
  });

  it('matches and sorts with the collation in an aggregation pipeline', async () => {
    const c = coll('pipeline');
    await c.insertMany([{ n: 'b', k: 'x' }, { n: 'A', k: 'X' }, { n: 'c', k: 'y' }]);
    const out = await c.aggregate([{ $match: { k: 'x' } }, { $sort: { n: 1 } }, { $project: { _id: 0, n: 1 } }], { collation: caseInsensitive }).toArray();
    expect(out).to.deep.equal([{ n: 'A' }, { n: 'b' }]);
  });

  it('makes a unique index with strength 2 case-insensitively unique, and lists its collation', async () => {
    const c = coll('usernames');
    await c.createIndex({ name: 1 }, { unique: true, collation: caseInsensitive });
    await c.insertOne({ name: 'Zahra' });
    const err = await rejection(c.insertOne({ name: 'zahra' }));
    expect(err).to.be.instanceOf(MongoServerError);
    expect(err?.code).to.equal(11000);
    await c.insertOne({ name: 'Zahrā' }); // a diacritic is a secondary difference: still distinct
    const index = (await c.listIndexes().toArray()).find((i) => i.name === 'name_1');
    expect(index?.collation).to.include({ locale: 'en', strength: 2 });
  });

  it('uses a collection default collation when an operation gives none, and simple when asked', async () => {
    await t.db.createCollection('defaulted', { collation: caseInsensitive });
    const c = coll('defaulted');
    await c.insertMany([{ v: 'Yes' }, { v: 'no' }]);
    expect(await c.countDocuments({ v: 'yes' })).to.equal(1);
    expect(await c.countDocuments({ v: 'yes' }, { collation: { locale: 'simple' } })).to.equal(0);
    const info = (await t.db.listCollections({ name: 'defaulted' }).toArray())[0] as { options?: { collation?: CollationOptions } };
    expect(info.options?.collation).to.include({ locale: 'en', strength: 2 });
  });

  it('orders Persian names in Persian alphabetical order with locale "fa", through Mongoose', async () => {
    const conn = await t.mongoose();
    const Person = conn.model('Person', new Schema({ name: String }));
    // Code points put ح (U+062D) before چ (U+0686) and ل (U+0644) before گ (U+06AF); Persian does not.
    await Person.create([{ name: 'حسن' }, { name: 'چنگیز' }, { name: 'لیلا' }, { name: 'گلناز' }, { name: 'جواد' }]);
    const names = async (collation?: { locale: string }) => {
      const q = Person.find({}, { _id: 0, name: 1 }).sort({ name: 1 });
      return (await (collation ? q.collation(collation) : q).lean()).map((p) => p.name);
    };
    expect(await names()).to.deep.equal(['جواد', 'حسن', 'لیلا', 'چنگیز', 'گلناز']);
    expect(await names({ locale: 'fa' })).to.deep.equal(['جواد', 'چنگیز', 'حسن', 'گلناز', 'لیلا']);
  });

  it('refuses a collation without a locale, or with a locale MongoDB does not know', async () => {
    const c = coll('bad');
    await c.insertOne({ v: 1 });
    expect(await rejection(c.find({}, { collation: { strength: 2 } as never }).toArray())).to.be.instanceOf(MongoServerError);
    expect(await rejection(c.find({}, { collation: { locale: 'xx_nowhere' } }).toArray())).to.be.instanceOf(MongoServerError);
  });
  // Manual, "Collation" > "Collation and Index Use": "To use an index for string comparisons, an
  // operation must also specify the same collation"; an index with a collation still supports
  // comparisons of non-string fields by an operation with another (or the simple) collation.
  describe('index use', () => {
    const plan = async (name: string, filter: object, collation?: CollationOptions) =>
      JSON.stringify(((await coll(name).find(filter, collation ? { collation } : {}).explain('queryPlanner')) as { queryPlanner: { winningPlan: unknown } }).queryPlanner.winningPlan);

    before(async () => {
      const c = coll('indexed');
      await c.insertMany(Array.from({ length: 40 }, (_, i) => ({ _id: i, category: i % 2 ? 'café' : 'cafe', score: i % 5, price: i })));
      await c.createIndex({ category: 1 }, { collation: { locale: 'fr' }, name: 'category_fr' });
      await c.createIndex({ score: 1, price: 1 }, { collation: { locale: 'fr' }, name: 'score_price_fr' });
    });

    it('uses a collated index for string bounds only with the same collation', async () => {
      expect(await plan('indexed', { category: 'cafe' }, { locale: 'fr' })).to.include('category_fr');
      expect(await plan('indexed', { category: 'cafe' })).to.not.include('category_fr');
      expect(await plan('indexed', { category: 'cafe' }, { locale: 'en', strength: 1 })).to.not.include('category_fr');
      const found = await coll('indexed').find({ category: 'CAFE' }, { collation: { locale: 'fr', strength: 1 } }).toArray();
      expect(found).to.have.length(40);
    });

    it('uses a collated index for numbers with any collation', async () => {
      expect(await plan('indexed', { score: 3 })).to.include('score_price_fr');
      expect(await plan('indexed', { score: 3, price: { $gt: 10 } }, { locale: 'en' })).to.include('score_price_fr');
      const found = await coll('indexed').find({ score: 3, price: { $gt: 10 } }).sort({ price: 1 }).toArray();
      expect(found.map((d) => d.price)).to.deep.equal([13, 18, 23, 28, 33, 38]);
    });

    it('answers string ranges through a collated index with the collation order', async () => {
      const c = coll('indexed');
      const fr = { locale: 'fr' };
      expect(await plan('indexed', { category: { $gt: 'cafe' } }, fr)).to.include('category_fr');
      // In French "cafe" < "CAFE" < "café" (an accent outweighs case); in code points "CAFE" < "cafe" < "café".
      const ids = async (filter: object) => (await c.find(filter, { collation: fr, sort: { _id: 1 } }).toArray()).map((d) => d._id);
      const odd = Array.from({ length: 20 }, (_, i) => 2 * i + 1);
      expect(await ids({ category: { $gt: 'cafe' } })).to.deep.equal(odd);
      expect(await ids({ category: { $gte: 'CAFE' } })).to.deep.equal(odd);
      expect(await ids({ category: { $lt: 'CAFE' } })).to.have.length(20);
      expect(await ids({ category: { $lt: 'CAFE', $gt: 'cafe' } })).to.deep.equal([]);
    });
  });

  // Manual, "Collation": the aggregate's collation applies to the whole pipeline: $group keys,
  // expression comparisons ($expr, $cond...) and $lookup's matching.
  describe('in aggregation stages', () => {
    before(async () => {
      await coll('menu').insertMany([
        { _id: 1, w: 'café', price: 3 },
        { _id: 2, w: 'Cafe', price: 2 },
        { _id: 3, w: 'CAFÉ', price: 4 },
        { _id: 4, w: 'tea', price: 1 },
      ] as never[]);
      await coll('orders').insertMany([{ _id: 10, item: 'CAFE' } as never, { _id: 11, item: 'Tea' }, { _id: 12, item: 'water' }]);
    });

    it('groups values equal under the collation together', async () => {
      const groups = await coll('menu')
        .aggregate([{ $group: { _id: '$w', n: { $sum: 1 }, total: { $sum: '$price' } } }, { $sort: { n: -1 } }], { collation: { locale: 'en', strength: 1 } })
        .toArray();
      expect(groups.map((g) => [g.n, g.total])).to.deep.equal([
        [3, 9],
        [1, 1],
      ]);
      expect(String(groups[0]._id).toLowerCase().normalize('NFD').replace(/\p{M}/gu, '')).to.equal('cafe');
      const strict = await coll('menu').aggregate([{ $group: { _id: '$w' } }]).toArray();
      expect(strict).to.have.length(4);
    });

    it('applies the collation to $min, $max and $addToSet in $group', async () => {
      const [en] = await coll('menu').aggregate([{ $group: { _id: null, min: { $min: '$w' }, max: { $max: '$w' } } }], { collation: { locale: 'en' } }).toArray();
      // English puts "Cafe" (no accent) first and "tea" last; code points put "CAFÉ" first.
      expect([en.min, en.max]).to.deep.equal(['Cafe', 'tea']);
      const [binary] = await coll('menu').aggregate([{ $group: { _id: null, min: { $min: '$w' } } }]).toArray();
      expect(binary.min).to.equal('CAFÉ');
      const [set] = await coll('menu').aggregate([{ $group: { _id: null, words: { $addToSet: '$w' } } }], { collation: { locale: 'en', strength: 1 } }).toArray();
      expect(set.words).to.have.length(2);
    });

    it('compares strings in $expr and $cond under the collation', async () => {
      const ids = (await coll('menu').find({ $expr: { $eq: ['$w', 'CAFE'] } }, { collation: { locale: 'en', strength: 1 }, sort: { _id: 1 } }).toArray()).map((d) => d._id);
      expect(ids).to.deep.equal([1, 2, 3]);
      const flags = await coll('menu')
        .aggregate([{ $project: { _id: 1, isCafe: { $cond: [{ $eq: ['$w', 'cafe'] }, true, false] } } }, { $sort: { _id: 1 } }], { collation: { locale: 'en', strength: 2 } })
        .toArray();
      expect(flags.map((f) => f.isCafe)).to.deep.equal([false, true, false, false]);
    });

    it('matches $lookup fields under the collation', async () => {
      const joined = await coll('orders')
        .aggregate([{ $lookup: { from: 'menu', localField: 'item', foreignField: 'w', as: 'menu' } }, { $sort: { _id: 1 } }], { collation: { locale: 'en', strength: 2 } })
        .toArray();
      expect(joined.map((o) => o.menu.map((m: { _id: number }) => m._id))).to.deep.equal([[2], [4], []]);
      const viaPipeline = await coll('orders')
        .aggregate(
          [{ $match: { _id: 11 } }, { $lookup: { from: 'menu', let: { item: '$item' }, pipeline: [{ $match: { $expr: { $eq: ['$w', '$$item'] } } }], as: 'menu' } }],
          { collation: { locale: 'en', strength: 2 } },
        )
        .toArray();
      expect(viaPipeline[0].menu.map((m: { _id: number }) => m._id)).to.deep.equal([4]);
      const binary = await coll('orders')
        .aggregate([{ $match: { _id: 11 } }, { $lookup: { from: 'menu', let: { item: '$item' }, pipeline: [{ $match: { $expr: { $eq: ['$w', '$$item'] } } }], as: 'menu' } }])
        .toArray();
      expect(binary[0].menu).to.deep.equal([]);
    });

    it('applies the collation inside a $unionWith pipeline', async () => {
      const out = await coll('orders')
        .aggregate([{ $match: { item: 'tea' } }, { $unionWith: { coll: 'menu', pipeline: [{ $match: { w: 'TEA' } }] } }, { $project: { _id: 1 } }], { collation: { locale: 'en', strength: 2 } })
        .toArray();
      expect(out.map((d) => d._id)).to.deep.equal([11, 4]);
    });
  });
});
