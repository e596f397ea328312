import { expect } from 'chai';
import { toAuthUser } from '../../../server/auth/auth.service.js';
import { createCampaign } from '../../../server/campaigns/campaigns.service.js';
import { loadConfig } from '../../../server/config.js';
import { fromJalali } from '../../../server/shared/jalali.js';
import { resetDatabase } from '../../support/database.js';
import { loadPlaces } from '../../support/places.js';
import { createUser } from '../../support/users.js';

describe('A new campaign', () => {
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: ':memory:' });

  it('starts today when no start day is given, so it is not behind the moment it is made', async () => {
    await resetDatabase();
    await loadPlaces('0207');
    const fund = toAuthUser(await createUser({ role: 'fund-manager', placeCode: '02' }));
    const now = fromJalali({ year: 1404, month: 8, day: 12 }, { hour: 15 });
    const thisYear = await createCampaign(fund, { name: 'پویش امسال', year: 1404 }, config, now);
    expect(thisYear.startsAt.getTime()).to.equal(fromJalali({ year: 1404, month: 8, day: 12 }).getTime());
    expect(thisYear.endsAt.getTime()).to.equal(fromJalali({ year: 1405, month: 1, day: 1 }).getTime());
    const nextYear = await createCampaign(fund, { name: 'پویش سال بعد', year: 1405 }, config, now);
    expect(nextYear.startsAt.getTime()).to.equal(fromJalali({ year: 1405, month: 1, day: 1 }).getTime());
    const typed = await createCampaign(fund, { name: 'پویش از فروردین', year: 1404, startsOn: '1404/01/01' }, config, now);
    expect(typed.startsAt.getTime()).to.equal(fromJalali({ year: 1404, month: 1, day: 1 }).getTime());
  });
});
