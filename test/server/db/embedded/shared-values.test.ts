import { expect } from 'chai';
import { Double, Long, ObjectId } from 'mongodb';
import { useTarget } from './target.js';

// Stored documents share their repeated values (strings, dates, ObjectIds); each document must still read and change on its own.
describe('documents holding equal values', () => {
  const t = useTarget('shared_values');

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
  it('keep equal sub-documents and arrays of many documents apart: each one changes, and keeps its order and types, on its own', async () => {
    const c = t.db.collection<{ _id: number; [field: string]: unknown }>('nested');
    const by = new ObjectId();
    const at = new Date('2026-01-01T00:00:00Z');
    const event = (i: number) => ({
      _id: i,
      actor: { kind: 'user', user: by, role: 'village-head' },
      changes: [
        { field: 'status', before: null, after: 'logged' },
        { field: 'placePath', before: null, after: ['02', '0201', '0201990000001'] },
        { field: 'born', before: null, after: at },
      ],
      placePath: ['02', '0201', '0201990000001'],
    });
    await c.insertMany(Array.from({ length: 6 }, (_, i) => event(i)));
    await c.updateOne({ _id: 1 }, { $set: { 'actor.role': 'fund-manager', 'changes.0.after': 'verified' } });
    await c.updateOne({ _id: 2 }, { $push: { placePath: '0201990000002', 'changes.1.after': 'x' } as never });
    await c.updateOne({ _id: 3 }, { $unset: { 'actor.user': '' }, $pop: { changes: 1 } as never });
    await c.replaceOne({ _id: 4 }, { actor: { role: 'village-head', kind: 'user', user: by }, placePath: ['0201', '02'] });
    // a pipeline that changes nested fields in its output leaves the stored documents as they were
    const projected = await c.aggregate([{ $match: { _id: 5 } }, { $set: { 'actor.kind': 'job', placePath: { $concatArrays: ['$placePath', ['more']] } } }]).toArray();
    expect(projected[0].actor).to.deep.equal({ kind: 'job', user: by, role: 'village-head' });
    const docs = await c.find().sort({ _id: 1 }).toArray();
    for (const i of [0, 5]) expect(docs[i]).to.deep.equal(event(i));
    expect(docs[1].actor).to.deep.equal({ kind: 'user', user: by, role: 'fund-manager' });
    expect((docs[1].changes as Array<{ after: unknown }>).map((ch) => ch.after)).to.deep.equal(['verified', ['02', '0201', '0201990000001'], at]);
    expect(docs[2].placePath).to.deep.equal(['02', '0201', '0201990000001', '0201990000002']);
    expect((docs[2].changes as Array<{ after: unknown }>)[1].after).to.deep.equal(['02', '0201', '0201990000001', 'x']);
    expect(docs[3].actor).to.deep.equal({ kind: 'user', role: 'village-head' });
    expect(docs[3].changes).to.have.length(2);
    expect(Object.keys(docs[4].actor as object)).to.deep.equal(['role', 'kind', 'user']);
    expect(docs[4].placePath).to.deep.equal(['0201', '02']);
    expect(await c.countDocuments({ placePath: ['02', '0201', '0201990000001'] })).to.equal(4);
    expect(await c.countDocuments({ 'actor.role': 'village-head' })).to.equal(5);

    // equal-looking sub-documents of other number types or field orders stay what they were
    const typed = t.db.collection<{ _id: number; v: unknown }>('typed');
    await typed.insertMany([
      { _id: 1, v: { n: 1, list: [1, 2] } },
      { _id: 2, v: { n: new Double(1), list: [1, 2] } },
      { _id: 3, v: { n: Long.fromNumber(1), list: [1, 2] } },
      { _id: 4, v: { list: [1, 2], n: 1 } },
      { _id: 5, v: { n: 1, list: ['1', '2'] } },
      { _id: 6, v: { n: 1, list: [1, 2] } },
    ]);
    const types = await typed.aggregate([{ $sort: { _id: 1 } }, { $project: { n: { $type: '$v.n' }, list: { $map: { input: '$v.list', in: { $type: '$$this' } } }, fields: { $map: { input: { $objectToArray: '$v' }, in: '$$this.k' } } } }]).toArray();
    expect(types.map((d) => [d.n, d.list, d.fields])).to.deep.equal([
      ['int', ['int', 'int'], ['n', 'list']],
      ['double', ['int', 'int'], ['n', 'list']],
      ['long', ['int', 'int'], ['n', 'list']],
      ['int', ['int', 'int'], ['list', 'n']],
      ['int', ['string', 'string'], ['n', 'list']],
      ['int', ['int', 'int'], ['n', 'list']],
    ]);
  });
});
