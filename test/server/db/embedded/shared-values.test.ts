import { expect } from 'chai';
import { ObjectId } from 'mongodb';
import { openTarget, type Target } from './target.js';

// Stored documents share their repeated values (strings, dates, ObjectIds); each document must still read and change on its own.
describe('documents holding equal values', () => {
  let t: Target;
  before(async () => {
    t = await openTarget('shared_values');
  });
  after(async () => t.close());

  it('keep each value apart: changing one document leaves the others with the same value as they were', async () => {
    const c = t.db.collection<{ _id: number; [field: string]: unknown }>('people');
    const born = new Date('1990-03-21T00:00:00Z');
    const campaign = new ObjectId();
    await c.insertMany(Array.from({ length: 5 }, (_, i) => ({ _id: i, status: 'logged', born, campaign, path: ['01', '0101'], sub: { place: '0101' } })));
    await c.updateOne({ _id: 2 }, { $set: { status: 'verified', 'sub.place': '0102' }, $push: { path: '010101' } as never, $currentDate: { born: true } as never });
    await c.updateOne({ _id: 3 }, { $set: { campaign: new ObjectId() } });
    const docs = await c.find().sort({ _id: 1 }).toArray();
    for (const i of [0, 1, 4]) expect(docs[i]).to.deep.equal({ _id: i, status: 'logged', born, campaign, path: ['01', '0101'], sub: { place: '0101' } });
    expect(docs[2].status).to.equal('verified');
    expect(docs[2].path).to.deep.equal(['01', '0101', '010101']);
    expect(docs[2].sub).to.deep.equal({ place: '0102' });
    expect((docs[2].born as Date).getTime()).to.be.greaterThan(born.getTime());
    expect(String(docs[3].campaign)).to.not.equal(String(campaign));
    expect(await c.countDocuments({ born })).to.equal(4);
  });

  it('keep a value its own type when another document holds an equal-looking value of another type', async () => {
    const c = t.db.collection<{ _id: number; [field: string]: unknown }>('kinds');
    const id = new ObjectId();
    await c.insertMany([
      { _id: 1, ref: id },
      { _id: 2, ref: 'o' + id.toHexString() },
      { _id: 3, ref: id.toHexString() },
      { _id: 4, ref: new Date(5) },
      { _id: 5, ref: 5 },
    ]);
    const docs = await c.find().sort({ _id: 1 }).toArray();
    expect(docs[0].ref).to.be.instanceOf(ObjectId);
    expect(docs[1].ref).to.equal('o' + id.toHexString());
    expect(docs[2].ref).to.equal(id.toHexString());
    expect(docs[3].ref).to.be.instanceOf(Date);
    expect(docs[4].ref).to.equal(5);
    expect(await c.countDocuments({ ref: id })).to.equal(1);
  });
});
