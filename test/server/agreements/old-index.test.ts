import { expect } from 'chai';
import { Resolution } from '../../../models/resolution.model.js';
import { ensureAgencyRegister } from '../../../server/committees/agencies.service.js';
import { runMigrations } from '../../../server/db/migrate.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { api } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { apiToken, createUser } from '../../support/users.js';

describe('A database left with the old resolution numbering index', function () {
  this.timeout(60_000);
  let app: TestApp;

  before(async () => {
    await resetDatabase();
    await loadPlaces('0207');
    await ensureAgencyRegister();
    app = await startTestApp();
  });
  after(async () => {
    await Resolution.syncIndexes();
    await app.stop();
  });

  it('refuses a second agreement its clause 1 until the start-up migration drops the index, which it does once', async () => {
    // as an earlier version left it: resolutions unique by number within their meeting (a clause has no meeting)
    await Resolution.collection.createIndex({ province: 1, meeting: 1, number: 1 }, { unique: true, name: 'province_1_meeting_1_number_1' });
    const governor = api(app.baseUrl, await apiToken(await createUser({ role: 'governor-office', placeCode: '02' })));
    const clause = { text: 'استعلام برخط ثبت احوال', agency: 'fund', deadline: { type: 'within', months: 2 } };
    const agreements: string[] = [];
    for (const title of ['تفاهم‌نامه یکم', 'تفاهم‌نامه دوم']) agreements.push((await governor.post('/api/v1/agreements', { title, parties: ['صندوق بیمه', 'سازمان شهرداری‌ها'], signedOn: '1404/08/24', level: 'province' })).body.id);
    expect((await governor.post(`/api/v1/agreements/${agreements[0]}/clauses`, clause)).status).to.equal(201);
    const collided = await governor.post(`/api/v1/agreements/${agreements[1]}/clauses`, clause);
    expect(collided.status).to.not.equal(201);

    await runMigrations();
    expect((await Resolution.collection.indexes()).map((i) => i.name)).to.not.include('province_1_meeting_1_number_1');
    const added = await governor.post(`/api/v1/agreements/${agreements[1]}/clauses`, clause);
    expect(added.status).to.equal(201);
    expect(added.body.number).to.equal(1);
    // a second start finds nothing to drop and keeps the index the model declares
    await runMigrations();
    expect((await Resolution.collection.indexes()).map((i) => i.name)).to.include('number_in_meeting_or_agreement');
    expect(await Resolution.countDocuments({ province: '02', agreement: { $exists: true } }).setOptions({ scope: 'system' })).to.equal(2);
  });
});
