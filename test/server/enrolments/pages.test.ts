import { expect } from 'chai';
import type { CampaignRecord } from '../../../models/campaign.model.js';
import { Enrolment, type EnrolmentRecord } from '../../../models/enrolment.model.js';
import { Place, type PlaceRecord } from '../../../models/place.model.js';
import { ProgressCounter, type ProgressCounterRecord } from '../../../models/progress-counter.model.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { ALVAR_SOFLA, birthDateForAge, KHAJEH_DIZAJ, nationalId, openCampaign, setQuota, TABRIZ_CENTRAL } from '../../support/enrolments.js';
import { PageClient } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { createUser, type TestUser } from '../../support/users.js';
import { rebuildCounters } from '../../../server/quotas/progress.service.js';
import { toPersianDigits } from '../../../server/shared/persian-text.js';

async function counterAt(campaign: CampaignRecord, placeCode: string): Promise<{ logged: number; verified: number }> {
  const counter = await ProgressCounter.findOne({ campaign: campaign._id, placeCode }).setOptions({ scope: 'system' }).lean<ProgressCounterRecord>();
  return { logged: counter?.logged ?? 0, verified: counter?.verified ?? 0 };
}

describe('The enrolment pages', () => {
  let app: TestApp;
  let campaign: CampaignRecord;
  let head: TestUser;
  let district: TestUser;
  let fund: TestUser;
  let serial = 500;

  const form = (overrides: Record<string, string> = {}) => ({
    campaign: String(campaign._id),
    nationalId: nationalId(++serial),
    firstName: 'مریم',
    lastName: 'رضایی',
    birthDate: '1370/05/03',
    sex: 'female',
    mobile: '09121234567',
    targetGroup: 'farmers',
    channel: 'in-person',
    inPersonReason: 'disability',
    referringAgency: '',
    ...overrides,
  });

  async function signedIn(user: TestUser): Promise<PageClient> {
    const browser = new PageClient(app.baseUrl);
    await browser.login(user.username, user.password);
    return browser;
  }

  before(async () => {
    await resetDatabase();
    await loadPlaces(TABRIZ_CENTRAL, '0207');
    campaign = await openCampaign('03', { name: 'پویش آزمایشی' });
    const village = await Place.findOne({ code: KHAJEH_DIZAJ }).setOptions({ scope: 'system' }).lean<PlaceRecord>();
    await setQuota(campaign, village!, 40);
    head = await createUser({ role: 'village-head', placeCode: KHAJEH_DIZAJ });
    district = await createUser({ role: 'district-governor', placeCode: TABRIZ_CENTRAL });
    fund = await createUser({ role: 'fund-manager', placeCode: '03' });
    // every test signs in afresh, more often than the login rate limit allows one address
    app = await startTestApp({ LOGIN_RATE_LIMIT: '100' });
  });
  after(() => app.stop());

  it('lets a village head log an enrolment typed in Persian digits and see it on their home, with their quota and progress', async () => {
    const browser = await signedIn(head);
    const formPage = await browser.get('/enrolments/new');
    expect(formPage.text).to.contain('پویش: پویش آزمایشی');
    expect(formPage.html).to.not.contain('name="village"');
    const id = nationalId(++serial);
    const home = await browser.post('/enrolments', form({ nationalId: toPersianDigits(id), birthDate: '۱۳۷۰/۰۵/۰۳', mobile: '۰۹۱۲۱۲۳۴۵۶۷', village: '' }));
    expect(home.path).to.equal('/enrolments');
    expect(home.text).to.contain('ثبت‌نام مریم رضایی ثبت شد.');
    expect(home.text).to.contain('آخرین ثبت‌نام‌ها');
    expect(home.text).to.contain(`مریم رضایی ${toPersianDigits(id)}`);
    expect(home.text).to.contain('خواجه دیزج · کشاورزان');
    expect(home.html).to.match(/id="target">۴۰</);
    expect(home.html).to.match(/id="logged">۱</);
    expect(home.html).to.match(/id="percent">۲[٫.]۵٪</);
  });

  it('shows the form again with each problem beside its field and what was typed', async () => {
    const browser = await signedIn(head);
    await browser.get('/enrolments/new');
    const page = await browser.post('/enrolments', form({ nationalId: '0499370898', mobile: '12', firstName: 'زهرا' }), { from: '/enrolments/new' });
    expect(page.path).to.equal('/enrolments/new');
    expect(page.text).to.contain('لطفاً خطاهای فرم را برطرف کنید.');
    expect(page.text).to.contain('رقم کنترل کد ملی درست نیست');
    expect(page.text).to.contain('شماره همراه باید به شکل');
    expect(page.html).to.contain('value="زهرا"');
    expect(page.html).to.match(/value="farmers" selected/);
    expect(page.html).to.match(/value="female" checked/);
  });

  it('refuses an in-person enrolment that does not say why, beside the reasons, keeping what was typed', async () => {
    const browser = await signedIn(head);
    await browser.get('/enrolments/new');
    const before = await Enrolment.countDocuments({}).setOptions({ scope: 'system' });
    const page = await browser.post('/enrolments', form({ inPersonReason: '', firstName: 'زهرا' }), { from: '/enrolments/new' });
    expect(page.path).to.equal('/enrolments/new');
    expect(page.html).to.match(/<fieldset class="field choices invalid"><legend>اگر حضوری است، چرا؟<\/legend>[^]*?<small class="error">ثبت‌نام حضوری است؛ بگویید چرا/);
    expect(page.html).to.contain('value="زهرا"');
    expect(page.html).to.match(/value="in-person" checked/);
    expect(await Enrolment.countDocuments({}).setOptions({ scope: 'system' })).to.equal(before);
    // said, it is stored with the enrolment
    await browser.post('/enrolments', form({ inPersonReason: 'disability', nationalId: nationalId(4501) }), { from: '/enrolments/new' });
    expect(await Enrolment.findOne({ province: '03', nationalId: nationalId(4501) }).setOptions({ scope: 'system' }).lean()).to.include({ channel: 'in-person', inPersonReason: 'disability' });
  });

  const badInput: [string, Record<string, string>, string][] = [
    ['letters in a national ID', { nationalId: '04993708ab' }, 'کد ملی ده رقم است و حرف ندارد.'],
    ['a birth date in the future', { birthDate: birthDateForAge(-2) }, 'تاریخ تولد در آینده است.'],
    ['a person of 51', { birthDate: birthDateForAge(51) }, 'بیشتر از بیشترین سن پذیرش است.'],
    ['an unknown target group', { targetGroup: 'fishermen' }, 'گروه هدف ناشناخته است'],
  ];
  for (const [what, overrides, message] of badInput) {
    it(`shows ${what} beside its field and saves nothing`, async () => {
      const browser = await signedIn(head);
      await browser.get('/enrolments/new');
      const before = await Enrolment.countDocuments({}).setOptions({ scope: 'system' });
      const page = await browser.post('/enrolments', form(overrides), { from: '/enrolments/new' });
      expect(page.path).to.equal('/enrolments/new');
      expect(page.html).to.match(new RegExp(`<small class="error">${message}`));
      expect(await Enrolment.countDocuments({}).setOptions({ scope: 'system' })).to.equal(before);
    });
  }

  it('reads in English for a reader who chose it', async () => {
    const browser = await signedIn(head);
    await browser.get('/lang/en?next=/enrolments/new');
    const page = await browser.post('/enrolments', form({ nationalId: '0499370898' }), { from: '/enrolments/new' });
    expect(page.html).to.contain('<html lang="en" dir="ltr">');
    expect(page.text).to.contain('National ID');
    expect(page.text).to.contain('The check digit of this national ID is wrong; check the number again.');
  });

  it('refuses a person of 17 with the reason, beside the birth date', async () => {
    const browser = await signedIn(head);
    await browser.get('/enrolments/new');
    const page = await browser.post('/enrolments', form({ birthDate: birthDateForAge(17) }), { from: '/enrolments/new' });
    expect(page.text).to.contain('سن این فرد ۱۷ سال است؛ کمترین سن پذیرش در این پویش ۱۸ سال است.');
    expect(page.text).to.contain('کمتر از کمترین سن پذیرش است.');
  });

  it('refuses a national ID already enrolled, saying where', async () => {
    const browser = await signedIn(head);
    await browser.get('/enrolments/new');
    const first = form();
    await browser.post('/enrolments', first, { from: '/enrolments/new' });
    const again = await browser.post('/enrolments', { ...first, firstName: 'زهرا' }, { from: '/enrolments/new' });
    expect(again.path).to.equal('/enrolments/new');
    expect(again.text).to.contain('این کد ملی پیش‌تر در خواجه دیزج ثبت‌نام شده است.');
    expect(await Enrolment.countDocuments({ nationalId: first.nationalId }).setOptions({ scope: 'system' })).to.equal(1);
  });

  it('lets a district governor choose a village of their district, and shows a village outside it beside the field', async () => {
    const browser = await signedIn(district);
    const formPage = await browser.get('/enrolments/new');
    expect(formPage.html).to.contain('name="village"');
    const saved = await browser.post('/enrolments', form({ village: ALVAR_SOFLA }), { from: '/enrolments/new' });
    expect(saved.text).to.contain('ثبت‌نام مریم رضایی ثبت شد.');
    const outside = await browser.post('/enrolments', form({ village: '0207C04' }), { from: '/enrolments/new' });
    expect(outside.path).to.equal('/enrolments/new');
    expect(outside.html).to.match(/<small class="error">این مکان خارج از محدوده مسئولیت شماست.<\/small>/);
  });

  it('lets a district governor choose the village by its Persian name, from a list or typed with ي and ك', async () => {
    const browser = await signedIn(district);
    const formPage = await browser.get('/enrolments/new');
    expect(formPage.html).to.match(/<datalist id="l-village">[^]*<option value="الوارسفلی — آجی چای">/);
    const picked = await browser.post('/enrolments', form({ village: 'الوارسفلی — آجی چای' }), { from: '/enrolments/new' });
    expect(picked.text).to.contain('ثبت‌نام مریم رضایی ثبت شد.');
    // Arabic yeh, no space: the same village
    const typed = await browser.post('/enrolments', form({ village: 'الوارسفلي' }), { from: '/enrolments/new' });
    expect(typed.text).to.contain('ثبت‌نام مریم رضایی ثبت شد.');
    expect(await Enrolment.countDocuments({ province: '03', place: ALVAR_SOFLA }).setOptions({ scope: 'system' })).to.be.at.least(2);
    const unknown = await browser.post('/enrolments', form({ village: 'روستای ناموجود' }), { from: '/enrolments/new' });
    expect(unknown.path).to.equal('/enrolments/new');
    expect(unknown.text).to.contain('در محدودهٔ شما جایی با این نام پیدا نشد');
    expect(unknown.html).to.contain('value="روستای ناموجود"');
  });

  it('reports a future birth date, a bad mobile and an unknown village in one round', async () => {
    const browser = await signedIn(district);
    const page = await browser.post('/enrolments', form({ birthDate: '1499/01/01', mobile: '12', village: 'جای ناموجود' }), { from: '/enrolments/new' });
    expect(page.path).to.equal('/enrolments/new');
    const errors = [...page.html.matchAll(/<small class="error">([^<]+)<\/small>/g)].map((m) => m[1]);
    expect(errors).to.include('تاریخ تولد در آینده است.');
    expect(errors.some((e) => /موبایل|همراه/.test(e!)), errors.join(' | ')).to.equal(true);
    expect(errors.some((e) => e!.includes('جایی با این نام پیدا نشد'))).to.equal(true);
  });

  it('lets a fund manager verify and reject enrolments, the counters following', async () => {
    const browser = await signedIn(head);
    await browser.get('/enrolments/new');
    const one = form({ firstName: 'سارا' });
    const two = form({ firstName: 'نرگس' });
    await browser.post('/enrolments', one, { from: '/enrolments/new' });
    await browser.post('/enrolments', two, { from: '/enrolments/new' });
    const [first, second] = await Promise.all(
      [one, two].map((f) => Enrolment.findOne({ nationalId: f.nationalId }).setOptions({ scope: 'system' }).lean<EnrolmentRecord>()),
    );
    const before = await counterAt(campaign, '03');

    const manager = await signedIn(fund);
    const list = await manager.get('/enrolments/verify');
    expect(list.text).to.contain('سارا رضایی');
    expect(list.text).to.contain('نرگس رضایی');
    const verified = await manager.post(`/enrolments/${first!._id}/verify`, {}, { from: '/enrolments/verify' });
    expect(verified.text).to.contain('ثبت‌نام سارا رضایی تأیید شد.');
    expect(await counterAt(campaign, KHAJEH_DIZAJ)).to.include({ verified: 1 });
    expect(await counterAt(campaign, '03')).to.deep.equal({ logged: before.logged, verified: before.verified + 1 });

    const noReason = await manager.post(`/enrolments/${second!._id}/reject`, { reason: '' }, { from: '/enrolments/verify' });
    expect(noReason.text).to.contain('دلیل رد را دست‌کم در ۳ نویسه بنویسید.');
    const rejected = await manager.post(`/enrolments/${first!._id}/reject`, { reason: 'ساکن شهر تبریز است' }, { from: '/enrolments/verify' });
    expect(rejected.text).to.contain('ثبت‌نام سارا رضایی رد شد.');
    expect(await counterAt(campaign, '03')).to.deep.equal({ logged: before.logged - 1, verified: before.verified });

    const twice = await manager.post(`/enrolments/${first!._id}/verify`, {}, { from: '/enrolments/verify' });
    expect(twice.text).to.contain('این ثبت‌نام پیش‌تر رد شده است.');
    expect((await manager.get('/enrolments/verify?status=rejected')).text).to.contain('ساکن شهر تبریز است');

    const headHome = await browser.get('/enrolments');
    expect(headHome.text).to.contain('ردشده (ساکن شهر تبریز است)');
    expect((await rebuildCounters(campaign._id)).drifted, 'the drift job finds nothing to fix').to.deep.equal([]);
  });

  it('keeps verification to fund managers', async () => {
    const browser = await signedIn(head);
    expect((await browser.get('/enrolments/verify')).status).to.equal(403);
  });

  it('says so when no campaign is open in the province', async () => {
    const mayor = await createUser({ role: 'mayor', placeCode: '0207C04' });
    const browser = await signedIn(mayor);
    expect((await browser.get('/enrolments/new')).text).to.contain('امروز پویش بازی برای استان شما نیست.');
    expect((await browser.get('/enrolments')).text).to.contain('امروز پویش بازی برای استان شما نیست.');
  });
});
