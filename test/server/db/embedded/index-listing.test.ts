import { expect } from 'chai';
import { Schema } from 'mongoose';
import { useTarget } from './target.js';

// MongoDB manual, "listIndexes" / "db.collection.getIndexes()": each index is shown as
// { v: 2, key: {...}, name: '...', <options> }, whatever order the createIndexes request named them in.
describe('listIndexes shows v, key and name before the options', () => {
  const t = useTarget('idxlist');

  it('through the driver, with the options given before the key', async () => {
    const c = t.db.collection('c1');
    await t.db.command({ createIndexes: 'c1', indexes: [{ unique: true, sparse: true, name: 'email_1', key: { email: 1 } }] });
    const index = (await c.listIndexes().toArray()).find((i) => i.name === 'email_1');
    expect(Object.keys(index ?? {}).slice(0, 3)).to.deep.equal(['v', 'key', 'name']);
    expect(index).to.deep.include({ v: 2, key: { email: 1 }, name: 'email_1', unique: true, sparse: true });
  });

  it('through Mongoose, for a discriminator\'s partial unique index', async () => {
    const conn = await t.mongoose();
    const Base = conn.model('Base', new Schema({}, { discriminatorKey: 'kind' }));
    const User = Base.discriminator('User', new Schema({ emailId: { type: String, unique: true } }));
    await User.init();
    const index = (await User.listIndexes()).find((i) => i.name === 'emailId_1');
    expect(Object.keys(index ?? {}).slice(0, 3)).to.deep.equal(['v', 'key', 'name']);
    expect(index?.partialFilterExpression).to.deep.equal({ kind: 'User' });
    expect(index?.unique).to.equal(true);
  });
});
