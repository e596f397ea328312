import { expect } from 'chai';
import mongoose from 'mongoose';
import { OutboxMessage } from '../../../models/outbox-message.model.js';
import { Place, type PlaceRecord } from '../../../models/place.model.js';
import { Resolution, type ResolutionRecord } from '../../../models/resolution.model.js';
import { remindersJob } from '../../../jobs/reminders.js';
import { Scheduler } from '../../../jobs/scheduler.js';
import { migrateFreeTextAxes } from '../../../server/agreements/axes.service.js';
import { ensureAgencyRegister } from '../../../server/committees/agencies.service.js';
import { loadConfig } from '../../../server/config.js';
import { addJalaliDays, addJalaliMonths, formatJalaliDate, fromJalali, toJalali } from '../../../server/shared/jalali.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { api } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { apiToken, createUser, type TestUser } from '../../support/users.js';

describe('Agreements, proposed clauses and their commitments through the API', function () {
  this.timeout(60_000);
  let app: TestApp;
  let governor: ReturnType<typeof api>;
  let volunteer: TestUser;
  let raiser: TestUser;
  let babolMayor: TestUser;
  let agreement: string;
  let problem: string;
  let proposal: string;
  let commitment: string;
  const as = async (user: TestUser) => api(app.baseUrl, await apiToken(user));

  before(async () => {
    await resetDatabase();
    await loadPlaces('0207', '0202');
    await ensureAgencyRegister();
    app = await startTestApp();
    const sariTowns = await Place.find({ level: 'city', parent: '0207', population: { $lt: 50_000 } }).setOptions({ scope: 'system' }).sort({ code: 1 }).lean<PlaceRecord[]>();
    const babolTown = (await Place.findOne({ level: 'city', parent: '0202', population: { $lt: 50_000 } }).setOptions({ scope: 'system' }).lean<PlaceRecord>())!;
    governor = api(app.baseUrl, await apiToken(await createUser({ role: 'governor-office', placeCode: '02' })));
    volunteer = await createUser({ role: 'mayor', placeCode: sariTowns[0]!.code, username: 'volunteer.mayor' });
    raiser = await createUser({ role: 'mayor', placeCode: sariTowns[1]!.code, username: 'raiser.mayor' });
    babolMayor = await createUser({ role: 'mayor', placeCode: babolTown.code, username: 'babol.mayor' });
  });
  after(() => app.stop());

  it('records an agreement with its working group of volunteer mayors of small towns', async () => {
    const created = await governor.post('/api/v1/agreements', { title: 'تفاهم‌نامه آزمایشی', parties: ['صندوق بیمه', 'سازمان شهرداری‌ها'], signedOn: '1404/08/24', level: 'country' });
    expect(created.status).to.equal(201);
    agreement = created.body.id;
    const tooMany = await governor.put(`/api/v1/agreements/${agreement}/volunteers`, { volunteers: ['a', 'b', 'c', 'd', 'e', 'f'] });
    expect(tooMany.status).to.equal(400);
    expect(tooMany.body.error.fields).to.have.property('volunteers');
    const set = await governor.put(`/api/v1/agreements/${agreement}/volunteers`, { volunteers: ['volunteer.mayor'] });
    expect(set.status).to.equal(200);
    expect(set.body.volunteers).to.deep.equal(['volunteer.mayor']);
    const groups = await governor.get('/api/v1/committees?place=02&kind=volunteer-working-group');
    expect(groups.body.map((g: { id: string }) => g.id)).to.include(set.body.workingGroup);
  });

  it('lets a volunteer turn a field problem into a proposed clause that keeps who raised it; others may not propose', async () => {
    problem = (await (await as(raiser)).post('/api/v1/field-problems', { topic: 'id-mismatch', affected: 14 })).body.id;
    const proposed = await (await as(volunteer)).post(`/api/v1/agreements/${agreement}/proposals`, { text: 'استعلام برخط ثبت احوال در دفتر شهرداری', agency: 'fund', deadline: { type: 'within', months: 2 }, problems: [problem] });
    expect(proposed.status).to.equal(201);
    proposal = proposed.body.id;
    expect(proposed.body.topics).to.deep.equal(['id-mismatch']);
    expect(proposed.body.raisedBy).to.deep.equal(['raiser.mayor']);
    const outsider = await (await as(babolMayor)).post(`/api/v1/agreements/${agreement}/proposals`, { text: 'x', agency: 'fund', deadline: { type: 'within', months: 1 }, topics: ['no-internet'] });
    expect(outsider.status).to.equal(403);
    const badAxis = await governor.post(`/api/v1/agreements/${agreement}/proposals`, { text: 'x', agency: 'fund', deadline: { type: 'within', months: 1 }, topics: ['no-internet'], policyAxis: 'free text axis' });
    expect(badAxis.status).to.equal(400);
    expect(badAxis.body.error.fields).to.have.property('policyAxis');
  });

  it('refuses a decision from anyone but the owner and a decline without a reason', async () => {
    expect((await (await as(volunteer)).post(`/api/v1/proposals/${proposal}/decision`, { decision: 'adopt' })).status).to.equal(403);
    const noReason = await governor.post(`/api/v1/proposals/${proposal}/decision`, { decision: 'decline' });
    expect(noReason.status).to.equal(400);
    expect(noReason.body.error.fields).to.have.property('reason');
  });

  it('adopts the proposal: clause 1 becomes a commitment with a deadline two months from adoption, once', async () => {
    const adopted = await governor.post(`/api/v1/proposals/${proposal}/decision`, { decision: 'adopt', reason: 'پرتکرار در شهرهای کوچک' });
    expect(adopted.status).to.equal(200);
    expect(adopted.body).to.include({ state: 'adopted', clause: 1 });
    commitment = adopted.body.commitment;
    const record = (await Resolution.findById(commitment).setOptions({ scope: 'system' }).lean<ResolutionRecord>())!;
    const today = toJalali(new Date());
    expect(record).to.include({ agency: 'fund', number: 1, status: 'open' });
    expect(record.topics).to.deep.equal(['id-mismatch']);
    expect(formatJalaliDate(record.dueOn!)).to.equal(formatJalaliDate(addJalaliMonths({ year: today.year, month: today.month, day: today.day }, 2)));
    expect((await governor.post(`/api/v1/proposals/${proposal}/decision`, { decision: 'adopt' })).status).to.equal(409);
    expect(await Resolution.countDocuments({ agreement: new mongoose.Types.ObjectId(agreement) }).setOptions({ scope: 'system' })).to.equal(1);

    const shown = await governor.get(`/api/v1/agreements/${agreement}`);
    expect(shown.body.clauses[0]).to.include({ number: 1, commitment, state: 'open', reason: 'پرتکرار در شهرهای کوچک' });
    const listed = await governor.get('/api/v1/resolutions?agency=fund');
    expect(listed.body.resolutions.map((r: { id: string }) => r.id)).to.include(commitment);
    const trends = await (await as(raiser)).get('/api/v1/field-problems/trends');
    const topic = trends.body.topics.find((t: { topic: string }) => t.topic === 'id-mismatch');
    expect(topic.addressedBy).to.have.length(1);
    expect(topic.addressedBy[0]).to.include({ kind: 'clause', number: 1 });
    const governorsView = (await governor.get('/api/v1/field-problems/trends')).body.topics.find((t: { topic: string }) => t.topic === 'id-mismatch');
    expect(governorsView.addressedBy.map((a: { number: number }) => a.number)).to.deep.equal([1]);
    expect(shown.body.effects[0]).to.include({ clause: 1, topic: 'id-mismatch', after: null });
  });

  it('tells the raiser of the problem, and reminds the agency as the deadline nears, through the outbox', async () => {
    const config = loadConfig({ NODE_ENV: 'test', PUBLIC_URL: 'https://tracker.example.ir' });
    const scheduler = new Scheduler(config, [remindersJob]);
    await scheduler.fire(remindersJob, new Date());
    const told = await OutboxMessage.find({ kind: 'clause-adopted' }).lean<{ to: string; subject: string }[]>();
    expect(told.map((m) => m.to)).to.deep.equal(['raiser.mayor@mailbox.invalid']);
    expect(told[0]!.subject).to.include('بند ۱');

    await createUser({ role: 'agency-officer', placeCode: '02', agency: 'fund', username: 'fund.officer' });
    const record = (await Resolution.findById(commitment).setOptions({ scope: 'system' }).lean<ResolutionRecord>())!;
    await scheduler.fire(remindersJob, fromJalali(addJalaliDays(record.dueOn!, -3), { hour: 7 }));
    // one mail a day per address (the digest, since reminders are digests by default): the officer's carries the due-soon
    // reminder, and no one else is told of it
    const dueSoon = await OutboxMessage.find({ text: /مهلت مصوبه ۱:/ }).lean<{ to: string; kind: string; text: string }[]>();
    expect(dueSoon.map((m) => m.to)).to.deep.equal(['fund.officer@mailbox.invalid']);
    expect(dueSoon[0]!.kind).to.be.oneOf(['commitment-due-soon', 'digest']);
  });

  it('reminds the governor’s office of a proposal left waiting a week', async () => {
    const waiting = await governor.post(`/api/v1/agreements/${agreement}/proposals`, { text: 'پوشش اینترنت دفاتر', agency: 'fund', deadline: { type: 'within', months: 1 }, topics: ['no-internet'] });
    expect(waiting.status).to.equal(201);
    const config = loadConfig({ NODE_ENV: 'test', PUBLIC_URL: 'https://tracker.example.ir' });
    await new Scheduler(config, [remindersJob]).fire(remindersJob, new Date(Date.now() + 8 * 86_400_000));
    const reminded = await OutboxMessage.find({ kind: 'clause-proposal-waiting' }).lean<{ to: string }[]>();
    expect(reminded).to.have.length(1);
    expect(reminded[0]!.to).to.match(/^governor-office-\d+@mailbox\.invalid$/);
  });

  it('turns free-text policy axes of older resolutions into axes of a secretariat’s list', async () => {
    await Resolution.updateOne({ _id: commitment }, { $set: { policyAxis: 'عدالت بیمه‌ای' } }).setOptions({ scope: 'system' });
    expect(await migrateFreeTextAxes()).to.equal(1);
    const axes = await governor.get('/api/v1/policy-axes');
    expect(axes.body.axes).to.deep.equal([{ code: 'axis-1', number: 1, name: 'عدالت بیمه‌ای' }]);
    const axis = await governor.get('/api/v1/policy-axes/axis-1');
    expect(axis.body.commitments.map((c: { id: string }) => c.id)).to.deep.equal([commitment]);
    expect(await migrateFreeTextAxes()).to.equal(0);
  });
});
