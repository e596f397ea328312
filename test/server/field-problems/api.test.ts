import { expect } from 'chai';
import mongoose from 'mongoose';
import { Place, type PlaceRecord } from '../../../models/place.model.js';
import { toAuthUser } from '../../../server/auth/auth.service.js';
import { ensureAgencyRegister } from '../../../server/committees/agencies.service.js';
import { reportProblem, sameHere } from '../../../server/field-problems/problems.service.js';
import { addJalaliMonths, fromJalali, jalaliMonthBounds, toJalali } from '../../../server/shared/jalali.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { api, PageClient } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { apiToken, createUser, type TestUser } from '../../support/users.js';

interface StoredReport {
  topic: string;
  placeCode: string;
  placePath: string[];
  affected: number;
  reportedAt: Date;
}

/** The figures of one topic, counted straight from the stored documents (not through the service). */
function countOf(reports: StoredReport[], topic: string, start: Date, end: Date) {
  const hits = reports.filter((r) => r.topic === topic && r.reportedAt >= start && r.reportedAt < end);
  return { reports: hits.length, places: new Set(hits.map((r) => r.placeCode)).size, people: hits.reduce((s, r) => s + r.affected, 0) };
}

describe('The field problems API', function () {
  this.timeout(30_000);
  let app: TestApp;
  let sariTowns: PlaceRecord[];
  let babolTown: PlaceRecord;
  let mayor: TestUser;
  let secondMayor: TestUser;
  let countyGovernor: TestUser;
  let babolMayor: TestUser;
  let governor: TestUser;
  let as: (user: TestUser) => Promise<ReturnType<typeof api>>;
  let problem: string;

  before(async () => {
    await resetDatabase();
    await loadPlaces('0207', '0202');
    await ensureAgencyRegister();
    app = await startTestApp();
    sariTowns = await Place.find({ level: 'city', parent: '0207' }).setOptions({ scope: 'system' }).sort({ code: 1 }).lean<PlaceRecord[]>();
    babolTown = (await Place.findOne({ level: 'city', parent: '0202' }).setOptions({ scope: 'system' }).lean<PlaceRecord>())!;
    mayor = await createUser({ role: 'mayor', placeCode: sariTowns[0]!.code });
    secondMayor = await createUser({ role: 'mayor', placeCode: sariTowns[1]!.code });
    countyGovernor = await createUser({ role: 'county-governor', placeCode: '0207' });
    babolMayor = await createUser({ role: 'mayor', placeCode: babolTown.code });
    governor = await createUser({ role: 'governor-office', placeCode: '02' });
    as = async (user) => api(app.baseUrl, await apiToken(user));
  });
  after(() => app.stop());

  it('lets a mayor log a problem, and two others of the county say they have it too, each place counted once', async () => {
    const logged = await (await as(mayor)).post('/api/v1/field-problems', { topic: 'no-internet', description: 'دفتر شهرداری اینترنت ندارد', affected: 40 });
    expect(logged.status).to.equal(201);
    problem = logged.body.id;
    expect((await (await as(secondMayor)).post(`/api/v1/field-problems/${problem}/same`, { affected: 25 })).status).to.equal(201);
    expect((await (await as(countyGovernor)).post(`/api/v1/field-problems/${problem}/same`, { affected: 10 })).status).to.equal(201);
    const again = await (await as(secondMayor)).post(`/api/v1/field-problems/${problem}/same`, { affected: 5 });
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal('alreadyReported');

    const shown = await (await as(mayor)).get(`/api/v1/field-problems/${problem}`);
    expect(shown.body).to.include({ topic: 'no-internet', places: 3, people: 75 });
    expect(shown.body.reports.map((r: { place: string }) => r.place)).to.deep.equal([sariTowns[0]!.code, sariTowns[1]!.code, '0207']);
    const listed = await (await as(secondMayor)).get('/api/v1/field-problems');
    expect(listed.body.problems[0]).to.include({ id: problem, places: 3, people: 75, reportedHere: true });
  });

  it('keeps a problem from a mayor of another county: they cannot see it, list it or say they have it', async () => {
    const babol = await as(babolMayor);
    expect((await babol.get(`/api/v1/field-problems/${problem}`)).status).to.equal(403);
    expect((await babol.post(`/api/v1/field-problems/${problem}/same`, { affected: 3 })).status).to.equal(403);
    expect((await babol.get('/api/v1/field-problems')).body.problems).to.deep.equal([]);
    expect((await babol.get('/api/v1/field-problems?place=0207')).status).to.equal(403);
    expect((await babol.get('/api/v1/field-problems/trends?place=0207')).status).to.equal(403);
    const stored = await mongoose.connection.db!.collection('field_problems').countDocuments({ thread: new mongoose.Types.ObjectId(problem) });
    expect(stored).to.equal(3);
  });

  it('refuses bad input beside the field and writes nothing', async () => {
    const client = await as(mayor);
    const before = await mongoose.connection.db!.collection('field_problems').countDocuments();
    const empty = await client.post('/api/v1/field-problems', { topic: '', affected: 3 });
    expect(empty.status).to.equal(400);
    expect(empty.body.error.fields).to.have.property('topic');
    const negative = await client.post('/api/v1/field-problems', { topic: 'no-internet', affected: -4 });
    expect(negative.status).to.equal(400);
    expect(negative.body.error.fields.affected).to.match(/منفی/);
    const unknown = await client.post('/api/v1/field-problems', { topic: 'made-up-topic', affected: 1 });
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error.fields).to.have.property('topic');
    const other = await client.post('/api/v1/field-problems', { topic: 'other', affected: 1 });
    expect(other.body.error.fields).to.have.property('otherText');
    expect((await client.post(`/api/v1/field-problems/${problem}/same`, { affected: 'many' })).body.error.fields).to.have.property('affected');
    expect((await (await as(governor)).post('/api/v1/field-problems', { topic: 'no-internet', affected: 1 })).status).to.equal(403);
    expect(await mongoose.connection.db!.collection('field_problems').countDocuments()).to.equal(before);
  });

  it('refuses an oversize attachment on the page form beside the field', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(mayor.username, mayor.password);
    const page = await browser.upload('/field-problems', { topic: 'no-internet', affected: '۱۲' }, { attachment: new File([Buffer.alloc(2 * 1024 * 1024 + 10, 0x25)], 'big.pdf') }, { from: '/field-problems' });
    expect(page.path).to.equal('/field-problems');
    expect(page.html).to.match(/class="field invalid"[^]*?f-attachment[^]*?class="error">[^<]*(۲|2)/);
    const fine = await browser.upload('/field-problems', { topic: 'premium-too-high', affected: '۱۲', description: 'حق بیمه سنگین' }, { attachment: new File([Buffer.from('%PDF-1.4 evidence')], 'نامه.pdf') }, { from: '/field-problems' });
    expect(fine.path).to.match(/^\/field-problems\/[0-9a-f]{24}$/);
    expect(fine.text).to.include('حق بیمه برای خانوار سنگین است');
    const file = await browser.download(`${fine.path}/attachment`);
    expect(file.headers.get('content-type')).to.equal('application/pdf');
  });

  it('ranks topics and compares this quarter with the same quarter last year, and the month with the last, exactly as the stored problems count', async () => {
    const today = toJalali(new Date());
    const at = (monthsAgo: number, day = 10) => fromJalali({ ...addJalaliMonths({ year: today.year, month: today.month, day: 1 }, -monthsAgo), day }, { hour: 10 });
    const users = await Promise.all(sariTowns.slice(0, 3).map((t) => createUser({ role: 'mayor', placeCode: t.code })));
    const actors = await Promise.all(users.map((u) => toAuthUser(u)));
    // last year's quarter had residence problems at three places; this year one
    for (const [i, actor] of actors.entries()) {
      const p = await reportProblem(actor, { topic: 'residence-unconfirmed', affected: 10 + i }, at(12, 2));
      if (i === 0) await reportProblem(actor, { topic: 'away-at-harvest', affected: 7 }, at(13, 5));
      if (i > 0) await sameHere(actors[0]!, String(p._id), { affected: 2 }, at(12, 3));
    }
    await reportProblem(actors[1]!, { topic: 'residence-unconfirmed', affected: 4 }, at(0, 1));
    await reportProblem(actors[2]!, { topic: 'away-at-harvest', affected: 30 }, at(1, 1));

    const trends = await (await as(countyGovernor)).get('/api/v1/field-problems/trends?place=0207');
    expect(trends.status).to.equal(200);
    const stored = await mongoose.connection.db!.collection<StoredReport>('field_problems').find({ placePath: '0207' }).toArray();
    const q = trends.body.quarter as { year: number; quarter: number };
    const qStart = (year: number) => jalaliMonthBounds(year, q.quarter * 3 - 2).start;
    const through = (year: number) => jalaliMonthBounds(year, today.month).end;
    const month = jalaliMonthBounds(today.year, today.month);
    const previous = addJalaliMonths({ year: today.year, month: today.month, day: 1 }, -1);
    const previousMonth = jalaliMonthBounds(previous.year, previous.month);
    const topics = new Set(stored.map((r) => r.topic));
    expect(trends.body.topics.map((t: { topic: string }) => t.topic).sort()).to.deep.equal([...topics].sort());
    for (const topic of trends.body.topics) {
      expect(topic.quarter, `${topic.topic} this quarter`).to.deep.equal(countOf(stored, topic.topic, qStart(q.year), through(q.year)));
      expect(topic.lastYear, `${topic.topic} last year`).to.deep.equal(countOf(stored, topic.topic, qStart(q.year - 1), through(q.year - 1)));
      expect(topic.month, `${topic.topic} this month`).to.deep.equal(countOf(stored, topic.topic, month.start, month.end));
      expect(topic.previousMonth, `${topic.topic} last month`).to.deep.equal(countOf(stored, topic.topic, previousMonth.start, previousMonth.end));
    }
    const ranked = trends.body.topics.map((t: { quarter: { places: number; people: number } }) => [t.quarter.places, t.quarter.people]);
    expect(ranked).to.deep.equal([...ranked].sort((a, b) => b[0] - a[0] || b[1] - a[1]));
    const residence = trends.body.topics.find((t: { topic: string }) => t.topic === 'residence-unconfirmed');
    expect(residence.lastYear.places).to.equal(3);
    expect(residence.series).to.have.length(12);
    expect(residence.series.at(-1).reports).to.equal(residence.month.reports);
  });
});
