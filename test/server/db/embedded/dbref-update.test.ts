import { expect } from 'chai';
import { DBRef } from 'mongodb';
import { rejection, useTarget } from './target.js';

// Updating the fields of a DBRef. MongoDB manual, "Database References": a DBRef is a document with
// the fields $ref, $id and (optionally) $db; mongod's jstests/core/update_dbref.js: `$set` of `a.$id`
// and `a.$ref` change that DBRef, while `$id`, `$ref` or `$db` outside a DBRef are refused.
describe('updating the fields of a DBRef', () => {
  const t = useTarget('dbrefupd');

  it('$set of a.$id and a.$ref changes the DBRef, which queries then find by its new fields', async () => {
    const c = t.db.collection<{ _id: number; a: DBRef }>('refs');
    await c.insertOne({ _id: 1, a: new DBRef('a', 'b' as never) });
    const r = await c.updateOne({ _id: 1 }, { $set: { 'a.$id': 2 } });
    expect(r.modifiedCount).to.equal(1);
    await c.updateOne({ _id: 1 }, { $set: { 'a.$ref': 'b' } });
    const a = (await c.findOne({ _id: 1 }))?.a;
    expect(a).to.be.instanceOf(DBRef);
    expect([a?.collection, a?.oid]).to.deep.equal(['b', 2]);
    expect(await c.countDocuments({ 'a.$id': 2, 'a.$ref': 'b' })).to.equal(1);
  });

  it('refuses $id, $ref and $db as top-level fields', async () => {
    const c = t.db.collection<{ _id: number }>('plain');
    await c.insertOne({ _id: 1 });
    for (const field of ['$id', '$ref', '$db']) {
      const err = await rejection(c.updateOne({ _id: 1 }, { $set: { [field]: 3 } }));
      expect(err?.message).to.include(field);
    }
    expect(await c.findOne({ _id: 1 })).to.deep.equal({ _id: 1 });
  });
});
