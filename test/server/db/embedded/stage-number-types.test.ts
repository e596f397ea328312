/**
 * A value that a stage or operator only moves keeps its BSON type. MongoDB's manual: "$lookup"
 * (joined documents are added as they are stored, and equality matches compare numbers by value),
 * "$replaceRoot", "$replaceWith", "$unwind", "$bucket", "$facet", "$unionWith", "$first", "$last"
 * (return the value of the expression), "$cond", "$ifNull", "$switch", "$let" (return the
 * expression chosen). Read with `promoteValues: false` so the driver shows the type the server sent.
 */
import { expect } from 'chai';
import { Decimal128, Double, Int32, Long, type Collection, type Document } from 'mongodb';
import { openTarget, type Target } from './target.js';

const raw = { promoteValues: false } as const;

describe('moved values keep their BSON number type through stages', () => {
  let t: Target;
  let orders: Collection<Document>;
  let stock: Collection<Document>;

  before(async () => {
    t = await openTarget('stage-types');
    orders = t.db.collection('orders');
    stock = t.db.collection('stock');
    await orders.insertMany([
      { _id: 1 as never, g: 'a', sku: new Long(1), qty: new Long(5), price: new Double(2), dec: Decimal128.fromString('1.10'), zero: new Double(0), tags: [new Long(7), new Double(3)], sub: { n: new Long(9), d: new Double(4) } },
      { _id: 2 as never, g: 'a', sku: 2, qty: new Long(50), price: new Double(6), dec: Decimal128.fromString('2.20'), zero: new Double(0), tags: [], sub: { n: new Long(10), d: new Double(8) } },
    ]);
    await stock.insertMany([
      { _id: 1 as never, sku: 1, onHand: new Long(12), weight: new Double(3) },
      { _id: 2 as never, sku: new Long(2), onHand: new Long(40), weight: new Double(1) },
    ]);
  });

  after(async () => {
    await t.close();
  });

  it('$lookup by localField/foreignField matches numbers by value and returns joined documents with their types', async () => {
    const docs = await orders.aggregate([{ $sort: { _id: 1 } }, { $lookup: { from: 'stock', localField: 'sku', foreignField: 'sku', as: 'stock' } }], raw).toArray();
    expect(docs.map((d) => d.stock.length)).to.deep.equal([1, 1]);
    expect(docs[0].stock[0].onHand).to.be.instanceOf(Long);
    expect(docs[0].stock[0].weight).to.be.instanceOf(Double);
    expect(docs[1].stock[0].sku).to.be.instanceOf(Long);
    expect(docs[0].qty).to.be.instanceOf(Long);
  });

  it('$lookup with let and a pipeline returns joined documents with their types', async () => {
    const [doc] = await orders.aggregate([
      { $match: { _id: 1 } },
      { $lookup: { from: 'stock', let: { s: '$sku' }, pipeline: [{ $match: { $expr: { $eq: ['$sku', '$$s'] } } }], as: 'stock' } },
    ], raw).toArray();
    expect(doc.stock).to.have.length(1);
    expect(doc.stock[0].onHand).to.be.instanceOf(Long);
    expect(doc.stock[0].onHand.toString()).to.equal('12');
  });

  it('$replaceRoot and $replaceWith keep the types of the new root fields', async () => {
    const [a] = await orders.aggregate([{ $match: { _id: 1 } }, { $replaceRoot: { newRoot: '$sub' } }], raw).toArray();
    expect(a.n).to.be.instanceOf(Long);
    expect(a.d).to.be.instanceOf(Double);
    const [b] = await orders.aggregate([{ $match: { _id: 1 } }, { $replaceWith: { $mergeObjects: ['$sub', { price: '$price', dec: '$dec' }] } }], raw).toArray();
    expect(b.n).to.be.instanceOf(Long);
    expect(b.price).to.be.instanceOf(Double);
    expect(b.dec).to.be.instanceOf(Decimal128);
  });

  it('$unwind keeps the types of the array elements, also after a $lookup', async () => {
    const docs = await orders.aggregate([{ $match: { _id: 1 } }, { $lookup: { from: 'stock', localField: 'sku', foreignField: 'sku', as: 's' } }, { $unwind: '$tags' }], raw).toArray();
    expect(docs.map((d) => d.tags.constructor)).to.deep.equal([Long, Double]);
  });

  it('$bucket groups by a long value and its accumulators keep the types', async () => {
    const buckets = await orders.aggregate([
      { $bucket: { groupBy: '$qty', boundaries: [0, 10, 100], output: { prices: { $push: '$price' }, first: { $first: '$qty' } } } },
    ], raw).toArray();
    expect(buckets.map((b) => b._id.valueOf())).to.deep.equal([0, 10]);
    expect(buckets[0].prices[0]).to.be.instanceOf(Double);
    expect(buckets[1].first).to.be.instanceOf(Long);
    expect(buckets[1].first.toString()).to.equal('50');
  });

  it('$group $first and $last keep the types, also inside $facet', async () => {
    const [g] = await orders.aggregate([{ $sort: { _id: 1 } }, { $group: { _id: '$g', first: { $first: '$qty' }, last: { $last: '$price' }, dec: { $last: '$dec' } } }], raw).toArray();
    expect(g.first).to.be.instanceOf(Long);
    expect(g.last).to.be.instanceOf(Double);
    expect(g.dec).to.be.instanceOf(Decimal128);
    const [f] = await orders.aggregate([{ $sort: { _id: 1 } }, { $facet: { firsts: [{ $group: { _id: null, q: { $first: '$qty' } } }], roots: [{ $replaceRoot: { newRoot: '$sub' } }] } }], raw).toArray();
    expect(f.firsts[0].q).to.be.instanceOf(Long);
    expect(f.roots[0].d).to.be.instanceOf(Double);
  });

  it('$setWindowFields keeps the types of the fields it does not compute', async () => {
    const docs = await orders.aggregate([{ $setWindowFields: { partitionBy: '$g', sortBy: { qty: 1 }, output: { n: { $documentNumber: {} } } } }], raw).toArray();
    expect(docs.map((d) => d.n.valueOf())).to.deep.equal([1, 2]);
    expect(docs.map((d) => d.qty.toString())).to.deep.equal(['5', '50']);
    expect(docs[0].qty).to.be.instanceOf(Long);
    expect(docs[0].price).to.be.instanceOf(Double);
    expect(docs[0].dec).to.be.instanceOf(Decimal128);
  });

  it('$unionWith adds the other collection\'s documents with their types', async () => {
    const docs = await orders.aggregate([{ $match: { _id: 1 } }, { $project: { _id: 1 } }, { $unionWith: { coll: 'stock', pipeline: [{ $match: { _id: 2 } }] } }], raw).toArray();
    expect(docs).to.have.length(2);
    expect(docs[1].onHand).to.be.instanceOf(Long);
    expect(docs[1].weight).to.be.instanceOf(Double);
  });

  it('$cond, $ifNull, $switch and $let return the chosen value with its type', async () => {
    const [doc] = await orders.aggregate([
      { $match: { _id: 1 } },
      {
        $project: {
          _id: 0,
          cond: { $cond: [{ $gt: ['$qty', 1] }, '$qty', '$price'] },
          condZero: { $cond: { if: '$zero', then: '$qty', else: '$price' } },
          ifNull: { $ifNull: ['$missing', '$price'] },
          switched: { $switch: { branches: [{ case: { $lt: ['$qty', 1] }, then: '$qty' }, { case: { $eq: ['$qty', 5] }, then: '$dec' }], default: '$price' } },
          let: { $let: { vars: { q: '$qty' }, in: '$$q' } },
        },
      },
    ], raw).toArray();
    expect(doc.cond).to.be.instanceOf(Long);
    // A double zero is false.
    expect(doc.condZero).to.be.instanceOf(Double);
    expect(doc.condZero.valueOf()).to.equal(2);
    expect(doc.ifNull).to.be.instanceOf(Double);
    expect(doc.switched).to.be.instanceOf(Decimal128);
    expect(doc.switched.toString()).to.equal('1.10');
    expect(doc.let).to.be.instanceOf(Long);
  });

  it('array and object operators that move values keep their types', async () => {
    const [doc] = await orders.aggregate([
      { $match: { _id: 1 } },
      {
        $project: {
          _id: 0,
          first: { $first: '$tags' },
          last: { $last: '$tags' },
          both: { $concatArrays: ['$tags', ['$qty']] },
          mapped: { $map: { input: '$tags', as: 't', in: '$$t' } },
          field: { $getField: { field: 'n', input: '$sub' } },
          elem: { $arrayElemAt: ['$tags', 1] },
          sliced: { $slice: ['$tags', { $literal: new Long(1) }] },
          summed: { $reduce: { input: '$tags', initialValue: new Double(0), in: { $add: ['$$value', '$$this'] } } },
        },
      },
    ], raw).toArray();
    expect(doc.first).to.be.instanceOf(Long);
    expect(doc.last).to.be.instanceOf(Double);
    expect(doc.both.map((v: object) => v.constructor)).to.deep.equal([Long, Double, Long]);
    expect(doc.mapped.map((v: object) => v.constructor)).to.deep.equal([Long, Double]);
    expect(doc.field).to.be.instanceOf(Long);
    expect(doc.elem).to.be.instanceOf(Double);
    expect(doc.sliced.map((v: object) => v.constructor)).to.deep.equal([Long]);
    // A double with a long gives a double.
    expect(doc.summed).to.be.instanceOf(Double);
    expect(doc.summed.valueOf()).to.equal(10);
  });

  it('$round, $floor, $abs keep their operand\'s type and $sqrt gives a double, also when integral', async () => {
    const [doc] = await orders.aggregate([
      { $match: { _id: 1 } },
      { $project: { _id: 0, round: { $round: ['$price', 0] }, roundPlain: { $round: [{ $literal: 2.4 }, 0] }, floor: { $floor: '$qty' }, abs: { $abs: -3 }, sqrt: { $sqrt: 16 } } },
    ], raw).toArray();
    expect(doc.round).to.be.instanceOf(Double);
    expect(doc.roundPlain).to.be.instanceOf(Double);
    expect(doc.roundPlain.valueOf()).to.equal(2);
    expect(doc.floor).to.be.instanceOf(Long);
    expect(doc.abs).to.be.instanceOf(Int32);
    expect(doc.sqrt).to.be.instanceOf(Double);
    expect(doc.sqrt.valueOf()).to.equal(4);
  });

  it('$toDouble gives a double and $toLong a long, also for small integral values', async () => {
    const [doc] = await orders.aggregate([{ $match: { _id: 1 } }, { $project: { _id: 0, d: { $toDouble: 3 }, l: { $toLong: 3 }, fromLong: { $toDouble: '$qty' } } }], raw).toArray();
    expect(doc.d).to.be.instanceOf(Double);
    expect(doc.l).to.be.instanceOf(Long);
    expect(doc.l.toString()).to.equal('3');
    expect(doc.fromLong).to.be.instanceOf(Double);
    expect(doc.fromLong.valueOf()).to.equal(5);
  });

  it('a value computed from a moved value is still computed by value', async () => {
    const [doc] = await orders.aggregate([{ $match: { _id: 1 } }, { $replaceWith: { q: { $cond: [true, '$qty', 0] }, more: { $gt: [{ $ifNull: ['$qty', 0] }, 4] } } }], raw).toArray();
    expect(doc.q).to.be.instanceOf(Long);
    expect(doc.more).to.equal(true);
  });

  it('an update pipeline keeps the types of untouched and moved fields and computes with MongoDB\'s result types', async () => {
    const items = t.db.collection('items');
    await items.insertOne({ _id: 1 as never, n: new Long(4), d: new Double(2), sub: { x: new Long(1) } });
    await items.updateOne({ _id: 1 as never }, [
      { $set: { total: { $add: ['$n', 1] }, half: { $multiply: ['$d', 2] }, copy: '$sub', picked: { $ifNull: ['$none', '$d'] } } },
    ]);
    const doc = await items.findOne({ _id: 1 as never }, raw);
    expect(doc?.n).to.be.instanceOf(Long);
    expect(doc?.sub.x).to.be.instanceOf(Long);
    expect(doc?.total).to.be.instanceOf(Long);
    expect(doc?.total.toString()).to.equal('5');
    expect(doc?.half).to.be.instanceOf(Double);
    expect(doc?.half.valueOf()).to.equal(4);
    expect(doc?.copy.x).to.be.instanceOf(Long);
    expect(doc?.picked).to.be.instanceOf(Double);
    await items.updateOne({ _id: 1 as never }, [{ $replaceWith: { _id: '$_id', n: '$n', big: { $gt: ['$n', 3] } } }]);
    const replaced = await items.findOne({ _id: 1 as never }, raw);
    expect(replaced?.n).to.be.instanceOf(Long);
    expect(replaced?.big).to.equal(true);
  });
});
