import { expect } from 'chai';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { api, PageClient } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { createUser, type TestUser } from '../../support/users.js';

describe('API tokens and passwords', () => {
  let app: TestApp;
  let governor: TestUser;
  let sari: TestUser;

  const tokenFor = async (user: TestUser, password = user.password) => (await api(app.baseUrl).post('/api/v1/auth/token', { username: user.username, password })).body.token as string;

  before(async () => {
    await resetDatabase();
    await loadPlaces('0207');
    governor = await createUser({ role: 'governor-office', placeCode: '02', username: 'office.tokens' });
    sari = await createUser({ role: 'county-governor', placeCode: '0207', username: 'sari.tokens', mobile: '09121110000' });
    app = await startTestApp({ LOGIN_RATE_LIMIT: '100' });
  });
  after(() => app.stop());

  it('lists a user’s tokens with when each was made, last used and expires, and revokes the current one with DELETE /auth/token', async () => {
    const [first, second] = [await tokenFor(sari), await tokenFor(sari)];
    const listed = await api(app.baseUrl, first).get('/api/v1/auth/tokens');
    expect(listed.status).to.equal(200);
    expect(listed.body.tokens).to.have.length(2);
    const current = listed.body.tokens.find((t: { current: boolean }) => t.current);
    expect(current.lastUsedAt).to.be.a('string');
    expect(Date.parse(current.expiresAt)).to.be.above(Date.parse(current.createdAt));
    expect((await api(app.baseUrl, first).delete('/api/v1/auth/token')).status).to.equal(204);
    expect((await api(app.baseUrl, first).get('/api/v1/me')).status).to.equal(401);
    expect((await api(app.baseUrl, second).get('/api/v1/me')).status).to.equal(200);
  });

  it('revokes one token by id, but answers 404 for another user’s token, which keeps working', async () => {
    const mine = await tokenFor(sari);
    const theirs = await tokenFor(governor);
    const theirId = (await api(app.baseUrl, theirs).get('/api/v1/auth/tokens')).body.tokens[0].id as string;
    expect((await api(app.baseUrl, mine).delete(`/api/v1/auth/tokens/${theirId}`)).status).to.equal(404);
    expect((await api(app.baseUrl, theirs).get('/api/v1/me')).status).to.equal(200);
    const myId = (await api(app.baseUrl, mine).get('/api/v1/auth/tokens')).body.tokens.find((t: { current: boolean }) => t.current).id;
    expect((await api(app.baseUrl, theirs).delete(`/api/v1/auth/tokens/${myId}`)).status).to.equal(404);
    expect((await api(app.baseUrl, mine).delete(`/api/v1/auth/tokens/${myId}`)).status).to.equal(204);
    expect((await api(app.baseUrl, mine).get('/api/v1/me')).status).to.equal(401);
  });

  it('lets a user revoke a token from the settings page', async () => {
    const token = await tokenFor(governor);
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, governor.password);
    const page = await browser.get('/settings/security');
    expect(page.text).to.contain('توکن‌های API').and.contain('آخرین استفاده');
    const id = /action="\/settings\/tokens\/([0-9a-f]{24})\/revoke"/.exec(page.html)![1]!;
    const ids = [...page.html.matchAll(/action="\/settings\/tokens\/([0-9a-f]{24})\/revoke"/g)].map((m) => m[1]);
    for (const each of ids) await browser.post(`/settings/tokens/${each}/revoke`, {}, { from: '/settings/security' });
    expect(id).to.match(/^[0-9a-f]{24}$/);
    expect((await api(app.baseUrl, token).get('/api/v1/me')).status).to.equal(401);
    expect((await browser.get('/settings/security')).text).to.contain('توکن API فعالی ندارید.');
  });

  it('refuses common and personal passwords beside the field, and a strong new one revokes every token', async () => {
    const token = await tokenFor(sari);
    const browser = new PageClient(app.baseUrl);
    await browser.login(sari.username, sari.password);
    await browser.get('/settings/security');
    for (const [weak, reason] of [
      ['12345678', 'از پرکاربردترین‌هاست'],
      ['password', 'از پرکاربردترین‌هاست'],
      ['sari.tokens', 'نام کاربری، شماره همراه'],
      ['09121110000', 'نام کاربری، شماره همراه'],
    ] as const) {
      const refused = await browser.post('/settings/password', { current: sari.password, password: weak }, { from: '/settings/security' });
      expect(refused.text, weak).to.contain(reason);
      expect((await api(app.baseUrl, token).get('/api/v1/me')).status, weak).to.equal(200);
    }
    const wrongCurrent = await browser.post('/settings/password', { current: 'not-it', password: 'Kiasar-roads-4-all' }, { from: '/settings/security' });
    expect(wrongCurrent.text).to.contain('گذرواژهٔ کنونی درست نیست.');
    const changed = await browser.post('/settings/password', { current: sari.password, password: 'Kiasar-roads-4-all' }, { from: '/settings/security' });
    expect(changed.text).to.contain('گذرواژه عوض شد');
    expect((await api(app.baseUrl, token).get('/api/v1/me')).status).to.equal(401);
    expect(await tokenFor(sari, 'Kiasar-roads-4-all')).to.be.a('string');
  });

  it('refuses a guessable password when the governor’s office creates a user', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, governor.password);
    await browser.get('/admin/users/new');
    const refused = await browser.post('/admin/users', { username: 'weak.user', displayName: 'ضعیف', password: '12345678', role: 'county-governor', placeCode: '0207', lang: 'fa' }, { from: '/admin/users/new' });
    expect(refused.text).to.contain('از پرکاربردترین‌هاست');
    const own = await browser.post('/admin/users', { username: 'weak.user', displayName: 'ضعیف', password: 'weak.user', role: 'county-governor', placeCode: '0207', lang: 'fa' }, { from: '/admin/users/new' });
    expect(own.text).to.contain('نام کاربری، شماره همراه');
  });

  it('revokes every token of a user the governor’s office deactivates', async () => {
    const victim = await createUser({ role: 'county-governor', placeCode: '0207', username: 'leaving.tokens' });
    const token = await tokenFor(victim);
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, governor.password);
    await browser.get('/admin/users');
    const done = await browser.post('/admin/users/leaving.tokens/deactivate', {}, { from: '/admin/users' });
    expect(done.text).to.contain('حساب leaving.tokens بسته شد');
    expect((await api(app.baseUrl, token).get('/api/v1/me')).status).to.equal(401);
    expect((await api(app.baseUrl).post('/api/v1/auth/token', { username: 'leaving.tokens', password: victim.password })).status).to.equal(401);
  });
});
