import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import type { EmbeddedMongo } from '../../../../server/db/embedded/index.js';
import { startServer } from './helpers.js';

describe('TTL indexes on the embedded server', () => {
  let server: EmbeddedMongo;
  let client: MongoClient;

  before(async () => {
    server = await startServer({ inMemory: true, ttlIntervalMs: 50 });
    client = await new MongoClient(server.uri).connect();
  });

  after(async () => {
    await client.close();
    await server.stop();
  });

  it('remove documents whose date is past expireAfterSeconds, and keep the rest', async () => {
    const c = client.db('ttl').collection('sessions');
    await c.createIndex({ expires: 1 }, { expireAfterSeconds: 0 });
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 3_600_000);
    await c.insertMany([
      { _id: 'old', expires: past },
      { _id: 'new', expires: future },
      { _id: 'none' },
      { _id: 'text', expires: 'not a date' },
    ] as never[]);
    for (let i = 0; i < 100 && (await c.countDocuments({ _id: 'old' } as never)) > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const left = (await c.find().sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(left).to.deep.equal(['new', 'none', 'text']);
  });

  it('remove documents of a clustered collection whose _id date is past its expireAfterSeconds', async () => {
    const c = await client.db('ttl').createCollection('events', { clusteredIndex: { key: { _id: 1 }, unique: true }, expireAfterSeconds: 0 });
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 3_600_000);
    await c.insertMany([{ _id: past }, { _id: future }, { _id: 'not a date' }] as never[]);
    for (let i = 0; i < 100 && (await c.countDocuments({ _id: past } as never)) > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const left = (await c.find().toArray()).map((d) => d._id);
    expect(left).to.have.deep.members([future, 'not a date']);
  });
});
