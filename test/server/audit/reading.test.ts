import { expect } from 'chai';
import { AuditEvent, type AuditEventRecord } from '../../../models/audit-event.model.js';
import { toPersianDigits } from '../../../server/shared/persian-text.js';
import { eventsOf } from '../../support/audit.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { enrolmentBody, KHAJEH_DIZAJ, nationalId, openCampaign } from '../../support/enrolments.js';
import { api, PageClient } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { apiToken, createUser, type TestUser } from '../../support/users.js';

describe('Reading the audit trail', () => {
  let app: TestApp;
  let governor03: TestUser, fund03: TestUser, viewer: TestUser, village: TestUser, governor02: TestUser;
  let enrolmentId: string;
  let committeeId: string;

  before(async () => {
    await resetDatabase();
    await loadPlaces('030303', '0207');
    app = await startTestApp();
    governor03 = await createUser({ role: 'governor-office', placeCode: '03' });
    fund03 = await createUser({ role: 'fund-manager', placeCode: '03' });
    viewer = await createUser({ role: 'viewer', placeCode: '030303' });
    village = await createUser({ role: 'village-head', placeCode: KHAJEH_DIZAJ });
    governor02 = await createUser({ role: 'governor-office', placeCode: '02' });
    await openCampaign('03');
    const logged = await api(app.baseUrl, await apiToken(village)).post('/api/v1/enrolments', enrolmentBody(7, { mobile: '09131234567' }));
    expect(logged.status).to.equal(201);
    enrolmentId = logged.body.id;
    const committee = await api(app.baseUrl, await apiToken(governor02)).post('/api/v1/committees', { kind: 'county-strategic', place: '0207', name: 'ستاد ساری', meetsMonthly: true });
    expect(committee.status).to.equal(201);
    committeeId = committee.body.id;
  });

  after(() => app.stop());

  it('names the user and role of an API request as the author of the change', async () => {
    const [event] = await eventsOf('enrolments', enrolmentId);
    expect(event!.actor).to.include({ kind: 'user', username: village.username, role: 'village-head' });
    expect(event!.changes.find((c) => c.field === 'nationalId')!.after).to.equal(nationalId(7));
  });

  it('answers GET /api/v1/audit with the caller’s province only, filtered by place, user, kind and dates', async () => {
    const as03 = api(app.baseUrl, await apiToken(governor03));
    const all = await as03.get('/api/v1/audit');
    expect(all.status).to.equal(200);
    const subjects = all.body.events.map((e: { subject: string }) => e.subject);
    expect(subjects).to.include('enrolments');
    expect(subjects).to.not.include('committees');
    expect(all.body.events.every((e: { place: string }) => e.place.startsWith('03'))).to.equal(true);

    const byUser = await as03.get(`/api/v1/audit?user=${village.username}&subject=enrolments&place=030303`);
    expect(byUser.body.events).to.have.length(1);
    expect(byUser.body.events[0].sentence).to.equal(`${village.username} (دهیار) ثبت‌نام را ایجاد کرد.`);
    const yesterday = new Date(Date.now() - 86_400_000);
    const { toJalali, formatJalaliDate } = await import('../../../server/shared/jalali.js');
    const before = await as03.get(`/api/v1/audit?subject=enrolments&to=${formatJalaliDate(toJalali(yesterday))}`);
    expect(before.body.total).to.equal(0);
    const since = await as03.get(`/api/v1/audit?subject=enrolments&from=${formatJalaliDate(toJalali(yesterday))}`);
    expect(since.body.total).to.equal(1);

    const as02 = await api(app.baseUrl, await apiToken(governor02)).get('/api/v1/audit?subject=committees');
    expect(as02.body.events.map((e: { documentId: string }) => e.documentId)).to.deep.equal([committeeId]);
    expect((await as03.get('/api/v1/audit?place=0207')).status).to.equal(403);
    expect((await as03.get('/api/v1/audit?from=1404/13/01')).status).to.equal(400);
  });

  it('is closed to roles that do not supervise', async () => {
    expect((await api(app.baseUrl, await apiToken(village)).get('/api/v1/audit')).status).to.equal(403);
    expect((await api(app.baseUrl).get('/api/v1/audit')).status).to.equal(401);
  });

  it('masks national IDs and mobiles on a history page for a role that may not see them', async () => {
    const fullId = toPersianDigits(nationalId(7));
    const asViewer = new PageClient(app.baseUrl);
    await asViewer.login(viewer.username, viewer.password);
    const masked = await asViewer.get(`/history/enrolments/${enrolmentId}`);
    expect(masked.status).to.equal(200);
    expect(masked.text).to.contain('ثبت‌نام را ایجاد کرد');
    expect(masked.text).to.not.contain(fullId);
    expect(masked.text).to.contain(`******${fullId.slice(-4)}`);
    expect(masked.text).to.not.contain(toPersianDigits('09131234567'));

    const asFund = new PageClient(app.baseUrl);
    await asFund.login(fund03.username, fund03.password);
    const plain = await asFund.get(`/history/enrolments/${enrolmentId}`);
    expect(plain.text).to.contain(fullId);
    expect(plain.text).to.contain(toPersianDigits('09131234567'));
  });

  it('shows another province’s object as having no history', async () => {
    const asGovernor03 = new PageClient(app.baseUrl);
    await asGovernor03.login(governor03.username, governor03.password);
    const page = await asGovernor03.get(`/history/committees/${committeeId}`);
    expect(page.text).to.contain('هنوز رویدادی برای این مورد ثبت نشده است');
  });

  it('records sign-ins, failed sign-ins and API tokens, never the token or password', async () => {
    const client = new PageClient(app.baseUrl);
    await client.login(fund03.username, 'wrong-password');
    await client.login(fund03.username, fund03.password);
    const token = await api(app.baseUrl).post('/api/v1/auth/token', { username: fund03.username, password: fund03.password });
    expect(token.status).to.equal(201);
    const signIns = await AuditEvent.find({ subject: 'sessions', documentId: String(fund03._id) }).sort({ at: 1 }).setOptions({ scope: 'system' }).lean<AuditEventRecord[]>();
    expect(signIns.map((e) => e.action)).to.include.members(['sign-in-failed', 'sign-in']);
    expect(signIns.every((e) => e.province === '03')).to.equal(true);
    const tokens = await AuditEvent.find({ subject: 'api_tokens', action: 'create', province: '03' }).setOptions({ scope: 'system' }).lean<AuditEventRecord[]>();
    expect(tokens.length).to.be.greaterThan(0);
    expect(tokens.at(-1)!.changes.find((c) => c.field === 'tokenHash')).to.include({ redacted: true, before: null, after: null });
    const all = JSON.stringify(await AuditEvent.find({}).setOptions({ scope: 'system' }).lean());
    expect(all).to.not.contain(token.body.token);
    expect(all).to.not.contain(fund03.password);
  });

  it('pages the search in Persian sentences and exports it as CSV, recording the export', async () => {
    const client = new PageClient(app.baseUrl);
    await client.login(governor03.username, governor03.password);
    const page = await client.get('/audit?subject=enrolments');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('پیشینه تغییرات').and.contain(`${village.username} (دهیار) ثبت‌نام را ایجاد کرد.`).and.contain('صفحه ۱ از ۱');
    const csv = await client.download('/audit/export.csv?subject=enrolments');
    expect(csv.status).to.equal(200);
    const text = csv.body.toString('utf8');
    expect(text).to.contain('انجام‌دهنده').and.contain(village.username).and.contain(enrolmentId);
    const exports = await AuditEvent.find({ action: 'export', 'actor.username': governor03.username }).setOptions({ scope: 'system' }).lean();
    expect(exports).to.have.length(1);
  });

  it('documents GET /api/v1/audit in the OpenAPI document', async () => {
    const doc = await api(app.baseUrl).get('/api/v1/openapi.json');
    expect(doc.body.paths['/audit'].get.parameters.map((p: { name: string }) => p.name)).to.include.members(['place', 'user', 'subject', 'from', 'to', 'page']);
  });
});
