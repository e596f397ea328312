import { expect } from 'chai';
import { Binary, MongoServerError, type Document } from 'mongodb';
import { rejection, useTarget } from './target.js';

// What MongoDB's parsers refuse before anything runs, answered with its codes rather than with a silent result.
// MongoDB manual: "$elemMatch (query)", "$not", "$size", "$mod", "$in", "$regex" ($options flags), "$ (projection)"
// ("the query document should only contain a single condition on the array field being projected"; "You cannot
// use $ in an aggregation $project"), "$project (aggregation)" (at least one field), "Field Names" (no $-prefixed
// names in $addFields/$project), "$lookup" (from, as, localField/foreignField or pipeline), "$facet" ($out and
// $merge are not allowed inside), "$out"/"$merge" (last stage), "$group" (_id required, accumulator operators),
// "Index Types" / "db.collection.createIndex()" (key values), "listCollections" (info.readOnly, info.uuid).
describe('malformed queries, pipelines and index keys are refused as MongoDB refuses them', () => {
  const t = useTarget('parserrefusals');
  const coll = () => t.db.collection<{ _id: number; [field: string]: unknown }>('docs');

  before(async () => {
    await coll().insertMany([{ _id: 1, a: [{ b: 1 }, { b: 2 }], n: 'x' }, { _id: 2, a: [], n: 5 }]);
  });

  const codeOf = async (p: Promise<unknown>): Promise<number | undefined> => {
    const err = await rejection(p);
    expect(err, 'expected the server to refuse').to.be.instanceOf(MongoServerError);
    return (err as MongoServerError).code as number;
  };

  it('refuses query operators given arguments they cannot take (BadValue, 2; a bad regex flag 51108)', async () => {
    const find = (filter: Document) => coll().find(filter).toArray();
    expect(await codeOf(find({ a: { $elemMatch: 1 } }))).to.equal(2);
    expect(await codeOf(find({ n: { $not: {} } }))).to.equal(2);
    expect(await codeOf(find({ a: { $size: -1 } }))).to.equal(2);
    expect(await codeOf(find({ a: { $size: 'one' } }))).to.equal(2);
    expect(await codeOf(find({ n: { $mod: [0, 1] } }))).to.equal(2);
    expect(await codeOf(find({ n: { $mod: [2] } }))).to.equal(2);
    expect(await codeOf(find({ n: { $in: 5 } }))).to.equal(2);
    expect(await codeOf(find({ $or: [{ n: { $nin: 'x' } }] }))).to.equal(2);
    expect(await codeOf(find({ n: { $regex: 'x', $options: 'z' } }))).to.equal(51108);
    // The well-formed versions still answer.
    expect((await find({ a: { $size: 2 } })).map((d) => d._id)).to.deep.equal([1]);
    expect((await find({ n: { $mod: [5, 0] } })).map((d) => d._id)).to.deep.equal([2]);
    expect((await find({ n: { $not: { $type: 'string' } } })).map((d) => d._id)).to.deep.equal([2]);
  });

  it('refuses a positional projection in $project (31324), and in find one the query picked no element for (51246)', async () => {
    expect(await codeOf(coll().aggregate([{ $project: { 'a.$': 1 } }]).toArray())).to.equal(31324);
    expect(await codeOf(coll().find({}, { projection: { 'a.$': 1 } }).toArray())).to.equal(51246);
    expect(await coll().find({ 'a.b': 2 }, { projection: { 'a.$': 1 } }).toArray()).to.deep.equal([{ _id: 1, a: [{ b: 2 }] }]);
  });

  it('refuses an empty $project (51272) and field names starting with $ in $project and $addFields (16410)', async () => {
    expect(await codeOf(coll().aggregate([{ $project: {} }]).toArray())).to.equal(51272);
    expect(await codeOf(coll().aggregate([{ $addFields: { $x: 1 } }]).toArray())).to.equal(16410);
    expect(await codeOf(coll().aggregate([{ $set: { 'y.$x': 1 } }]).toArray())).to.equal(16410);
    expect(await codeOf(coll().aggregate([{ $project: { $x: 1 } }]).toArray())).to.equal(16410);
    expect(await coll().aggregate([{ $match: { _id: 2 } }, { $addFields: { y: { $add: [1, 2] } } }, { $project: { y: 1 } }]).toArray()).to.deep.equal([{ _id: 2, y: 3 }]);
  });

  it('refuses a $lookup without as, without from, or with only one of localField and foreignField (FailedToParse, 9)', async () => {
    const lookup = (spec: Document) => coll().aggregate([{ $lookup: spec }]).toArray();
    expect(await codeOf(lookup({ from: 'other', localField: 'n', foreignField: 'n' }))).to.equal(9);
    expect(await codeOf(lookup({ localField: 'n', foreignField: 'n', as: 'o' }))).to.equal(9);
    expect(await codeOf(lookup({ from: 'other', localField: 'n', as: 'o' }))).to.equal(9);
    expect(await codeOf(lookup({ from: 'other', localField: 'n', foreignField: 'n', as: 'o', extra: 1 }))).to.equal(9);
  });

  it('refuses $out or $merge inside $facet (40600) or before the last stage (40601)', async () => {
    expect(await codeOf(coll().aggregate([{ $facet: { f: [{ $out: 'elsewhere' }] } }]).toArray())).to.equal(40600);
    expect(await codeOf(coll().aggregate([{ $facet: { f: [{ $merge: { into: 'elsewhere' } }] } }]).toArray())).to.equal(40600);
    expect(await codeOf(coll().aggregate([{ $out: 'elsewhere' }, { $match: {} }]).toArray())).to.equal(40601);
    expect(await t.db.listCollections({ name: 'elsewhere' }).toArray()).to.deep.equal([]);
  });

  it('refuses a $group without _id (15955), with an unknown accumulator (15952), and an unknown expression (168)', async () => {
    expect(await codeOf(coll().aggregate([{ $group: { total: { $sum: 1 } } }]).toArray())).to.equal(15955);
    expect(await codeOf(coll().aggregate([{ $group: { _id: null, total: { $total: 1 } } }]).toArray())).to.equal(15952);
    expect(await codeOf(coll().aggregate([{ $project: { x: { $noSuchOperator: 1 } } }]).toArray())).to.equal(168);
    expect(await codeOf(coll().find({ $expr: { $noSuchOperator: 1 } }).toArray())).to.equal(168);
  });

  it('refuses index key values that are not a non-zero number or a known index type (CannotCreateIndex, 67)', async () => {
    expect(await codeOf(coll().createIndex({ n: 'ascending' } as never))).to.equal(67);
    expect(await codeOf(coll().createIndex({ n: true } as never))).to.equal(67);
    expect(await codeOf(coll().createIndex({ n: 0 } as never))).to.equal(67);
    expect((await coll().indexes()).map((i) => i.name)).to.deep.equal(['_id_']);
  });

  it('refuses a delete statement whose limit is not 0 or 1 (FailedToParse, 9), deleting nothing', async () => {
    expect(await codeOf(t.db.command({ delete: 'docs', deletes: [{ q: {}, limit: 2 }] }))).to.equal(9);
    expect(await coll().countDocuments()).to.equal(2);
  });

  it('refuses $out and $merge into a system collection (17385, 31319) or an internal database (31321, 31320)', async () => {
    expect(await codeOf(coll().aggregate([{ $out: 'system.copy' }]).toArray())).to.equal(17385);
    expect(await codeOf(coll().aggregate([{ $merge: { into: 'system.copy' } }]).toArray())).to.equal(31319);
    expect(await codeOf(coll().aggregate([{ $out: { db: 'config', coll: 'copy' } }]).toArray())).to.equal(31321);
    expect(await codeOf(coll().aggregate([{ $merge: { into: { db: 'local', coll: 'copy' } } }]).toArray())).to.equal(31320);
  });

  it("refuses a $count field that is empty, $-prefixed or dotted (40156, 40158, 40160)", async () => {
    expect(await codeOf(coll().aggregate([{ $count: '' }]).toArray())).to.equal(40156);
    expect(await codeOf(coll().aggregate([{ $count: '$n' }]).toArray())).to.equal(40158);
    expect(await codeOf(coll().aggregate([{ $count: 'a.b' }]).toArray())).to.equal(40160);
    expect(await coll().aggregate([{ $count: 'total' }]).toArray()).to.deep.equal([{ total: 2 }]);
  });

  it('answers evaluation errors with their own codes: $divide by zero 16608, a failed conversion 241, a non-document newRoot 40228, a negative $substrCP length or start 34454/34455', async () => {
    const one = (stage: Document) => coll().aggregate([{ $match: { _id: 1 } }, stage]).toArray();
    expect(await codeOf(one({ $project: { x: { $divide: [1, 0] } } }))).to.equal(16608);
    expect(await codeOf(one({ $project: { x: { $toInt: '$n' } } }))).to.equal(241);
    expect(await codeOf(one({ $replaceRoot: { newRoot: '$n' } }))).to.equal(40228);
    expect(await codeOf(one({ $project: { x: { $substrCP: ['$n', 0, -1] } } }))).to.equal(34454);
    expect(await codeOf(one({ $project: { x: { $substrCP: ['$n', -1, 1] } } }))).to.equal(34455);
    expect(await one({ $project: { x: { $substrCP: ['abcd', 1, 2] } } })).to.deep.equal([{ _id: 1, x: 'bc' }]);
  });

  it('refuses index specifications MongoDB refuses: unknown option (197), empty name, $-prefixed key, compound TTL, unsupported partial filter (67)', async () => {
    const create = (index: Document) => t.db.command({ createIndexes: 'docs', indexes: [index] });
    expect(await codeOf(create({ key: { n: 1 }, name: 'n_1', notAnOption: true }))).to.equal(197);
    expect(await codeOf(create({ key: { n: 1 }, name: '' }))).to.equal(67);
    expect(await codeOf(create({ key: { $n: 1 }, name: 'dollar' }))).to.equal(67);
    expect(await codeOf(create({ key: { n: 1, a: 1 }, name: 'ttl', expireAfterSeconds: 60 }))).to.equal(67);
    expect(await codeOf(create({ key: { n: 1 }, name: 'partial', partialFilterExpression: { n: { $regex: 'x' } } }))).to.equal(67);
    expect(await codeOf(create({ key: { n: 1 }, name: 'partial', partialFilterExpression: { n: { $exists: false } } }))).to.equal(67);
    expect((await coll().indexes()).map((i) => i.name)).to.deep.equal(['_id_']);
    await create({ key: { n: 1 }, name: 'partial', partialFilterExpression: { $or: [{ n: { $type: 'string' } }, { n: { $gt: 1 } }] } });
    await coll().dropIndex('partial');
  });

  it('refuses update statements without q or u and delete statements without limit (40414), changing nothing', async () => {
    expect(await codeOf(t.db.command({ update: 'docs', updates: [{ u: { $set: { touched: true } } }] }))).to.equal(40414);
    expect(await codeOf(t.db.command({ update: 'docs', updates: [{ q: {} }] }))).to.equal(40414);
    expect(await codeOf(t.db.command({ delete: 'docs', deletes: [{ q: {} }] }))).to.equal(40414);
    expect(await coll().countDocuments({ touched: true })).to.equal(0);
    expect(await coll().countDocuments()).to.equal(2);
  });

  it('refuses a negative limit or batchSize in the find command (BadValue, 2)', async () => {
    expect(await codeOf(t.db.command({ find: 'docs', limit: -1 }))).to.equal(2);
    expect(await codeOf(t.db.command({ find: 'docs', batchSize: -1 }))).to.equal(2);
  });

  it('refuses a $sample size that is negative (28747) or not a number (28746), or none (28749), and samples without repeating documents', async () => {
    expect(await codeOf(coll().aggregate([{ $sample: { size: -1 } }]).toArray())).to.equal(28747);
    expect(await codeOf(coll().aggregate([{ $sample: { size: 'two' } }]).toArray())).to.equal(28746);
    expect(await codeOf(coll().aggregate([{ $sample: {} }]).toArray())).to.equal(28749);
    // "$sample ... randomly selects the specified number of documents": never the same document twice.
    const sampled = await coll().aggregate([{ $sample: { size: 5 } }]).toArray();
    expect(sampled.map((d) => d._id).sort()).to.deep.equal([1, 2]);
    expect(await coll().aggregate([{ $sample: { size: 1 } }]).toArray()).to.have.length(1);
  });

  it("lists a collection's info with readOnly false and a UUID that stays while the collection lives", async () => {
    await t.db.createCollection('listed');
    const info = async () => (await t.db.listCollections({ name: 'listed' }).toArray())[0] as { info: { readOnly: boolean; uuid: Binary } };
    const first = await info();
    expect(first.info.readOnly).to.equal(false);
    expect(first.info.uuid).to.be.instanceOf(Binary);
    expect(first.info.uuid.sub_type).to.equal(Binary.SUBTYPE_UUID);
    expect((await info()).info.uuid.toString('hex')).to.equal(first.info.uuid.toString('hex'));
    await t.db.dropCollection('listed');
    await t.db.createCollection('listed');
    expect((await info()).info.uuid.toString('hex')).to.not.equal(first.info.uuid.toString('hex'));
  });
});
