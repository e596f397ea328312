import { expect } from 'chai';
import { Types } from 'mongoose';
import { Campaign } from '../../../models/campaign.model.js';
import { placeFields } from '../../../models/plugins/place-scoped.js';
import { Quota, type QuotaRecord } from '../../../models/quota.model.js';
import { countEnrolment } from '../../../server/quotas/progress.service.js';
import { readXlsxRows } from '../../../server/reports/xlsx.js';
import { fromJalali } from '../../../server/shared/jalali.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { PageClient } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { createUser, type TestUser } from '../../support/users.js';

const SARI = '0207';
const AMOL = '0201';
const KIASAR = '0207C04';

describe('The campaign and quota pages', () => {
  let app: TestApp;
  let manager: TestUser;
  let sariGovernor: TestUser;

  before(async () => {
    await resetDatabase();
    await loadPlaces('02');
    manager = await createUser({ role: 'fund-manager', placeCode: '02' });
    sariGovernor = await createUser({ role: 'county-governor', placeCode: SARI });
    app = await startTestApp({ LOGIN_RATE_LIMIT: '1000' });
  });
  after(() => app.stop());

  async function signedIn(user: TestUser): Promise<PageClient> {
    const browser = new PageClient(app.baseUrl);
    await browser.login(user.username, user.password);
    return browser;
  }

  /** A campaign of 1402 (over, so the whole target is expected), Sari 40 and Amol 60, 10 enrolments at Kiasar. */
  async function campaignWithProgress(): Promise<string> {
    const campaign = await Campaign.create({
      name: 'پویش ۱۴۰۲',
      year: 1402,
      ...placeFields({ code: '02', province: '02', ancestors: [] }),
      startsAt: fromJalali({ year: 1402, month: 1, day: 1 }),
      endsAt: fromJalali({ year: 1403, month: 1, day: 1 }),
      townThreshold: 20_000,
      createdBy: manager._id,
    });
    const id = String(campaign._id);
    const browser = await signedIn(manager);
    await browser.post(`/campaigns/${id}/quotas/${SARI}`, { target: '۴۰', reason: '' }, { from: `/campaigns/${id}/quotas/${SARI}` });
    await browser.post(`/campaigns/${id}/quotas/${AMOL}`, { target: '60', reason: '' }, { from: `/campaigns/${id}/quotas/${AMOL}` });
    const kiasar = { code: KIASAR, province: '02', ancestors: ['02', SARI] };
    for (let i = 0; i < 10; i++) {
      await countEnrolment({ campaignId: new Types.ObjectId(id), place: kiasar, logged: 1, verified: i < 4 ? 1 : 0, at: fromJalali({ year: 1402, month: i < 5 ? 11 : 12, day: 3 }) });
    }
    return id;
  }

  it('let a fund manager create a campaign, and name a bad field beside it', async () => {
    const browser = await signedIn(manager);
    const refused = await browser.post('/campaigns', { name: 'پویش ۱۴۰۳', year: 'سال بعد', targetGroups: 'farmers' }, { from: '/campaigns' });
    expect(refused.path).to.equal('/campaigns');
    expect(refused.html).to.match(/class="field invalid">\s*<label for="f-year">/);
    expect(refused.text).to.contain('سال را به شمسی و چهاررقمی وارد کنید');

    const created = await browser.post('/campaigns', { name: 'پویش ۱۴۰۳', year: '۱۴۰۳', townThreshold: '۵۰٬۰۰۰', targetGroups: 'farmers' }, { from: '/campaigns' });
    expect(created.path).to.match(/^\/campaigns\/[0-9a-f]{24}$/);
    expect(created.text).to.contain('پویش «پویش ۱۴۰۳» ساخته شد.');
    expect(created.text).to.contain('از ۱ فروردین ۱۴۰۳ تا ۳۰ اسفند ۱۴۰۳');
    expect(created.text).to.contain('شهرهای با جمعیت کمتر از ۵۰٬۰۰۰ نفر');
    expect((await browser.get('/campaigns')).text).to.contain('پویش ۱۴۰۳ ۱۴۰۳');
  });

  it('show the province with each county’s target, logged, verified, percent, pace and trend, and the county map', async () => {
    const id = await campaignWithProgress();
    const page = await (await signedIn(manager)).get(`/campaigns/${id}`);
    expect(page.status).to.equal(200);
    expect(page.html).to.match(/id="target">۱۰۰</);
    expect(page.html).to.match(/id="logged">۱۰</);
    expect(page.html).to.match(/id="verified">۴</);
    expect(page.html).to.match(/id="percent">۱۰٪</);
    const sariRow = /<tr class="pace-behind"><td><a href="[^"]*\?place=0207">ساری<\/a>.*?<\/tr>/.exec(page.html)![0];
    expect(sariRow.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')).to.contain('ساری شهرستان ۲۵٪ عقب از برنامه ۴۰ ۱۰ ۴ ۴۰');
    expect(sariRow).to.contain('<title>بهمن ۱۴۰۲: ۵</title>');
    expect(page.html).to.contain('<svg');
    expect(page.html).to.contain('<title>ساری');
    expect(page.text).to.contain('کیاسر'); // a small town of Sari
  });

  it('filter the places behind pace', async () => {
    const id = await campaignWithProgress();
    const page = await (await signedIn(manager)).get(`/campaigns/${id}?place=02&behind=1`);
    const places = [...page.html.matchAll(/<tr class="pace-(\w[\w-]*)"><td><a [^>]*>([^<]+)</g)].map((m) => [m[1], m[2]]);
    expect(places.slice(0, 2)).to.deep.equal([
      ['behind', 'آمل'],
      ['behind', 'ساری'],
    ]);
    expect(page.html.slice(page.html.indexOf('id="places"'), page.html.indexOf('id="towns"'))).not.to.contain('بابل');
  });

  it('export the county table as CSV and XLSX with the figures of the page', async () => {
    const id = await campaignWithProgress();
    const browser = await signedIn(manager);
    const csv = await browser.get(`/campaigns/${id}/export/places/csv?place=02`);
    expect(csv.headers.get('content-type')).to.contain('text/csv');
    expect(csv.html).to.contain('code,نام,سطح,target,ثبت‌شده,تأییدشده,درصد,انتظار تا امروز,وضعیت');
    expect(csv.html).to.contain('0207,ساری,شهرستان,40,10,4,25,40,عقب از برنامه');
    const xlsx = await browser.download(`/campaigns/${id}/export/towns/xlsx?place=${SARI}`);
    expect(xlsx.headers.get('content-type')).to.contain('spreadsheetml');
    const sheets = await readXlsxRows(xlsx.body);
    const rows = Object.values(sheets)[0]!;
    expect(rows.find((r) => r.code === KIASAR)).to.include({ target: 0, 'ثبت‌شده': 10, 'تأییدشده': 4 });
  });

  it('keep every typed quota change in the history, and warn when a quota falls below what is achieved', async () => {
    const id = await campaignWithProgress();
    const browser = await signedIn(manager);
    const page = await browser.post(`/campaigns/${id}/quotas/${KIASAR}`, { target: '8', milestones: '1402-06 3\n1402-12 8', reason: 'تصحیح' }, { from: `/campaigns/${id}/quotas/${KIASAR}` });
    expect(page.text).to.contain('سهمیه ذخیره شد، اما از ۱۰ بیمه‌شدهٔ ثبت‌شدهٔ این مکان کمتر است.');
    expect(page.html).to.contain('1402-06 3\n1402-12 8');
    const history = /<table id="history">[\s\S]*?<\/table>/.exec(page.html)![0].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(history).to.contain(`${manager.displayName} — ۸ ورود دستی تصحیح`);

    const bad = await browser.post(`/campaigns/${id}/quotas/${KIASAR}`, { target: '-3', milestones: '' }, { from: `/campaigns/${id}/quotas/${KIASAR}` });
    expect(bad.text).to.contain('سهمیه باید عددی درست و صفر یا بیشتر باشد.');
    const stored = await Quota.findOne({ campaign: id, placeCode: KIASAR }).setOptions({ scope: 'system' }).lean<QuotaRecord>();
    expect(stored).to.include({ target: 8, holderLevel: 'town' });
    expect(stored!.milestones).to.deep.equal([
      { month: '1402-06', cumulativeTarget: 3 },
      { month: '1402-12', cumulativeTarget: 8 },
    ]);
  });

  it('propose an allocation, let it be edited, and save it as the quotas', async () => {
    const id = await campaignWithProgress();
    const browser = await signedIn(manager);
    const proposal = await browser.get(`/campaigns/${id}/allocation?level=district&total=1000&basis=population&parent=${SARI}`);
    const fields = [...proposal.html.matchAll(/name="t\.([^"]+)" value="(\d+)"/g)].map((m) => [m[1]!, Number(m[2])] as const);
    expect(fields.map(([code]) => code).sort()).to.deep.equal(['0207D01', '0207D02', '0207D03']);
    expect(fields.reduce((sum, [, target]) => sum + target, 0)).to.equal(1000);

    const bad = await browser.post(`/campaigns/${id}/allocation`, { 't.0207D01': 'بسیار', 't.0207D02': '10', 't.0207D03': '5' }, { from: proposal.path });
    expect(bad.text).to.contain('سهمیه باید عددی درست و صفر یا بیشتر باشد.');
    expect(await Quota.countDocuments({ campaign: id, holderLevel: 'district' }).setOptions({ scope: 'system' })).to.equal(0);

    const saved = await browser.post(`/campaigns/${id}/allocation`, { 't.0207D01': '900', 't.0207D02': '60', 't.0207D03': '40', reason: 'مصوبه ۵' }, { from: proposal.path });
    expect(saved.text).to.contain('سهمیهٔ ۳ مکان با جمع ۱٬۰۰۰ ذخیره شد.');
    const districts = await Quota.find({ campaign: id, holderLevel: 'district' }).setOptions({ scope: 'system' }).lean<QuotaRecord[]>();
    expect(Object.fromEntries(districts.map((q) => [q.placeCode, q.target]))).to.deep.equal({ '0207D01': 900, '0207D02': 60, '0207D03': 40 });
  });

  it('give a county governor their county, without the manager’s tools, and nothing above it', async () => {
    const id = await campaignWithProgress();
    const browser = await signedIn(sariGovernor);
    const page = await browser.get(`/campaigns/${id}`);
    expect(page.html).to.match(/id="logged">۱۰</);
    expect(page.text).to.contain('ساری');
    expect(page.text).not.to.contain('پیشنهاد تقسیم سهمیه');
    expect((await browser.get(`/campaigns/${id}?place=02`)).status).to.equal(403);
    expect((await browser.get(`/campaigns/${id}/allocation`)).status).to.equal(403);
  });
});
