/**
 * Numbers keep their BSON type (int32, int64, double, Decimal128) through every read and write, and
 * still compare by value across types. From MongoDB's manual: "BSON Types" ($type aliases), "Comparison/
 * Sort Order" (numbers compare by value across types), `$inc` and `$mul` ("Mixed Type" conversion
 * rules; int32 overflow becomes int64), and unique indexes (equal keys across numeric types).
 * Documents are read with `promoteValues: false`, so the driver shows the type the server sent.
 */
import { expect } from 'chai';
import { Decimal128, Double, Int32, Long, MongoClient, type Collection, type Document } from 'mongodb';
import { openTarget, rejection, type Target } from './target.js';

const raw = { promoteValues: false } as const;

describe('numbers keep their BSON type', () => {
  let t: Target;
  let coll: Collection<Document>;

  before(async () => {
    t = await openTarget('numbers');
    coll = t.db.collection('values');
    await coll.insertOne({
      _id: 1 as never,
      i: 1,
      l: Long.fromNumber(1),
      l2: Long.fromNumber(2 ** 40),
      big: Long.fromString('9007199254740993'),
      d: new Double(1),
      d2: new Double(2 ** 40),
      f: 1.5,
      dec: Decimal128.fromString('1.10'),
      nested: { d: new Double(3), list: [new Double(4), Long.fromNumber(5), 6] },
    });
  });

  after(async () => {
    await t.close();
  });

  function expectTypes(doc: Document | null): void {
    expect(doc).to.not.equal(null);
    expect(doc!.i).to.be.instanceOf(Int32);
    expect(doc!.l).to.be.instanceOf(Long);
    expect(doc!.l2).to.be.instanceOf(Long);
    expect(doc!.big.toString()).to.equal('9007199254740993');
    expect(doc!.d).to.be.instanceOf(Double);
    expect(doc!.d2).to.be.instanceOf(Double);
    expect(doc!.f).to.be.instanceOf(Double);
    expect(doc!.dec.toString()).to.equal('1.10');
    expect(doc!.nested.d).to.be.instanceOf(Double);
    expect(doc!.nested.list[0]).to.be.instanceOf(Double);
    expect(doc!.nested.list[1]).to.be.instanceOf(Long);
    expect(doc!.nested.list[2]).to.be.instanceOf(Int32);
  }

  it('round-trip int32, int64 (also small ones), integral doubles and Decimal128 through find', async () => {
    expectTypes(await coll.findOne({ _id: 1 as never }, raw));
  });

  it('keep the types through aggregate, findOneAndUpdate and an update of another field', async () => {
    const [viaAggregate] = await coll.aggregate([{ $match: { _id: 1 } }, { $sort: { _id: 1 } }], raw).toArray();
    expectTypes(viaAggregate);
    const [projected] = await coll.aggregate([{ $match: { _id: 1 } }, { $project: { d: 1, l: 1 } }], raw).toArray();
    expect(Object.keys(projected)).to.deep.equal(['_id', 'd', 'l']);
    const [computed] = await coll.aggregate([{ $match: { _id: 1 } }, { $set: { next: { $add: ['$i', 1] } } }, { $addFields: { sum: { $add: ['$l', '$d'] } } }], raw).toArray();
    expectTypes(computed);
    expect(computed.next.valueOf()).to.equal(2);
    expect(computed.sum.valueOf()).to.equal(2);
    const [reshaped] = await coll.aggregate([{ $match: { _id: 1 } }, { $project: { d: 1, big: 1, twice: { $multiply: ['$f', 2] } } }], raw).toArray();
    expect(reshaped.d).to.be.instanceOf(Double);
    expect(reshaped.big.toString()).to.equal('9007199254740993');
    expect(reshaped.twice.valueOf()).to.equal(3);
    expect(projected.d).to.be.instanceOf(Double);
    expect(projected.l).to.be.instanceOf(Long);
    const after = await coll.findOneAndUpdate({ _id: 1 as never }, { $set: { touched: true } }, { ...raw, returnDocument: 'after' });
    expectTypes(after);
    await coll.updateOne({ _id: 1 as never }, [{ $set: { touched: false } }]);
    expectTypes(await coll.findOne({ _id: 1 as never }, raw));
  });

  it('keep the types across getMore batches', async () => {
    const many = t.db.collection('batches');
    await many.insertMany(Array.from({ length: 7 }, (_, n) => ({ _id: n as never, d: new Double(n), l: Long.fromNumber(n) })));
    const docs = await many.find({}, { ...raw, batchSize: 2 }).sort({ _id: 1 }).toArray();
    expect(docs).to.have.length(7);
    for (const doc of docs) {
      expect(doc.d).to.be.instanceOf(Double);
      expect(doc.l).to.be.instanceOf(Long);
    }
  });

  it('return int64 as BigInt to a client that asks for it', async () => {
    const client = await new MongoClient(t.uri, { useBigInt64: true }).connect();
    try {
      const doc = await client.db(t.dbName).collection('values').findOne({ _id: 1 as never });
      expect(doc!.l).to.equal(1n);
      expect(doc!.big).to.equal(9007199254740993n);
      await client.db(t.dbName).collection('bigints').insertOne({ _id: 1 as never, n: 42n });
      const back = await client.db(t.dbName).collection('bigints').findOne({ n: 42n });
      expect(back!.n).to.equal(42n);
    } finally {
      await client.close();
    }
  });

  it('report the stored type to $type', async () => {
    const count = (filter: Document) => coll.countDocuments(filter);
    expect(await count({ d: { $type: 'double' } })).to.equal(1);
    expect(await count({ d: { $type: 'int' } })).to.equal(0);
    expect(await count({ l: { $type: 'long' } })).to.equal(1);
    expect(await count({ l: { $type: 'int' } })).to.equal(0);
    expect(await count({ i: { $type: 'int' } })).to.equal(1);
    expect(await count({ d2: { $type: 'double' } })).to.equal(1);
    expect(await count({ dec: { $type: 'decimal' } })).to.equal(1);
    expect(await count({ 'nested.list': { $type: 'long' } })).to.equal(1);
  });

  describe('compare across types by value', () => {
    let mixed: Collection<Document>;

    before(async () => {
      mixed = t.db.collection('mixed');
      await mixed.insertMany([
        { _id: 'int' as never, v: 1 },
        { _id: 'long' as never, v: Long.fromNumber(1) },
        { _id: 'double' as never, v: new Double(1) },
        { _id: 'decimal' as never, v: Decimal128.fromString('1') },
        { _id: 'three' as never, v: Long.fromNumber(3) },
        { _id: 'two' as never, v: new Double(2) },
        { _id: 'half' as never, v: 1.5 },
      ]);
    });

    const ids = async (filter: Document) => (await mixed.find(filter).toArray()).map((d) => d._id).sort();

    it('match 1, NumberLong(1), 1.0 and NumberDecimal("1") as equal', async () => {
      const ones = ['decimal', 'double', 'int', 'long'];
      expect(await ids({ v: 1 })).to.deep.equal(ones);
      expect(await ids({ v: Long.fromNumber(1) })).to.deep.equal(ones);
      expect(await ids({ v: new Double(1) })).to.deep.equal(ones);
      expect(await ids({ v: { $in: [new Double(1)] } })).to.deep.equal(ones);
      expect(await ids({ v: { $gt: Long.fromNumber(1), $lt: new Double(3) } })).to.deep.equal(['half', 'two']);
      expect(await ids({ $expr: { $gte: ['$v', 2] } })).to.deep.equal(['three', 'two']);
    });

    it('sort by value across types, each value keeping its type', async () => {
      const docs = await mixed.find({ _id: { $in: ['half', 'two', 'three'] } } as never, raw).sort({ v: -1 }).toArray();
      expect(docs.map((d) => d._id)).to.deep.equal(['three', 'two', 'half']);
      expect(docs[0].v).to.be.instanceOf(Long);
      expect(docs[1].v).to.be.instanceOf(Double);
    });

    it('group and sum by value', async () => {
      const [row] = await mixed.aggregate([{ $match: { v: { $gte: 2 } } }, { $group: { _id: null, total: { $sum: '$v' }, n: { $sum: 1 } } }]).toArray();
      expect(Number(row.total)).to.equal(5);
      expect(row.n).to.equal(2);
      const groups = await mixed.aggregate([{ $match: { v: 1 } }, { $group: { _id: '$v', n: { $sum: 1 } } }]).toArray();
      expect(groups).to.have.length(1);
      expect(groups[0].n).to.equal(4);
    });

    it('answer distinct with one value for equal numbers', async () => {
      const values = await mixed.distinct('v', { v: { $lte: 1 } });
      expect(values.map(Number)).to.deep.equal([1]);
    });
  });

  describe('$inc and $mul follow the mixed-type rules', () => {
    let counters: Collection<Document>;

    beforeEach(async () => {
      counters = t.db.collection('counters');
      await counters.deleteMany({});
      await counters.insertOne({ _id: 1 as never, int: 1, max: 2147483647, long: Long.fromNumber(10), double: new Double(2), dec: Decimal128.fromString('0.1') });
    });

    const read = async () => (await counters.findOne({ _id: 1 as never }, raw))!;

    it('int32 + int32 stays int32, and past the int32 range becomes int64', async () => {
      await counters.updateOne({ _id: 1 as never }, { $inc: { int: 1, max: 1 } });
      const doc = await read();
      expect(doc.int).to.be.instanceOf(Int32);
      expect(doc.int.valueOf()).to.equal(2);
      expect(doc.max).to.be.instanceOf(Long);
      expect(doc.max.toString()).to.equal('2147483648');
    });

    it('int + double gives a double, even when integral', async () => {
      await counters.updateOne({ _id: 1 as never }, { $inc: { int: new Double(2) } });
      const doc = await read();
      expect(doc.int).to.be.instanceOf(Double);
      expect(doc.int.valueOf()).to.equal(3);
    });

    it('int64 + int32 stays int64; int64 + double gives a double', async () => {
      await counters.updateOne({ _id: 1 as never }, { $inc: { long: 5, double: 1 } });
      let doc = await read();
      expect(doc.long).to.be.instanceOf(Long);
      expect(doc.long.toString()).to.equal('15');
      expect(doc.double).to.be.instanceOf(Double);
      expect(doc.double.valueOf()).to.equal(3);
      await counters.updateOne({ _id: 1 as never }, { $inc: { long: 0.5 } });
      doc = await read();
      expect(doc.long).to.be.instanceOf(Double);
      expect(doc.long.valueOf()).to.equal(15.5);
    });

    it('Decimal128 arithmetic stays decimal and exact', async () => {
      await counters.updateOne({ _id: 1 as never }, { $inc: { dec: Decimal128.fromString('0.2') } });
      expect((await read()).dec.toString()).to.equal('0.3');
    });

    it('$mul of int32 by int64 gives int64; $mul of a missing field stores zero of the multiplier type', async () => {
      await counters.updateOne({ _id: 1 as never }, { $mul: { int: Long.fromNumber(3), missingLong: Long.fromNumber(7), missingDouble: new Double(7) } });
      const doc = await read();
      expect(doc.int).to.be.instanceOf(Long);
      expect(doc.int.toString()).to.equal('3');
      expect(doc.missingLong).to.be.instanceOf(Long);
      expect(doc.missingLong.toString()).to.equal('0');
      expect(doc.missingDouble).to.be.instanceOf(Double);
      expect(doc.missingDouble.valueOf()).to.equal(0);
    });

    it('$addToSet treats equal numbers of different types as one value', async () => {
      await counters.updateOne({ _id: 1 as never }, { $set: { set: [1, Long.fromNumber(2)] } });
      await counters.updateOne({ _id: 1 as never }, { $addToSet: { set: { $each: [new Double(1), 2, new Double(3)] } } });
      const doc = await read();
      expect(doc.set.map(Number)).to.deep.equal([1, 2, 3]);
      expect(doc.set[2]).to.be.instanceOf(Double);
    });

    it('$push with $sort and $slice orders numbers by value across types (the manual\'s example too)', async () => {
      await counters.updateOne({ _id: 1 as never }, { $push: { nums: { $each: [Long.fromNumber(3), new Double(2), 1, 2.5], $sort: 1, $slice: 3 } } } as never);
      const nums = (await read()).nums;
      expect(nums.map(Number)).to.deep.equal([1, 2, 2.5]);
      expect(nums[1]).to.be.instanceOf(Double);
      await counters.updateOne({ _id: 1 as never }, { $push: { nums: { $each: [0], $position: Long.fromNumber(0) } } } as never);
      expect((await read()).nums.map(Number)).to.deep.equal([0, 1, 2, 2.5]);
      await counters.updateOne({ _id: 1 as never }, { $pop: { nums: Long.fromNumber(1) } } as never);
      expect((await read()).nums.map(Number)).to.deep.equal([0, 1, 2]);
      const quizzes = [{ wk: 1, score: 10 }, { wk: 2, score: 8 }, { wk: 3, score: 5 }, { wk: 4, score: 6 }];
      await counters.updateOne({ _id: 1 as never }, { $set: { quizzes } });
      const each = [{ wk: 5, score: 8 }, { wk: 6, score: 7 }, { wk: 7, score: 6 }];
      await counters.updateOne({ _id: 1 as never }, { $push: { quizzes: { $each: each, $sort: { score: -1 }, $slice: 3 } } } as never);
      const doc = await counters.findOne({ _id: 1 as never });
      expect(doc!.quizzes).to.deep.equal([{ wk: 1, score: 10 }, { wk: 2, score: 8 }, { wk: 5, score: 8 }]);
    });

    it('$max compares across types by value', async () => {
      await counters.updateOne({ _id: 1 as never }, { $max: { int: Long.fromNumber(1), long: new Double(11) } });
      const doc = await read();
      expect(doc.int).to.be.instanceOf(Int32);
      expect(doc.long).to.be.instanceOf(Double);
      expect(doc.long.valueOf()).to.equal(11);
    });

    it('$bit keeps int32 and int64 (the manual\'s examples)', async () => {
      await counters.updateOne({ _id: 1 as never }, { $set: { a: 13, b: Long.fromNumber(3), c: Long.fromNumber(1) } });
      await counters.updateOne({ _id: 1 as never }, { $bit: { a: { and: 10 }, b: { or: 5 }, c: { xor: 5 } } } as never);
      const doc = await read();
      expect(doc.a).to.be.instanceOf(Int32);
      expect(doc.a.valueOf()).to.equal(8);
      expect(doc.b).to.be.instanceOf(Long);
      expect(doc.b.toString()).to.equal('7');
      expect(doc.c).to.be.instanceOf(Long);
      expect(doc.c.toString()).to.equal('4');
    });

    it('refuse an int64 overflow', async () => {
      await counters.updateOne({ _id: 1 as never }, { $set: { long: Long.MAX_VALUE } });
      const err = await rejection(counters.updateOne({ _id: 1 as never }, { $inc: { long: 1 } }));
      expect(err).to.not.equal(undefined);
      expect((await read()).long.toString()).to.equal(Long.MAX_VALUE.toString());
    });
  });

  it('treat equal numbers of different types as the same unique-index key', async () => {
    const unique = t.db.collection('unique_numbers');
    await unique.createIndex({ k: 1 }, { unique: true });
    await unique.insertOne({ k: Long.fromNumber(1) });
    expect((await rejection(unique.insertOne({ k: 1 })))?.code).to.equal(11000);
    expect((await rejection(unique.insertOne({ k: new Double(1) })))?.code).to.equal(11000);
    await unique.insertOne({ k: new Double(2) });
    expect((await rejection(unique.insertOne({ k: Long.fromNumber(2) })))?.code).to.equal(11000);
    expect(await unique.countDocuments({ k: { $gte: 1 } })).to.equal(2);
    const found = await unique.findOne({ k: 2 }, raw);
    expect(found!.k).to.be.instanceOf(Double);
  });
});
