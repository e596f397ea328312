import { expect } from 'chai';
import { deliverDue } from '../../../jobs/deliver-outbox.js';
import { monthlyReportJob } from '../../../jobs/monthly-report.js';
import { remindersJob } from '../../../jobs/reminders.js';
import { Scheduler } from '../../../jobs/scheduler.js';
import type { CampaignRecord } from '../../../models/campaign.model.js';
import { NotificationPreference } from '../../../models/notification-preference.model.js';
import { OutboxMessage } from '../../../models/outbox-message.model.js';
import { loadConfig } from '../../../server/config.js';
import { rebuildCounters } from '../../../server/quotas/progress.service.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { recordCommands, type SentCommand } from '../../support/commands.js';
import { resetDatabase } from '../../support/database.js';
import { enrolmentBody, KHAJEH_DIZAJ, nationalId, openCampaign, setQuota, TABRIZ_CENTRAL } from '../../support/enrolments.js';
import { api, PageClient } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { apiToken, createUser, type TestUser } from '../../support/users.js';

/** The large collections: on a country's cluster they are sharded by `{ province, … }`. */
const SHARDED = ['enrolments', 'progress_counters', 'quotas', 'reminders', 'outbox_messages'];

/** Where each command keeps the filters it sends to the shards. */
function filtersOf(command: SentCommand): unknown[] {
  const c = command.command as Record<string, any>;
  switch (command.name) {
    case 'find':
    case 'count':
    case 'distinct':
      return [c.query ?? c.filter ?? {}];
    case 'update':
      return (c.updates as any[]).map((u) => u.q);
    case 'delete':
      return (c.deletes as any[]).map((d) => d.q);
    case 'findAndModify':
      return [c.query ?? {}];
    case 'aggregate':
      return pipelineFilters(c.pipeline as any[]);
    default:
      return [];
  }
}

/**
 * What a pipeline sends to the shards: its leading `$match` stages, which MongoDB coalesces into one (the manual's
 * "Pipeline Coalescence Optimization"), and as much of each `$unionWith` sub-pipeline, which reads another collection.
 */
function pipelineFilters(pipeline: any[]): unknown[] {
  const leading: unknown[] = [];
  for (const stage of pipeline) {
    if (!stage.$match) break;
    leading.push(stage.$match);
  }
  const unions = pipeline.filter((stage) => stage.$unionWith?.pipeline).flatMap((stage) => pipelineFilters(stage.$unionWith.pipeline));
  return [leading.length === 1 ? leading[0] : { $and: leading }, ...unions];
}

/** True when the filter pins the province: an equality (or `$in`) on `province`, at the top or in every `$and` branch one of. */
function namesProvince(filter: unknown): boolean {
  if (!filter || typeof filter !== 'object') return false;
  const f = filter as Record<string, unknown>;
  const province = f.province;
  if (typeof province === 'string') return true;
  if (province && typeof province === 'object' && ('$eq' in province || '$in' in province)) return true;
  if (Array.isArray(f.$and)) return f.$and.some(namesProvince);
  if (Array.isArray(f.$or)) return f.$or.length > 0 && f.$or.every(namesProvince);
  return false;
}

/** Commands on the sharded collections that would go to every shard. */
function scatterGathers(commands: SentCommand[]): string[] {
  return commands.flatMap((command) => {
    if (!command.collection || !SHARDED.includes(command.collection)) return [];
    return filtersOf(command)
      .filter((filter) => !namesProvince(filter))
      .map((filter) => `${command.name} ${command.collection} ${JSON.stringify(filter)}`);
  });
}

describe('Every query on a large collection names its province, so a cluster sharded by province sends it to one shard', function () {
  this.timeout(120_000);
  let app: TestApp;
  let campaign: CampaignRecord;
  let head: TestUser;
  let fund: TestUser;

  before(async () => {
    await resetDatabase();
    await loadPlaces(TABRIZ_CENTRAL);
    campaign = await openCampaign('03');
    await setQuota(campaign, { code: KHAJEH_DIZAJ, ancestors: ['03', '0303', TABRIZ_CENTRAL, '0303030001'] }, 40);
    head = await createUser({ role: 'village-head', placeCode: KHAJEH_DIZAJ });
    fund = await createUser({ role: 'fund-manager', placeCode: '03' });
    await NotificationPreference.create({ user: fund._id, email: 'fund@example.ir' });
    await NotificationPreference.create({ user: head._id, email: 'head@example.ir' });
    app = await startTestApp();
  });
  after(() => app.stop());

  it('enrolling through the API and the form', async () => {
    const { commands } = await recordCommands(async () => {
      const token = await apiToken(head);
      expect((await api(app.baseUrl, token).post('/api/v1/enrolments', enrolmentBody(1, { campaign: String(campaign._id) }))).status).to.equal(201);
      // the same person again: the 409 looks up where they are enrolled
      expect((await api(app.baseUrl, token).post('/api/v1/enrolments', enrolmentBody(1, { campaign: String(campaign._id) }))).status).to.equal(409);
      const browser = new PageClient(app.baseUrl);
      await browser.login(head.username, head.password);
      await browser.get('/enrolments/new');
      const page = await browser.post('/enrolments', { ...(enrolmentBody(2) as Record<string, string>), campaign: String(campaign._id), referringAgency: '' }, { from: '/enrolments/new' });
      expect(page.path).to.equal('/enrolments');
    });
    expect(scatterGathers(commands)).to.deep.equal([]);
  });

  it('verifying and rejecting', async () => {
    const token = await apiToken(fund);
    const created = await api(app.baseUrl, await apiToken(head)).post('/api/v1/enrolments', enrolmentBody(3, { campaign: String(campaign._id) }));
    const other = await api(app.baseUrl, await apiToken(head)).post('/api/v1/enrolments', enrolmentBody(4, { campaign: String(campaign._id) }));
    const { commands } = await recordCommands(async () => {
      expect((await api(app.baseUrl, token).post(`/api/v1/enrolments/${created.body.id}/verify`, {})).status).to.equal(200);
      expect((await api(app.baseUrl, token).post(`/api/v1/enrolments/${other.body.id}/reject`, { reason: 'مدارک ناقص' })).status).to.equal(200);
      const browser = new PageClient(app.baseUrl);
      await browser.login(fund.username, fund.password);
      expect((await browser.get('/enrolments/verify')).status).to.equal(200);
    });
    expect(scatterGathers(commands)).to.deep.equal([]);
  });

  it('importing a file', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(head.username, head.password);
    const csv = ['nationalId,firstName,lastName,birthDate,sex,mobile,targetGroup,channel', ...[10, 11, 12].map((n) => `${nationalId(n)},سمیه,اکبری,${enrolmentBody(n).birthDate},female,09141112233,villagers,online`)].join('\r\n');
    await browser.get('/enrolments/import');
    const { result: page, commands } = await recordCommands(async () => {
      const uploaded = await browser.upload('/enrolments/import', { campaign: String(campaign._id) }, { file: new File([csv], 'rows.csv', { type: 'text/csv' }) }, { from: '/enrolments/import' });
      return uploaded;
    });
    expect(page.status).to.equal(200);
    expect(scatterGathers(commands)).to.deep.equal([]);
  });

  it('reading the dashboards and the progress API, and rebuilding the counters', async () => {
    const { commands } = await recordCommands(async () => {
      const browser = new PageClient(app.baseUrl);
      await browser.login(fund.username, fund.password);
      expect((await browser.get(`/campaigns/${campaign._id}`)).status).to.equal(200);
      expect((await api(app.baseUrl, await apiToken(fund)).get(`/api/v1/campaigns/${campaign._id}/progress`)).status).to.equal(200);
      const home = new PageClient(app.baseUrl);
      await home.login(head.username, head.password);
      expect((await home.get('/enrolments')).status).to.equal(200);
      expect((await rebuildCounters(campaign._id)).drifted).to.deep.equal([]);
    });
    expect(scatterGathers(commands)).to.deep.equal([]);
  });

  let jobCommands: SentCommand[] = [];
  it('running the reminders and the monthly report: quotas, counters and enrolments', async () => {
    const config = loadConfig({ NODE_ENV: 'test', PUBLIC_URL: 'https://tracker.example.ir', MAIL_FROM: 'tracker@example.ir' });
    const { commands } = await recordCommands(async () => {
      expect((await new Scheduler(config, [remindersJob]).fire(remindersJob, new Date())).map((run) => run.started)).to.include(true).and.not.include(false);
      expect((await new Scheduler(config, [monthlyReportJob]).fire(monthlyReportJob, new Date())).map((run) => run.started)).to.include(true).and.not.include(false);
    });
    jobCommands = commands;
    expect(commands.some((c) => c.collection === 'quotas'), 'the quota reminders read the quotas').to.equal(true);
    expect(scatterGathers(commands.filter((c) => !['reminders', 'outbox_messages'].includes(c.collection ?? '')))).to.deep.equal([]);
  });

  it('running the reminders and the monthly report: reminders and outbox messages', () => {
    // reminders and outbox messages are keyed within their province (models/reminder.model.ts,
    // models/outbox-message.model.ts), so the reminders' mail phase and the outbox go to one shard
    expect(jobCommands.some((c) => c.collection === 'reminders' || c.collection === 'outbox_messages'), 'the jobs touched the reminders or the outbox').to.equal(true);
    expect(scatterGathers(jobCommands)).to.deep.equal([]);
  });

  it('delivering the outbox: every claim and every mark names the province', async () => {
    expect(await OutboxMessage.countDocuments({ province: '03', status: 'pending' }), 'the jobs above queued mail').to.be.above(0);
    const config = loadConfig({ NODE_ENV: 'test', MAIL_FROM: 'tracker@example.ir' });
    const { result, commands } = await recordCommands(() => deliverDue({ config, transport: null }));
    expect(result.sent).to.be.above(0);
    expect(commands.filter((c) => c.collection === 'outbox_messages').length).to.be.above(result.sent);
    expect(scatterGathers(commands)).to.deep.equal([]);
  });
});
