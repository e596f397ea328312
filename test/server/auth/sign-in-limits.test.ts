import { expect } from 'chai';
import { LoginFailure } from '../../../models/login-failure.model.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { api } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { createUser, type TestUser } from '../../support/users.js';

describe('Sign-in limits', () => {
  let one: TestApp;
  let other: TestApp;
  let office: TestUser[];

  const token = (app: TestApp, username: string, password: string) => api(app.baseUrl).post('/api/v1/auth/token', { username, password });

  before(async () => {
    await resetDatabase();
    await loadPlaces('0207');
    office = [];
    for (let i = 0; i < 11; i++) office.push(await createUser({ role: 'viewer', placeCode: '02', username: `office.member${i}` }));
    // two instances of the application on one database, as behind a load balancer
    const env = { LOGIN_RATE_LIMIT: '3', LOGIN_ADDRESS_RATE_LIMIT: '6' };
    [one, other] = [await startTestApp(env), await startTestApp(env)];
  });
  beforeEach(() => LoginFailure.deleteMany({}));
  after(async () => {
    await Promise.all([one.stop(), other.stop()]);
  });

  it('lets eleven people of one office sign in from one address, however many times (successes are not counted)', async () => {
    for (const person of office) {
      for (const app of [one, other]) expect((await token(app, person.username, person.password)).status, person.username).to.equal(201);
    }
  });

  it('locks an account after its failures, on every instance, saying when to try again in Persian and English', async () => {
    const [target, colleague] = office;
    for (const app of [one, other, one]) expect((await token(app, target!.username, 'wrong-guess')).status).to.equal(401);
    const refused = await token(other, target!.username, target!.password);
    expect(refused.status).to.equal(429);
    expect(refused.body.error.message).to.match(/^تلاش‌های ورود بیش از حد بود\. ۱۵ دقیقهٔ دیگر دوباره امتحان کنید\.$/);
    expect(Number(refused.headers.get('retry-after'))).to.be.within(14 * 60, 15 * 60);
    const english = await fetch(`${one.baseUrl}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json', 'accept-language': 'en' }, body: JSON.stringify({ username: target!.username, password: target!.password }) });
    expect(((await english.json()) as { error: { message: string } }).error.message).to.equal('Too many failed login attempts. Try again in 15 minutes.');
    // the colleague at the same address is not locked out by it
    expect((await token(one, colleague!.username, colleague!.password)).status).to.equal(201);
  });

  it('stops an address that guesses at many accounts', async () => {
    for (let i = 0; i < 6; i++) expect((await token(i % 2 ? one : other, `nobody${i}`, 'guess')).status).to.equal(401);
    const refused = await token(one, office[5]!.username, office[5]!.password);
    expect(refused.status).to.equal(429);
    expect(refused.body.error.code).to.equal('tooManyAttempts');
  });
});
