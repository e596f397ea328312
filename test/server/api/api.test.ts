import { expect } from 'chai';
import { resetDatabase } from '../../support/database.js';
import { loadPlaces } from '../../support/places.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { api } from '../../support/http.js';
import { ApiToken } from '../../../models/api-token.model.js';
import { apiToken, createUser, type TestUser } from '../../support/users.js';

describe('The JSON API', () => {
  let app: TestApp;
  let sari: TestUser;

  before(async () => {
    await resetDatabase();
    await loadPlaces('0207');
    sari = await createUser({ role: 'county-governor', placeCode: '0207', username: 'api.sari' });
    app = await startTestApp();
  });
  after(() => app.stop());

  async function token(): Promise<string> {
    const response = await api(app.baseUrl).post('/api/v1/auth/token', { username: 'api.sari', password: sari.password });
    expect(response.status).to.equal(201);
    return response.body.token;
  }

  it('gives a token for a username and password, and says who it belongs to', async () => {
    const me = await api(app.baseUrl, await token()).get('/api/v1/me');
    expect(me.status).to.equal(200);
    expect(me.body).to.deep.equal({ username: 'api.sari', role: 'county-governor', place: { code: '0207', level: 'county', name: 'ساری' } });
  });

  it('returns a place with its population by its census code', async () => {
    const place = await api(app.baseUrl, await token()).get('/api/v1/places/0207');
    expect(place.body).to.include({ code: '0207', level: 'county', name: 'ساری', population: 504298, parent: '02' });
  });

  it('lists the children of a place', async () => {
    const list = await api(app.baseUrl, await token()).get('/api/v1/places?parent=0207');
    expect(list.body.places.map((p: { name: string }) => p.name)).to.include.members(['ساری', 'کیاسر']);
  });

  it('refuses a wrong password with a JSON error', async () => {
    const response = await api(app.baseUrl).post('/api/v1/auth/token', { username: 'api.sari', password: 'wrong' });
    expect(response.status).to.equal(401);
    expect(response.body).to.deep.equal({ error: { code: 'invalidCredentials', message: 'نام کاربری یا گذرواژه درست نیست.' } });
  });

  it('answers in English when asked to', async () => {
    const response = await fetch(`${app.baseUrl}/api/v1/me`, { headers: { 'accept-language': 'en-GB,en;q=0.9' } });
    expect(response.status).to.equal(401);
    expect(await response.json()).to.deep.equal({ error: { code: 'unauthenticated', message: 'Please log in first.' } });
  });

  it('refuses an unknown token in the language asked for', async () => {
    const response = await fetch(`${app.baseUrl}/api/v1/me`, { headers: { authorization: 'Bearer made-up', 'accept-language': 'en' } });
    expect(response.status).to.equal(401);
    expect(((await response.json()) as { error: { message: string } }).error.message).to.match(/^[ -~]+$/);
  });

  it('refuses an expired token', async () => {
    const token = await apiToken(sari);
    await ApiToken.updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const response = await api(app.baseUrl, token).get('/api/v1/me');
    expect(response.status).to.equal(401);
    expect(response.body.error.code).to.equal('invalidToken');
  });

  it('refuses an unknown token, and a call without one', async () => {
    expect((await api(app.baseUrl, 'made-up').get('/api/v1/me')).body.error.code).to.equal('invalidToken');
    expect((await api(app.baseUrl).get('/api/v1/places/0207')).status).to.equal(401);
  });

  it('names the fields of an invalid request', async () => {
    const response = await api(app.baseUrl).post('/api/v1/auth/token', { username: '' });
    expect(response.status).to.equal(400);
    expect(response.body.error.code).to.equal('validation');
    expect(response.body.error.fields).to.deep.equal({ username: 'این بخش را پر کنید.', password: 'این بخش را پر کنید.' });
  });

  it('answers 404 in JSON for an unknown place or address', async () => {
    const client = api(app.baseUrl, await token());
    expect((await client.get('/api/v1/places/0299')).status).to.equal(404);
    const unknown = await client.get('/api/v1/nothing-here');
    expect(unknown.status).to.equal(404);
    expect(unknown.body.error.code).to.equal('notFound');
  });

  it('refuses malformed JSON with a JSON error', async () => {
    const response = await fetch(`${app.baseUrl}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' });
    expect(response.status).to.equal(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).to.equal('badRequest');
  });
});
