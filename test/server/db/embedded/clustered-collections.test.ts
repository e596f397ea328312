/**
 * Clustered collections (MongoDB 5.3+, manual "Clustered Collections" and db.createCollection's
 * `clusteredIndex`): the collection is created with a clustered index on `{_id: 1}`, always unique,
 * named `_id_` unless a name is given, and listIndexes / listCollections describe it as such.
 */
import { expect } from 'chai';
import { MongoServerError } from 'mongodb';
import { openTarget, type Target } from './target.js';

describe('clustered collections', () => {
  let target: Target;

  before(async () => {
    target = await openTarget('clustered');
  });

  after(async () => {
    await target.close();
  });

  it('lists the clustered index under the name given at create, in listIndexes and listCollections', async () => {
    const coll = await target.db.createCollection('named', { clusteredIndex: { key: { _id: 1 }, unique: true, name: 'by id' } });
    const indexes = await coll.listIndexes().toArray();
    expect(indexes).to.have.length(1);
    expect(indexes[0]).to.deep.include({ key: { _id: 1 }, name: 'by id', unique: true, clustered: true, v: 2 });
    const [info] = await target.db.listCollections({ name: 'named' }).toArray();
    expect((info as { options: Record<string, unknown> }).options.clusteredIndex).to.deep.include({ key: { _id: 1 }, name: 'by id', unique: true, v: 2 });
  });

  it('names the clustered index _id_ when no name is given, and keeps _id unique', async () => {
    const coll = await target.db.createCollection('unnamed', { clusteredIndex: { key: { _id: 1 }, unique: true } });
    const indexes = await coll.listIndexes().toArray();
    expect(indexes.map((i) => [i.name, i.clustered])).to.deep.equal([['_id_', true]]);
    await coll.insertOne({ _id: 1 } as never);
    const duplicate = await coll.insertOne({ _id: 1 } as never).catch((e: unknown) => e);
    expect(duplicate).to.be.instanceOf(MongoServerError);
    expect((duplicate as MongoServerError).code).to.equal(11000);
  });

  it('sets, changes and turns off the TTL of a clustered collection with collMod, and refuses it on an ordinary collection', async () => {
    await target.db.createCollection('expiring', { clusteredIndex: { key: { _id: 1 }, unique: true } });
    const ttlOf = async () => {
      const [info] = await target.db.listCollections({ name: 'expiring' }).toArray();
      const seconds = (info as { options: Record<string, unknown> }).options.expireAfterSeconds;
      return seconds === undefined ? undefined : Number(seconds);
    };
    await target.db.command({ collMod: 'expiring', expireAfterSeconds: 3600 });
    expect(await ttlOf()).to.equal(3600);
    await target.db.command({ collMod: 'expiring', expireAfterSeconds: 'off' });
    expect(await ttlOf()).to.equal(undefined);
    await target.db.createCollection('ordinary');
    const refused = await target.db.command({ collMod: 'ordinary', expireAfterSeconds: 60 }).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(MongoServerError);
  });

  it('refuses a clustered index on another key or not unique, and expireAfterSeconds on an ordinary collection', async () => {
    for (const clusteredIndex of [{ key: { a: 1 }, unique: true }, { key: { _id: 1 }, unique: false }]) {
      const refused = await target.db.createCollection('refused', { clusteredIndex }).catch((e: unknown) => e);
      expect(refused, JSON.stringify(clusteredIndex)).to.be.instanceOf(MongoServerError);
    }
    const ttl = await target.db.createCollection('refused', { expireAfterSeconds: 60 }).catch((e: unknown) => e);
    expect(ttl).to.be.instanceOf(MongoServerError);
    const names = (await target.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).to.not.include('refused');
  });
});
