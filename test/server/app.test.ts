import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { resetDatabase } from '../support/database.js';
import { KHAJEH_DIZAJ, TABRIZ_CENTRAL } from '../support/enrolments.js';
import { loadPlaces } from '../support/places.js';
import { apiToken, createUser } from '../support/users.js';

describe('The application: compression', () => {
  let app: TestApp;
  let token: string;
  before(async () => {
    await resetDatabase();
    await loadPlaces(TABRIZ_CENTRAL);
    token = await apiToken(await createUser({ role: 'village-head', placeCode: KHAJEH_DIZAJ }));
    app = await startTestApp();
  });
  after(() => app.stop());

  const encodingOf = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${app.baseUrl}${path}`, { ...init, headers: { 'accept-encoding': 'gzip', ...init.headers } });
    const body = Buffer.from(await response.arrayBuffer());
    return { encoding: response.headers.get('content-encoding'), bytes: body.length, status: response.status };
  };

  it('compresses pages and the answers of API reads', async () => {
    expect((await encodingOf('/login')).encoding).to.equal('gzip');
    expect((await encodingOf('/api/v1/openapi.json')).encoding).to.equal('gzip');
  });

  it('answers API writes uncompressed, even a long one', async () => {
    // a batch of 20 empty enrolments: 20 refusals naming every field, well over compression's 1 KB threshold
    const items = Array.from({ length: 20 }, (_, n) => ({ idempotencyKey: `compression-${n}`, enrolment: {} }));
    const answer = await encodingOf('/api/v1/enrolments/batch', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ items }) });
    expect(answer.status).to.equal(200);
    expect(answer.bytes).to.be.above(1024);
    expect(answer.encoding).to.equal(null);
  });
});
