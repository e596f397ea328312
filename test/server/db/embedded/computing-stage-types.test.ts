/**
 * Stages that move values keep their BSON number types, and what they compute has MongoDB's types.
 * MongoDB's manual: "$setWindowFields" (window operators: accumulators as in $group, "$shift" and
 * "$locf" return the values of the documents they pick, "$derivative", "$integral",
 * "$expMovingAvg", "$linearFill", "$stdDevPop", "$covarianceSamp"), "$fill" (locf, value),
 * "$graphLookup" (found documents as stored, depthField "represented as a NumberLong"),
 * "$sortByCount" ($group with {$sum: 1}, then $sort), "$bucketAuto" (_id.min and _id.max are
 * groupBy values, output accumulators), "$densify" (documents with the field stepped by `step`).
 * Read with `promoteValues: false` so the driver shows the type the server sent. A Decimal128 an
 * operator would compute inexactly may be refused (238), never answered as a double.
 */
import { expect } from 'chai';
import { Decimal128, Double, Int32, Long, type Collection, type Document } from 'mongodb';
import { openTarget, type Target } from './target.js';

const raw = { promoteValues: false } as const;
const typeOf = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : (v as { _bsontype?: string })._bsontype ?? typeof v);

describe('stages that compute keep moved values\' BSON types and give MongoDB\'s result types', () => {
  let t: Target;
  let sales: Collection<Document>;

  before(async () => {
    t = await openTarget('computing-stages');
    sales = t.db.collection('sales');
    await sales.insertMany([
      { _id: 1 as never, g: 'a', t: 1, qty: new Long(5), price: new Double(2), dec: Decimal128.fromString('1.10'), x: new Double(3) },
      { _id: 2 as never, g: 'a', t: 2, qty: new Long(7), price: new Double(4), dec: Decimal128.fromString('2.20'), x: null },
      { _id: 3 as never, g: 'a', t: 3, qty: new Long(9), price: new Double(6), dec: Decimal128.fromString('3.30'), x: new Double(5) },
      { _id: 4 as never, g: 'b', t: 1, qty: 3, price: 2.5, dec: Decimal128.fromString('4.40'), x: null },
    ]);
  });

  after(async () => {
    await t.close();
  });

  const windowed = (output: Document) => sales.aggregate([
    { $match: { g: 'a' } },
    { $setWindowFields: { partitionBy: '$g', sortBy: { t: 1 }, output } },
    { $sort: { t: 1 } },
  ], raw).toArray();

  it('$setWindowFields accumulators: $sum of int64 is an int64, $avg a double, $min/$max/$first/$last/$push/$addToSet the values as stored, $count an int32', async () => {
    const docs = await windowed({
      running: { $sum: '$qty', window: { documents: ['unbounded', 'current'] } },
      avg: { $avg: '$price', window: { documents: ['unbounded', 'unbounded'] } },
      min: { $min: '$qty', window: { documents: [-1, 0] } },
      max: { $max: '$qty', window: { documents: [-1, 0] } },
      first: { $first: '$qty', window: { documents: [-1, 0] } },
      last: { $last: '$price', window: { documents: [-1, 0] } },
      pushed: { $push: '$price', window: { documents: [-1, 0] } },
      set: { $addToSet: '$qty', window: { documents: ['unbounded', 'unbounded'] } },
      count: { $count: {}, window: { documents: [-1, 0] } },
    });
    expect(docs.map((d) => [typeOf(d.running), String(d.running)])).to.deep.equal([['Long', '5'], ['Long', '12'], ['Long', '21']]);
    expect(docs.map((d) => [typeOf(d.avg), d.avg.valueOf()])).to.deep.equal([['Double', 4], ['Double', 4], ['Double', 4]]);
    expect(docs.map((d) => [typeOf(d.min), String(d.min), typeOf(d.max), String(d.max)])).to.deep.equal([['Long', '5', 'Long', '5'], ['Long', '5', 'Long', '7'], ['Long', '7', 'Long', '9']]);
    expect(docs.map((d) => [typeOf(d.first), typeOf(d.last)])).to.deep.equal([['Long', 'Double'], ['Long', 'Double'], ['Long', 'Double']]);
    expect(docs[2].pushed.map((v: Double) => [typeOf(v), v.valueOf()])).to.deep.equal([['Double', 4], ['Double', 6]]);
    expect(docs[0].set.map(typeOf)).to.deep.equal(['Long', 'Long', 'Long']);
    expect(docs[0].set.map(String).sort()).to.deep.equal(['5', '7', '9']);
    expect(docs.map((d) => [typeOf(d.count), d.count.valueOf()])).to.deep.equal([['Int32', 1], ['Int32', 2], ['Int32', 2]]);
    // The fields it does not compute keep their types.
    expect(docs.map((d) => typeOf(d.qty))).to.deep.equal(['Long', 'Long', 'Long']);
    expect(typeOf(docs[0].dec)).to.equal('Decimal128');
  });

  it('$setWindowFields $shift and $locf give the picked document\'s value with its type', async () => {
    const docs = await windowed({
      next: { $shift: { output: '$qty', by: 1, default: 'none' } },
      previous: { $shift: { output: '$price', by: -1, default: 'none' } },
      filled: { $locf: '$x' },
    });
    expect(docs.map((d) => typeOf(d.next))).to.deep.equal(['Long', 'Long', 'string']);
    expect(docs.map((d) => String(d.next))).to.deep.equal(['7', '9', 'none']);
    expect(docs.map((d) => typeOf(d.previous))).to.deep.equal(['string', 'Double', 'Double']);
    expect(docs.map((d) => [typeOf(d.filled), d.filled.valueOf()])).to.deep.equal([['Double', 3], ['Double', 3], ['Double', 5]]);
  });

  it('$setWindowFields $derivative, $integral, $expMovingAvg, $linearFill, $stdDevPop and $covarianceSamp give doubles, also when integral', async () => {
    const docs = await windowed({
      derivative: { $derivative: { input: '$price' }, window: { documents: [-1, 0] } },
      integral: { $integral: { input: '$price' }, window: { documents: [-1, 0] } },
      ema: { $expMovingAvg: { input: '$price', N: 3 } },
      linear: { $linearFill: '$x' },
      stdDev: { $stdDevPop: '$price', window: { documents: [-1, 0] } },
      covariance: { $covarianceSamp: ['$t', '$price'], window: { documents: [-1, 0] } },
    });
    expect(docs.slice(1).map((d) => [typeOf(d.derivative), d.derivative.valueOf()])).to.deep.equal([['Double', 2], ['Double', 2]]);
    expect(docs.slice(1).map((d) => [typeOf(d.integral), d.integral.valueOf()])).to.deep.equal([['Double', 3], ['Double', 5]]);
    // N: 3 is alpha 0.5: 2, then 4 * 0.5 + 2 * 0.5 = 3, then 6 * 0.5 + 3 * 0.5 = 4.5.
    expect(docs.map((d) => [typeOf(d.ema), d.ema.valueOf()])).to.deep.equal([['Double', 2], ['Double', 3], ['Double', 4.5]]);
    expect(docs.map((d) => [typeOf(d.linear), d.linear.valueOf()])).to.deep.equal([['Double', 3], ['Double', 4], ['Double', 5]]);
    expect(docs.map((d) => [typeOf(d.stdDev), d.stdDev.valueOf()])).to.deep.equal([['Double', 0], ['Double', 1], ['Double', 1]]);
    expect(docs.slice(1).map((d) => [typeOf(d.covariance), d.covariance.valueOf()])).to.deep.equal([['Double', 1], ['Double', 1]]);
  });

  it('$setWindowFields $derivative of a Decimal128 is a Decimal128 or refused (238), never a double', async () => {
    const outcome = await windowed({ derivative: { $derivative: { input: '$dec' }, window: { documents: [-1, 0] } } }).then(
      (docs) => ({ type: typeOf(docs[1].derivative), value: Number(String(docs[1].derivative)) }),
      (err: { code?: number }) => ({ code: err.code }),
    );
    if ('code' in outcome) expect(Number(outcome.code)).to.equal(238);
    else expect(outcome).to.deep.equal({ type: 'Decimal128', value: 1.1 });
  });

  it('$fill by locf moves the previous value with its type, and by value gives the expression\'s value', async () => {
    const docs = await sales.aggregate([
      { $fill: { sortBy: { t: 1 }, partitionBy: '$g', output: { x: { method: 'locf' } } } },
      { $fill: { output: { y: { value: '$price' } } } },
      { $sort: { _id: 1 } },
    ], raw).toArray();
    expect(docs.map((d) => [typeOf(d.x), d.x?.valueOf() ?? null])).to.deep.equal([['Double', 3], ['Double', 3], ['Double', 5], [undefined, null]]);
    expect(docs.map((d) => [typeOf(d.y), d.y.valueOf()])).to.deep.equal([['Double', 2], ['Double', 4], ['Double', 6], ['Double', 2.5]]);
    expect(docs.map((d) => typeOf(d.qty))).to.deep.equal(['Long', 'Long', 'Long', 'Int32']);
  });

  it('$fill by linear interpolates as a double and keeps the values it does not fill', async () => {
    const docs = await sales.aggregate([
      { $match: { g: 'a' } },
      { $fill: { sortBy: { t: 1 }, output: { x: { method: 'linear' } } } },
      { $sort: { t: 1 } },
    ], raw).toArray();
    expect(docs.map((d) => [typeOf(d.x), d.x.valueOf()])).to.deep.equal([['Double', 3], ['Double', 4], ['Double', 5]]);
    expect(typeOf(docs[0].price)).to.equal('Double');
  });

  it('$sortByCount counts as int32 and groups 5, NumberLong(5) and 5.0 together', async () => {
    const counted = await sales.aggregate([{ $sortByCount: '$g' }], raw).toArray();
    expect(counted.map((d) => [d._id, typeOf(d.count), d.count.valueOf()])).to.deep.equal([['a', 'Int32', 3], ['b', 'Int32', 1]]);
    const numbers = t.db.collection('counted');
    await numbers.insertMany([{ v: new Long(5) }, { v: 5 }, { v: new Double(5) }, { v: 6 }]);
    const byValue = await numbers.aggregate([{ $sortByCount: '$v' }], raw).toArray();
    expect(byValue.map((d) => [Number(d._id), d.count.valueOf()])).to.deep.equal([[5, 3], [6, 1]]);
  });

  it('$bucketAuto boundaries are the groupBy values as stored and its output is accumulated with MongoDB\'s types', async () => {
    const buckets = await sales.aggregate([
      { $bucketAuto: { groupBy: '$qty', buckets: 2, output: { count: { $sum: 1 }, total: { $sum: '$qty' }, prices: { $push: '$price' }, avg: { $avg: '$dec' } } } },
    ], raw).toArray();
    expect(buckets.map((b) => [typeOf(b._id.min), String(b._id.min), typeOf(b._id.max), String(b._id.max)])).to.deep.equal([
      ['Int32', '3', 'Long', '7'],
      ['Long', '7', 'Long', '9'],
    ]);
    expect(buckets.map((b) => [typeOf(b.count), b.count.valueOf()])).to.deep.equal([['Int32', 2], ['Int32', 2]]);
    // int32 3 + int64 5 is an int64.
    expect(buckets.map((b) => [typeOf(b.total), String(b.total)])).to.deep.equal([['Long', '8'], ['Long', '16']]);
    expect(buckets[1].prices.map(typeOf)).to.deep.equal(['Double', 'Double']);
    expect(buckets.map((b) => [typeOf(b.avg), Number(String(b.avg))])).to.deep.equal([['Decimal128', 2.75], ['Decimal128', 2.75]]);
    // Without output, a count (int32).
    const [first] = await sales.aggregate([{ $bucketAuto: { groupBy: '$t', buckets: 1 } }], raw).toArray();
    expect(first).to.deep.equal({ _id: { min: new Int32(1), max: new Int32(3) }, count: new Int32(4) });
  });

  it('$graphLookup adds the documents it finds as stored, connects numbers by value, and gives depthField as an int64', async () => {
    const staff = t.db.collection('staff');
    await staff.insertMany([
      { _id: 1 as never, eid: new Double(1), reportsTo: null, pay: new Double(10) },
      { _id: 2 as never, eid: new Long(2), reportsTo: new Long(1), pay: new Double(20) },
      { _id: 3 as never, eid: 3, reportsTo: 2, pay: Decimal128.fromString('30.5') },
    ]);
    const [chain] = await staff.aggregate([
      { $match: { _id: 3 } },
      { $graphLookup: { from: 'staff', startWith: '$reportsTo', connectFromField: 'reportsTo', connectToField: 'eid', as: 'bosses', depthField: 'depth' } },
    ], raw).toArray();
    const bosses = [...chain.bosses].sort((a, b) => Number(a.depth) - Number(b.depth));
    expect(bosses.map((b) => [b._id.valueOf(), typeOf(b.depth), String(b.depth)])).to.deep.equal([[2, 'Long', '0'], [1, 'Long', '1']]);
    expect(bosses.map((b) => [typeOf(b.eid), typeOf(b.pay)])).to.deep.equal([['Long', 'Double'], ['Double', 'Double']]);
    expect(typeOf(chain.pay)).to.equal('Decimal128');
    const [limited] = await staff.aggregate([
      { $match: { _id: 3 } },
      { $graphLookup: { from: 'staff', startWith: '$reportsTo', connectFromField: 'reportsTo', connectToField: 'eid', as: 'bosses', maxDepth: 0 } },
    ], raw).toArray();
    expect(limited.bosses.map((b: Document) => b._id.valueOf())).to.deep.equal([2]);
    const [restricted] = await staff.aggregate([
      { $match: { _id: 3 } },
      { $graphLookup: { from: 'staff', startWith: '$reportsTo', connectFromField: 'reportsTo', connectToField: 'eid', as: 'bosses', restrictSearchWithMatch: { pay: { $gt: 15 } } } },
    ], raw).toArray();
    expect(restricted.bosses.map((b: Document) => b._id.valueOf())).to.deep.equal([2]);
  });

  it('$densify keeps the documents it passes as stored and steps int32 values as int32, with a double step as doubles', async () => {
    const readings = t.db.collection('readings');
    await readings.insertMany([{ h: 0, v: new Double(1) }, { h: 2, v: new Long(4) }]);
    const ints = await readings.aggregate([
      { $densify: { field: 'h', range: { step: 1, bounds: 'full' } } },
      { $sort: { h: 1 } },
      { $project: { _id: 0 } },
    ], raw).toArray();
    expect(ints.map((d) => [typeOf(d.h), d.h.valueOf()])).to.deep.equal([['Int32', 0], ['Int32', 1], ['Int32', 2]]);
    expect(ints.map((d) => typeOf(d.v))).to.deep.equal(['Double', undefined, 'Long']);
    const halves = await readings.aggregate([
      { $densify: { field: 'h', range: { step: 0.5, bounds: 'full' } } },
      { $sort: { h: 1 } },
    ], raw).toArray();
    expect(halves.map((d) => [typeOf(d.h), d.h.valueOf()])).to.deep.equal([['Int32', 0], ['Double', 0.5], ['Double', 1], ['Double', 1.5], ['Int32', 2]]);
  });

  it('$densify with bounds makes the values from the lower bound up to, not including, the upper one, also after the last document', async () => {
    const series = t.db.collection('series');
    await series.insertMany([{ key: 1, num: 2 }, { key: 1, num: 4 }, { key: 1, num: 6 }]);
    const docs = await series.aggregate([
      { $densify: { field: 'num', partitionByFields: ['key'], range: { step: 1, bounds: [4, 8] } } },
      { $sort: { num: 1 } },
      { $project: { _id: 0 } },
    ], raw).toArray();
    // Documents outside the bounds pass through; none is made below the lower bound.
    expect(docs.map((d) => [d.key?.valueOf(), typeOf(d.num), d.num.valueOf()])).to.deep.equal([[1, 'Int32', 2], [1, 'Int32', 4], [1, 'Int32', 5], [1, 'Int32', 6], [1, 'Int32', 7]]);
  });
});

describe('int64 values beyond 2^53 compare by value in $lookup and $unionWith sub-pipelines', () => {
  let t: Target;
  const big = Long.fromString('9007199254740993'); // 2^53 + 1: no double holds it
  const bigger = Long.fromString('9007199254740995');

  before(async () => {
    t = await openTarget('big-longs');
    await t.db.collection('keys').insertMany([{ _id: 1 as never, k: big }, { _id: 2 as never, k: bigger }]);
    await t.db.collection('values').insertMany([{ _id: 1 as never, k: big }, { _id: 2 as never, k: bigger }, { _id: 3 as never, k: 5 }, { _id: 4 as never, k: new Long(7) }]);
  });

  after(async () => {
    await t.close();
  });

  it('$lookup with let and $expr comparisons matches exactly by value', async () => {
    const docs = await t.db.collection('keys').aggregate([
      { $sort: { _id: 1 } },
      {
        $lookup: {
          from: 'values',
          let: { k: '$k' },
          pipeline: [{ $match: { $expr: { $lt: ['$k', '$$k'] } } }, { $sort: { _id: 1 } }, { $project: { _id: 1 } }],
          as: 'smaller',
        },
      },
      { $lookup: { from: 'values', let: { k: '$k' }, pipeline: [{ $match: { $expr: { $eq: ['$k', '$$k'] } } }, { $project: { _id: 1 } }], as: 'equal' } },
    ], raw).toArray();
    expect(docs.map((d) => d.smaller.map((s: Document) => s._id.valueOf()))).to.deep.equal([[3, 4], [1, 3, 4]]);
    expect(docs.map((d) => d.equal.map((s: Document) => s._id.valueOf()))).to.deep.equal([[1], [2]]);
  });

  it('$setWindowFields sorted by int64 values beyond 2^53 numbers them in order, or is refused (238)', async () => {
    const outcome = await t.db.collection('keys').aggregate([
      { $setWindowFields: { sortBy: { k: -1 }, output: { n: { $documentNumber: {} } } } },
      { $sort: { _id: 1 } },
    ], raw).toArray().then(
      (docs) => ({ numbers: docs.map((d) => d.n.valueOf()) }),
      (err: { code?: number }) => ({ code: err.code }),
    );
    if ('code' in outcome) expect(Number(outcome.code)).to.equal(238);
    else expect(outcome).to.deep.equal({ numbers: [2, 1] });
  });

  it('$unionWith with an $expr comparison against an int64 beyond 2^53', async () => {
    const docs = await t.db.collection('keys').aggregate([
      { $match: { _id: 1 } },
      { $project: { _id: 1 } },
      { $unionWith: { coll: 'values', pipeline: [{ $match: { $expr: { $gt: ['$k', 6] } } }, { $sort: { _id: 1 } }] } },
    ], raw).toArray();
    expect(docs.map((d) => [d._id.valueOf(), typeOf(d.k), d.k === undefined ? undefined : String(d.k)])).to.deep.equal([
      [1, undefined, undefined],
      [1, 'Long', '9007199254740993'],
      [2, 'Long', '9007199254740995'],
      [4, 'Long', '7'],
    ]);
  });
});
