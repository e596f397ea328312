import { expect } from 'chai';
import { BSONSymbol } from 'bson';
import { unsupportedFeature } from '../../../../../server/db/embedded/spec-runner/skips.js';
import type { TestCase, TestFile } from '../../../../../server/db/embedded/spec-runner/types.js';

const file = (createEntities: unknown[] = []): TestFile => ({ description: 'any file', schemaVersion: '1.0', createEntities, tests: [] }) as unknown as TestFile;
const test = (operations: unknown[]): TestCase => ({ description: 'any title', operations }) as unknown as TestCase;
const op = (name: string, args: unknown = {}) => ({ object: 'collection0', name, arguments: args });

describe('the spec runner skips a test by the unsupported feature it uses', () => {
  it('skips a $text filter, a geo operator, a text or 2dsphere index and a change stream, whatever the file is called', () => {
    expect(unsupportedFeature(file(), test([op('find', { filter: { $text: { $search: 'x' } } })]))).to.match(/text search/);
    expect(unsupportedFeature(file(), test([op('aggregate', { pipeline: [{ $match: { loc: { $geoWithin: {} } } }] })]))).to.match(/geospatial/);
    expect(unsupportedFeature(file(), test([op('createIndex', { keys: { body: 'text' } })]))).to.match(/text indexes/);
    expect(unsupportedFeature(file(), test([op('createIndex', { keys: { where: '2dsphere' } })]))).to.match(/geospatial indexes/);
    expect(unsupportedFeature(file(), test([op('createChangeStream', { pipeline: [] })]))).to.match(/change streams/);
  });

  it('skips a test whose client reads from a secondary, but not a transaction or operation asking for one', () => {
    const secondaryClient = file([{ client: { id: 'client0', uriOptions: { readPreference: 'secondary' } } }]);
    expect(unsupportedFeature(secondaryClient, test([op('find')]))).to.match(/secondary/);
    const inTransaction = test([{ object: 'session0', name: 'startTransaction', arguments: { readPreference: { mode: 'secondary' } } }]);
    expect(unsupportedFeature(file(), inTransaction)).to.equal(undefined);
  });

  it('runs a test that sets the failCommand fail point, but skips one that sets another fail point, naming it', () => {
    const failPoint = (configureFailPoint: string, data = {}) => ({ object: 'testRunner', name: 'failPoint', arguments: { client: 'client0', failPoint: { configureFailPoint, mode: { times: 1 }, data } } });
    expect(unsupportedFeature(file(), test([failPoint('failCommand', { failCommands: ['insert'], errorCode: 91 }), op('insertOne')]))).to.equal(undefined);
    expect(unsupportedFeature(file(), test([failPoint('onPrimaryTransactionalWrite'), op('insertOne')]))).to.match(/onPrimaryTransactionalWrite fail point/);
    expect(unsupportedFeature(file(), test([failPoint('failCommand', { failCommands: ['find'], errorCode: 2, errorExtraInfo: {} })]))).to.match(/errorExtraInfo/);
  });

  it('skips a test that changes an index through collMod, but not a plain collMod', () => {
    const hideIndex = { object: 'database0', name: 'modifyCollection', arguments: { collection: 'test', index: { keyPattern: { x: 1 }, hidden: true } } };
    expect(unsupportedFeature(file(), test([hideIndex]))).to.match(/collMod of indexes/);
    const validator = { object: 'database0', name: 'modifyCollection', arguments: { collection: 'test', validator: { x: { $type: 'int' } } } };
    expect(unsupportedFeature(file(), test([validator]))).to.equal(undefined);
  });

  it('skips a test that writes a BSON symbol, but not one that writes the same text as a string', () => {
    expect(unsupportedFeature(file(), test([op('insertOne', { document: { _id: new BSONSymbol('') } })]))).to.match(/symbol/);
    expect(unsupportedFeature(file(), test([op('insertOne', { document: { _id: '', symbol: 'x' } })]))).to.equal(undefined);
  });

  it('runs tests with a collation, an ordinary index or nothing special', () => {
    expect(unsupportedFeature(file(), test([op('find', { filter: { x: 'PING' }, collation: { locale: 'en_US', strength: 2 } })]))).to.equal(undefined);
    expect(unsupportedFeature(file(), test([op('createIndex', { keys: { x: 1 } })]))).to.equal(undefined);
    expect(unsupportedFeature(file(), test([op('insertOne', { document: { capped: false } })]))).to.equal(undefined);
  });
});
