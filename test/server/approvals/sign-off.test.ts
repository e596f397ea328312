import { expect } from 'chai';
import { AuditEvent, type AuditEventRecord } from '../../../models/audit-event.model.js';
import { OutboxMessage, type OutboxMessageRecord } from '../../../models/outbox-message.model.js';
import { approvalRemindersJob } from '../../../jobs/approval-reminders.js';
import { JobRunner } from '../../../jobs/runner.js';
import { countEnrolment } from '../../../server/quotas/progress.service.js';
import { previousMonth } from '../../../server/reports/provincial-report.service.js';
import { fromJalali, jalaliMonthBounds } from '../../../server/shared/jalali.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { openCampaign } from '../../support/enrolments.js';
import { api } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { apiToken, createUser, type TestUser } from '../../support/users.js';

const KIASAR = { code: '0207C04', province: '02', ancestors: ['02', '0207'], level: 'city' as const };
/** The middle of a Jalali month `YYYY-MM`. */
const inMonth = (month: string) => {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return new Date(jalaliMonthBounds(year, m).start.getTime() + 10 * 86_400_000);
};

describe('Monthly sign-off, county then province', () => {
  let app: TestApp;
  let fund: TestUser, sari: TestUser, governor: TestUser;
  let campaignId: string;
  const lastMonth = previousMonth(new Date());
  const monthBefore = previousMonth(inMonth(lastMonth));

  before(async function () {
    await resetDatabase();
    await loadPlaces('0207');
    app = await startTestApp();
    fund = await createUser({ role: 'fund-manager', placeCode: '02' });
    sari = await createUser({ role: 'county-governor', placeCode: '0207' });
    governor = await createUser({ role: 'governor-office', placeCode: '02' });
    const campaign = await openCampaign('02');
    if (campaign.startsAt > inMonth(monthBefore)) this.skip(); // the Jalali year began last month: no two closed months in one campaign yet
    campaignId = String(campaign._id);
    for (let i = 0; i < 3; i++) await countEnrolment({ campaignId, place: KIASAR, logged: 1, verified: i === 0 ? 1 : 0, at: inMonth(lastMonth) });
    await countEnrolment({ campaignId, place: KIASAR, logged: 1, verified: 0, at: inMonth(monthBefore) });
  });

  after(() => app?.stop());

  it('keeps the report preliminary, and the province closed, until every county is approved', async () => {
    const asFund = api(app.baseUrl, await apiToken(fund));
    const report = await asFund.get(`/api/v1/reports/provincial?province=02&month=${lastMonth}`);
    expect(report.body.status).to.equal('preliminary');
    const early = await asFund.post('/api/v1/approvals', { place: '02', month: lastMonth });
    expect(early.status).to.equal(409);
    expect(early.body.error.code).to.equal('countiesPending');
  });

  it('refuses to approve a month that is not over, or a county of someone else', async () => {
    const asSari = api(app.baseUrl, await apiToken(sari));
    const open = await asSari.post('/api/v1/approvals', { place: '0207', month: previousMonth(new Date(Date.now() + 40 * 86_400_000)) });
    expect(open.status).to.equal(409);
    expect((await api(app.baseUrl, await apiToken(governor)).post('/api/v1/approvals', { place: '0207', month: lastMonth })).status).to.equal(403);
  });

  it('approves the county, then the province, freezing the figures and mailing the report as final', async () => {
    const county = await api(app.baseUrl, await apiToken(sari)).post('/api/v1/approvals', { place: '0207', month: lastMonth });
    expect(county.status).to.equal(201);
    expect(county.body.figures).to.deep.equal({ logged: 4, verified: 1 });
    const province = await api(app.baseUrl, await apiToken(fund)).post('/api/v1/approvals', { place: '02', month: lastMonth });
    expect(province.status).to.equal(201);

    const report = await api(app.baseUrl, await apiToken(fund)).get(`/api/v1/reports/provincial?province=02&month=${lastMonth}`);
    expect(report.body.status).to.equal('final');
    const mails = await OutboxMessage.find({ dedupeKey: new RegExp(`^monthly-report-final:02:${lastMonth}:`) }).lean<OutboxMessageRecord[]>();
    expect(mails.map((m) => m.to).sort()).to.deep.equal([`${fund.username}@mailbox.invalid`, `${governor.username}@mailbox.invalid`].sort());
    expect(mails.every((m) => m.subject.endsWith('(نهایی)'))).to.equal(true);
    expect(mails[0]!.attachments!.map((a) => a.filename)).to.include(`report-02-${lastMonth}-final.pdf`);

    const events = await AuditEvent.find({ subject: 'month_approvals', province: '02' }).setOptions({ scope: 'system' }).lean<AuditEventRecord[]>();
    expect(events.map((e) => `${e.actor.username}:${e.action}:${e.place}`).sort()).to.deep.equal([`${fund.username}:create:02`, `${sari.username}:create:0207`].sort());
  });

  it('counts a late enrolment dated in the approved month as after approval, leaving the approved figure as it was', async () => {
    await countEnrolment({ campaignId, place: KIASAR, logged: 1, verified: 0, at: inMonth(lastMonth) });
    const signOff = await api(app.baseUrl, await apiToken(fund)).get(`/api/v1/approvals?month=${lastMonth}`);
    const county = signOff.body.counties.find((c: { place: string }) => c.place === '0207');
    expect(county.approvedFigures).to.deep.equal({ logged: 4, verified: 1 });
    expect(county.current).to.deep.equal({ logged: 5, verified: 1 });
    expect(county.afterApproval).to.deep.equal({ logged: 1, verified: 0 });
    expect(signOff.body.final).to.equal(true);
  });

  it('lets the province’s fund manager reopen a county, with a reason, only while the province is not approved over it', async () => {
    const asFund = api(app.baseUrl, await apiToken(fund));
    const refused = await asFund.post('/api/v1/approvals/withdraw', { place: '0207', month: lastMonth, reason: 'بازبینی' });
    expect(refused.status).to.equal(409);
    expect(refused.body.error.code).to.equal('provinceApproved');

    expect((await api(app.baseUrl, await apiToken(sari)).post('/api/v1/approvals', { place: '0207', month: monthBefore })).status).to.equal(201);
    expect((await api(app.baseUrl, await apiToken(sari)).post('/api/v1/approvals/withdraw', { place: '0207', month: monthBefore, reason: 'x y z' })).status).to.equal(403);
    const reopened = await asFund.post('/api/v1/approvals/withdraw', { place: '0207', month: monthBefore, reason: 'ارقام روستاها ناقص است' });
    expect(reopened.status).to.equal(200);
    const signOff = await asFund.get(`/api/v1/approvals?month=${monthBefore}`);
    expect(signOff.body.counties[0]).to.include({ place: '0207', approved: false, withdrawnReason: 'ارقام روستاها ناقص است' });
    const [withdrawal] = await AuditEvent.find({ subject: 'month_approvals', action: 'update' }).setOptions({ scope: 'system' }).lean<AuditEventRecord[]>();
    expect(withdrawal!.changes.find((c) => c.field === 'status')).to.include({ before: 'approved', after: 'withdrawn' });
  });

  it('reminds whoever has not approved, from the 5th of the next month, once', async () => {
    const [year, month] = lastMonth.split('-').map(Number) as [number, number];
    const runner = new JobRunner(app.config);
    const run = async (day: number) => {
      const started = await runner.start(approvalRemindersJob, { trigger: 'manual', scheduledFor: fromJalali({ year, month, day }, { hour: 7, minute: 30 }) });
      if (started.started) await started.done;
    };
    const reminders = () => OutboxMessage.find({ kind: 'approval-reminder' }).lean<OutboxMessageRecord[]>();
    await run(4);
    expect(await reminders()).to.have.length(0);
    await run(5);
    await run(6);
    const sent = await reminders();
    expect(sent.map((m) => `${m.to} ${m.dedupeKey.split(':')[1]}`).sort()).to.deep.equal([`${fund.username}@mailbox.invalid 02`, `${sari.username}@mailbox.invalid 0207`].sort());
    expect(sent.find((m) => m.to.startsWith(sari.username))!.subject).to.contain('ساری');
  });
});
