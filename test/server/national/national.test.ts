import { expect } from 'chai';
import mongoose from 'mongoose';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { AuditEvent, type AuditEventRecord } from '../../../models/audit-event.model.js';
import { Enrolment } from '../../../models/enrolment.model.js';
import { OutboxMessage, type OutboxMessageRecord } from '../../../models/outbox-message.model.js';
import { Place } from '../../../models/place.model.js';
import type { CampaignRecord } from '../../../models/campaign.model.js';
import { toAuthUser } from '../../../server/auth/auth.service.js';
import { logEnrolment, verifyEnrolment } from '../../../server/enrolments/enrolments.service.js';
import { importPlaces } from '../../../server/places/import.service.js';
import { NO_DATA_COLOR } from '../../../server/reports/svg-map.js';
import { previousMonth } from '../../../server/reports/provincial-report.service.js';
import { readXlsxRows } from '../../../server/reports/xlsx.js';
import { domains } from '../../../server/routes.js';
import { jalaliMonthBounds } from '../../../server/shared/jalali.js';
import { toPersianDigits } from '../../../server/shared/persian-text.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { recordCommands } from '../../support/commands.js';
import { resetDatabase } from '../../support/database.js';
import { enrolmentBody, KHAJEH_DIZAJ, openCampaign, setQuota } from '../../support/enrolments.js';
import { api, PageClient } from '../../support/http.js';
import { loadPlaces, shippedPlaces } from '../../support/places.js';
import { apiToken, createUser, TEST_PASSWORD, type TestUser } from '../../support/users.js';

const KIASAR = '0207C04';
/** A day in the middle of a Jalali month `YYYY-MM`. */
const inMonth = (month: string, day = 10) => {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return new Date(jalaliMonthBounds(year, m).start.getTime() + day * 86_400_000);
};
const monthEnd = (month: string) => {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return jalaliMonthBounds(year, m).end;
};

/** Every route of the application, pages and API, as the routers declare them. */
function allRoutes(app: TestApp): { method: string; path: string; api: boolean }[] {
  const found: { method: string; path: string; api: boolean }[] = [];
  for (const domain of domains.map((d) => d(app.config))) {
    for (const [router, isApi] of [[domain.pages, false], [domain.api, true]] as const) {
      for (const layer of (router as unknown as { stack?: { route?: { path: string | string[]; methods: Record<string, boolean> } }[] })?.stack ?? []) {
        if (!layer.route) continue;
        for (const path of ([] as string[]).concat(layer.route.path)) {
          for (const method of Object.keys(layer.route.methods)) {
            found.push({ method: method.toUpperCase(), path: (isApi ? '/api/v1' : '') + path, api: isApi });
          }
        }
      }
    }
  }
  return found;
}
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A route's address with every parameter filled with a value of the right shape. */
const fill = (path: string, month: string) =>
  path
    .replace(/:id\b/g, '0123456789abcdef01234567')
    .replace(/:code\b/g, '0207')
    .replace(/:province\b/g, '03')
    .replace(/:username\b/g, 'someone')
    .replace(/:name\b/g, 'reminders')
    .replace(/:month\b/g, month);

/** What the central office may still send (server/auth/read-only.ts): its own account's and the province withdrawal. */
const ALLOWED = new Set(['POST /logout', 'POST /settings/password', 'POST /settings/tokens/:id/revoke', 'POST /settings/notifications', 'DELETE /api/v1/auth/token', 'DELETE /api/v1/auth/tokens/:id', 'POST /national/provinces/:province/withdraw', 'POST /api/v1/national/withdraw', 'POST /login', 'POST /api/v1/auth/token']);

async function documentCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { name } of await mongoose.connection.db!.listCollections().toArray()) {
    if (name === 'sessions') continue;
    counts[name] = await mongoose.connection.db!.collection(name).countDocuments({});
  }
  return counts;
}

async function pdfWords(pdf: Buffer): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(pdf), verbosity: 0, disableFontFace: true, useSystemFonts: false }).promise;
  let text = '';
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    for (const item of content.items) if ('str' in item) text += ` ${item.str}`;
  }
  await doc.destroy();
  return text.normalize('NFKC').replace(/\u200C/g, ' ').replace(/\s+/g, ' ');
}

describe('The fund’s central office (national role)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let national: TestUser, fund02: TestUser, fund03: TestUser, sari: TestUser;
  let campaign03: CampaignRecord;
  const month = previousMonth(new Date());
  let provinceCodes: string[];

  before(async function () {
    await resetDatabase();
    // every province of the country (the map has 31), and below them Sari county and the Tabriz central district
    await importPlaces([{ places: shippedPlaces().filter((p) => p.level === 'province'), problems: [], skipped: 0 }]);
    await loadPlaces('0207', '030303');
    provinceCodes = ((await Place.distinct('code', { level: 'province' }).setOptions({ scope: 'system' })) as string[]).sort();
    app = await startTestApp();
    national = await createUser({ role: 'national-office', placeCode: '02' });
    fund02 = await createUser({ role: 'fund-manager', placeCode: '02' });
    fund03 = await createUser({ role: 'fund-manager', placeCode: '03' });
    sari = await createUser({ role: 'county-governor', placeCode: '0207' });
    const campaign02 = await openCampaign('02');
    campaign03 = await openCampaign('03');
    if (campaign03.startsAt > inMonth(month)) this.skip(); // the Jalali year began this month: no closed month in the campaign yet
    await setQuota(campaign02, { code: '02', ancestors: [] }, 40);
    await setQuota(campaign03, { code: '03', ancestors: [] }, 20);
    const as03 = toAuthUser(fund03);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(String((await logEnrolment(as03, enrolmentBody(i + 1, { campaign: String(campaign03._id), village: KHAJEH_DIZAJ }), inMonth(month, 3 + i)))._id));
    for (const id of ids.slice(0, 2)) await verifyEnrolment(as03, id, inMonth(month, 12));
    // one logged this month: not in last month's figures
    await logEnrolment(as03, enrolmentBody(9, { campaign: String(campaign03._id), village: KHAJEH_DIZAJ }));
    for (let i = 0; i < 3; i++) await logEnrolment(toAuthUser(fund02), enrolmentBody(20 + i, { campaign: String(campaign02._id), village: KIASAR }), inMonth(month, 4 + i));

    const as = (user: TestUser) => apiToken(user).then((token) => api(app.baseUrl, token));
    expect((await (await as(sari)).post('/api/v1/approvals', { place: '0207', month })).status).to.equal(201);
    expect((await (await as(fund03)).post('/api/v1/approvals', { place: '0303', month })).status).to.equal(201);
    expect((await (await as(fund03)).post('/api/v1/approvals', { place: '03', month })).status).to.equal(201);
  });
  after(() => app?.stop());

  /** Last month's figures of a province counted straight from the stored enrolments. */
  async function storedFigures(province: string) {
    const filter = { province, createdAt: { $lt: monthEnd(month) } };
    return {
      logged: await Enrolment.countDocuments({ ...filter, status: { $in: ['logged', 'verified'] } }).setOptions({ scope: 'system' }),
      verified: await Enrolment.countDocuments({ ...filter, status: 'verified' }).setOptions({ scope: 'system' }),
    };
  }

  it('shows every province side by side: the approved figures equal the enrolments stored, the others awaited or without a campaign', async () => {
    const { status, body } = await api(app.baseUrl, await apiToken(national)).get(`/api/v1/national?month=${month}`);
    expect(status).to.equal(200);
    expect(body.provinces.map((p: { code: string }) => p.code).sort()).to.deep.equal(provinceCodes);
    const stored = await storedFigures('03');
    expect(stored).to.deep.equal({ logged: 5, verified: 2 });
    const east = body.provinces.find((p: { code: string }) => p.code === '03');
    expect(east).to.include({ state: 'approved', target: 20, logged: stored.logged, verified: stored.verified, percent: 25, countiesApproved: 1, counties: 1 });
    const mazandaran = body.provinces.find((p: { code: string }) => p.code === '02');
    expect(mazandaran).to.include({ state: 'pending', target: 40, logged: null, countiesApproved: 1, counties: 1 });
    expect(body.provinces.filter((p: { state: string }) => p.state === 'noCampaign')).to.have.length(provinceCodes.length - 2);
    expect(body.totals).to.deep.equal({ provinces: 1, target: 20, logged: 5, verified: 2, percent: 25 });
    expect(body.notApproved.map((p: { code: string }) => p.code)).to.deep.equal(['02']);

    const bad = await api(app.baseUrl, await apiToken(national)).get('/api/v1/national?month=1404-13');
    expect(bad.status).to.equal(400);
    expect(bad.body.error.fields).to.have.property('month');
  });

  it('puts the country on the home page: the key figure first in Persian digits, a map with one shape per province', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(national.username, TEST_PASSWORD);
    const home = await browser.get(`/?month=${month}`);
    expect(home.status).to.equal(200);
    expect(home.html.indexOf('id="national-logged"')).to.be.lessThan(home.html.indexOf('id="province-table"'));
    expect(/id="national-logged">([^<]*)</.exec(home.html)![1]).to.equal(toPersianDigits('5'));
    expect(home.text).to.contain('مازندران');
    const shapes = [...home.html.matchAll(/<path data-key="(\d{2})" fill="([^"]+)"/g)].map((m) => ({ key: m[1]!, fill: m[2]! }));
    expect(shapes.map((s) => s.key).sort()).to.deep.equal(provinceCodes);
    expect(shapes.filter((s) => s.fill !== NO_DATA_COLOR).map((s) => s.key)).to.deep.equal(['03']);
    expect([...home.html.matchAll(/<tr data-province="(\d{2})"/g)].map((m) => m[1]).sort()).to.deep.equal(provinceCodes);
  });

  it('names the province in every query it sends to the large collections, though it reads the whole country', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(national.username, TEST_PASSWORD);
    const { commands } = await recordCommands(async () => {
      await browser.get(`/?month=${month}`);
      await browser.get(`/national/provinces/03?month=${month}`);
      await browser.download(`/national/rollup/${month}/rollup.xlsx`);
    });
    // the large collections, sharded by province on a country's cluster (test/server/db/shard-keys.test.ts)
    const sharded = commands.filter((c) => ['enrolments', 'progress_counters', 'quotas', 'reminders', 'outbox_messages'].includes(c.collection ?? ''));
    expect(sharded.length, 'queries on the large collections').to.be.greaterThan(0);
    const unpinned = sharded.filter((c) => {
      const filter = (c.command.filter ?? c.command.query ?? (c.command.pipeline as { $match?: unknown }[] | undefined)?.[0]?.$match ?? {}) as { province?: unknown };
      return !(typeof filter.province === 'string' || (filter.province && typeof filter.province === 'object' && ('$in' in filter.province || '$eq' in filter.province)));
    });
    expect(unpinned.map((c) => `${c.name} ${c.collection} ${JSON.stringify(c.command.filter ?? c.command.query)}`)).to.deep.equal([]);
  });

  it('downloads the national roll-up as a spreadsheet and a PDF, with the approved figures in them', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(national.username, TEST_PASSWORD);
    const xlsx = await browser.download(`/national/rollup/${month}/rollup.xlsx`);
    expect(xlsx.status).to.equal(200);
    expect(xlsx.headers.get('content-type')).to.contain('spreadsheetml');
    const sheets = await readXlsxRows(xlsx.body);
    const east = sheets['استان‌ها']!.find((row) => row['کد'] === '03')!;
    expect(east).to.include({ 'استان': 'آذربایجان شرقی', 'وضعیت تأیید': 'تأییدشده', 'سهمیه': 20, 'ثبت‌نام': 5, 'تأییدشده صندوق': 2, 'درصد': 25 });
    expect(sheets['استان‌ها']!.at(-1)).to.include({ 'استان': 'جمع کشور (استان‌های تأییدکرده)', 'ثبت‌نام': 5, 'سهمیه': 20 });
    expect(sheets['تأییدنشده']!.map((row) => row['استان'])).to.deep.equal(['مازندران']);
    expect(sheets['شهرستان‌ها']).to.deep.equal([{ 'کد': '0303', 'استان': 'آذربایجان شرقی', 'شهرستان': 'تبریز', 'ثبت‌نام': 5, 'تأییدشده صندوق': 2 }]);

    const pdf = await browser.download(`/national/rollup/${month}/rollup.pdf`);
    expect(pdf.status).to.equal(200);
    expect(pdf.body.subarray(0, 5).toString()).to.equal('%PDF-');
    const words = await pdfWords(pdf.body);
    expect(words).to.contain('آذربایجان شرقی').and.contain('مازندران').and.contain(toPersianDigits('25') + '٪');
  });

  it('refuses every write of the application (403) and writes nothing, while its reads answer', async () => {
    const token = await apiToken(national);
    const asNational = api(app.baseUrl, token);
    const browser = new PageClient(app.baseUrl);
    await browser.login(national.username, TEST_PASSWORD);
    for (const path of ['/', `/?month=${month}`, '/national/months', `/national/provinces/03?month=${month}`, `/reports/provincial/03/${month}`, '/settings/notifications', '/settings/security']) {
      expect((await browser.get(path)).status, path).to.equal(200);
    }
    expect((await browser.download(`/reports/provincial/03/${month}/report.pdf`)).status).to.equal(200);
    for (const path of [`/api/v1/national?month=${month}`, `/api/v1/reports/provincial?province=02&month=${month}`, '/api/v1/me']) expect((await asNational.get(path)).status, path).to.equal(200);

    const before = await documentCounts();
    const routes = allRoutes(app).filter((r) => WRITES.has(r.method) && !ALLOWED.has(`${r.method} ${r.path}`));
    expect(routes.length, 'write routes found').to.be.greaterThan(50);
    const answers: string[] = [];
    for (const route of routes) {
      const path = fill(route.path, month);
      if (route.api) {
        const response = await api(app.baseUrl, token)[route.method.toLowerCase() as 'post' | 'put' | 'delete'](path, { place: '03', month, reason: 'بازبینی', name: 'x' });
        answers.push(`${route.method} ${route.path} ${response.status} ${response.body?.error?.code}`);
      } else {
        await browser.get('/settings/security'); // a page with a form: the next post carries a fresh CSRF token
        const page = await browser.post(path, { place: '03', month, reason: 'بازبینی' });
        answers.push(`${route.method} ${route.path} ${page.status} ${page.text.includes('شما به این بخش دسترسی ندارید') ? 'forbidden' : page.text.slice(0, 60)}`);
      }
    }
    expect(answers.filter((a) => !/ 403 forbidden$/.test(a))).to.deep.equal([]);
    expect(await documentCounts()).to.deep.equal(before);
  });

  it('reads any page of the application without a server error (its country-wide scope holds on every read)', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(national.username, TEST_PASSWORD);
    const token = await apiToken(national);
    const failures: string[] = [];
    for (const route of allRoutes(app).filter((r) => r.method === 'GET')) {
      const path = fill(route.path, month).replace(':format', 'pdf').replace(':table', 'places').replace(':subject', 'enrolments').replace(':lang', 'fa');
      const status = route.api ? (await api(app.baseUrl, token).get(path)).status : (await browser.download(path)).status;
      if (status >= 500) failures.push(`${route.path} ${status}`);
    }
    expect(failures).to.deep.equal([]);
  });

  it('withdraws a province’s approval with a reason: the report is preliminary again, audited in the office’s name, and the province may approve anew', async () => {
    const asNational = api(app.baseUrl, await apiToken(national));
    const asFund = api(app.baseUrl, await apiToken(fund03));
    expect((await asNational.get(`/api/v1/reports/provincial?province=03&month=${month}`)).body.status).to.equal('final');

    const noReason = await asNational.post('/api/v1/national/withdraw', { province: '03', month, reason: '' });
    expect(noReason.status).to.equal(400);
    expect(noReason.body.error.fields).to.have.property('reason');
    expect((await asFund.post('/api/v1/national/withdraw', { province: '03', month, reason: 'بازبینی ارقام' })).status).to.equal(403);
    expect((await asNational.post('/api/v1/national/withdraw', { province: '02', month, reason: 'بازبینی ارقام' })).body.error.code).to.equal('notApproved');

    const before = await AuditEvent.countDocuments({}).setOptions({ scope: 'system' });
    const withdrawn = await asNational.post('/api/v1/national/withdraw', { province: '03', month, reason: 'ارقام شهرستان‌ها با سامانه همخوان نیست' });
    expect(withdrawn.status).to.equal(200);
    expect(withdrawn.body).to.include({ place: '03', status: 'withdrawn' });
    const events = await AuditEvent.find({ subject: 'month_approvals', province: '03', action: 'update' }).setOptions({ scope: 'system' }).lean<AuditEventRecord[]>();
    expect(await AuditEvent.countDocuments({}).setOptions({ scope: 'system' })).to.equal(before + 1);
    expect(events).to.have.length(1);
    expect(events[0]!.actor).to.include({ username: national.username, role: 'national-office' });
    expect(events[0]!.changes.find((c) => c.field === 'status')).to.include({ before: 'approved', after: 'withdrawn' });

    expect((await asNational.get(`/api/v1/reports/provincial?province=03&month=${month}`)).body.status).to.equal('preliminary');
    const told = await OutboxMessage.find({ kind: 'approval-withdrawn' }).lean<OutboxMessageRecord[]>();
    expect(told.map((m) => m.to)).to.deep.equal([`${fund03.username}@mailbox.invalid`]);
    expect(told[0]!.text).to.contain('ارقام شهرستان‌ها با سامانه همخوان نیست').and.contain('آذربایجان شرقی');
    const country = (await asNational.get(`/api/v1/national?month=${month}`)).body;
    expect(country.provinces.find((p: { code: string }) => p.code === '03')).to.include({ state: 'withdrawn', logged: null, withdrawnReason: 'ارقام شهرستان‌ها با سامانه همخوان نیست' });
    expect(country.notApproved.map((p: { code: string }) => p.code).sort()).to.deep.equal(['02', '03']);
    expect((await asNational.post('/api/v1/national/withdraw', { province: '03', month, reason: 'دوباره' })).status).to.equal(409);

    const finalMails = () => OutboxMessage.countDocuments({ to: `${fund03.username}@mailbox.invalid`, dedupeKey: new RegExp(`^monthly-report-final:03:${month}:`) });
    expect(await finalMails()).to.equal(1);
    expect((await asFund.post('/api/v1/approvals', { place: '03', month })).status).to.equal(201);
    expect((await asNational.get(`/api/v1/reports/provincial?province=03&month=${month}`)).body.status).to.equal('final');
    expect(await finalMails(), 'the new final report is mailed').to.equal(2);
  });

  it('withdraws from the province’s page too, with the reason in the form, and says so in Persian', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(national.username, TEST_PASSWORD);
    const page = await browser.get(`/national/provinces/03?month=${month}`);
    expect(page.html).to.contain('id="withdraw"');
    const done = await browser.post(`/national/provinces/03/withdraw`, { month, reason: 'بازبینی دوباره' });
    expect(done.path).to.equal(`/national/provinces/03?month=${month}`);
    expect(done.text).to.contain('تأیید آمار آذربایجان شرقی بازگشایی شد');
    expect(done.html).not.to.contain('id="withdraw"');
  });

  it('is not a role a province’s users page can grant, nor an account it can close', async () => {
    const governor = await createUser({ role: 'governor-office', placeCode: '02' });
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, TEST_PASSWORD);
    const form = await browser.get('/admin/users/new');
    expect(form.html).not.to.contain('value="national-office"');
    const refused = await browser.post('/admin/users', { username: 'hq.someone', displayName: 'ستاد', role: 'national-office', placeCode: '02', password: 'a-Strong-passphrase-1395', lang: 'fa' }, { from: '/admin/users/new' });
    expect(refused.text).to.contain('این نقش را نمی‌توان از این‌جا داد');
    await browser.post(`/admin/users/${national.username}/deactivate`, {}, { from: '/admin/users' });
    expect((await api(app.baseUrl, await apiToken(national)).get('/api/v1/me')).status).to.equal(200);
  });
});
