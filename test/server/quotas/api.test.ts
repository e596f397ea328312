import { expect } from 'chai';
import { Types } from 'mongoose';
import { Campaign, type CampaignRecord } from '../../../models/campaign.model.js';
import { Place, type PlaceRecord } from '../../../models/place.model.js';
import { Quota } from '../../../models/quota.model.js';
import { QuotaChange } from '../../../models/quota-change.model.js';
import { countEnrolment } from '../../../server/quotas/progress.service.js';
import { fromJalali } from '../../../server/shared/jalali.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { api } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { apiToken, createUser } from '../../support/users.js';

const SARI = '0207';
const KIASAR = '0207C04'; // a town of 3,384 people
const SARI_CITY = '0207C01'; // 309,820 people: no small town

describe('The campaign, quota and progress API', () => {
  let app: TestApp;
  let manager: string;
  let sariGovernor: string;
  let tabrizHead: string;

  before(async () => {
    await resetDatabase();
    await loadPlaces('02', '0303030001');
    manager = await apiToken(await createUser({ role: 'fund-manager', placeCode: '02' }));
    sariGovernor = await apiToken(await createUser({ role: 'county-governor', placeCode: SARI }));
    tabrizHead = await apiToken(await createUser({ role: 'village-head', placeCode: '0303030001029406' }));
    app = await startTestApp();
  });
  after(() => app.stop());

  async function newCampaign(body: Record<string, unknown> = {}): Promise<string> {
    const created = await api(app.baseUrl, manager).post('/api/v1/campaigns', { name: 'پویش ۱۴۰۲ مازندران', province: '02', year: 1402, ...body });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    return created.body.id;
  }

  describe('POST /api/v1/campaigns', () => {
    it('creates a campaign of the manager’s province for a Jalali year, 1 Farvardin to the end of Esfand', async () => {
      const id = await newCampaign({ year: '۱۴۰۲' });
      const progress = await api(app.baseUrl, manager).get(`/api/v1/campaigns/${id}/progress?place=02`);
      expect(progress.status).to.equal(200);
      expect(progress.body).to.include({ place: '02', target: 0, logged: 0, verified: 0, percent: 0, expectedByToday: 0 });
      const campaign = await Campaign.findById(id).setOptions({ scope: 'system' }).lean<CampaignRecord>();
      expect(campaign).to.include({ province: '02', year: 1402, townThreshold: 20_000, minAge: 18, maxAge: 50 });
      expect(campaign!.startsAt.toISOString()).to.equal('2023-03-20T20:30:00.000Z'); // 1 Farvardin 1402, Tehran midnight
      expect(campaign!.endsAt.toISOString()).to.equal('2024-03-19T20:30:00.000Z'); // 1 Farvardin 1403
    });

    it('refuses another province, a county governor, and names a bad year', async () => {
      const other = await api(app.baseUrl, manager).post('/api/v1/campaigns', { name: 'x', province: '03', year: 1402 });
      expect(other.status).to.equal(403);
      const governor = await api(app.baseUrl, sariGovernor).post('/api/v1/campaigns', { name: 'x', province: '02', year: 1402 });
      expect(governor.status).to.equal(403);
      const bad = await api(app.baseUrl, manager).post('/api/v1/campaigns', { name: 'x', province: '02', year: 'next' });
      expect(bad.status).to.equal(400);
      expect(bad.body.error.fields).to.deep.equal({ year: 'سال را به شمسی و چهاررقمی وارد کنید، مانند ۱۴۰۳.' });
    });
  });

  describe('POST /api/v1/campaigns/<id>/allocations', () => {
    it('proposes county quotas in proportion to population that add up to the total, and saves nothing', async () => {
      const id = await newCampaign();
      const response = await api(app.baseUrl, manager).post(`/api/v1/campaigns/${id}/allocations`, { level: 'county', total: 10_000, basis: 'population' });
      expect(response.status).to.equal(200);
      const quotas: { place: string; target: number }[] = response.body.quotas;
      expect(quotas).to.have.length(22);
      expect(quotas.reduce((sum, q) => sum + q.target, 0)).to.equal(10_000);
      const counties = await Place.find({ level: 'county', province: '02' }).setOptions({ scope: 'system' }).lean<PlaceRecord[]>();
      const population = counties.reduce((sum, c) => sum + c.population!, 0);
      for (const quota of quotas) {
        const exact = (10_000 * counties.find((c) => c.code === quota.place)!.population!) / population;
        expect(quota.target).to.be.oneOf([Math.floor(exact), Math.ceil(exact)]);
      }
      expect(await Quota.countDocuments({ campaign: id }).setOptions({ scope: 'system' })).to.equal(0);
    });

    it('splits over small towns only, and refuses an unknown level', async () => {
      const id = await newCampaign();
      const towns = await api(app.baseUrl, manager).post(`/api/v1/campaigns/${id}/allocations`, { level: 'town', total: 500, basis: 'population', parent: SARI });
      const places = towns.body.quotas.map((q: { place: string }) => q.place);
      expect(places).to.include(KIASAR).and.not.include(SARI_CITY);
      const bad = await api(app.baseUrl, manager).post(`/api/v1/campaigns/${id}/allocations`, { level: 'planet', total: 500, basis: 'population' });
      expect(bad.status).to.equal(400);
      expect(bad.body.error.fields.level).to.equal('سطح تقسیم را از فهرست برگزینید.');
    });
  });

  describe('PUT /api/v1/campaigns/<id>/quotas/<placeCode>', () => {
    it('sets a quota and keeps every change (who, from, to)', async () => {
      const id = await newCampaign();
      expect((await api(app.baseUrl, manager).put(`/api/v1/campaigns/${id}/quotas/${SARI}`, { target: 1200 })).body).to.deep.equal({ place: SARI, target: 1200, previous: null });
      expect((await api(app.baseUrl, manager).put(`/api/v1/campaigns/${id}/quotas/${SARI}`, { target: '۱۵۰۰' })).body).to.deep.equal({ place: SARI, target: 1500, previous: 1200 });
      const changes = await QuotaChange.find({ campaign: id }).setOptions({ scope: 'system' }).sort({ createdAt: 1, _id: 1 }).lean();
      expect(changes.map((c) => [c.from, c.to, c.source])).to.deep.equal([
        [null, 1200, 'typed'],
        [1200, 1500, 'typed'],
      ]);
    });

    it('refuses a negative target, a big city, a place outside the province and a county governor', async () => {
      const id = await newCampaign();
      const negative = await api(app.baseUrl, manager).put(`/api/v1/campaigns/${id}/quotas/${SARI}`, { target: -5 });
      expect(negative.status).to.equal(400);
      expect(negative.body.error.fields).to.deep.equal({ target: 'سهمیه باید عددی درست و صفر یا بیشتر باشد.' });
      const city = await api(app.baseUrl, manager).put(`/api/v1/campaigns/${id}/quotas/${SARI_CITY}`, { target: 10 });
      expect(city.status).to.equal(422);
      expect(city.body.error.message).to.equal('این شهر کوچک نیست (جمعیت آن ۲۰٬۰۰۰ نفر یا بیشتر است).');
      expect((await api(app.baseUrl, manager).put(`/api/v1/campaigns/${id}/quotas/0303`, { target: 10 })).status).to.equal(403);
      expect((await api(app.baseUrl, sariGovernor).put(`/api/v1/campaigns/${id}/quotas/${SARI}`, { target: 10 })).status).to.equal(403);
      expect(await QuotaChange.countDocuments({ campaign: id }).setOptions({ scope: 'system' })).to.equal(0);
    });

    it('allows a quota below what is already achieved, with a warning', async () => {
      const id = await newCampaign();
      const kiasar = { code: KIASAR, province: '02', ancestors: ['02', SARI] };
      for (let i = 0; i < 3; i++) await countEnrolment({ campaignId: id, place: kiasar, logged: 1, verified: 0, at: fromJalali({ year: 1402, month: 3, day: 1 }) });
      const response = await api(app.baseUrl, manager).put(`/api/v1/campaigns/${id}/quotas/${KIASAR}`, { target: 2 });
      expect(response.status).to.equal(200);
      expect(response.body.warning).to.equal('سهمیه ذخیره شد، اما از ۳ بیمه‌شدهٔ ثبت‌شدهٔ این مکان کمتر است.');
    });
  });

  describe('GET /api/v1/campaigns/<id>/progress', () => {
    it('rolls the counters up: target, logged, verified, percent and expected by today, with each child', async () => {
      const id = await newCampaign();
      await api(app.baseUrl, manager).put(`/api/v1/campaigns/${id}/quotas/${SARI}`, { target: 40 });
      await api(app.baseUrl, manager).put(`/api/v1/campaigns/${id}/quotas/0201`, { target: 60 });
      const kiasar = { code: KIASAR, province: '02', ancestors: ['02', SARI] };
      const at = fromJalali({ year: 1402, month: 7, day: 15 });
      for (let i = 0; i < 10; i++) await countEnrolment({ campaignId: new Types.ObjectId(id), place: kiasar, logged: 1, verified: i < 4 ? 1 : 0, at });

      const province = await api(app.baseUrl, manager).get(`/api/v1/campaigns/${id}/progress?place=02`);
      // the campaign year 1402 is over, so the whole target was expected by today
      expect(province.body).to.include({ place: '02', target: 100, logged: 10, verified: 4, percent: 10, expectedByToday: 100, pace: 'behind' });
      const sari = province.body.children.find((c: { place: string }) => c.place === SARI);
      expect(sari).to.include({ name: 'ساری', target: 40, logged: 10, verified: 4, percent: 25, expectedByToday: 40 });
      expect(province.body.children).to.have.length(22);

      const county = await api(app.baseUrl, sariGovernor).get(`/api/v1/campaigns/${id}/progress`);
      expect(county.body).to.include({ place: SARI, target: 40, logged: 10 });
      expect(county.body.children.find((c: { place: string }) => c.place === KIASAR)).to.include({ logged: 10, verified: 4, target: 0, pace: null });
    });

    it('shows a county governor only their own county, and a village head of another province nothing', async () => {
      const id = await newCampaign();
      expect((await api(app.baseUrl, sariGovernor).get(`/api/v1/campaigns/${id}/progress?place=0201`)).status).to.equal(403);
      expect((await api(app.baseUrl, tabrizHead).get(`/api/v1/campaigns/${id}/progress`)).status).to.equal(403);
      expect((await api(app.baseUrl, manager).get(`/api/v1/campaigns/0123456789abcdef01234567/progress`)).status).to.equal(404);
    });
  });
});
