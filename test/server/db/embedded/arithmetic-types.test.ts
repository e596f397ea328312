/**
 * The BSON type of computed aggregation numbers, from MongoDB's manual: `$sum` ("Result Data Type":
 * integer and integer give an integer, a long when the int overflows; any double gives a double;
 * any decimal gives a decimal), `$add`, `$subtract`, `$multiply` (same widening), `$avg` and
 * `$divide` (a double, a decimal when an operand is a decimal). Read with `promoteValues: false`
 * so the driver shows the type the server sent.
 */
import { expect } from 'chai';
import { Decimal128, Double, Int32, Long, type Collection, type Document } from 'mongodb';
import { openTarget, type Target } from './target.js';

const raw = { promoteValues: false } as const;

describe('computed aggregation numbers have MongoDB result types', () => {
  let t: Target;
  let coll: Collection<Document>;

  before(async () => {
    t = await openTarget('arithmetic');
    coll = t.db.collection('values');
    await coll.insertMany([
      { _id: 1 as never, g: 'a', half: 1.5, i: 2, big: 2_000_000_000 },
      { _id: 2 as never, g: 'a', half: 2.5, i: 3, big: 2_000_000_000 },
    ]);
  });

  after(async () => {
    await t.close();
  });

  async function computed(fields: Document): Promise<Document> {
    const [doc] = await coll.aggregate([{ $match: { _id: 1 } }, { $project: { _id: 0, ...fields } }], raw).toArray();
    return doc;
  }

  it('$sum of doubles is a double also when the total is integral, of int32 values an int32', async () => {
    const [group] = await coll.aggregate([{ $group: { _id: '$g', halves: { $sum: '$half' }, ints: { $sum: '$i' }, count: { $sum: 1 } } }], raw).toArray();
    expect(group.halves).to.be.instanceOf(Double);
    expect(group.halves.valueOf()).to.equal(4);
    expect(group.ints).to.be.instanceOf(Int32);
    expect(group.ints.valueOf()).to.equal(5);
    expect(group.count).to.be.instanceOf(Int32);
  });

  it('the same types from a $group that is not the first stage', async () => {
    const [group] = await coll.aggregate([{ $addFields: { x: 1 } }, { $group: { _id: '$g', halves: { $sum: '$half' }, ints: { $sum: '$i' }, avg: { $avg: '$i' }, min: { $min: '$half' } } }], raw).toArray();
    expect(group.halves).to.be.instanceOf(Double);
    expect(group.halves.valueOf()).to.equal(4);
    expect(group.ints).to.be.instanceOf(Int32);
    expect(group.avg).to.be.instanceOf(Double);
    expect(group.min.valueOf()).to.equal(1.5);
  });

  it('$sum of int32 values that overflows is a long', async () => {
    const [group] = await coll.aggregate([{ $group: { _id: null, total: { $sum: '$big' } } }], raw).toArray();
    expect(group.total).to.be.instanceOf(Long);
    expect(group.total.toString()).to.equal('4000000000');
  });

  it('$sum after a $match stage and $avg as accumulators', async () => {
    const [group] = await coll.aggregate([{ $match: { g: 'a' } }, { $group: { _id: null, halves: { $sum: '$half' }, avg: { $avg: '$i' }, avgHalf: { $avg: '$half' } } }], raw).toArray();
    expect(group.halves).to.be.instanceOf(Double);
    expect(group.avg).to.be.instanceOf(Double);
    expect(group.avg.valueOf()).to.equal(2.5);
    expect(group.avgHalf).to.be.instanceOf(Double);
    expect(group.avgHalf.valueOf()).to.equal(2);
  });

  it('$add, $subtract and $multiply widen: int32 stays int32, a double makes a double, overflow makes a long', async () => {
    const doc = await computed({
      ints: { $add: ['$i', 1] },
      withDouble: { $add: ['$half', 0.5] },
      diff: { $subtract: ['$half', 0.5] },
      product: { $multiply: ['$half', 2] },
      intProduct: { $multiply: ['$i', 3] },
      overflow: { $multiply: ['$big', 2] },
      added: { $add: ['$big', '$big'] },
      nested: { $add: [{ $multiply: ['$half', 2] }, 1] },
    });
    expect(doc.ints).to.be.instanceOf(Int32);
    expect(doc.ints.valueOf()).to.equal(3);
    expect(doc.withDouble).to.be.instanceOf(Double);
    expect(doc.withDouble.valueOf()).to.equal(2);
    expect(doc.diff).to.be.instanceOf(Double);
    expect(doc.diff.valueOf()).to.equal(1);
    expect(doc.product).to.be.instanceOf(Double);
    expect(doc.product.valueOf()).to.equal(3);
    expect(doc.intProduct).to.be.instanceOf(Int32);
    expect(doc.overflow).to.be.instanceOf(Long);
    expect(doc.overflow.toString()).to.equal('4000000000');
    expect(doc.added).to.be.instanceOf(Long);
    expect(doc.nested).to.be.instanceOf(Double);
    expect(doc.nested.valueOf()).to.equal(4);
  });

  it('with an int64 operand the result is an int64', async () => {
    const doc = await computed({ sum: { $add: ['$i', Long.fromNumber(1)] }, product: { $multiply: [Long.fromNumber(2), '$i'] }, listSum: { $sum: ['$i', Long.fromNumber(5)] } });
    expect(doc.sum).to.be.instanceOf(Long);
    expect(doc.sum.toString()).to.equal('3');
    expect(doc.product).to.be.instanceOf(Long);
    expect(doc.listSum).to.be.instanceOf(Long);
  });

  it('$divide and $avg return a double, also when the quotient is integral', async () => {
    const doc = await computed({ quotient: { $divide: ['$i', 2] }, whole: { $divide: [10, '$i'] }, avg: { $avg: ['$i', 4] }, sum: { $sum: ['$half', 0.5] } });
    expect(doc.quotient).to.be.instanceOf(Double);
    expect(doc.quotient.valueOf()).to.equal(1);
    expect(doc.whole).to.be.instanceOf(Double);
    expect(doc.whole.valueOf()).to.equal(5);
    expect(doc.avg).to.be.instanceOf(Double);
    expect(doc.avg.valueOf()).to.equal(3);
    expect(doc.sum).to.be.instanceOf(Double);
  });

  it('a computed double used by another operator still computes by value', async () => {
    const doc = await computed({ rounded: { $round: [{ $divide: ['$i', 2] }, 0] }, big: { $gt: [{ $add: ['$half', 0.5] }, 1] }, cond: { $cond: [{ $eq: [{ $divide: ['$i', 2] }, 1] }, 'one', 'other'] } });
    expect(doc.rounded.valueOf()).to.equal(1);
    expect(doc.big).to.equal(true);
    expect(doc.cond).to.equal('one');
    const later = await coll.aggregate([{ $group: { _id: null, halves: { $sum: '$half' } } }, { $project: { halves: 1, twice: { $multiply: ['$halves', 2] }, over: { $gt: ['$halves', 3] } } }, { $match: { halves: 4 } }], raw).toArray();
    expect(later).to.have.length(1);
    expect(later[0].twice).to.be.instanceOf(Double);
    expect(later[0].twice.valueOf()).to.equal(8);
    expect(later[0].over).to.equal(true);
  });

  it('Decimal128 arithmetic is exact and gives a Decimal128', async () => {
    const tenth = Decimal128.fromString('0.1');
    const doc = await computed({
      sum: { $add: [tenth, Decimal128.fromString('0.2')] },
      diff: { $subtract: [Decimal128.fromString('0.3'), tenth] },
      product: { $multiply: [tenth, 3] },
      third: { $divide: [Decimal128.fromString('1'), 3] },
      listSum: { $sum: [tenth, tenth, tenth] },
    });
    expect(doc.sum).to.be.instanceOf(Decimal128);
    expect(doc.sum.toString()).to.equal('0.3');
    expect(doc.diff.toString()).to.equal('0.2');
    expect(doc.product.toString()).to.equal('0.3');
    expect(doc.third).to.be.instanceOf(Decimal128);
    expect(doc.third.toString()).to.equal('0.3333333333333333333333333333333333');
    expect(doc.listSum.toString()).to.equal('0.3');
  });

  describe('over stored typed numbers', () => {
    let typed: Collection<Document>;

    before(async () => {
      typed = t.db.collection('typed');
      await typed.insertMany([
        { _id: 1 as never, k: 1, d: new Double(2), l: Long.fromNumber(3), dec: Decimal128.fromString('0.1') },
        { _id: 2 as never, k: Long.fromNumber(1), d: new Double(4), l: Long.fromNumber(5), dec: Decimal128.fromString('0.2') },
        { _id: 3 as never, k: new Double(1), d: new Double(6), l: Long.fromNumber(7), dec: Decimal128.fromString('0.3') },
      ]);
    });

    function expectSums(group: Document): void {
      expect(group.d).to.be.instanceOf(Double);
      expect(group.d.valueOf()).to.equal(12);
      expect(group.l).to.be.instanceOf(Long);
      expect(group.l.toString()).to.equal('15');
      expect(group.dec).to.be.instanceOf(Decimal128);
      expect(group.dec.toString()).to.equal('0.6');
      expect(group.avgDec.toString()).to.equal('0.2');
      expect(group.avgL).to.be.instanceOf(Double);
      expect(group.avgL.valueOf()).to.equal(5);
    }

    const sums = { d: { $sum: '$d' }, l: { $sum: '$l' }, dec: { $sum: '$dec' }, avgDec: { $avg: '$dec' }, avgL: { $avg: '$l' } };

    it('$group sums keep the stored types, and 1, NumberLong(1) and 1.0 are one group', async () => {
      const groups = await typed.aggregate([{ $group: { _id: '$k', ...sums } }], raw).toArray();
      expect(groups).to.have.length(1);
      expect(groups[0]._id.valueOf()).to.equal(1);
      expectSums(groups[0]);
      const [later] = await typed.aggregate([{ $addFields: { x: 1 } }, { $group: { _id: '$k', ...sums } }], raw).toArray();
      expectSums(later);
    });

    it('$min, $max, $push and $addToSet return the stored values with their types', async () => {
      const [group] = await typed
        .aggregate([{ $sort: { _id: 1 } }, { $group: { _id: null, min: { $min: '$dec' }, max: { $max: '$dec' }, pushed: { $push: '$d' }, set: { $addToSet: '$k' } } }], raw)
        .toArray();
      expect(group.min).to.be.instanceOf(Decimal128);
      expect(group.min.toString()).to.equal('0.1');
      expect(group.max.toString()).to.equal('0.3');
      expect(group.pushed.map((d: Double) => d instanceof Double)).to.deep.equal([true, true, true]);
      // 1, NumberLong(1) and 1.0 are one value.
      expect(group.set).to.have.length(1);
    });

    it('expressions compute with the stored types', async () => {
      const [doc] = await typed.aggregate([{ $match: { _id: 1 } }, { $project: { d: { $add: ['$d', 1] }, l: { $multiply: ['$l', 2] }, dec: { $add: ['$dec', '$dec', '$dec'] }, gt: { $gt: ['$d', 1] } } }], raw).toArray();
      expect(doc.d).to.be.instanceOf(Double);
      expect(doc.d.valueOf()).to.equal(3);
      expect(doc.l).to.be.instanceOf(Long);
      expect(doc.l.toString()).to.equal('6');
      expect(doc.dec.toString()).to.equal('0.3');
      expect(doc.gt).to.equal(true);
    });

    it('$round of a stored Decimal128 is exact (2.675 to 2 places is 2.68) or refused, never computed as a double', async () => {
      await typed.insertOne({ _id: 4 as never, dec: Decimal128.fromString('2.675') });
      const run = typed.aggregate([{ $match: { _id: 4 } }, { $project: { r: { $round: ['$dec', 2] } } }], raw).toArray();
      const outcome = await run.then(
        (docs) => ({ value: String(docs[0].r), type: docs[0].r?._bsontype }),
        (err: { code?: number }) => ({ code: err.code }),
      );
      // MongoDB rounds half to even: 2.675 is exactly halfway, so 2.68 (a double would give 2.67).
      if ('code' in outcome) expect(Number(outcome.code)).to.equal(238);
      else expect(outcome).to.deep.equal({ value: '2.68', type: 'Decimal128' });
      await typed.deleteOne({ _id: 4 as never });
    });
  });
});
