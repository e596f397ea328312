import { expect } from 'chai';
import type { CampaignRecord } from '../../../models/campaign.model.js';
import { Committee, type CommitteeRecord } from '../../../models/committee.model.js';
import { Enrolment } from '../../../models/enrolment.model.js';
import { Quota, type QuotaRecord } from '../../../models/quota.model.js';
import { User, type UserRecord } from '../../../models/user.model.js';
import { matchingPlaces, resolvePlace } from '../../../server/places/place-picker.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { nationalId, openCampaign } from '../../support/enrolments.js';
import { PageClient } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { createUser, type TestUser } from '../../support/users.js';

// Kaleybar county (East Azerbaijan), from the shipped census files: its names are spelled with ی and ک, with spaces
// between word parts, two villages called ساری درق, and two قره درق علیا told apart by a number.
const KALEYBAR = '0315';
const ABESH_AHMAD_DISTRICT = '031503';
const SEYDAN = '0315030002';
const ILLI = '0315030001026201'; // ایللی
const BASH_KALAN = '0315030001026203'; // باش کلان
const GHAREH_DARAGH_1 = '0315030001026302'; // قره درق علیا/1/
const GHAREH_DARAGH_2 = '0315030001332627'; // قره درق علیا/2/
const SARI_DARAGH_PEYGHAN = '0315020002026592'; // ساری درق, rural district پیغان چایی
const SARI_DARAGH_GHESHLAGH = '0315030003026254'; // ساری درق, rural district قشلاق
const KHAJEH_DIZAJ = '0303030001029409'; // a village of Tabriz, outside Kaleybar

// the same names as people type them: Arabic yeh and kaf, a zero-width non-joiner instead of a space, Persian digits
const ILLI_ARABIC = 'ايللي';
const BASH_KALAN_ZWNJ_ARABIC = 'باش\u200cكلان';
const GHAREH_DARAGH_2_PERSIAN_DIGITS = 'قره درق علیا/۲/';
const KALEYBAR_ARABIC = 'كليبر';

describe('Choosing a place by its Persian name, on every form and filter', () => {
  let app: TestApp;
  let campaign: CampaignRecord;
  let governorOffice: TestUser;
  let fund: TestUser;
  let countyGovernor: TestUser;
  let districtGovernor: TestUser;

  before(async () => {
    await resetDatabase();
    await loadPlaces(KALEYBAR, '0303030001');
    governorOffice = await createUser({ role: 'governor-office', placeCode: '03' });
    fund = await createUser({ role: 'fund-manager', placeCode: '03' });
    countyGovernor = await createUser({ role: 'county-governor', placeCode: KALEYBAR });
    districtGovernor = await createUser({ role: 'district-governor', placeCode: ABESH_AHMAD_DISTRICT });
    campaign = await openCampaign('03');
    app = await startTestApp({ LOGIN_RATE_LIMIT: '1000' });
  });
  after(() => app.stop());

  async function signedIn(user: TestUser): Promise<PageClient> {
    const browser = new PageClient(app.baseUrl);
    await browser.login(user.username, user.password);
    return browser;
  }
  const scopeOf = (user: TestUser) => ({ role: user.role, province: user.province, placeCode: user.placeCode });
  const radios = (html: string, name: string) => [...html.matchAll(new RegExp(`name="${name}" value="([^"]+)"`, 'g'))].map((m) => m[1]);

  describe('the lookup', () => {
    it('finds a name typed with Arabic yeh and kaf, a ZWNJ for a space, or Persian digits', async () => {
      const county = scopeOf(countyGovernor);
      expect(await resolvePlace(county, ILLI_ARABIC, ['village'])).to.deep.equal({ code: ILLI });
      expect(await resolvePlace(county, BASH_KALAN_ZWNJ_ARABIC, ['village'])).to.deep.equal({ code: BASH_KALAN });
      expect(await resolvePlace(county, GHAREH_DARAGH_2_PERSIAN_DIGITS, ['village'])).to.deep.equal({ code: GHAREH_DARAGH_2 });
      // a census code in Persian digits is still taken as a code
      expect(await resolvePlace(county, '۰۳۱۵۰۳۰۰۰۱۰۲۶۲۰۱', ['village'])).to.deep.equal({ code: ILLI });
    });

    it('lists the places of one name with the places above them, and those a name only begins', async () => {
      const county = scopeOf(countyGovernor);
      const same = await matchingPlaces(county, 'ساری درق', ['village']);
      expect(same.map((m) => m.code).sort()).to.deep.equal([SARI_DARAGH_PEYGHAN, SARI_DARAGH_GHESHLAGH].sort());
      expect(same.map((m) => m.label).sort()).to.deep.equal(['ساری درق — پیغان چایی — مرکزی', 'ساری درق — قشلاق — آبش احمد'].sort());
      expect(await resolvePlace(county, 'ساری درق', ['village'])).to.have.property('matches').with.length(2);
      expect(await resolvePlace(county, 'ساری درق', ['village'], SARI_DARAGH_GHESHLAGH)).to.deep.equal({ code: SARI_DARAGH_GHESHLAGH });
      // the list's own "name — parent" is one place
      expect(await resolvePlace(county, 'ساری درق — قشلاق', ['village'])).to.deep.equal({ code: SARI_DARAGH_GHESHLAGH });
      const begun = await resolvePlace(county, 'قره درق علیا', ['village']);
      expect('matches' in begun && begun.matches.map((m) => m.code).sort()).to.deep.equal([GHAREH_DARAGH_1, GHAREH_DARAGH_2].sort());
    });

    it('finds only places in the user’s own area', async () => {
      expect(await resolvePlace(scopeOf(countyGovernor), 'خواجه دیزج', ['village'])).to.deep.equal({ matches: [] });
      expect(await resolvePlace(scopeOf(districtGovernor), 'ساری درق', ['village'])).to.deep.equal({ code: SARI_DARAGH_GHESHLAGH });
      expect(await resolvePlace(scopeOf(fund), 'خواجه دیزج', ['village'])).to.deep.equal({ code: KHAJEH_DIZAJ });
    });
  });

  describe('the suggestions a picker’s script asks for', () => {
    it('offers the places of the user’s area a name begins, named with the places above them', async () => {
      const browser = await signedIn(countyGovernor);
      const suggest = async (q: string, levels: string) => JSON.parse((await browser.get(`/places/suggest?q=${encodeURIComponent(q)}&levels=${levels}`)).html) as { choices: { label: string; level: string }[] };
      expect((await suggest('ساري د', 'village')).choices.map((c) => c.label).sort()).to.deep.equal(['ساری درق — پیغان چایی — مرکزی', 'ساری درق — قشلاق — آبش احمد'].sort());
      expect((await suggest('آبش', 'district,city')).choices.map((c) => c.level).sort()).to.deep.equal(['city', 'district']);
      // a village of Tabriz is outside Kaleybar; one letter is too little to suggest
      expect((await suggest('خواجه', 'village')).choices).to.deep.equal([]);
      expect((await suggest('س', 'village')).choices).to.deep.equal([]);
    });
  });

  describe('the quota of a place', () => {
    it('opens by name, with Arabic letters, and takes a new target', async () => {
      const browser = await signedIn(fund);
      const found = await browser.get(`/campaigns/${campaign._id}/quotas?place=${encodeURIComponent(ILLI_ARABIC)}`);
      expect(found.path).to.equal(`/campaigns/${campaign._id}/quotas/${ILLI}`);
      expect(found.text).to.contain('ایللی');
      const saved = await browser.post(`/campaigns/${campaign._id}/quotas/${ILLI}`, { target: '۱۲۰', milestones: '', reason: '' });
      expect(saved.status).to.equal(200);
      const quota = await Quota.findOne({ province: '03', campaign: campaign._id, placeCode: ILLI }).setOptions({ scope: 'system' }).lean<QuotaRecord>();
      expect(quota?.target).to.equal(120);
    });

    it('lists two villages of one name with their rural districts, and opens the one picked', async () => {
      const browser = await signedIn(fund);
      const several = await browser.get(`/campaigns/${campaign._id}/quotas?place=${encodeURIComponent('ساري درق')}`);
      expect(several.path).to.match(/\/quotas\?/);
      expect(several.text).to.contain('چند جا با این نام هست').and.contain('ساری درق — پیغان چایی — مرکزی').and.contain('ساری درق — قشلاق — آبش احمد');
      expect(radios(several.html, 'placePick').sort()).to.deep.equal([SARI_DARAGH_PEYGHAN, SARI_DARAGH_GHESHLAGH].sort());
      const picked = await browser.get(`/campaigns/${campaign._id}/quotas?place=${encodeURIComponent('ساري درق')}&placePick=${SARI_DARAGH_PEYGHAN}`);
      expect(picked.path).to.equal(`/campaigns/${campaign._id}/quotas/${SARI_DARAGH_PEYGHAN}`);
      const digits = await browser.get(`/campaigns/${campaign._id}/quotas?place=${encodeURIComponent(GHAREH_DARAGH_2_PERSIAN_DIGITS)}`);
      expect(digits.path).to.equal(`/campaigns/${campaign._id}/quotas/${GHAREH_DARAGH_2}`);
      const none = await browser.get(`/campaigns/${campaign._id}/quotas?place=${encodeURIComponent('جای ناموجود')}`);
      expect(none.text).to.contain('در محدودهٔ شما جایی با این نام پیدا نشد');
    });

    it('proposes an allocation within a rural district named with Arabic yeh', async () => {
      const browser = await signedIn(fund);
      const page = await browser.get(`/campaigns/${campaign._id}/allocation?level=village&total=100&basis=population&parent=${encodeURIComponent('سيدان')}`);
      expect(page.status).to.equal(200);
      const rows = [...page.html.matchAll(/name="t\.(\d+)"/g)].map((m) => m[1]!);
      expect(rows.length).to.be.greaterThan(3);
      expect(rows.every((code) => code.startsWith(SEYDAN))).to.equal(true);
    });
  });

  describe('the filters', () => {
    it('open the dashboard on a place chosen by name, and keep it where it was for a name of several places', async () => {
      const browser = await signedIn(countyGovernor);
      const page = await browser.get(`/campaigns/${campaign._id}?place=${encodeURIComponent(BASH_KALAN_ZWNJ_ARABIC)}`);
      expect(page.html).to.match(/<h1>[^<]+<small>باش کلان · آبادی<\/small>/);
      const several = await browser.get(`/campaigns/${campaign._id}?place=${encodeURIComponent('بالان')}`);
      expect(several.html).to.match(/<h1>[^<]+<small>کلیبر · شهرستان<\/small>/);
      expect(radios(several.html, 'placePick')).to.have.length(2);
    });

    it('open the compliance grid of a county typed with Arabic letters (a city of the same name is not a committee’s place)', async () => {
      const browser = await signedIn(governorOffice);
      const page = await browser.get(`/committees/compliance?place=${encodeURIComponent(KALEYBAR_ARABIC)}`);
      expect(page.status).to.equal(200);
      expect(page.html).to.match(/<h1>[^<]*کلیبر/);
    });

    it('filter the audit search by a place typed by name, the export and the pages following the place found', async () => {
      const browser = await signedIn(fund);
      const page = await browser.get(`/audit?place=${encodeURIComponent(ILLI_ARABIC)}`);
      expect(page.status).to.equal(200);
      expect(page.html.replace(/&#x3D;/g, '=')).to.contain(`/audit/export.csv?place=${ILLI}`);
      // the field shows the place found by its name, not its code
      expect(page.html).to.contain('value="ایللی — آبش احمد — آبش احمد"');
      const several = await browser.get(`/audit?place=${encodeURIComponent(KALEYBAR_ARABIC)}`);
      // Kaleybar the county and Kaleybar the town
      expect(radios(several.html, 'placePick')).to.have.length(2);
      expect(several.text).to.contain('کلیبر — مرکزی').and.contain('شهرستان').and.contain('شهر');
    });

    it('filter the field problems and their trends by a place typed by name', async () => {
      const browser = await signedIn(countyGovernor);
      const list = await browser.get(`/field-problems?place=${encodeURIComponent(BASH_KALAN_ZWNJ_ARABIC)}`);
      expect(list.status).to.equal(200);
      expect(list.html).to.contain('value="باش کلان — آبش احمد — آبش احمد"');
      const trends = await browser.get(`/field-problems/trends?place=${encodeURIComponent('سيدان')}`);
      expect(trends.html).to.match(/<h1>[^<]+<small>سیدان<\/small>/);
      const several = await browser.get(`/field-problems/trends?place=${encodeURIComponent('آبش احمد')}`);
      expect(radios(several.html, 'placePick')).to.have.length(3);
      const picked = await browser.get(`/field-problems/trends?place=${encodeURIComponent('آبش احمد')}&placePick=${ABESH_AHMAD_DISTRICT}`);
      expect(picked.html).to.match(/<h1>[^<]+<small>آبش احمد<\/small>/);
    });
  });

  describe('the forms', () => {
    it('create an account at a place typed by name, among the places of the role’s level', async () => {
      const browser = await signedIn(governorOffice);
      await browser.get('/admin/users/new');
      // the county, not the town of the same name, for a county governor
      const governor = await browser.post('/admin/users', { username: 'gov.kaleybar', displayName: 'فرماندار کلیبر', password: 'a-good-password', role: 'county-governor', placeCode: KALEYBAR_ARABIC, agency: '', lang: 'fa' });
      expect(governor.path).to.equal('/admin/users');
      expect((await User.findOne({ username: 'gov.kaleybar' }).setOptions({ scope: 'system' }).lean<UserRecord>())?.placeCode).to.equal(KALEYBAR);
      const head = await browser.post('/admin/users', { username: 'head.bashkalan', displayName: 'دهیار باش کلان', password: 'a-good-password', role: 'village-head', placeCode: BASH_KALAN_ZWNJ_ARABIC, agency: '', lang: 'fa' });
      expect(head.path).to.equal('/admin/users');
      expect((await User.findOne({ username: 'head.bashkalan' }).setOptions({ scope: 'system' }).lean<UserRecord>())?.placeCode).to.equal(BASH_KALAN);
    });

    it('refuse a name of two villages together with the form’s other problems, list both, and take the one picked', async () => {
      const browser = await signedIn(governorOffice);
      await browser.get('/admin/users/new');
      const fields = { username: 'head.saridaragh', displayName: 'دهیار ساری درق', password: 'a-good-password', role: 'village-head', placeCode: 'ساری درق', agency: '', lang: 'fa' };
      const refused = await browser.post('/admin/users', { ...fields, mobile: '123' }, { from: '/admin/users/new' });
      expect(refused.path).to.equal('/admin/users/new');
      const errors = [...refused.html.matchAll(/<small class="error">([^<]+)<\/small>/g)].map((m) => m[1]);
      expect(errors).to.include('چند جا با این نام هست؛ یکی را از فهرست (با نام دهستان یا بخش آن) برگزینید.');
      expect(errors).to.include('شماره همراه باید به شکل ۰۹۱۲۱۲۳۴۵۶۷ باشد.');
      expect(radios(refused.html, 'placeCodePick').sort()).to.deep.equal([SARI_DARAGH_PEYGHAN, SARI_DARAGH_GHESHLAGH].sort());
      expect(refused.html).to.contain('value="ساری درق"');
      // picked, but the mobile still wrong: the field now names the village picked, which the next round reads back
      const stillWrong = await browser.post('/admin/users', { ...fields, mobile: '123', placeCodePick: SARI_DARAGH_GHESHLAGH }, { from: '/admin/users/new' });
      expect(stillWrong.html).to.contain('value="ساری درق — قشلاق — آبش احمد"');
      expect(radios(stillWrong.html, 'placeCodePick')).to.deep.equal([]);
      const created = await browser.post('/admin/users', { ...fields, placeCode: 'ساری درق — قشلاق — آبش احمد' }, { from: '/admin/users/new' });
      expect(created.path).to.equal('/admin/users');
      expect((await User.findOne({ username: 'head.saridaragh' }).setOptions({ scope: 'system' }).lean<UserRecord>())?.placeCode).to.equal(SARI_DARAGH_GHESHLAGH);
    });

    it('create a committee at a place typed by name, picking the district among places of one name', async () => {
      const browser = await signedIn(countyGovernor);
      await browser.get('/committees');
      // a ZWNJ where the name has a space
      const fields = { kind: 'ad-hoc', name: 'کارگروه آبش احمد', place: 'آبش\u200cاحمد', chairName: 'بخشدار آبش احمد' };
      const several = await browser.post('/committees', fields, { from: '/committees' });
      expect(several.path).to.equal('/committees');
      expect(radios(several.html, 'placePick')).to.have.length(3);
      const created = await browser.post('/committees', { ...fields, placePick: ABESH_AHMAD_DISTRICT }, { from: '/committees' });
      expect(created.path).to.match(/^\/committees\/[0-9a-f]{24}$/);
      const committee = await Committee.findOne({ province: '03', name: 'کارگروه آبش احمد' }).setOptions({ scope: 'system' }).lean<CommitteeRecord>();
      expect(committee?.placeCode).to.equal(ABESH_AHMAD_DISTRICT);
    });

    it('enrol at a village picked among those a name begins, typed with Persian digits', async () => {
      const browser = await signedIn(districtGovernor);
      await browser.get('/enrolments/new');
      const person = { campaign: String(campaign._id), nationalId: nationalId(7301), firstName: 'مریم', lastName: 'رضایی', birthDate: '1370/05/03', sex: 'female', mobile: '09121234567', targetGroup: 'farmers', channel: 'in-person', inPersonReason: 'asked', referringAgency: '' };
      const begun = await browser.post('/enrolments', { ...person, village: 'قره درق علیا' }, { from: '/enrolments/new' });
      expect(begun.path).to.equal('/enrolments/new');
      expect(radios(begun.html, 'villagePick').sort()).to.deep.equal([GHAREH_DARAGH_1, GHAREH_DARAGH_2].sort());
      expect(begun.text).to.contain('جاهایی که نامشان چنین آغاز می‌شود');
      const picked = await browser.post('/enrolments', { ...person, village: 'قره درق علیا', villagePick: GHAREH_DARAGH_1 }, { from: '/enrolments/new' });
      expect(picked.text).to.contain('ثبت‌نام مریم رضایی ثبت شد.');
      const typed = await browser.post('/enrolments', { ...person, nationalId: nationalId(7302), village: GHAREH_DARAGH_2_PERSIAN_DIGITS }, { from: '/enrolments/new' });
      expect(typed.text).to.contain('ثبت‌نام مریم رضایی ثبت شد.');
      expect(await Enrolment.countDocuments({ province: '03', place: GHAREH_DARAGH_1 }).setOptions({ scope: 'system' })).to.equal(1);
      expect(await Enrolment.countDocuments({ province: '03', place: GHAREH_DARAGH_2 }).setOptions({ scope: 'system' })).to.equal(1);
    });
  });
});
