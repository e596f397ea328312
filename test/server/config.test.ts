import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { ConfigError, loadConfig, settings } from '../../server/config.js';

describe('Configuration', () => {
  it('starts on the embedded default with no settings at all', () => {
    const config = loadConfig({});
    expect(config.port).to.equal(3000);
    expect(config.mongodbUri).to.equal(undefined);
    expect(config.dataDir).to.equal('./data');
    expect(config.defaultLang).to.equal('fa');
    expect(config.demoData).to.equal('auto');
    expect(config.smallTownThreshold).to.equal(20000);
  });

  it('points mail links at the port it listens on when PUBLIC_URL is not given', () => {
    expect(loadConfig({ PORT: '8080' }).publicUrl).to.equal('http://localhost:8080');
    expect(loadConfig({}).publicUrl).to.equal('http://localhost:3000');
    expect(loadConfig({ PORT: '8080', PUBLIC_URL: 'https://bimeh.example' }).publicUrl).to.equal('https://bimeh.example');
  });

  it('reads every setting from its environment variable', () => {
    const config = loadConfig({ PORT: '8080', DEFAULT_LANG: 'en', SMALL_TOWN_THRESHOLD: '50000', DATA_DIR: ':memory:' });
    expect(config).to.include({ port: 8080, defaultLang: 'en', smallTownThreshold: 50000, dataDir: ':memory:' });
  });

  it('refuses a bad value and names the setting', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).to.throw(ConfigError, /PORT/);
    expect(() => loadConfig({ DEFAULT_LANG: 'de' })).to.throw(ConfigError, /DEFAULT_LANG/);
    expect(() => loadConfig({ MONGODB_URI: 'postgres://x' })).to.throw(ConfigError, /MONGODB_URI/);
    expect(() => loadConfig({ SMALL_TOWN_THRESHOLD: '-5' })).to.throw(ConfigError, /SMALL_TOWN_THRESHOLD/);
    expect(() => loadConfig({ DEMO_DATA: 'maybe' })).to.throw(ConfigError, /DEMO_DATA/);
  });

  it('tells which setting was wrong in the error itself', () => {
    try {
      loadConfig({ LOG_LEVEL: 'loud' });
      expect.fail('should have thrown');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).setting).to.equal('LOG_LEVEL');
    }
  });

  it('gives the embedded database no TCP port unless EMBEDDED_DB_PORT names one', () => {
    expect(loadConfig({}).embeddedDbPort).to.equal(undefined);
    expect(loadConfig({ EMBEDDED_DB_PORT: '' }).embeddedDbPort).to.equal(undefined);
    expect(loadConfig({ EMBEDDED_DB_PORT: '27018' }).embeddedDbPort).to.equal(27018);
    expect(() => loadConfig({ EMBEDDED_DB_PORT: 'mongo' })).to.throw(ConfigError, /EMBEDDED_DB_PORT/);
    expect(() => loadConfig({ EMBEDDED_DB_PORT: '70000' })).to.throw(ConfigError, /EMBEDDED_DB_PORT/);
  });

  it('requires a shared session secret when given a real MongoDB', () => {
    expect(() => loadConfig({ MONGODB_URI: 'mongodb://db.example/rict' })).to.throw(ConfigError, /SESSION_SECRET/);
    expect(() => loadConfig({ MONGODB_URI: 'mongodb://db.example/rict', SESSION_SECRET: 'short' })).to.throw(ConfigError, /SESSION_SECRET/);
    const config = loadConfig({ MONGODB_URI: 'mongodb://db.example/rict', SESSION_SECRET: 'x'.repeat(40) });
    expect(config.mongodbUri).to.equal('mongodb://db.example/rict');
  });

  it('describes every setting with its environment name, default and purpose', () => {
    for (const setting of Object.values(settings)) {
      expect(setting.env).to.match(/^[A-Z_]+$/);
      expect(setting.description.length, setting.env).to.be.greaterThan(10);
    }
    const names = Object.values(settings).map((s) => s.env);
    expect(names).to.include.members(['PORT', 'HOST', 'MONGODB_URI', 'DATA_DIR', 'SESSION_SECRET', 'SMTP_URL', 'MAIL_FROM', 'PUBLIC_URL', 'DEFAULT_LANG', 'DEMO_DATA', 'LOG_LEVEL', 'SMALL_TOWN_THRESHOLD']);
  });

  it('is documented in the README, setting by setting, with the same defaults', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const setting of Object.values(settings)) {
      const shown = setting.default === undefined ? '*(unset)*' : `\`${setting.default}\``;
      expect(readme, setting.env).to.contain(`| \`${setting.env}\` | ${shown} | ${setting.description} |`);
    }
  });
});
