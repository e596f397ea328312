/**
 * The BSON number type of what aggregation expression operators and accumulators return, from
 * MongoDB's manual: operators that select or move values ($filter, $setUnion, $setIntersection,
 * $setDifference, $zip, $sortArray, $minN, $maxN, $firstN, $lastN, $max, $min, $top, $bottom,
 * $topN, $bottomN, $mergeObjects) return the values themselves; $toDecimal "converts a value to a
 * decimal" (2.5 becomes Decimal128("2.50000000000000")), $convert converts to the type it names,
 * $toLong to a long, $type names the stored type, $toString prints the stored value; $stdDevPop
 * and $stdDevSamp return "a double", as do $median and $percentile and the trigonometric
 * operators; $bitAnd/$bitOr/$bitXor/$bitNot return a long when an operand is a long; counts and
 * positions ($size, $indexOfArray, $range) are int32. Read with `promoteValues: false` so the driver
 * shows the type the server sent.
 */
import { expect } from 'chai';
import { Decimal128, Double, Int32, Long, type Collection, type Document } from 'mongodb';
import { openTarget, type Target } from './target.js';

const raw = { promoteValues: false } as const;

/** The BSON type names of values as the driver decoded them without promotion. */
const types = (values: unknown[]): string[] => values.map((v) => (v as { _bsontype?: string })._bsontype ?? typeof v);

describe('aggregation operators and accumulators return MongoDB number types', () => {
  let t: Target;
  let coll: Collection<Document>;

  before(async () => {
    t = await openTarget('expression-types');
    coll = t.db.collection('values');
    await coll.insertMany([
      { _id: 1 as never, g: 'a', rank: 1, l: new Long(3), d: new Double(2), dec: Decimal128.fromString('1.50'), i: 5, longs: [new Long(1), new Long(2)], doubles: [new Double(1), new Double(0)], sub: { n: new Long(9) } },
      { _id: 2 as never, g: 'a', rank: 2, l: new Long(7), d: new Double(4), dec: Decimal128.fromString('2.50'), i: 6, longs: [new Long(3)], doubles: [new Double(5)], sub: { n: new Long(10) } },
    ]);
  });

  after(async () => {
    await t.close();
  });

  async function projected(fields: Document): Promise<Document> {
    const [doc] = await coll.aggregate([{ $match: { _id: 1 } }, { $project: { _id: 0, ...fields } }], raw).toArray();
    return doc;
  }

  it('$filter returns the stored elements, and a condition on an element sees its value (0.0 is false)', async () => {
    const doc = await projected({
      all: { $filter: { input: '$longs', cond: true } },
      big: { $filter: { input: '$longs', as: 'x', cond: { $gt: ['$$x', 1] } } },
      truthy: { $filter: { input: '$doubles', cond: '$$this' } },
      limited: { $filter: { input: '$longs', cond: true, limit: 1 } },
    });
    expect(types(doc.all)).to.deep.equal(['Long', 'Long']);
    expect(doc.big.map(String)).to.deep.equal(['2']);
    expect(types(doc.big)).to.deep.equal(['Long']);
    expect(types(doc.truthy)).to.deep.equal(['Double']);
    expect(doc.truthy[0].valueOf()).to.equal(1);
    expect(types(doc.limited)).to.deep.equal(['Long']);
  });

  it('$setUnion, $setIntersection and $setDifference return the stored elements', async () => {
    const doc = await projected({
      union: { $setUnion: ['$longs', [new Long(1)]] },
      intersection: { $setIntersection: ['$longs', [new Long(2)]] },
      difference: { $setDifference: ['$longs', [2]] },
    });
    // The order of a set's elements is unspecified.
    expect(doc.union.map(String).sort()).to.deep.equal(['1', '2']);
    expect(types(doc.union)).to.deep.equal(['Long', 'Long']);
    expect(types(doc.intersection)).to.deep.equal(['Long']);
    expect(String(doc.intersection[0])).to.equal('2');
    expect(types(doc.difference)).to.deep.equal(['Long']);
    expect(String(doc.difference[0])).to.equal('1');
  });

  it('$zip, $sortArray, $firstN, $lastN, $minN, $maxN, $max and $min return the stored values', async () => {
    const doc = await projected({
      zipped: { $zip: { inputs: ['$longs', '$doubles'] } },
      sorted: { $sortArray: { input: '$longs', sortBy: -1 } },
      first: { $firstN: { input: '$longs', n: 1 } },
      last: { $lastN: { input: '$doubles', n: 1 } },
      least: { $minN: { input: '$doubles', n: 1 } },
      greatest: { $maxN: { input: '$longs', n: 1 } },
      max: { $max: ['$l', 1] },
      min: { $min: '$doubles' },
      maxDecimal: { $max: ['$dec', 1] },
    });
    expect(doc.zipped.map(types)).to.deep.equal([['Long', 'Double'], ['Long', 'Double']]);
    expect(doc.sorted.map(String)).to.deep.equal(['2', '1']);
    expect(types(doc.sorted)).to.deep.equal(['Long', 'Long']);
    expect(types(doc.first)).to.deep.equal(['Long']);
    expect(types(doc.last)).to.deep.equal(['Double']);
    expect(types(doc.least)).to.deep.equal(['Double']);
    expect(doc.least[0].valueOf()).to.equal(0);
    expect(types(doc.greatest)).to.deep.equal(['Long']);
    expect(doc.max).to.be.instanceOf(Long);
    expect(doc.max.toString()).to.equal('3');
    expect(doc.min).to.be.instanceOf(Double);
    expect(doc.min.valueOf()).to.equal(0);
    expect(doc.maxDecimal).to.be.instanceOf(Decimal128);
    expect(doc.maxDecimal.toString()).to.equal('1.50');
  });

  it('$toDecimal gives a Decimal128 (a double converted to 15 significant digits)', async () => {
    const doc = await projected({
      fromInt: { $toDecimal: '$i' },
      fromDouble: { $toDecimal: 2.5 },
      fromLong: { $toDecimal: new Long(10000) },
      fromBool: { $toDecimal: true },
      fromString: { $toDecimal: '-5.5' },
      kept: { $toDecimal: '$dec' },
    });
    for (const v of Object.values(doc)) expect(v).to.be.instanceOf(Decimal128);
    expect(doc.fromInt.toString()).to.equal('5');
    expect(doc.fromDouble.toString()).to.equal('2.50000000000000');
    expect(doc.fromLong.toString()).to.equal('10000');
    expect(doc.fromBool.toString()).to.equal('1');
    expect(doc.fromString.toString()).to.equal('-5.5');
    expect(doc.kept.toString()).to.equal('1.50');
  });

  it('$convert gives the type it names: long an int64, double a double also when integral, decimal a Decimal128', async () => {
    const doc = await projected({
      long: { $convert: { input: '$i', to: 'long' } },
      longByNumber: { $convert: { input: '$i', to: 18 } },
      double: { $convert: { input: '$i', to: 'double' } },
      decimal: { $convert: { input: '$d', to: 'decimal' } },
      int: { $convert: { input: '$l', to: 'int' } },
      string: { $convert: { input: '$l', to: 'string' } },
      fallback: { $convert: { input: 'x', to: 'int', onError: '$l' } },
      nullInput: { $convert: { input: '$missing', to: 'int', onNull: '$d' } },
    });
    expect(doc.long).to.be.instanceOf(Long);
    expect(doc.long.toString()).to.equal('5');
    expect(doc.longByNumber).to.be.instanceOf(Long);
    expect(doc.double).to.be.instanceOf(Double);
    expect(doc.double.valueOf()).to.equal(5);
    expect(doc.decimal).to.be.instanceOf(Decimal128);
    expect(doc.decimal.toString()).to.equal('2.00000000000000');
    expect(doc.int).to.be.instanceOf(Int32);
    expect(doc.string).to.equal('3');
    expect(doc.fallback).to.be.instanceOf(Long);
    expect(doc.nullInput).to.be.instanceOf(Double);
  });

  it('$toLong is exact beyond 2^53, $toInt gives an int32, $toString prints the stored value and $type names the stored type', async () => {
    const doc = await projected({
      long: { $toLong: '9007199254740993' },
      fromDecimal: { $toLong: Decimal128.fromString('9007199254740993.7') },
      int: { $toInt: '$l' },
      decimalText: { $toString: '$dec' },
      longText: { $toString: '$l' },
      typeLong: { $type: '$l' },
      typeDouble: { $type: '$d' },
      typeDecimal: { $type: '$dec' },
      typeInt: { $type: '$i' },
      typeElement: { $type: { $arrayElemAt: ['$longs', 0] } },
    });
    expect(doc.long).to.be.instanceOf(Long);
    expect(doc.long.toString()).to.equal('9007199254740993');
    expect(doc.fromDecimal.toString()).to.equal('9007199254740993');
    expect(doc.int).to.be.instanceOf(Int32);
    expect(doc.int.valueOf()).to.equal(3);
    expect(doc.decimalText).to.equal('1.50');
    expect(doc.longText).to.equal('3');
    expect([doc.typeLong, doc.typeDouble, doc.typeDecimal, doc.typeInt, doc.typeElement]).to.deep.equal(['long', 'double', 'decimal', 'int', 'long']);
  });

  it('$stdDevPop, $stdDevSamp, $median, $percentile and trigonometry give a double, also when integral', async () => {
    const doc = await projected({
      pop: { $stdDevPop: [1, 1] },
      samp: { $stdDevSamp: ['$d', '$d'] },
      median: { $median: { input: [1, 2, 3], method: 'approximate' } },
      percentile: { $percentile: { input: '$longs', p: [0, 1], method: 'approximate' } },
      sin: { $sin: 0 },
      radians: { $degreesToRadians: 0 },
    });
    for (const f of ['pop', 'samp', 'median', 'sin', 'radians']) expect(doc[f], f).to.be.instanceOf(Double);
    expect(doc.pop.valueOf()).to.equal(0);
    expect(doc.median.valueOf()).to.equal(2);
    expect(types(doc.percentile)).to.deep.equal(['Double', 'Double']);
    expect(doc.percentile.map(Number)).to.deep.equal([1, 2]);
  });

  it('bitwise operators give an int64 when an operand is one, else an int32; $dateDiff an int64', async () => {
    const doc = await projected({
      and: { $bitAnd: ['$l', 1] },
      or: { $bitOr: ['$i', 2] },
      xor: { $bitXor: ['$l', '$i'] },
      not: { $bitNot: '$l' },
      days: { $dateDiff: { startDate: new Date('2026-01-01T00:00:00Z'), endDate: new Date('2026-01-04T00:00:00Z'), unit: 'day' } },
    });
    expect(doc.and).to.be.instanceOf(Long);
    expect(doc.and.toString()).to.equal('1');
    expect(doc.or).to.be.instanceOf(Int32);
    expect(doc.or.valueOf()).to.equal(7);
    expect(doc.xor).to.be.instanceOf(Long);
    expect(doc.xor.toString()).to.equal('6');
    expect(doc.not).to.be.instanceOf(Long);
    expect(doc.not.toString()).to.equal('-4');
    expect(doc.days).to.be.instanceOf(Long);
    expect(doc.days.toString()).to.equal('3');
  });

  it('counts and positions are int32, $sum of an array of longs a long, $round keeps its operand type', async () => {
    const doc = await projected({
      size: { $size: '$longs' },
      index: { $indexOfArray: ['$longs', 2] },
      range: { $range: [0, '$l'] },
      sum: { $sum: '$longs' },
      roundDouble: { $round: ['$d', 1] },
      roundLong: { $round: ['$l', 0] },
      roundInt: { $round: ['$i', 1] },
    });
    expect(doc.size).to.be.instanceOf(Int32);
    expect(doc.index).to.be.instanceOf(Int32);
    expect(doc.index.valueOf()).to.equal(1);
    expect(types(doc.range)).to.deep.equal(['Int32', 'Int32', 'Int32']);
    expect(doc.sum).to.be.instanceOf(Long);
    expect(doc.sum.toString()).to.equal('3');
    expect(doc.roundDouble).to.be.instanceOf(Double);
    expect(doc.roundLong).to.be.instanceOf(Long);
    expect(doc.roundInt).to.be.instanceOf(Int32);
  });

  it('values an operator passes on keep their types in later stages', async () => {
    const [group] = await coll
      .aggregate([{ $sort: { _id: 1 } }, { $addFields: { kept: { $filter: { input: '$longs', cond: true } } } }, { $unwind: '$kept' }, { $group: { _id: null, total: { $sum: '$kept' }, all: { $push: '$kept' } } }], raw)
      .toArray();
    expect(group.total).to.be.instanceOf(Long);
    expect(group.total.toString()).to.equal('6');
    expect(types(group.all)).to.deep.equal(['Long', 'Long', 'Long']);
  });

  it('$type and $toString nested in other operators, in $filter conditions and in a find $expr see the stored type', async () => {
    const doc = await projected({
      isLong: { $eq: [{ $type: '$l' }, 'long'] },
      label: { $concat: [{ $toString: '$dec' }, ' kg'] },
      upper: { $toUpper: { $toString: '$dec' } },
      chosen: { $cond: [{ $eq: [{ $type: '$d' }, 'double'] }, 'double', 'other'] },
      longCount: { $size: { $filter: { input: '$longs', cond: { $eq: [{ $type: '$$this' }, 'long'] } } } },
      both: { $and: [{ $eq: [{ $type: '$l' }, 'long'] }, { $not: [{ $eq: [{ $type: '$d' }, 'int'] }] }] },
    });
    expect(doc.both).to.equal(true);
    expect(doc.isLong).to.equal(true);
    expect(doc.label).to.equal('1.50 kg');
    expect(doc.upper).to.equal('1.50');
    expect(doc.chosen).to.equal('double');
    expect(doc.longCount.valueOf()).to.equal(2);
    const found = await coll.find({ $expr: { $eq: [{ $type: '$l' }, 'long'] } }).project({ _id: 1 }).toArray();
    expect(found.map((d) => d._id)).to.deep.equal([1, 2]);
    const none = await coll.find({ $expr: { $eq: [{ $type: '$l' }, 'int'] } }).toArray();
    expect(none).to.have.length(0);
  });

  it('a find projection computing fields gives them the operators\' types', async () => {
    const [doc] = await coll.find({ _id: 1 as never }, { ...raw, projection: { _id: 0, decimal: { $toDecimal: '$i' }, kept: { $filter: { input: '$longs', cond: true } }, moved: '$l' } }).toArray();
    expect(doc.decimal).to.be.instanceOf(Decimal128);
    expect(doc.decimal.toString()).to.equal('5');
    expect(types(doc.kept)).to.deep.equal(['Long', 'Long']);
    expect(doc.moved).to.be.instanceOf(Long);
  });

  it('$lookup let variables keep the types their expressions give', async () => {
    const [doc] = await coll
      .aggregate([{ $match: { _id: 1 } }, { $lookup: { from: 'values', let: { moved: '$l', converted: { $toDecimal: '$i' } }, pipeline: [{ $match: { _id: 2 } }, { $project: { _id: 0, moved: '$$moved', converted: '$$converted' } }], as: 'joined' } }], raw)
      .toArray();
    expect(doc.joined).to.have.length(1);
    expect(doc.joined[0].moved).to.be.instanceOf(Long);
    expect(doc.joined[0].converted).to.be.instanceOf(Decimal128);
    expect(doc.joined[0].converted.toString()).to.equal('5');
  });

  it('$unwind gives includeArrayIndex as an int64', async () => {
    const docs = await coll.aggregate([{ $match: { _id: 1 } }, { $unwind: { path: '$longs', includeArrayIndex: 'position' } }], raw).toArray();
    expect(types(docs.map((d) => d.position))).to.deep.equal(['Long', 'Long']);
    expect(docs.map((d) => String(d.position))).to.deep.equal(['0', '1']);
  });

  it('$toHashedIndexKey gives an int64, or is refused as not implemented', async () => {
    const outcome = await coll.aggregate([{ $match: { _id: 1 } }, { $project: { h: { $toHashedIndexKey: '$i' } } }], raw).toArray().then(
      (docs) => ({ type: (docs[0].h as { _bsontype?: string })._bsontype }),
      (err: { code?: number }) => ({ code: Number(err.code) }),
    );
    if ('code' in outcome) expect(outcome.code).to.equal(238);
    else expect(outcome.type).to.equal('Long');
  });

  describe('accumulators', () => {
    async function grouped(fields: Document, first = true): Promise<Document> {
      // Both a leading $group and one after another stage.
      const pipeline = first ? [{ $group: { _id: '$g', ...fields } }] : [{ $addFields: { x: 1 } }, { $group: { _id: '$g', ...fields } }];
      const [group] = await coll.aggregate(pipeline, raw).toArray();
      return group;
    }

    for (const first of [true, false]) {
      const where = first ? 'as the first stage' : 'after another stage';

      it(`$top, $bottom, $topN, $bottomN return the stored output values (${where})`, async () => {
        const group = await grouped({
          top: { $top: { output: '$l', sortBy: { rank: 1 } } },
          bottom: { $bottom: { output: ['$l', '$d'], sortBy: { rank: 1 } } },
          topN: { $topN: { n: 2, output: '$d', sortBy: { rank: -1 } } },
          bottomN: { $bottomN: { n: 1, output: '$dec', sortBy: { rank: 1 } } },
        }, first);
        expect(group.top).to.be.instanceOf(Long);
        expect(group.top.toString()).to.equal('3');
        expect(types(group.bottom)).to.deep.equal(['Long', 'Double']);
        expect(String(group.bottom[0])).to.equal('7');
        expect(types(group.topN)).to.deep.equal(['Double', 'Double']);
        expect(group.topN.map(Number)).to.deep.equal([4, 2]);
        expect(types(group.bottomN)).to.deep.equal(['Decimal128']);
        expect(group.bottomN[0].toString()).to.equal('2.50');
      });

      it(`$firstN, $lastN, $minN, $maxN and $mergeObjects return the stored values (${where})`, async () => {
        const group = await grouped({
          firstN: { $firstN: { n: 2, input: '$l' } },
          lastN: { $lastN: { n: 1, input: '$d' } },
          minN: { $minN: { n: 1, input: '$dec' } },
          maxN: { $maxN: { n: 2, input: '$l' } },
          merged: { $mergeObjects: '$sub' },
        }, first);
        expect(types(group.firstN)).to.deep.equal(['Long', 'Long']);
        expect(types(group.lastN)).to.deep.equal(['Double']);
        expect(types(group.minN)).to.deep.equal(['Decimal128']);
        expect(group.minN[0].toString()).to.equal('1.50');
        expect(group.maxN.map(String)).to.deep.equal(['7', '3']);
        expect(types(group.maxN)).to.deep.equal(['Long', 'Long']);
        expect(group.merged.n).to.be.instanceOf(Long);
      });

      it(`$stdDevPop, $stdDevSamp, $median and $percentile give a double, also when integral (${where})`, async () => {
        const group = await grouped({
          pop: { $stdDevPop: '$d' },
          samp: { $stdDevSamp: '$l' },
          median: { $median: { input: '$l', method: 'approximate' } },
          percentile: { $percentile: { input: '$d', p: [1], method: 'approximate' } },
        }, first);
        expect(group.pop).to.be.instanceOf(Double);
        expect(group.pop.valueOf()).to.equal(1);
        expect(group.samp).to.be.instanceOf(Double);
        expect(group.median).to.be.instanceOf(Double);
        expect(types(group.percentile)).to.deep.equal(['Double']);
        expect(group.percentile[0].valueOf()).to.equal(4);
      });
    }

    it('a $group key keeps the type of the value grouped by', async () => {
      const byLong = await coll.aggregate([{ $group: { _id: '$l' } }, { $sort: { _id: 1 } }], raw).toArray();
      expect(types(byLong.map((g) => g._id))).to.deep.equal(['Long', 'Long']);
      const byDecimal = await coll.aggregate([{ $match: { _id: 1 } }, { $group: { _id: { $toDecimal: '$i' } } }], raw).toArray();
      expect(byDecimal[0]._id).to.be.instanceOf(Decimal128);
      const byDouble = await coll.aggregate([{ $addFields: { x: 1 } }, { $group: { _id: { d: '$d' } } }, { $sort: { '_id.d': 1 } }], raw).toArray();
      expect(types(byDouble.map((g) => g._id.d))).to.deep.equal(['Double', 'Double']);
    });
  });
});
