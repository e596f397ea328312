import { expect } from 'chai';
import { Quota } from '../../../models/quota.model.js';
import { scheduleApi } from '../../../server/committees/validation.js';
import { campaignRequest } from '../../../server/campaigns/validation.js';
import { parseIsoInstant, parseWholeNumber } from '../../../server/shared/input.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { api } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { apiToken, createUser } from '../../support/users.js';

/** What an attacker (or a careless script) sends where a count is expected. */
const NOT_WHOLE_NUMBERS: unknown[] = [null, [], [5], false, true, {}, '', ' ', '0x10', '1e3', '1E3', '12.5', 12.5, '-5', -5, '+5', 'Infinity', Number.NaN, '1 000', '12,50', ',100', '۱۲٫۵', 2 ** 60, '99999999999999999999'];

describe('The shared input rules', () => {
  it('read a whole number in Persian, Arabic-Indic or Latin digits, with thousands separators in their places', () => {
    expect(['12500', '۱۲۵۰۰', '١٢٥٠٠', '12,500', '۱۲٬۵۰۰', '1,234,567', 12500, 0, '0'].map(parseWholeNumber)).to.deep.equal([12500, 12500, 12500, 12500, 12500, 1234567, 12500, 0, 0]);
  });

  it('refuse null, arrays, booleans, hex, exponents, fractions, signs and stray separators instead of guessing', () => {
    for (const value of NOT_WHOLE_NUMBERS) expect(parseWholeNumber(value), JSON.stringify(value)).to.equal(null);
  });

  it('refuse an ISO instant on a day that does not exist, instead of moving it to the next month', () => {
    expect(parseIsoInstant('2027-02-28T10:00:00Z')!.toISOString()).to.equal('2027-02-28T10:00:00.000Z');
    expect(parseIsoInstant('2028-02-29T10:00:00+03:30')!.toISOString()).to.equal('2028-02-29T06:30:00.000Z');
    for (const text of ['2027-02-30T10:00:00Z', '2027-02-29T10:00:00Z', '2027-04-31T10:00:00Z', '2027-13-01T10:00:00Z', '2027-01-01T24:00:00Z', '2027-01-01T10:60:00Z', '2027-01-01T10:00:61Z', '2027-01-01T10:00:00', '2027-01-01T10:00:00+15:00']) {
      expect(parseIsoInstant(text), text).to.equal(null);
    }
  });

  it('hold for every numeric and date field of the schemas, naming the field', () => {
    const schedule = (body: Record<string, unknown>) => scheduleApi.body.safeParse({ startsAt: '2027-02-28T10:00:00Z', location: 'استانداری', ...body });
    expect(schedule({}).success).to.equal(true);
    expect(schedule({ startsAt: '2027-02-30T10:00:00Z' }).error!.issues[0]!.path).to.deep.equal(['startsAt']);
    expect(schedule({ startsAt: '1405/12/30 10:00' }).success, '30 Esfand 1405 is not a leap day').to.equal(false);
    // an optional field left blank on a form is simply not given; everything else is refused
    const given = NOT_WHOLE_NUMBERS.filter((v) => v !== '' && v !== ' ');
    for (const value of given) expect(schedule({ durationMinutes: value }).success, `durationMinutes ${JSON.stringify(value)}`).to.equal(false);
    const campaign = (body: Record<string, unknown>) => campaignRequest.body.safeParse({ name: 'پویش', province: '02', year: 1404, ...body });
    for (const field of ['year', 'minAge', 'maxAge', 'townThreshold']) {
      for (const value of given) {
        const result = campaign({ [field]: value });
        expect(result.success, `${field} ${JSON.stringify(value)}`).to.equal(false);
        expect(result.error!.issues[0]!.path[0]).to.equal(field);
      }
    }
  });

  describe('through the API', () => {
    let app: TestApp;
    let manager: string;
    before(async () => {
      await resetDatabase();
      await loadPlaces('0207');
      manager = await apiToken(await createUser({ role: 'fund-manager', placeCode: '02' }));
      app = await startTestApp();
    });
    after(() => app.stop());

    it('refuses `{"target": null}` and every other non-number for a quota with 400 naming the field, leaving the quota as it was', async () => {
      const client = api(app.baseUrl, manager);
      const campaign = (await client.post('/api/v1/campaigns', { name: 'پویش ۱۴۰۴', province: '02', year: 1404 })).body.id as string;
      expect((await client.put(`/api/v1/campaigns/${campaign}/quotas/0207`, { target: '۱٬۲۰۰' })).status).to.equal(200);
      for (const target of NOT_WHOLE_NUMBERS) {
        const refused = await client.put(`/api/v1/campaigns/${campaign}/quotas/0207`, { target });
        expect(refused.status, JSON.stringify(target)).to.equal(400);
        expect(Object.keys(refused.body.error.fields)).to.deep.equal(['target']);
      }
      const refused = await client.put(`/api/v1/campaigns/${campaign}/quotas/0207`, {});
      expect(refused.body.error.fields).to.have.property('target');
      const allocation = await client.post(`/api/v1/campaigns/${campaign}/allocations`, { level: 'county', total: '1e3', basis: 'population' });
      expect(allocation.status).to.equal(400);
      expect(allocation.body.error.fields).to.have.property('total');
      expect((await Quota.findOne({ placeCode: '0207' }).setOptions({ scope: 'system' }).lean<{ target: number }>())!.target).to.equal(1200);
    });
  });
});
