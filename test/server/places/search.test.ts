import { expect } from 'chai';
import { resetDatabase } from '../../support/database.js';
import { loadPlaces } from '../../support/places.js';
import { searchPlaces } from '../../../server/places/places.service.js';

const tabrizDistrictGovernor = { role: 'district-governor', placeCode: '030303', province: '03' } as const;

describe('Searching places by name', () => {
  before(async () => {
    await resetDatabase();
    await loadPlaces('030303', '0207');
  });

  async function names(query: string): Promise<string[]> {
    return (await searchPlaces(tabrizDistrictGovernor, query)).map((p) => p.name);
  }

  it('finds a village by the start of its name', async () => {
    expect(await names('خواجه')).to.include('خواجه دیزج');
  });

  it('ignores Arabic yeh and kaf, half-spaces and spaces as users type them', async () => {
    expect(await names('خواجه ديزج')).to.include('خواجه دیزج');
    expect(await names('خواجه‌دیزج')).to.include('خواجه دیزج');
    expect(await names('خواجهدیزج')).to.include('خواجه دیزج');
  });

  it('finds a place by its census code in Persian or Latin digits', async () => {
    expect(await names('۰۳۰۳۰۳۰۰۰۱۰۲۹۴۰۹')).to.deep.equal(['خواجه دیزج']);
    expect(await names('0303030001029409')).to.deep.equal(['خواجه دیزج']);
  });

  it('finds nothing outside the user’s area', async () => {
    expect(await names('ساری')).to.deep.equal([]);
  });
});
