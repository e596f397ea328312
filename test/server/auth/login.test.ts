import { expect } from 'chai';
import { resetDatabase } from '../../support/database.js';
import { loadPlaces } from '../../support/places.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { PageClient } from '../../support/http.js';
import { createUser, type TestUser } from '../../support/users.js';

describe('Logging in and out', () => {
  let app: TestApp;
  let sari: TestUser;

  before(async () => {
    await resetDatabase();
    await loadPlaces('0207');
    sari = await createUser({ role: 'county-governor', placeCode: '0207', username: 'governor.sari', mobile: '09121234567' });
    app = await startTestApp();
  });
  after(() => app.stop());

  it('sends an anonymous visitor to the login page, in Persian and right-to-left', async () => {
    const page = await new PageClient(app.baseUrl).get('/places/0207');
    expect(page.path).to.equal('/login?next=%2Fplaces%2F0207');
    expect(page.html).to.contain('<html lang="fa" dir="rtl">');
    expect(page.text).to.contain('ورود به سامانه');
  });

  it('lets a user in with their username and password, and back to the page they wanted', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.get('/places/0207');
    const page = await browser.post('/login', { login: 'governor.sari', password: sari.password, next: '/places/0207' }, { from: '/login' });
    expect(page.status).to.equal(200);
    expect(page.path).to.equal('/places/0207');
    expect(page.text).to.contain('ساری');
  });

  it('lets a user in with their mobile number, typed in Persian digits', async () => {
    const page = await new PageClient(app.baseUrl).login('۰۹۱۲۱۲۳۴۵۶۷', sari.password);
    expect(page.path).to.equal('/');
    expect(page.text).to.contain('ساری');
  });

  it('refuses a wrong password and shows the login form again with the reason', async () => {
    const page = await new PageClient(app.baseUrl).login('governor.sari', 'not-the-password');
    expect(page.path).to.equal('/login');
    expect(page.text).to.contain('نام کاربری یا گذرواژه درست نیست.');
    expect(page.html).to.contain('value="governor.sari"');
    expect(page.html).to.not.contain('not-the-password');
  });

  it('logs a user out: their pages ask for a login again', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login('governor.sari', sari.password);
    const out = await browser.logout();
    expect(out.path).to.equal('/login');
    expect(out.text).to.contain('از سامانه خارج شدید.');
    expect((await browser.get('/places/0207')).path).to.match(/^\/login/);
  });

  it('refuses a form posted without its CSRF token', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.get('/login');
    const page = await browser.post('/login', { login: 'governor.sari', password: sari.password }, { csrf: false });
    expect(page.status).to.equal(403);
    expect(page.text).to.contain('فرم منقضی شده است');
    expect((await browser.get('/places/0207')).path).to.match(/^\/login/);
  });

  it('refuses a logout posted from another site (no CSRF token)', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login('governor.sari', sari.password);
    expect((await browser.post('/logout', {}, { csrf: false })).status).to.equal(403);
    expect((await browser.get('/places/0207')).path).to.equal('/places/0207');
  });

  it('sends security headers with every page', async () => {
    const page = await new PageClient(app.baseUrl).get('/login');
    // one same-origin script (the phone's offline queue), never inline script
    expect(page.headers.get('content-security-policy')).to.contain("script-src 'self';").and.not.to.contain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(page.headers.get('x-frame-options')).to.equal('SAMEORIGIN');
    expect(page.headers.get('set-cookie') ?? '').to.match(/HttpOnly/i);
  });
});

describe('The login rate limit', () => {
  let app: TestApp;

  before(async () => {
    app = await startTestApp({ LOGIN_RATE_LIMIT: '3' });
  });
  after(() => app.stop());

  it('stops a client after too many attempts, on the pages and the API alike', async () => {
    const browser = new PageClient(app.baseUrl);
    for (let i = 0; i < 3; i++) expect((await browser.login('nobody', 'guess-' + i)).path).to.equal('/login');
    const refused = await browser.post('/login', { login: 'nobody', password: 'guess-4' }, { from: '/login' });
    expect(refused.status).to.equal(429);
    expect(refused.text).to.contain('تلاش‌های ورود بیش از حد بود');

    const response = await fetch(`${app.baseUrl}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nobody', password: 'x' }),
    });
    expect(response.status).to.equal(429);
    expect(((await response.json()) as { error: { code: string } }).error.code).to.equal('tooManyAttempts');
  });
});
