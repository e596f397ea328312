import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { CampaignRecord } from '../../../models/campaign.model.js';
import { Enrolment, type EnrolmentRecord } from '../../../models/enrolment.model.js';
import { ProgressCounter, type ProgressCounterRecord } from '../../../models/progress-counter.model.js';
import { toPersianDigits } from '../../../server/shared/persian-text.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { ALVAR_SOFLA, birthDateForAge, enrolmentBody, KHAJEH_DIZAJ, nationalId, openCampaign, TABRIZ_CENTRAL } from '../../support/enrolments.js';
import { api, PageClient } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { apiToken, createUser, TEST_PASSWORD, type TestUser } from '../../support/users.js';

describe('Possible duplicates: the same person with a mistyped national ID', () => {
  let app: TestApp;
  let campaign: CampaignRecord;
  let head: TestUser;
  let district: TestUser;
  let fund: TestUser;
  const born = birthDateForAge(41);

  const enrol = async (token: string, n: number, overrides: Record<string, unknown>) => {
    const response = await api(app.baseUrl, token).post('/api/v1/enrolments/batch', { items: [{ idempotencyKey: randomUUID(), enrolment: enrolmentBody(n, { birthDate: born, ...overrides }) }] });
    expect(response.status).to.equal(200);
    return response.body.results[0];
  };
  const stored = (n: number) => Enrolment.findOne({ province: '03', nationalId: nationalId(n) }).setOptions({ scope: 'system' }).lean<EnrolmentRecord>();
  const logged = async (place: string) =>
    (await ProgressCounter.findOne({ campaign: campaign._id, placeCode: place }).setOptions({ scope: 'system' }).lean<ProgressCounterRecord>())?.logged ?? 0;

  before(async () => {
    await resetDatabase();
    await loadPlaces(TABRIZ_CENTRAL);
    campaign = await openCampaign('03');
    head = await createUser({ role: 'village-head', placeCode: KHAJEH_DIZAJ });
    district = await createUser({ role: 'district-governor', placeCode: TABRIZ_CENTRAL });
    fund = await createUser({ role: 'fund-manager', placeCode: '03' });
    app = await startTestApp();
  });
  after(() => app.stop());

  it('stores a second enrolment of the same normalised name and birth date in the same village, flagged, and shows the pair side by side to the fund manager', async () => {
    const token = await apiToken(head);
    const first = await enrol(token, 1, { firstName: 'علي‌رضا', lastName: 'كريمي' });
    // another ID, the Persian letters and no ZWNJ, Persian digits in the birth date: the same person key
    const second = await enrol(token, 2, { firstName: 'علیرضا', lastName: 'کریمی ', birthDate: toPersianDigits(born) });
    expect(first).to.include({ status: 201, possibleDuplicate: false });
    expect(second).to.include({ status: 201, possibleDuplicate: true });
    expect(String((await stored(2))!.possibleDuplicateOf)).to.equal(first.id);
    // same name elsewhere, or another birth date, is no flag
    const elsewhere = await enrol(await apiToken(district), 3, { firstName: 'علیرضا', lastName: 'کریمی', village: ALVAR_SOFLA });
    const otherDay = await enrol(token, 4, { firstName: 'علیرضا', lastName: 'کریمی', birthDate: birthDateForAge(40) });
    expect(elsewhere.possibleDuplicate).to.equal(false);
    expect(otherDay.possibleDuplicate).to.equal(false);

    const browser = new PageClient(app.baseUrl);
    await browser.login(fund.username, TEST_PASSWORD);
    const page = await browser.get('/enrolments/verify');
    expect(page.text).to.contain('ثبت‌نام‌های احتمالاً تکراری (۱)');
    const pair = /<div class="pair">([\s\S]*?)<div class="decide">/.exec(page.html)![1]!;
    const sides = pair.split('<div class="side">').slice(1);
    expect(sides).to.have.length(2);
    expect(sides[0]).to.contain('علي‌رضا كريمي').and.to.contain(toPersianDigits(nationalId(1))).and.to.contain('ثبت‌نام پیشین');
    expect(sides[1]).to.contain('علیرضا کریمی').and.to.contain(toPersianDigits(nationalId(2))).and.to.contain('ثبت‌نام تازه');
  });

  it('lets the fund manager confirm a pair: the later one is rejected naming the earlier, and stops counting', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(fund.username, TEST_PASSWORD);
    await browser.get('/enrolments/verify');
    const later = await stored(2);
    const before = await logged(KHAJEH_DIZAJ);
    const page = await browser.post(`/enrolments/${later!._id}/duplicate/confirm`, {}, { from: '/enrolments/verify' });
    expect(page.text).to.contain('ثبت‌نام علیرضا کریمی به عنوان تکراری رد شد.');
    expect(page.text).not.to.contain('ثبت‌نام‌های احتمالاً تکراری');
    const after = await stored(2);
    expect(after).to.include({ status: 'rejected', duplicateCheck: 'confirmed', rejectionReason: `تکراری ثبت‌نام کد ملی ${toPersianDigits(nationalId(1))}` });
    expect(await logged(KHAJEH_DIZAJ)).to.equal(before - 1);
    const again = await browser.post(`/enrolments/${later!._id}/duplicate/confirm`, {}, { from: '/enrolments/verify' });
    expect(again.text).to.contain('این جفت پیش‌تر بررسی شده است.');
  });

  it('lets the fund manager dismiss a pair as two people: the flag closes and the enrolment still waits for verification', async () => {
    const token = await apiToken(head);
    const third = await enrol(token, 5, { firstName: 'علی‌رضا', lastName: 'کریمی' });
    expect(third.possibleDuplicate).to.equal(true);
    const browser = new PageClient(app.baseUrl);
    await browser.login(fund.username, TEST_PASSWORD);
    await browser.get('/enrolments/verify');
    const page = await browser.post(`/enrolments/${third.id}/duplicate/dismiss`, {}, { from: '/enrolments/verify' });
    expect(page.text).to.contain('تکراری نیست');
    expect(page.text).not.to.contain('ثبت‌نام‌های احتمالاً تکراری');
    expect(await stored(5)).to.include({ status: 'logged', duplicateCheck: 'dismissed' });
  });

  it('shows the pairs to fund managers only', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(head.username, TEST_PASSWORD);
    const page = await browser.get('/enrolments/verify');
    expect(page.status).to.equal(403);
    await browser.get('/enrolments');
    const post = await browser.post(`/enrolments/${(await stored(5))!._id}/duplicate/dismiss`, {}, { from: '/enrolments' });
    expect(post.status).to.equal(403);
  });
});
