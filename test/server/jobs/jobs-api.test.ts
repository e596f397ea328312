import { expect } from 'chai';
import { Types } from 'mongoose';
import { JobLock } from '../../../models/job-lock.model.js';
import { queueMessage } from '../../../server/outbox/outbox.service.js';
import { OutboxMessage } from '../../../models/outbox-message.model.js';
import { resetDatabase } from '../../support/database.js';
import { loadPlaces } from '../../support/places.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { api, PageClient } from '../../support/http.js';
import { apiToken, createUser, type TestUser } from '../../support/users.js';

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('gave up waiting');
}

describe('The jobs API and page', () => {
  let app: TestApp;
  let governor: TestUser;
  let sari: TestUser;
  let governorToken: string;

  before(async () => {
    await resetDatabase();
    await loadPlaces('0207');
    governor = await createUser({ role: 'governor-office', placeCode: '02', username: 'office.jobs' });
    sari = await createUser({ role: 'county-governor', placeCode: '0207', username: 'sari.jobs' });
    governorToken = await apiToken(governor);
    app = await startTestApp();
  });
  after(() => app.stop());
  afterEach(() => JobLock.deleteMany({}));

  it('lists the jobs and their runs, runs a job now (202 with its run id) and reports the finished run', async () => {
    const client = api(app.baseUrl, governorToken);
    const listed = await client.get('/api/v1/jobs');
    expect(listed.status).to.equal(200);
    expect(listed.body.jobs.map((j: { name: string }) => j.name)).to.deep.equal(['reminders', 'monthly-report']);
    expect(listed.body.jobs[0].timeZone).to.equal('Asia/Tehran');

    const started = await client.post('/api/v1/jobs/reminders/run', {});
    expect(started.status).to.equal(202);
    expect(started.body.runId).to.match(/^[0-9a-f]{24}$/);
    const run = await until(
      () => client.get(`/api/v1/jobs/runs/${started.body.runId}`),
      (r) => r.body.status !== 'running',
    );
    expect(run.body).to.include({ id: started.body.runId, job: 'reminders', province: '02', trigger: 'manual', requestedBy: 'office.jobs', status: 'succeeded', attempts: 1 });
    expect(run.body.phasesDone).to.deep.equal(['meetings', 'commitments', 'quotas', 'clauses', 'mail']);
    const again = await client.get('/api/v1/jobs');
    expect(again.body.runs.map((r: { id: string }) => r.id)).to.include(started.body.runId);
  });

  it('refuses a run-now (409) while another instance runs the job', async () => {
    await JobLock.create({ _id: 'monthly-report:02', owner: 'other-instance', runId: new Types.ObjectId(), leaseUntil: new Date(Date.now() + 60_000) });
    const refused = await api(app.baseUrl, governorToken).post('/api/v1/jobs/monthly-report/run', {});
    expect(refused.status).to.equal(409);
    expect(refused.body.error.code).to.equal('jobRunning');
    expect(refused.body.error.message).to.contain('در حال اجراست');
  });

  it('answers 404 for a job that does not exist and 403 to anyone but the governor’s office', async () => {
    expect((await api(app.baseUrl, governorToken).post('/api/v1/jobs/nothing/run', {})).status).to.equal(404);
    const other = api(app.baseUrl, await apiToken(sari));
    expect((await other.get('/api/v1/jobs')).status).to.equal(403);
    expect((await other.post('/api/v1/jobs/reminders/run', {})).status).to.equal(403);
    expect((await other.get('/api/v1/outbox')).status).to.equal(403);
  });

  it('shows the outbox to the governor’s office, filtered by status', async () => {
    await queueMessage({ to: 'chair@example.org', subject: 'جلسه', html: '<p>x</p>', text: 'x', province: '02', kind: 'meeting-upcoming', dedupeKey: 'api-test:1' });
    const client = api(app.baseUrl, governorToken);
    const pending = await client.get('/api/v1/outbox?status=pending');
    expect(pending.status).to.equal(200);
    expect(pending.body.messages.map((m: { dedupeKey: string }) => m.dedupeKey)).to.include('api-test:1');
    expect((await client.get('/api/v1/outbox?status=sent')).body.messages.map((m: { dedupeKey: string }) => m.dedupeKey)).to.not.include('api-test:1');
    expect((await client.get('/api/v1/outbox?status=lost')).status).to.equal(400);
  });

  it('lets the governor’s office run a job from the page and follow the run', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, governor.password);
    const page = await browser.get('/jobs');
    expect(page.text).to.contain('یادآوری‌ها').and.contain('گزارش ماهانه استان').and.contain('صف ایمیل');
    const run = await browser.post('/jobs/monthly-report/run', {}, { from: '/jobs' });
    expect(run.path).to.match(/^\/jobs\/runs\/[0-9a-f]{24}$/);
    expect(run.text).to.contain('اجرای گزارش ماهانه استان آغاز شد');
    const finished = await until(
      () => browser.get(run.path),
      (p) => !p.text.includes('در حال اجرا'),
    );
    expect(finished.text).to.contain('انجام شد').and.contain('دستی');
  });

  describe('between provinces', () => {
    let tabriz: TestUser;
    let tabrizToken: string;
    let admin: TestUser;
    let adminToken: string;

    before(async () => {
      await loadPlaces('03');
      tabriz = await createUser({ role: 'governor-office', placeCode: '03', username: 'office.tabriz.jobs' });
      tabrizToken = await apiToken(tabriz);
      admin = await createUser({ role: 'installation-admin', placeCode: '02', username: 'admin.jobs' });
      adminToken = await apiToken(admin);
    });

    it('East Azerbaijan’s governor’s office neither sees nor reads Mazandaran’s runs (404 like an unknown id)', async () => {
      const mazandaran = await api(app.baseUrl, governorToken).post('/api/v1/jobs/monthly-report/run', {});
      expect(mazandaran.status).to.equal(202);
      const other = api(app.baseUrl, tabrizToken);
      expect((await other.get('/api/v1/jobs')).body.runs.map((r: { id: string }) => r.id)).to.not.include(mazandaran.body.runId);
      expect((await other.get(`/api/v1/jobs/runs/${mazandaran.body.runId}`)).status).to.equal(404);
      expect((await other.get('/api/v1/jobs/runs/0123456789abcdef01234567')).status).to.equal(404);
      const browser = new PageClient(app.baseUrl);
      await browser.login(tabriz.username, tabriz.password);
      expect((await browser.get(`/jobs/runs/${mazandaran.body.runId}`)).status).to.equal(404);
      await until(() => api(app.baseUrl, governorToken).get(`/api/v1/jobs/runs/${mazandaran.body.runId}`), (r) => r.body.status !== 'running');
    });

    it('runs the run-now for the caller’s province only, and one province’s run does not hold up another’s', async () => {
      await JobLock.create({ _id: 'monthly-report:02', owner: 'other-instance', runId: new Types.ObjectId(), leaseUntil: new Date(Date.now() + 60_000) });
      expect((await api(app.baseUrl, governorToken).post('/api/v1/jobs/monthly-report/run', {})).status).to.equal(409);
      const started = await api(app.baseUrl, tabrizToken).post('/api/v1/jobs/monthly-report/run', {});
      expect(started.status).to.equal(202);
      const run = await until(() => api(app.baseUrl, tabrizToken).get(`/api/v1/jobs/runs/${started.body.runId}`), (r) => r.body.status !== 'running');
      expect(run.body).to.include({ province: '03', requestedBy: 'office.tabriz.jobs', status: 'succeeded' });
      expect(run.body.phasesDone).to.deep.equal(['province:03']);
    });

    it('keeps the installation-wide counter rebuild to the installation administrator, who sees no province’s runs', async () => {
      const office = api(app.baseUrl, governorToken);
      expect((await office.post('/api/v1/jobs/rebuild-counters/run', {})).status).to.equal(404);
      const installation = api(app.baseUrl, adminToken);
      const listed = await installation.get('/api/v1/jobs');
      expect(listed.status).to.equal(200);
      // the installation-wide jobs: the counter rebuild, and the audit retention and sign-off reminders that go through every province themselves
      expect(listed.body.jobs.map((j: { name: string }) => j.name)).to.deep.equal(['rebuild-counters', 'audit-retention', 'approval-reminders']);
      expect(listed.body.runs.every((r: { job: string; province?: string }) => ['rebuild-counters', 'audit-retention', 'approval-reminders'].includes(r.job) && r.province === undefined)).to.equal(true);
      const started = await installation.post('/api/v1/jobs/rebuild-counters/run', {});
      expect(started.status).to.equal(202);
      const run = await until(() => installation.get(`/api/v1/jobs/runs/${started.body.runId}`), (r) => r.body.status !== 'running');
      expect(run.body).to.include({ job: 'rebuild-counters', status: 'succeeded' }).and.not.have.property('province');
      expect((await office.get(`/api/v1/jobs/runs/${started.body.runId}`)).status).to.equal(404);
      expect((await installation.post('/api/v1/jobs/reminders/run', {})).status).to.equal(404);
      // and no province's campaign data: a place page is out of the administrator's scope
      expect((await installation.get('/api/v1/places/02')).status).to.be.oneOf([403, 404]);
    });

    it('shows a governor’s office only its own province’s mail in the outbox; another province’s message is 404 in the mailbox', async () => {
      await queueMessage({ to: 'tabriz.office@example.ir', recipient: tabriz._id, subject: 'گزارش آذربایجان شرقی', html: '<p>t</p>', text: 't', province: '03', kind: 'monthly-report', dedupeKey: 'wall:03' });
      await queueMessage({ to: 'sari@example.ir', subject: 'جلسه ساری', html: '<p>s</p>', text: 's', province: '02', kind: 'meeting-upcoming', dedupeKey: 'wall:02' });
      const keys = async (token: string) => (await api(app.baseUrl, token).get('/api/v1/outbox')).body.messages.map((m: { dedupeKey: string }) => m.dedupeKey);
      expect(await keys(governorToken)).to.include('wall:02').and.not.include('wall:03');
      expect(await keys(tabrizToken)).to.include('wall:03').and.not.include('wall:02');

      const eastAzerbaijanMessage = String((await OutboxMessage.findOne({ dedupeKey: 'wall:03' }).lean())!._id);
      const mazandaran = new PageClient(app.baseUrl);
      await mazandaran.login(governor.username, governor.password);
      const mailbox = await mazandaran.get('/dev/mailbox');
      expect(mailbox.text).to.contain('جلسه ساری').and.not.contain('گزارش آذربایجان شرقی');
      const refused = await mazandaran.get(`/dev/mailbox/${eastAzerbaijanMessage}`);
      const unknown = await mazandaran.get('/dev/mailbox/0123456789abcdef01234567');
      expect([refused.status, unknown.status]).to.deep.equal([404, 404]);
      expect(refused.text).to.equal(unknown.text);
      // a county governor reads only what is addressed to them, even in their own province
      const sariBrowser = new PageClient(app.baseUrl);
      await sariBrowser.login(sari.username, sari.password);
      expect((await sariBrowser.get('/dev/mailbox')).text).to.not.contain('جلسه ساری');
      expect((await api(app.baseUrl, await apiToken(sari)).get('/api/v1/outbox')).status).to.equal(403);
    });

    it('shows the installation administrator the installation-level mail (province 00) and no province’s', async () => {
      await queueMessage({ to: 'old.invitation@example.ir', subject: 'دعوت‌نامه پیشین', html: '<p>i</p>', text: 'i', province: '00', kind: 'meeting-invitation', dedupeKey: 'wall:00' });
      await queueMessage({ to: 'sari@example.ir', subject: 'جلسه ساری', html: '<p>s</p>', text: 's', province: '02', kind: 'meeting-upcoming', dedupeKey: 'wall:02' });
      const outbox = await api(app.baseUrl, adminToken).get('/api/v1/outbox');
      expect(outbox.status).to.equal(200);
      expect(outbox.body.messages.map((m: { dedupeKey: string }) => m.dedupeKey)).to.include('wall:00').and.not.include('wall:02');
      expect((await api(app.baseUrl, governorToken).get('/api/v1/outbox')).body.messages.map((m: { dedupeKey: string }) => m.dedupeKey)).to.not.include('wall:00');
    });
  });
});
