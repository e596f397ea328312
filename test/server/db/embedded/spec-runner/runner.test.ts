import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { startEmbeddedMongo } from '../../../../../server/db/embedded/index.js';
import { SpecRunner, type TestResult } from '../../../../../server/db/embedded/spec-runner/runner.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('spec-runner against the embedded server', function () {
  this.timeout(120_000);
  let server: Awaited<ReturnType<typeof startEmbeddedMongo>>;
  let runner: SpecRunner;

  before(async () => {
    server = await startEmbeddedMongo({ inMemory: true, port: 0 });
    runner = new SpecRunner({ uri: server.uri });
    await runner.open();
  });

  after(async () => {
    await runner?.close();
    await server?.stop();
  });

  it('discovers a 7.0 one-member replica set', () => {
    expect(runner.server.topology).to.equal('replicaset');
    expect(runner.server.version[0]).to.equal(7);
  });

  it('passes its self-test file: transactions, cursors, entities, errors, threads, sessions', async () => {
    const results = await runner.runFile(fixture('runner-features.json'));
    const failed = results.filter(r => r.status === 'failed').map(r => `${r.test}: ${r.reason}`);
    expect(failed).to.deep.equal([]);
    const skipped = results.filter(r => r.status === 'skipped').map(r => r.test);
    expect(skipped).to.deep.equal(['a test for a newer server is skipped', 'a test with a skipReason is skipped']);
    expect(results.filter(r => r.status === 'passed')).to.have.length(results.length - 2);
  });

  it('fails a test whose expectations are wrong, naming the mismatch', async () => {
    const results: TestResult[] = await runner.runFile(fixture('wrong-expectations.json'));
    const byTest = new Map(results.map(r => [r.test, r]));
    expect(results.every(r => r.status === 'failed')).to.equal(true);
    expect(byTest.get('wrong result')?.reason).to.match(/expectResult \$\.deletedCount: expected 2/);
    expect(byTest.get('wrong outcome')?.reason).to.match(/unexpected extra field\(s\) x/);
    expect(byTest.get('missing error')?.reason).to.match(/expected an error/);
    expect(byTest.get('wrong event')?.reason).to.match(/commandName: expected "find", got "delete"/);
  });
});
