import { expect } from 'chai';
import { Types } from 'mongoose';
import type { CampaignRecord } from '../../../models/campaign.model.js';
import { Enrolment } from '../../../models/enrolment.model.js';
import { Place, type PlaceRecord } from '../../../models/place.model.js';
import { ProgressCounter } from '../../../models/progress-counter.model.js';
import { logEnrolment, rejectEnrolment } from '../../../server/enrolments/enrolments.service.js';
import { t } from '../../../server/i18n/index.js';
import { rebuildCounters } from '../../../server/quotas/progress.service.js';
import { buildProvincialReport } from '../../../server/reports/provincial-report.service.js';
import { addJalaliMonths, fromJalali, jalaliMonthBounds, jalaliMonthKey, toJalali } from '../../../server/shared/jalali.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { BASMENJ, enrolmentBody, KHAJEH_DIZAJ, openCampaign, setQuota, TABRIZ_CENTRAL } from '../../support/enrolments.js';
import { api, PageClient } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { apiToken, createUser, type TestUser } from '../../support/users.js';

/** The rural district of Khajeh Dizaj and the town of Basmenj: two of the district's places the dashboard lists. */
const RURAL_DISTRICT = '0303030001';

describe('The dashboard’s online share and its quotas that do not add up', function () {
  this.timeout(60_000);
  let app: TestApp;
  let campaign: CampaignRecord;
  let fund: TestUser;
  let serial = 7000;
  const today = toJalali(new Date());
  const previous = addJalaliMonths({ year: today.year, month: today.month, day: 1 }, -1);
  const thisMonth = jalaliMonthBounds(today.year, today.month);
  const lastMonth = jalaliMonthBounds(previous.year, previous.month);

  async function enrol(actor: TestUser, village: string, channel: 'online' | 'in-person', at: Date) {
    const reason = channel === 'in-person' ? { inPersonReason: 'disability' } : { inPersonReason: '' };
    return logEnrolment({ id: String(actor._id), role: actor.role, placeCode: actor.placeCode, province: actor.province }, enrolmentBody(++serial, { campaign: String(campaign._id), village, channel, ...reason }), at);
  }

  /** Online as a percentage of a place's enrolments of a month not rejected, counted straight from the stored enrolments. */
  async function storedShare(code: string, month: { start: Date; end: Date }): Promise<number | null> {
    const of = (extra: object) => Enrolment.countDocuments({ province: '03', placePath: code, campaign: campaign._id, status: { $ne: 'rejected' }, createdAt: { $gte: month.start, $lt: month.end }, ...extra }).setOptions({ scope: 'system' });
    const [all, online] = await Promise.all([of({}), of({ channel: 'online' })]);
    return all === 0 ? null : Math.round((online / all) * 1000) / 10;
  }
  const shown = (value: number | null) => (value === null ? '—' : t('fa', 'enrolments.percentValue', { value }));

  before(async () => {
    await resetDatabase();
    await loadPlaces(TABRIZ_CENTRAL);
    campaign = await openCampaign('03');
    fund = await createUser({ role: 'fund-manager', placeCode: '03' });
    const governor = await createUser({ role: 'district-governor', placeCode: TABRIZ_CENTRAL });
    // last month (a campaign of the whole Jalali year: the month before is in it unless this is its first)
    if (today.month > 1) for (const channel of ['online', 'in-person'] as const) await enrol(governor, KHAJEH_DIZAJ, channel, fromJalali({ ...previous, day: 10 }, { hour: 10 }));
    for (const channel of ['online', 'online', 'online', 'in-person'] as const) await enrol(governor, KHAJEH_DIZAJ, channel, new Date());
    for (const channel of ['online', 'in-person'] as const) await enrol(governor, BASMENJ, channel, new Date());
    // a rejected enrolment no longer counts, online or not
    const rejected = await enrol(governor, KHAJEH_DIZAJ, 'online', new Date());
    await rejectEnrolment({ id: String(fund._id), role: fund.role, placeCode: fund.placeCode, province: fund.province }, String(rejected._id), 'کد ملی دیگری بود');
    app = await startTestApp();
  });
  after(() => app.stop());

  it('shows per place the share made online this month against last, as counted from the stored enrolments', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(fund.username, fund.password);
    const page = await browser.get(`/campaigns/${campaign._id}?place=${TABRIZ_CENTRAL}`);
    expect(page.status).to.equal(200);
    // the district itself, first among its key figures' neighbours
    expect(page.html).to.contain(`id="online-this-month">${shown(await storedShare(TABRIZ_CENTRAL, thisMonth))}<`);
    expect(page.html).to.contain(`id="online-last-month">${shown(await storedShare(TABRIZ_CENTRAL, lastMonth))}<`);
    expect(await storedShare(RURAL_DISTRICT, thisMonth)).to.equal(75);
    // and each place below it, in its row
    for (const code of [RURAL_DISTRICT, BASMENJ]) {
      const row = page.html.match(new RegExp(`<tr[^>]*><td><a href="/campaigns/${campaign._id}\\?place=${code}">[^]*?</tr>`))![0];
      const cell = row.match(/<td class="n online"[^>]*>([^]*?)<\/td>/)![1]!;
      expect(cell).to.equal(`${shown(await storedShare(code, thisMonth))} <small>ماه پیش ${shown(await storedShare(code, lastMonth))}</small>`);
    }

    const progress = await api(app.baseUrl, await apiToken(fund)).get(`/api/v1/campaigns/${campaign._id}/progress?place=${TABRIZ_CENTRAL}`);
    expect(progress.body.online).to.deep.equal({ thisMonth: await storedShare(TABRIZ_CENTRAL, thisMonth), lastMonth: await storedShare(TABRIZ_CENTRAL, lastMonth) });
    const town = progress.body.children.find((c: { place: string }) => c.place === BASMENJ);
    expect(town.online).to.deep.equal({ thisMonth: 50, lastMonth: null });
  });

  it('counts enrolments of an older version (no reason, counters without the channel): the rebuild fills the counters in, the report says "not recorded"', async () => {
    const village = (await Place.findOne({ code: KHAJEH_DIZAJ }).setOptions({ scope: 'system' }).lean<PlaceRecord>())!;
    await Enrolment.collection.insertOne({
      campaign: campaign._id, province: '03', placePath: [...village.ancestors, village.code], place: village.code, nationalId: '0012345679', firstName: 'زهرا', lastName: 'کاظمی',
      birthDateJalali: '1370/05/03', birthDate: new Date('1991-07-24T20:30:00Z'), sex: 'female', mobile: '09121234567', targetGroup: 'villagers', channel: 'in-person', status: 'logged', createdBy: new Types.ObjectId(), createdAt: new Date(),
    });
    const month = jalaliMonthKey(today.year, today.month);
    // a counter as an earlier version kept it: months without `online`
    await ProgressCounter.collection.updateMany({ province: '03', campaign: campaign._id }, { $unset: { [`byMonth.${month}.online`]: '' } });
    const rebuilt = await rebuildCounters(campaign._id);
    expect(rebuilt.drifted.map((d) => d.placeCode)).to.include(TABRIZ_CENTRAL);
    expect((await rebuildCounters(campaign._id)).drifted).to.deep.equal([]);

    const progress = await api(app.baseUrl, await apiToken(fund)).get(`/api/v1/campaigns/${campaign._id}/progress?place=${TABRIZ_CENTRAL}`);
    expect(progress.body.online.thisMonth).to.equal(await storedShare(TABRIZ_CENTRAL, thisMonth));
    const report = await buildProvincialReport('03', month);
    const inPerson = (reason: object) => Enrolment.countDocuments({ province: '03', channel: 'in-person', createdAt: { $gte: thisMonth.start, $lt: thisMonth.end }, ...reason }).setOptions({ scope: 'system' });
    expect(report.onlineShare!.total.thisMonth.reasons).to.include({ unrecorded: await inPerson({ inPersonReason: { $exists: false } }), disability: await inPerson({ inPersonReason: 'disability' }) });
    expect(report.onlineShare!.total.thisMonth.reasons.unrecorded).to.equal(1);
  });

  it('says on the dashboard, for the place and for the places it lists, when the quotas set below a place exceed its own', async () => {
    const [district, village, town] = await Promise.all([TABRIZ_CENTRAL, KHAJEH_DIZAJ, BASMENJ].map((code) => Place.findOne({ code }).setOptions({ scope: 'system' }).lean<PlaceRecord>()));
    await setQuota(campaign, district!, 100);
    await setQuota(campaign, village!, 80);
    await setQuota(campaign, town!, 30);
    const warning = `سهمیه‌های زیرمجموعهٔ ${district!.name} روی هم ۱۱۰ است، بیش از سهمیهٔ خود آن (۱۰۰).`;
    const browser = new PageClient(app.baseUrl);
    await browser.login(fund.username, fund.password);
    const own = await browser.get(`/campaigns/${campaign._id}?place=${TABRIZ_CENTRAL}`);
    expect(own.text).to.contain(warning);
    // from the county's dashboard, where the district is one of the rows
    const county = await browser.get(`/campaigns/${campaign._id}?place=0303`);
    expect(county.text).to.contain(warning);
    expect(county.html).to.match(new RegExp(`\\?place=${TABRIZ_CENTRAL}">[^]*?<small class="error">زیرمجموعه بیش از سهمیه</small>`));
    const progress = await api(app.baseUrl, await apiToken(fund)).get(`/api/v1/campaigns/${campaign._id}/progress?place=0303`);
    expect(progress.body.children.find((c: { place: string }) => c.place === TABRIZ_CENTRAL).warning).to.equal(warning);
    // the quota page says the same, by the same rule
    expect((await browser.get(`/campaigns/${campaign._id}/quotas/${TABRIZ_CENTRAL}`)).text).to.contain('سهمیه‌های زیرمجموعهٔ');

    // set right, the warning goes
    const client = api(app.baseUrl, await apiToken(fund));
    expect((await client.put(`/api/v1/campaigns/${campaign._id}/quotas/${TABRIZ_CENTRAL}`, { target: 110 })).status).to.equal(200);
    expect((await browser.get(`/campaigns/${campaign._id}?place=0303`)).text).to.not.contain('بیش از سهمیهٔ خود آن');
  });
});
