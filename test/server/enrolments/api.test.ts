import { expect } from 'chai';
import type { CampaignRecord } from '../../../models/campaign.model.js';
import { Enrolment, type EnrolmentRecord } from '../../../models/enrolment.model.js';
import { ProgressCounter, type ProgressCounterRecord } from '../../../models/progress-counter.model.js';
import { rebuildCounters } from '../../../server/quotas/progress.service.js';
import { toPersianDigits } from '../../../server/shared/persian-text.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { ALVAR_SOFLA, BASMENJ, birthDateForAge, enrolmentBody, KHAJEH_DIZAJ, nationalId, openCampaign, TABRIZ_CENTRAL, TABRIZ_CITY } from '../../support/enrolments.js';
import { api } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { apiToken, createUser, type TestUser } from '../../support/users.js';

async function countersOf(campaign: CampaignRecord): Promise<Record<string, { logged: number; verified: number }>> {
  const all = await ProgressCounter.find({ campaign: campaign._id }).setOptions({ scope: 'system' }).lean<ProgressCounterRecord[]>();
  return Object.fromEntries(all.map((c) => [c.placeCode, { logged: c.logged, verified: c.verified }]));
}

async function enrolmentCount(): Promise<number> {
  return Enrolment.countDocuments({}).setOptions({ scope: 'system' });
}

describe('POST /api/v1/enrolments', () => {
  let app: TestApp;
  let campaign: CampaignRecord;
  let head: TestUser;
  let otherHead: TestUser;
  let district: TestUser;
  let headToken: string;
  let serial = 0;

  /** A fresh national ID for every test, so tests do not depend on each other. */
  const body = (overrides: Record<string, unknown> = {}) => enrolmentBody(++serial, { campaign: String(campaign._id), village: KHAJEH_DIZAJ, ...overrides });

  before(async () => {
    await resetDatabase();
    await loadPlaces(TABRIZ_CENTRAL, '0207');
    campaign = await openCampaign('03');
    head = await createUser({ role: 'village-head', placeCode: KHAJEH_DIZAJ });
    otherHead = await createUser({ role: 'village-head', placeCode: ALVAR_SOFLA });
    district = await createUser({ role: 'district-governor', placeCode: TABRIZ_CENTRAL });
    headToken = await apiToken(head);
    app = await startTestApp();
  });
  after(() => app.stop());

  const post = (json: unknown, token = headToken, lang?: string) =>
    lang
      ? fetch(`${app.baseUrl}/api/v1/enrolments`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'accept-language': lang }, body: JSON.stringify(json) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }))
      : api(app.baseUrl, token).post('/api/v1/enrolments', json);

  it('logs an enrolment, answers 201 with its id, and counts it at the village and every place above', async () => {
    const response = await post(body());
    expect(response.status).to.equal(201);
    const saved = await Enrolment.findById(response.body.id).setOptions({ scope: 'system' }).lean<EnrolmentRecord>();
    expect(saved).to.include({ place: KHAJEH_DIZAJ, province: '03', nationalId: nationalId(serial), status: 'logged', targetGroup: 'villagers', channel: 'in-person', sex: 'female' });
    expect(String(saved!.createdBy)).to.equal(String(head._id));
    const counters = await countersOf(campaign);
    for (const code of ['03', '0303', TABRIZ_CENTRAL, '0303030001', KHAJEH_DIZAJ]) expect(counters[code], code).to.deep.equal({ logged: 1, verified: 0 });
  });

  it('accepts Persian digits in the national ID, birth date and mobile, and stores them in Latin digits', async () => {
    const id = nationalId(++serial);
    const response = await post({ ...body(), nationalId: toPersianDigits(id), birthDate: '۱۳۷۰/۰۵/۰۳', mobile: '۰۹۱۲ ۱۲۳ ۴۵۶۷' });
    expect(response.status).to.equal(201);
    const saved = await Enrolment.findById(response.body.id).setOptions({ scope: 'system' }).lean<EnrolmentRecord>();
    expect(saved).to.include({ nationalId: id, birthDateJalali: '1370/05/03', mobile: '09121234567' });
  });

  it('defaults the village to the head’s own when none is given', async () => {
    const { village: _village, ...withoutVillage } = body();
    const response = await post(withoutVillage);
    expect(response.status).to.equal(201);
    expect((await Enrolment.findById(response.body.id).setOptions({ scope: 'system' }).lean<EnrolmentRecord>())!.place).to.equal(KHAJEH_DIZAJ);
  });

  const refusals: [string, Record<string, unknown>, string, string][] = [
    ['a wrong check digit', { nationalId: '0499370898' }, 'nationalId', 'رقم کنترل کد ملی درست نیست؛ کد را دوباره بررسی کنید.'],
    ['letters in a national ID', { nationalId: '04993708a9' }, 'nationalId', 'کد ملی ده رقم است و حرف ندارد.'],
    ['a national ID of nine digits (nothing is padded on the API)', { nationalId: '499370899' }, 'nationalId', 'کد ملی ده رقم است و حرف ندارد.'],
    ['a national ID sent as a number without its leading zero', { nationalId: 499370899 }, 'nationalId', 'کد ملی ده رقم است و حرف ندارد.'],
    ['a birth date in the future', { birthDate: birthDateForAge(-1) }, 'birthDate', 'تاریخ تولد در آینده است.'],
    ['a person of 17', { birthDate: birthDateForAge(17) }, 'birthDate', 'کمتر از کمترین سن پذیرش است.'],
    ['a person of 51', { birthDate: birthDateForAge(51) }, 'birthDate', 'بیشتر از بیشترین سن پذیرش است.'],
    ['an unknown target group', { targetGroup: 'fishermen' }, 'targetGroup', 'گروه هدف ناشناخته است؛ یکی از روستاییان، کشاورزان، عشایر، قالی‌بافان و صنعتگران دستی، کارآموزان فنی و حرفه‌ای.'],
    ['a birth date that is no Jalali date', { birthDate: '1370/13/01' }, 'birthDate', 'تاریخ تولد را به شمسی و به شکل ۱۳۷۰/۰۵/۰۳ بنویسید.'],
    ['a mobile that is not Iranian', { mobile: '+441234567890' }, 'mobile', 'شماره همراه باید به شکل ۰۹۱۲۱۲۳۴۵۶۷ باشد.'],
    ['an unknown sex', { sex: 'x' }, 'sex', 'جنسیت «مرد» یا «زن» است.'],
    ['an unknown channel', { channel: 'post' }, 'channel', 'شیوه ثبت‌نام «برخط» یا «حضوری» است.'],
    ['a missing first name', { firstName: '' }, 'firstName', 'این بخش را پر کنید.'],
    ['an unknown campaign', { campaign: '65f000000000000000000000' }, 'campaign', 'این پویش در استان شما پیدا نشد.'],
    ['an in-person enrolment that does not say why', { inPersonReason: '' }, 'inPersonReason', 'ثبت‌نام حضوری است؛ بگویید چرا: معلولیت، درخواست خود فرد یا دلیل دیگر.'],
    ['an in-person reason of no kind', { inPersonReason: 'bored' }, 'inPersonReason', 'دلیل ثبت‌نام حضوری یکی از «فرد دارای معلولیت»، «خود فرد خواست» یا «دلیل دیگر» است و فقط برای ثبت‌نام حضوری.'],
    ['an online enrolment that gives an in-person reason', { channel: 'online' }, 'inPersonReason', 'دلیل ثبت‌نام حضوری یکی از «فرد دارای معلولیت»، «خود فرد خواست» یا «دلیل دیگر» است و فقط برای ثبت‌نام حضوری.'],
  ];
  for (const [what, overrides, field, message] of refusals) {
    it(`refuses ${what} with 422 naming the field, and writes nothing`, async () => {
      const before = { enrolments: await enrolmentCount(), counters: await countersOf(campaign) };
      const response = await post(body(overrides));
      expect(response.status).to.equal(422);
      expect(response.body.error.fields).to.deep.equal({ [field]: message });
      expect({ enrolments: await enrolmentCount(), counters: await countersOf(campaign) }).to.deep.equal(before);
    });
  }

  it('says the age and the campaign’s limit in the message of an ineligible person', async () => {
    const young = await post(body({ birthDate: birthDateForAge(17) }));
    expect(young.body.error).to.include({ code: 'ineligible', message: 'سن این فرد ۱۷ سال است؛ کمترین سن پذیرش در این پویش ۱۸ سال است.' });
    const old = await post(body({ birthDate: birthDateForAge(51) }), headToken, 'en');
    expect(old.body.error).to.deep.equal({ code: 'ineligible', message: 'This person is 51; the campaign’s maximum age is 50.', fields: { birthDate: 'Older than the campaign’s maximum age.' } });
  });

  it('accepts the youngest and the oldest allowed ages, 18 and 50', async () => {
    expect((await post(body({ birthDate: birthDateForAge(18) }))).status).to.equal(201);
    expect((await post(body({ birthDate: birthDateForAge(50) }))).status).to.equal(201);
  });

  it('names every bad field at once', async () => {
    const response = await post(body({ nationalId: '123', mobile: '1', targetGroup: '' }));
    expect(response.status).to.equal(422);
    expect(Object.keys(response.body.error.fields).sort()).to.deep.equal(['mobile', 'nationalId', 'targetGroup']);
  });

  it('refuses a village outside the user’s area with 403', async () => {
    const response = await post(body({ village: ALVAR_SOFLA }));
    expect(response.status).to.equal(403);
    expect(response.body.error).to.include({ code: 'outOfScope', message: 'این مکان خارج از محدوده مسئولیت شماست.' });
    const otherProvince = await post(body({ village: '0207C04' }), await apiToken(district));
    expect(otherProvince.status).to.equal(403);
  });

  it('refuses a national ID already enrolled with 409, saying where when the user may see that place', async () => {
    const first = body();
    expect((await post(first)).status).to.equal(201);
    const again = await post({ ...first, firstName: 'زهرا' });
    expect(again.status).to.equal(409);
    expect(again.body.error).to.deep.equal({ code: 'duplicate', message: 'این کد ملی پیش‌تر در خواجه دیزج ثبت‌نام شده است.', fields: { nationalId: 'این کد ملی پیش‌تر ثبت‌نام شده است.' } });

    const elsewhere = await post({ ...first, village: ALVAR_SOFLA }, await apiToken(otherHead));
    expect(elsewhere.status).to.equal(409);
    expect(elsewhere.body.error.message).to.equal('این کد ملی پیش‌تر در این استان ثبت‌نام شده است (خارج از محدوده شما).');
    expect(elsewhere.body.error.message).to.not.contain('خواجه دیزج');

    const byDistrict = await post({ ...first, village: ALVAR_SOFLA }, await apiToken(district));
    expect(byDistrict.body.error.message).to.equal('این کد ملی پیش‌تر در خواجه دیزج ثبت‌نام شده است.');
  });

  it('takes a small town under the campaign’s threshold, and refuses a city above it unless the person is a nomad', async () => {
    const token = await apiToken(district);
    expect((await post(body({ village: BASMENJ }), token)).status).to.equal(201);
    const city = await post(body({ village: TABRIZ_CITY }), token);
    expect(city.status).to.equal(422);
    expect(city.body.error).to.include({ code: 'ineligible', message: 'فقط ساکنان روستا، مناطق عشایری و شهرهای زیر ۲۰٬۰۰۰ نفر جمعیت پذیرفته می‌شوند.' });
    expect(city.body.error.fields).to.deep.equal({ village: 'ساکنان این محل پوشش صندوق نیستند.' });
    expect((await post(body({ village: TABRIZ_CITY, targetGroup: 'nomads' }), token)).status).to.equal(201);
  });

  it('refuses a place that is no village or town', async () => {
    const response = await post(body({ village: '0303030001' }), await apiToken(district));
    expect(response.status).to.equal(422);
    expect(response.body.error.fields).to.deep.equal({ village: 'ثبت‌نام در یک روستا یا شهر انجام می‌شود، نه در شهرستان، بخش یا دهستان.' });
  });

  it('is closed to viewers and to anonymous callers', async () => {
    const viewer = await createUser({ role: 'viewer', placeCode: '03' });
    expect((await post(body(), await apiToken(viewer))).status).to.equal(403);
    expect((await api(app.baseUrl).post('/api/v1/enrolments', body())).status).to.equal(401);
  });

  it('lets a fund manager verify and reject through the API, the counters following', async () => {
    const fund = await apiToken(await createUser({ role: 'fund-manager', placeCode: '03' }));
    const logged = await post(body());
    const before = (await countersOf(campaign))[KHAJEH_DIZAJ]!;
    const client = api(app.baseUrl, fund);
    expect(await client.post(`/api/v1/enrolments/${logged.body.id}/verify`, {})).to.deep.include({ status: 200, body: { id: logged.body.id, status: 'verified' } });
    expect((await countersOf(campaign))[KHAJEH_DIZAJ]).to.deep.equal({ logged: before.logged, verified: before.verified + 1 });
    const twice = await client.post(`/api/v1/enrolments/${logged.body.id}/verify`, {});
    expect(twice.status).to.equal(409);
    expect(twice.body.error.message).to.equal('این ثبت‌نام پیش‌تر تأیید شده است.');
    expect((await client.post(`/api/v1/enrolments/${logged.body.id}/reject`, { reason: '' })).body.error.fields).to.deep.equal({ reason: 'دلیل رد را دست‌کم در ۳ نویسه بنویسید.' });
    expect((await client.post(`/api/v1/enrolments/${logged.body.id}/reject`, { reason: 'سند اقامت ناقص' })).body).to.deep.equal({ id: logged.body.id, status: 'rejected' });
    expect((await countersOf(campaign))[KHAJEH_DIZAJ]).to.deep.equal({ logged: before.logged - 1, verified: before.verified });
    expect((await api(app.baseUrl, headToken).post(`/api/v1/enrolments/${logged.body.id}/verify`, {})).status).to.equal(403);
    expect((await client.post('/api/v1/enrolments/65f000000000000000000000/verify', {})).status).to.equal(404);
  });

  it('lets exactly one of two village heads enrol the same national ID at the same moment', async () => {
    const district2 = await createUser({ role: 'district-governor', placeCode: TABRIZ_CENTRAL });
    const same = body();
    const before = await countersOf(campaign);
    const answers = await Promise.all([post({ ...same, village: KHAJEH_DIZAJ }), post({ ...same, village: ALVAR_SOFLA }, await apiToken(otherHead)), post({ ...same, village: BASMENJ }, await apiToken(district2))]);
    expect(answers.map((a) => a.status).sort()).to.deep.equal([201, 409, 409]);
    expect(await Enrolment.countDocuments({ nationalId: same.nationalId as string }).setOptions({ scope: 'system' })).to.equal(1);
    expect((await countersOf(campaign))['03']!.logged).to.equal((before['03']?.logged ?? 0) + 1);
  });

  it('keeps every counter equal to a fresh count after 100 concurrent submissions', async function () {
    // a hundred transactions on a machine shared with other test runs: room to finish, no timing asserted
    this.timeout(120_000);
    const tokens = [headToken, await apiToken(otherHead), await apiToken(district)];
    const villages = [KHAJEH_DIZAJ, ALVAR_SOFLA, BASMENJ];
    // every tenth submission repeats the national ID of the one before it
    const bodies = Array.from({ length: 100 }, (_, i) => body({ village: villages[i % 3] }));
    bodies.forEach((b, i) => {
      if (i % 10 === 9) b.nationalId = bodies[i - 1]!.nationalId;
    });
    const answers = await Promise.all(bodies.map((b, i) => post(b, tokens[i % 3])));
    expect(answers.filter((a) => a.status === 201)).to.have.length(90);
    expect(answers.filter((a) => a.status === 409)).to.have.length(10);

    const counters = await countersOf(campaign);
    const enrolments = await Enrolment.find({ campaign: campaign._id, status: { $ne: 'rejected' } }).setOptions({ scope: 'system' }).lean<EnrolmentRecord[]>();
    const fresh: Record<string, number> = {};
    for (const e of enrolments) for (const code of e.placePath) fresh[code] = (fresh[code] ?? 0) + 1;
    expect(Object.fromEntries(Object.entries(counters).map(([code, c]) => [code, c.logged]))).to.deep.equal(fresh);
    expect((await rebuildCounters(campaign._id)).drifted, 'the drift job finds nothing to fix').to.deep.equal([]);
  });
});
