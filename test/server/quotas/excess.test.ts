import { expect } from 'chai';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { api, PageClient } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { apiToken, createUser, type TestUser } from '../../support/users.js';

describe('Quotas that do not add up', () => {
  let app: TestApp;
  let manager: TestUser;
  let token: string;

  before(async () => {
    await resetDatabase();
    await loadPlaces('0207', '0208');
    manager = await createUser({ role: 'fund-manager', placeCode: '02' });
    token = await apiToken(manager);
    app = await startTestApp();
  });
  after(() => app.stop());

  it('are saved but flagged: the API returns a warning and the quota page says so', async () => {
    const client = api(app.baseUrl, token);
    const campaign = (await client.post('/api/v1/campaigns', { name: 'پویش', province: '02', year: 1404 })).body.id as string;
    const province = await client.put(`/api/v1/campaigns/${campaign}/quotas/02`, { target: 1000 });
    expect(province.body).to.not.have.property('warning');
    expect((await client.put(`/api/v1/campaigns/${campaign}/quotas/0207`, { target: 600 })).body).to.not.have.property('warning');
    const over = await client.put(`/api/v1/campaigns/${campaign}/quotas/0208`, { target: 500 });
    expect(over.status).to.equal(200);
    expect(over.body.target).to.equal(500);
    expect(over.body.warning).to.equal('سهمیه‌های زیرمجموعهٔ ۰۲ روی هم ۱٬۱۰۰ است، بیش از سهمیهٔ خود آن (۱٬۰۰۰).');

    const browser = new PageClient(app.baseUrl);
    await browser.login(manager.username, manager.password);
    expect((await browser.get(`/campaigns/${campaign}/quotas/02`)).text).to.contain('سهمیه‌های زیرمجموعهٔ ۰۲ روی هم ۱٬۱۰۰ است، بیش از سهمیهٔ خود آن (۱٬۰۰۰).');
    // set right, the warning goes
    expect((await client.put(`/api/v1/campaigns/${campaign}/quotas/0208`, { target: 400 })).body).to.not.have.property('warning');
    expect((await browser.get(`/campaigns/${campaign}/quotas/02`)).text).to.not.contain('بیش از سهمیهٔ خود آن');
  });
});
