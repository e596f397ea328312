import { expect } from 'chai';
import { Place, type PlaceRecord } from '../../../models/place.model.js';
import { progressOf } from '../../../server/quotas/dashboard.service.js';
import { buildProvincialReport } from '../../../server/reports/provincial-report.service.js';
import { jalaliMonthKey, toJalali } from '../../../server/shared/jalali.js';
import { resetDatabase } from '../../support/database.js';
import { KHAJEH_DIZAJ, openCampaign, setQuota, TABRIZ_CENTRAL } from '../../support/enrolments.js';
import { loadPlaces } from '../../support/places.js';

describe('The monthly report and the dashboard', () => {
  it('give a county the same target when a district quota and village quotas under it are both set', async () => {
    await resetDatabase();
    await loadPlaces(TABRIZ_CENTRAL);
    const campaign = await openCampaign('03');
    const [district, village] = await Promise.all([TABRIZ_CENTRAL, KHAJEH_DIZAJ].map((code) => Place.findOne({ code }).setOptions({ scope: 'system' }).lean<PlaceRecord>()));
    await setQuota(campaign, district!, 1_500);
    await setQuota(campaign, village!, 60);

    const now = toJalali(new Date());
    const report = await buildProvincialReport('03', jalaliMonthKey(now.year, now.month));
    const dashboard = await progressOf({ role: 'fund-manager', placeCode: '03', province: '03' }, campaign, '03');
    const tabriz = (rows: { code?: string; place?: string; target: number }[]) => rows.find((r) => (r.code ?? r.place) === '0303')!.target;
    expect(tabriz(report.counties)).to.equal(1_500);
    expect(tabriz(dashboard.children)).to.equal(1_500);
  });
});
