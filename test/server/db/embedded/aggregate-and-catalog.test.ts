import { expect } from 'chai';
import { MongoClient, MongoServerError } from 'mongodb';
import type { EmbeddedMongo } from '../../../../server/db/embedded/index.js';
import { startServer } from './helpers.js';

describe('aggregation and catalog commands of the embedded server', () => {
  let server: EmbeddedMongo;
  let client: MongoClient;

  before(async () => {
    server = await startServer();
    client = await new MongoClient(server.uri).connect();
    await client.db('agg').collection('visits').insertMany([
      { _id: 1, county: 'Sari', village: 'a', n: 3 },
      { _id: 2, county: 'Sari', village: 'b', n: 5 },
      { _id: 3, county: 'Amol', village: 'c', n: 2 },
    ] as never[]);
  });

  after(async () => {
    await client.close();
    await server.stop();
  });

  it('write a pipeline result with $out, replacing the target collection', async () => {
    const db = client.db('agg');
    await db.collection('totals').insertOne({ stale: true });
    await db
      .collection('visits')
      .aggregate([{ $group: { _id: '$county', total: { $sum: '$n' } } }, { $out: 'totals' }])
      .toArray();
    expect(await db.collection('totals').find().sort({ _id: 1 }).toArray()).to.deep.equal([
      { _id: 'Amol', total: 2 },
      { _id: 'Sari', total: 8 },
    ]);
  });

  it('fold results into a collection with $merge, honouring its unique index', async () => {
    const db = client.db('agg');
    const target = db.collection('merged');
    await target.insertOne({ _id: 'Sari', total: 0, note: 'kept' } as never);
    await db
      .collection('visits')
      .aggregate([{ $group: { _id: '$county', total: { $sum: '$n' } } }, { $merge: { into: 'merged', whenMatched: 'merge', whenNotMatched: 'insert' } }])
      .toArray();
    expect(await target.find().sort({ _id: 1 }).toArray()).to.deep.equal([
      { _id: 'Amol', total: 2 },
      { _id: 'Sari', total: 8, note: 'kept' },
    ]);
    await db.collection('uniq').createIndex({ county: 1 }, { unique: true });
    const err = await db
      .collection('visits')
      .aggregate([{ $project: { _id: 0, county: 1 } }, { $merge: { into: 'uniq' } }])
      .toArray()
      .then(
        () => undefined,
        (e: MongoServerError) => e,
      );
    expect(err?.code).to.equal(11000);
  });

  it('run $facet and $lookup in one pipeline', async () => {
    const db = client.db('agg');
    await db.collection('counties').insertMany([{ _id: 'Sari', province: 'Mazandaran' }, { _id: 'Amol', province: 'Mazandaran' }] as never[]);
    const [out] = await db
      .collection('visits')
      .aggregate([
        { $lookup: { from: 'counties', localField: 'county', foreignField: '_id', as: 'c' } },
        { $facet: { provinces: [{ $group: { _id: { $first: '$c.province' }, n: { $sum: 1 } } }], count: [{ $count: 'n' }] } },
      ])
      .toArray();
    expect(out).to.deep.equal({ provinces: [{ _id: 'Mazandaran', n: 3 }], count: [{ n: 3 }] });
  });

  it('list, rename and drop collections and databases', async () => {
    const db = client.db('catalog');
    await db.createCollection('a');
    const exists = await db.createCollection('a').then(
      () => undefined,
      (e: MongoServerError) => e.code,
    );
    expect(exists).to.equal(48);
    await db.collection('a').insertOne({ x: 1 });
    await db.collection('a').createIndex({ x: 1 }, { name: 'by_x' });
    await db.renameCollection('a', 'b');
    expect((await db.listCollections().toArray()).map((c) => c.name)).to.deep.equal(['b']);
    expect((await db.collection('b').indexes()).map((i) => i.name)).to.deep.equal(['_id_', 'by_x']);
    await db.collection('b').dropIndex('by_x');
    expect((await db.collection('b').indexes()).map((i) => i.name)).to.deep.equal(['_id_']);
    const missing = await db.collection('nope').indexes().then(
      () => undefined,
      (e: MongoServerError) => e.code,
    );
    expect(missing).to.equal(26);
    expect((await client.db('admin').admin().listDatabases()).databases.map((d) => d.name)).to.include('catalog');
    await db.dropDatabase();
    expect((await client.db('admin').admin().listDatabases()).databases.map((d) => d.name)).not.to.include('catalog');
  });

  it('count and list distinct values, spreading arrays', async () => {
    const c = client.db('agg').collection('tags');
    await c.insertMany([{ t: ['a', 'b'] }, { t: 'b' }, { t: ['c'] }, {}]);
    expect((await c.distinct('t')).sort()).to.deep.equal(['a', 'b', 'c']);
    expect(await c.countDocuments({ t: 'b' })).to.equal(2);
    expect(await c.estimatedDocumentCount()).to.equal(4);
  });
});
