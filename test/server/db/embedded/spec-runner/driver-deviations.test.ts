import { expect } from 'chai';
import { knownDriverFailure } from '../../../../../server/db/embedded/spec-runner/driver-deviations.js';

const op = (name: string, args: unknown) => ({ object: 'collection0', name, arguments: args });

describe('the spec runner labels a failure the installed driver causes, from what the test does', () => {
  it('labels an insert of a document whose _id is null or undefined, through insertOne, insertMany or bulkWrite', () => {
    expect(knownDriverFailure([op('insertOne', { document: { _id: null } })])).to.match(/replaces an explicit _id: null/);
    expect(knownDriverFailure([op('insertMany', { documents: [{ _id: 1 }, { _id: undefined }] })])).to.match(/ObjectId/);
    expect(knownDriverFailure([op('bulkWrite', { requests: [{ insertOne: { document: { _id: null } } }] })])).to.match(/ObjectId/);
  });

  it('does not label an upsert with a null _id, an insert without _id or with another _id', () => {
    expect(knownDriverFailure([op('updateOne', { filter: { _id: null }, update: { $unset: { a: '' } }, upsert: true })])).to.equal(undefined);
    expect(knownDriverFailure([op('insertOne', { document: { x: 1 } })])).to.equal(undefined);
    expect(knownDriverFailure([op('insertMany', { documents: [{ _id: 0 }, { _id: '' }] })])).to.equal(undefined);
  });
});
