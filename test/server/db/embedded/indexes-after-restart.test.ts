import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient, MongoServerError, type Collection, type Document } from 'mongodb';
import { startServer } from './helpers.js';

/**
 * A restart loads the journal and builds every index in one sort; the answers must be those of the indexes the
 * writes maintained before it (MongoDB answers the same queries the same way across a restart). The expected
 * answers are computed here from the data by MongoDB's rules, and checked before and after the restart, and
 * after writes to the rebuilt indexes.
 */
/** Numbered documents, as the tests below write them. */
type Numbered = Document & { _id: number };

const DOCS = 1000;
const STATUSES = ['logged', 'verified', 'rejected'];
/** The national ID of document 300 (province 00). */
const PROBE_ID = '1100';

function dataset(): Numbered[] {
  return Array.from({ length: DOCS }, (_, i) => ({
    _id: i,
    province: `0${i % 3}`,
    nationalId: String(1000 + ((i * 7) % DOCS)),
    // some without a status: the index keys them as null
    ...(i % 11 === 0 ? {} : { status: STATUSES[i % 3] }),
    createdAt: new Date(Date.UTC(2026, 0, 1) + ((i * 37) % DOCS) * 60_000),
    // an array with a repeated element: the document is found once
    tags: i % 4 === 0 ? ['a', 'b', 'a'] : i % 4 === 1 ? ['c'] : i % 4 === 2 ? [] : 'b',
    ...(i % 5 === 0 ? { code: `K${i}` } : {}),
    ...(i % 7 === 0 ? { optional: i % 2 } : {}),
  }));
}

async function createIndexes(c: Collection<Numbered>): Promise<void> {
  await c.createIndex({ province: 1, nationalId: 1 }, { unique: true });
  await c.createIndex({ province: 1, status: 1, createdAt: -1 });
  await c.createIndex({ tags: 1 });
  await c.createIndex({ code: 1 }, { unique: true, partialFilterExpression: { code: { $type: 'string' } } });
  await c.createIndex({ optional: 1 }, { sparse: true });
}

const ids = (docs: Document[]) => docs.map((d) => d._id as number);
const has = (d: Document, tag: string) => (Array.isArray(d.tags) ? d.tags.includes(tag) : d.tags === tag);

/** The answers a MongoDB server gives for the checked queries over `docs`. */
function expected(docs: Document[]) {
  const byCreatedDesc = (a: Document, b: Document) => b.createdAt.getTime() - a.createdAt.getTime() || 0;
  return {
    verifiedNewest: ids(docs.filter((d) => d.province === '01' && d.status === 'verified').sort(byCreatedDesc).slice(0, 5)),
    noStatus: ids(docs.filter((d) => d.province === '02' && d.status === undefined).sort(byCreatedDesc)),
    taggedB: ids(docs.filter((d) => has(d, 'b'))).sort((a, b) => a - b),
    range: ids(docs.filter((d) => d.province === '02' && d.nationalId >= '1100' && d.nationalId < '1200').sort((a, b) => (a.nationalId < b.nationalId ? -1 : 1))),
    optionalOne: ids(docs.filter((d) => d.optional === 1)).sort((a, b) => a - b),
    one: ids(docs.filter((d) => d.province === '00' && d.nationalId === PROBE_ID)),
  };
}

async function answers(c: Collection<Numbered>) {
  return {
    verifiedNewest: ids(await c.find({ province: '01', status: 'verified' }).sort({ createdAt: -1 }).limit(5).toArray()),
    noStatus: ids(await c.find({ province: '02', status: null }).sort({ createdAt: -1 }).toArray()),
    taggedB: ids(await c.find({ tags: 'b' }).sort({ _id: 1 }).toArray()),
    range: ids(await c.find({ province: '02', nationalId: { $gte: '1100', $lt: '1200' } }).sort({ nationalId: 1 }).toArray()),
    optionalOne: ids(await c.find({ optional: 1 }).sort({ _id: 1 }).toArray()),
    one: ids(await c.find({ province: '00', nationalId: PROBE_ID }).toArray()),
  };
}

async function expectDuplicate(write: Promise<unknown>): Promise<void> {
  const err = await write.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(MongoServerError);
  expect((err as MongoServerError).code).to.equal(11000);
}

describe('indexes built when a data directory is loaded', () => {
  let dbPath: string;
  beforeEach(() => {
    dbPath = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-'));
  });
  afterEach(() => fs.rmSync(dbPath, { recursive: true, force: true }));

  it('answer the same queries as the indexes the writes maintained, and keep answering after more writes', async () => {
    const docs = dataset();
    let server = await startServer({ dbPath });
    let client = await new MongoClient(server.uri).connect();
    let c = client.db('restart').collection<Numbered>('enrolments');
    await createIndexes(c);
    for (let i = 0; i < DOCS; i += 100) await c.insertMany(docs.slice(i, i + 100));
    const want = expected(docs);
    expect(await answers(c)).to.deep.equal(want);
    await client.close();
    await server.stop();

    server = await startServer({ dbPath });
    client = await new MongoClient(server.uri).connect();
    try {
      c = client.db('restart').collection<Numbered>('enrolments');
      expect(await answers(c)).to.deep.equal(want);
      // the unique indexes still refuse a taken key, the partial one only for documents it covers
      await expectDuplicate(c.insertOne({ _id: DOCS, province: '01', nationalId: docs[1].nationalId }));
      await expectDuplicate(c.insertOne({ _id: DOCS, province: '03', nationalId: '1', code: 'K5' }));
      await c.insertMany([
        { _id: DOCS, province: '03', nationalId: '1' },
        { _id: DOCS + 1, province: '03', nationalId: '2' },
      ]);

      // writes into the rebuilt indexes: keys moved, array elements changed, documents deleted
      await c.updateMany({ province: '01', status: 'verified' }, { $set: { status: 'logged' } });
      await c.updateMany({ tags: 'c' }, { $set: { tags: ['b', 'd'] } });
      await c.deleteMany({ province: '02', nationalId: { $gte: '1100', $lt: '1150' } });
      await c.deleteMany({ _id: { $gte: DOCS } });
      const after = docs
        .filter((d) => !(d.province === '02' && d.nationalId >= '1100' && d.nationalId < '1150'))
        .map((d): Numbered => ({
          ...d,
          ...(d.province === '01' && d.status === 'verified' ? { status: 'logged' } : {}),
          ...(has(d, 'c') ? { tags: ['b', 'd'] } : {}),
        }));
      expect(await answers(c)).to.deep.equal(expected(after));
      expect(await c.countDocuments({ tags: 'd' })).to.equal(after.filter((d) => has(d, 'd')).length);
      const claimed = await c.findOneAndUpdate({ province: '00', status: 'logged' }, { $set: { status: 'verified' } }, { sort: { province: 1, status: 1, createdAt: -1 } });
      const newest = after.filter((d) => d.province === '00' && d.status === 'logged').sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
      expect(claimed?._id).to.equal(newest._id);
    } finally {
      await client.close();
      await server.stop();
    }
  });
});
