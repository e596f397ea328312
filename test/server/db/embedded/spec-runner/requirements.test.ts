import { expect } from 'chai';
import { compareVersions, parseVersion, requirementsUnmet, schemaSupported } from '../../../../../server/db/embedded/spec-runner/requirements.js';
import { parseSpecText } from '../../../../../server/db/embedded/spec-runner/loader.js';
import { uriWithOptions } from '../../../../../server/db/embedded/spec-runner/entities.js';
import type { ServerInfo } from '../../../../../server/db/embedded/spec-runner/types.js';

const embedded: ServerInfo = { version: [7, 0, 0], topology: 'replicaset', serverless: false, auth: false, csfle: false };

describe('spec-runner runOnRequirements', () => {
  it('compares versions numerically and drops pre-release suffixes', () => {
    expect(compareVersions(parseVersion('4.0.10'), parseVersion('4.0.9'))).to.be.greaterThan(0);
    expect(compareVersions(parseVersion('3.6'), parseVersion('3.6.0'))).to.equal(0);
    expect(parseVersion('4.9.0-alpha4-271-g7d5cf02')).to.deep.equal([4, 9, 0]);
  });
  it('reads versions older files write as numbers (schemaVersion 1, minServerVersion 3.6)', () => {
    const file = parseSpecText('{"schemaVersion": 1, "runOnRequirements": [{"minServerVersion": 3.6}, {"minServerVersion": 8.1}], "tests": []}');
    expect(schemaSupported(file.schemaVersion)).to.equal(true);
    expect(requirementsUnmet([file.runOnRequirements![0]], embedded)).to.equal(null);
    expect(requirementsUnmet([file.runOnRequirements![1]], embedded)).to.match(/>= 8.1/);
  });
  it('runs when any one requirement is met, or none are given', () => {
    expect(requirementsUnmet(undefined, embedded)).to.equal(null);
    expect(requirementsUnmet([{ minServerVersion: '8.0' }, { maxServerVersion: '7.99' }], embedded)).to.equal(null);
    expect(requirementsUnmet([{ minServerVersion: '4.0', topologies: ['replicaset'] }], embedded)).to.equal(null);
  });
  it('skips on version bounds, topology, serverless and CSFLE', () => {
    expect(requirementsUnmet([{ minServerVersion: '8.2.0' }], embedded)).to.match(/>= 8.2.0/);
    expect(requirementsUnmet([{ maxServerVersion: '4.4.99' }], embedded)).to.match(/<= 4.4.99/);
    expect(requirementsUnmet([{ topologies: ['sharded', 'load-balanced'] }], embedded)).to.match(/topology/);
    expect(requirementsUnmet([{ serverless: 'require' }], embedded)).to.match(/serverless/);
    expect(requirementsUnmet([{ serverless: 'forbid' }], embedded)).to.equal(null);
    expect(requirementsUnmet([{ csfle: true }], embedded)).to.match(/CSFLE/);
    expect(requirementsUnmet([{ auth: true }], embedded)).to.match(/auth/);
    expect(requirementsUnmet([{ auth: false }], embedded)).to.equal(null);
  });
  it('compares serverParameters flexibly and treats unknown ones as unmet', () => {
    const withParams: ServerInfo = { ...embedded, parameters: { enableTestCommands: 1, featureFlagX: true } };
    expect(requirementsUnmet([{ serverParameters: { enableTestCommands: true as never } }], withParams)).to.match(/enableTestCommands/);
    expect(requirementsUnmet([{ serverParameters: { enableTestCommands: 1.0 } }], withParams)).to.equal(null);
    expect(requirementsUnmet([{ serverParameters: { featureFlagX: true } }], withParams)).to.equal(null);
    expect(requirementsUnmet([{ serverParameters: { unknownParam: 1 } }], withParams)).to.match(/unknownParam/);
  });
  it('accepts schema versions 1.x it implements', () => {
    expect(schemaSupported('1.0')).to.equal(true);
    expect(schemaSupported('1.12')).to.equal(true);
    expect(schemaSupported('2.0')).to.equal(false);
  });
  it('adds uriOptions to the connection string', () => {
    expect(uriWithOptions('mongodb://127.0.0.1:1234', { retryWrites: false })).to.equal('mongodb://127.0.0.1:1234/?retryWrites=false');
    expect(uriWithOptions('mongodb://h:1/?retryWrites=true&w=1', { retryWrites: false })).to.equal('mongodb://h:1/?retryWrites=false&w=1');
  });
});
