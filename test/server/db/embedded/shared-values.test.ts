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
  it('keep every field of a document with many fields, in order, through inserts, updates and replacements', async () => {
    const c = t.db.collection<{ _id: number; [field: string]: unknown }>('wide');
    const fields = (n: number, tag: string) => Object.fromEntries(Array.from({ length: n }, (_, f) => [`field_${f}_نام`, `${tag}${f}`]));
    const wide = { _id: 1, ...fields(30, 'a'), at: new Date('2026-01-01T00:00:00Z'), list: ['x', 'y'] };
    await c.insertMany([wide, { _id: 2, ...fields(30, 'a') }]);
    const read = async (id: number) => {
      const doc = await c.findOne({ _id: id });
      return { keys: Object.keys(doc!), doc };
    };
    expect(await read(1)).to.deep.equal({ keys: Object.keys(wide), doc: wide });

    // $set of a new field appends it; of an existing one keeps its place
    await c.updateOne({ _id: 1 }, { $set: { field_3_نام: 'changed', added: 7 } });
    const updated = { ...wide, field_3_نام: 'changed', added: 7 };
    expect(await read(1)).to.deep.equal({ keys: Object.keys(updated), doc: updated });

    // a replacement has its own fields in its own order, _id first
    const replacement = { zeta: 1, ...fields(20, 'b'), alpha: 2 };
    await c.replaceOne({ _id: 2 }, replacement);
    expect(await read(2)).to.deep.equal({ keys: ['_id', ...Object.keys(replacement)], doc: { _id: 2, ...replacement } });
    expect(await c.countDocuments({ field_5_نام: 'a5' })).to.equal(1);
  });
});
