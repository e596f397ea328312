import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { CampaignRecord } from '../../../models/campaign.model.js';
import { Enrolment } from '../../../models/enrolment.model.js';
import { ProgressCounter, type ProgressCounterRecord } from '../../../models/progress-counter.model.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { ALVAR_SOFLA, enrolmentBody, KHAJEH_DIZAJ, nationalId, openCampaign, TABRIZ_CENTRAL } from '../../support/enrolments.js';
import { PageClient } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { apiToken, createUser, TEST_PASSWORD, type TestUser } from '../../support/users.js';

async function loggedAt(campaign: CampaignRecord, place: string): Promise<number> {
  const counter = await ProgressCounter.findOne({ campaign: campaign._id, placeCode: place }).setOptions({ scope: 'system' }).lean<ProgressCounterRecord>();
  return counter?.logged ?? 0;
}

const enrolmentsWithId = (id: string) => Enrolment.countDocuments({ province: '03', nationalId: id }).setOptions({ scope: 'system' });

describe('Idempotency-Key on POST /api/v1/enrolments and the batch', () => {
  let app: TestApp;
  let campaign: CampaignRecord;
  let head: TestUser;
  let otherHead: TestUser;
  let token: string;
  let serial = 500;

  const body = (overrides: Record<string, unknown> = {}) => enrolmentBody(++serial, { village: KHAJEH_DIZAJ, ...overrides });
  const post = async (path: string, json: unknown, headers: Record<string, string> = {}, bearer = token) => {
    const response = await fetch(`${app.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', 'accept-language': 'en', ...headers }, body: JSON.stringify(json) });
    return { status: response.status, body: (await response.json()) as any };
  };

  before(async () => {
    await resetDatabase();
    await loadPlaces(TABRIZ_CENTRAL);
    campaign = await openCampaign('03');
    head = await createUser({ role: 'village-head', placeCode: KHAJEH_DIZAJ });
    otherHead = await createUser({ role: 'village-head', placeCode: ALVAR_SOFLA });
    token = await apiToken(head);
    app = await startTestApp();
  });
  after(() => app.stop());

  it('answers a repeated key with the first answer, the same id, and makes one enrolment counted once', async () => {
    const key = randomUUID();
    const enrolment = body();
    const before = await loggedAt(campaign, KHAJEH_DIZAJ);
    const first = await post('/api/v1/enrolments', enrolment, { 'idempotency-key': key });
    // the same fields in another order are the same request
    const again = await post('/api/v1/enrolments', Object.fromEntries(Object.entries(enrolment).reverse()), { 'idempotency-key': key });
    expect(first.status).to.equal(201);
    expect(again).to.deep.equal(first);
    expect(await enrolmentsWithId(nationalId(serial))).to.equal(1);
    expect(await loggedAt(campaign, KHAJEH_DIZAJ)).to.equal(before + 1);
  });

  it('refuses the same key with a different body with 422, naming the key', async () => {
    const key = randomUUID();
    expect((await post('/api/v1/enrolments', body(), { 'idempotency-key': key })).status).to.equal(201);
    const other = await post('/api/v1/enrolments', body(), { 'idempotency-key': key });
    expect(other.status).to.equal(422);
    expect(other.body.error.code).to.equal('idempotencyKeyReused');
    expect(other.body.error.fields.idempotencyKey).to.equal('This Idempotency-Key was already used for another enrolment.');
    expect(await enrolmentsWithId(nationalId(serial))).to.equal(0);
  });

  it('refuses another user’s key with 422 instead of showing them that enrolment', async () => {
    const key = randomUUID();
    const enrolment = body();
    expect((await post('/api/v1/enrolments', enrolment, { 'idempotency-key': key })).status).to.equal(201);
    const other = await post('/api/v1/enrolments', { ...enrolment, village: ALVAR_SOFLA }, { 'idempotency-key': key }, await apiToken(otherHead));
    expect(other.status).to.equal(422);
    expect(other.body.error.code).to.equal('idempotencyKeyReused');
  });

  it('refuses a key that is no key with 422', async () => {
    const response = await post('/api/v1/enrolments', body(), { 'idempotency-key': 'a b' });
    expect(response.status).to.equal(422);
    expect(response.body.error.fields.idempotencyKey).to.contain('Idempotency-Key');
  });

  it('keeps nothing of a refused request, so the same key may be sent again once it is corrected', async () => {
    const key = randomUUID();
    const refused = await post('/api/v1/enrolments', body({ mobile: '12' }), { 'idempotency-key': key });
    expect(refused.status).to.equal(422);
    expect(refused.body.error.fields.mobile).to.equal('A mobile number looks like 09121234567.');
    const corrected = await post('/api/v1/enrolments', { ...body(), nationalId: nationalId(serial) }, { 'idempotency-key': key });
    expect(corrected.status).to.equal(201);
  });

  it('makes one enrolment when two requests with the same key race', async () => {
    const key = randomUUID();
    const enrolment = body();
    const [a, b] = await Promise.all([post('/api/v1/enrolments', enrolment, { 'idempotency-key': key }), post('/api/v1/enrolments', enrolment, { 'idempotency-key': key })]);
    expect([a.status, b.status]).to.deep.equal([201, 201]);
    expect(a.body.id).to.equal(b.body.id);
    expect(await enrolmentsWithId(nationalId(serial))).to.equal(1);
  });

  it('answers a batch item by item: stored, refused with the reason, a 409 duplicate naming the village, each under its key', async () => {
    const taken = body();
    expect((await post('/api/v1/enrolments', taken)).status).to.equal(201);
    const good = { idempotencyKey: randomUUID(), enrolment: body() };
    const bad = { idempotencyKey: randomUUID(), enrolment: body({ nationalId: '0499370898' }) };
    const dup = { idempotencyKey: randomUUID(), enrolment: { ...body(), nationalId: taken.nationalId } };
    const response = await post('/api/v1/enrolments/batch', { items: [good, bad, dup] });
    expect(response.status).to.equal(200);
    const [r1, r2, r3] = response.body.results;
    expect(r1).to.include({ idempotencyKey: good.idempotencyKey, status: 201 });
    expect(r2.status).to.equal(422);
    expect(r2.error.fields.nationalId).to.equal('The check digit of this national ID is wrong; check the number again.');
    expect(r3.status).to.equal(409);
    expect(r3.error.message).to.equal('This national ID is already enrolled at خواجه دیزج.');
    // the whole batch again (a lost reply): the stored one keeps its id, nothing is added
    const again = await post('/api/v1/enrolments/batch', { items: [good, bad, dup] });
    expect(again.body.results[0]).to.deep.equal(r1);
    expect(await enrolmentsWithId(good.enrolment.nationalId as string)).to.equal(1);
  });

  it('refuses a batch that is no list of keyed enrolments, or too long, with 400', async () => {
    expect((await post('/api/v1/enrolments/batch', { items: [] })).status).to.equal(400);
    expect((await post('/api/v1/enrolments/batch', { items: [{ enrolment: body() }] })).status).to.equal(400);
    const many = Array.from({ length: 21 }, () => ({ idempotencyKey: randomUUID(), enrolment: body() }));
    expect((await post('/api/v1/enrolments/batch', { items: many })).status).to.equal(400);
  });

  it('takes the page session for the phone only with its CSRF token, and answers 401 in JSON once signed out', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(head.username, TEST_PASSWORD);
    const page = await browser.get('/enrolments');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const cookie = await browser.cookieHeader();
    const send = (headers: Record<string, string>) =>
      fetch(`${app.baseUrl}/api/v1/enrolments/batch`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ items: [{ idempotencyKey: randomUUID(), enrolment: body() }] }) });
    expect((await send({})).status).to.equal(403);
    const sent = await send({ 'x-csrf-token': csrf });
    expect(sent.status).to.equal(200);
    expect(((await sent.json()) as any).results[0].status).to.equal(201);
    await browser.logout();
    const after = await send({ 'x-csrf-token': csrf });
    expect(after.status).to.equal(401);
    expect(((await after.json()) as any).error.code).to.equal('unauthenticated');
  });
});
