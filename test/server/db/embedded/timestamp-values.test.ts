/**
 * A BSON Timestamp is its own type, not a 64-bit integer, even though the driver's Timestamp class
 * extends Long. From MongoDB's manual: "BSON Types" (timestamp is type 17, alias "timestamp"; long is
 * 18), "Comparison/Sort Order" (MinKey, Null, Numbers, Symbol/String, Object, Array, BinData,
 * ObjectId, Boolean, Date, Timestamp, Regular Expression, MaxKey: values of different types never
 * compare equal) and "Read Concern snapshot" (atClusterTime is a Timestamp).
 */
import { expect } from 'chai';
import { Long, Timestamp, type Collection, type Document } from 'mongodb';
import { openTarget, type Target } from './target.js';

describe('a BSON Timestamp is a type of its own, never a number', () => {
  let t: Target;
  let coll: Collection<Document>;
  const stamp = new Timestamp({ t: 5, i: 7 });

  before(async () => {
    t = await openTarget('timestamps');
    coll = t.db.collection('stamps');
    await coll.insertMany([
      { _id: 1, v: stamp },
      { _id: 2, v: Long.fromString(stamp.toString()) },
      { _id: 3, v: stamp.toNumber() },
      { _id: 4, v: new Date(0) },
    ] as never[]);
  });

  after(async () => t.close());

  it('comes back as a Timestamp with its seconds and increment', async () => {
    const doc = await coll.findOne({ _id: 1 as never });
    expect(doc?.v).to.be.instanceOf(Timestamp);
    expect((doc?.v as Timestamp).t).to.equal(5);
    expect((doc?.v as Timestamp).i).to.equal(7);
  });

  it('matches $type timestamp (17) only for the Timestamp, and $type long only for the long', async () => {
    expect((await coll.find({ v: { $type: 'timestamp' } }).toArray()).map((d) => d._id)).to.deep.equal([1]);
    expect((await coll.find({ v: { $type: 17 } }).toArray()).map((d) => d._id)).to.deep.equal([1]);
    expect((await coll.find({ v: { $type: 'long' } }).toArray()).map((d) => d._id)).to.deep.equal([2]);
    expect((await coll.find({ v: { $type: 'number' } }).sort({ _id: 1 }).toArray()).map((d) => d._id)).to.deep.equal([2, 3]);
  });

  it('equals only an equal Timestamp, not the number with the same bits', async () => {
    expect((await coll.find({ v: stamp }).toArray()).map((d) => d._id)).to.deep.equal([1]);
    expect((await coll.find({ v: stamp.toNumber() }).sort({ _id: 1 }).toArray()).map((d) => d._id)).to.deep.equal([2, 3]);
  });

  it('sorts after dates and numbers, as the BSON comparison order puts it', async () => {
    const ids = (await coll.find({}).sort({ v: 1, _id: 1 }).toArray()).map((d) => d._id);
    expect(ids).to.deep.equal([2, 3, 4, 1]);
  });

  it('reports "timestamp" from the $type aggregation operator', async () => {
    const types = await coll.aggregate([{ $sort: { _id: 1 } }, { $project: { _id: 0, type: { $type: '$v' } } }]).toArray();
    expect(types.map((d) => d.type)).to.deep.equal(['timestamp', 'long', 'double', 'date']);
  });
});
