import { expect } from 'chai';
import { User } from '../../../models/user.model.js';
import { ROLES } from '../../../server/auth/roles.js';
import { loadConfig } from '../../../server/config.js';
import { createDemoUsers, DEMO_ACCOUNTS, DEMO_PASSWORD, wantsDemoUsers } from '../../../server/users/demo.js';
import { resetDatabase } from '../../support/database.js';
import { loadPlaces } from '../../support/places.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { PageClient } from '../../support/http.js';

describe('The demo accounts', () => {
  let app: TestApp;

  before(async () => {
    await resetDatabase();
    await loadPlaces('02', '030303');
    app = await startTestApp();
  });
  after(() => app.stop());

  it('are wanted on the embedded default, and on a real MongoDB only when asked for', () => {
    expect(wantsDemoUsers(loadConfig({}))).to.equal(true);
    const real = { MONGODB_URI: 'mongodb://db.example/rict', SESSION_SECRET: 'x'.repeat(40) };
    expect(wantsDemoUsers(loadConfig(real))).to.equal(false);
    expect(wantsDemoUsers(loadConfig({ ...real, DEMO_DATA: 'yes' }))).to.equal(true);
    expect(wantsDemoUsers(loadConfig({ DEMO_DATA: 'no' }))).to.equal(false);
  });

  it('give every role one account, once', async () => {
    expect(await createDemoUsers()).to.equal(DEMO_ACCOUNTS.length);
    expect(await createDemoUsers()).to.equal(0);
    const roles = await User.distinct('role', { demo: true }).setOptions({ scope: 'system' });
    expect([...roles].sort()).to.deep.equal([...ROLES].sort());
  });

  it('let the Sari county governor and the village head log in with the shared password', async () => {
    const sari = await new PageClient(app.baseUrl).login('demo.sari', DEMO_PASSWORD);
    expect(sari.path).to.equal('/');
    expect(sari.text).to.contain('کار امروز من');
    const village = await new PageClient(app.baseUrl).login('demo.village', DEMO_PASSWORD);
    expect(village.path).to.equal('/');
    expect(village.text).to.contain('خواجه دیزج');
  });
});
