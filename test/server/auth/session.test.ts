import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { resolveSessionSecret } from '../../../server/auth/session.js';
import { loadConfig } from '../../../server/config.js';

describe('The session secret', () => {
  it('is generated once on the embedded default and kept in DATA_DIR, readable by the owner only', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rict-secret-'));
    const config = loadConfig({ DATA_DIR: dataDir });
    const first = resolveSessionSecret(config);
    expect(first).to.have.length(64);
    expect(resolveSessionSecret(config)).to.equal(first);
    const file = join(dataDir, 'session-secret');
    expect(readFileSync(file, 'utf8')).to.equal(first);
    expect(statSync(file).mode & 0o077).to.equal(0);
  });

  it('is the configured one when SESSION_SECRET is given, and never written to disk', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rict-secret-'));
    const secret = 's'.repeat(40);
    expect(resolveSessionSecret(loadConfig({ DATA_DIR: dataDir, SESSION_SECRET: secret }))).to.equal(secret);
    expect(existsSync(join(dataDir, 'session-secret'))).to.equal(false);
  });

  it('lives in memory only when DATA_DIR is :memory:', () => {
    const config = loadConfig({ DATA_DIR: ':memory:' });
    expect(resolveSessionSecret(config)).to.not.equal(resolveSessionSecret(config));
  });
});
