import { expect } from 'chai';
import { Agency, type AgencyRecord } from '../../../models/agency.model.js';
import { JobRun } from '../../../models/job-run.model.js';
import { ensureAgencyRegister, getAgency, requireAgencies } from '../../../server/committees/agencies.service.js';
import { runMigrations } from '../../../server/db/migrate.js';
import { resetDatabase } from '../../support/database.js';
import { loadPlaces } from '../../support/places.js';

describe('The start-up migration of an older database', () => {
  before(async () => {
    await resetDatabase();
    await loadPlaces('0207', '030303');
  });
  after(async () => {
    await Agency.deleteMany({});
    await Promise.all([Agency.syncIndexes(), JobRun.syncIndexes()]);
  });

  it('moves the one installation-wide agency register into one register per province, keeping each agency as it was, once', async () => {
    // the database as the previous version left it: agencies without a province, unique by code alone
    await Agency.collection.dropIndexes();
    await Agency.collection.createIndex({ code: 1 }, { unique: true, name: 'code_1' });
    await Agency.collection.insertMany([
      { code: 'fund', nameFa: 'صندوق بیمه (نام تغییریافته)', nameEn: 'The Fund (renamed)', email: 'fund.office@example.ir', active: true, changedBy: 'office.old' },
      { code: 'water', nameFa: 'اداره کل آب', nameEn: 'Water Directorate', active: false, changedBy: 'office.old' },
    ]);
    await JobRun.collection.createIndex({ job: 1, scheduledFor: 1 }, { unique: true, name: 'job_1_scheduledFor_1' });

    await runMigrations();
    expect((await Agency.collection.indexes()).map((i) => i.name)).to.not.include('code_1');
    expect((await JobRun.collection.indexes()).map((i) => i.name)).to.not.include('job_1_scheduledFor_1');
    expect(await Agency.countDocuments({ province: { $exists: false } })).to.equal(0);
    for (const province of ['02', '03']) {
      expect(await getAgency(province, 'fund', 'fa')).to.include({ name: 'صندوق بیمه (نام تغییریافته)', email: 'fund.office@example.ir', active: true });
      expect(await Agency.findOne({ province, code: 'water' }).lean<AgencyRecord>()).to.include({ nameEn: 'Water Directorate', active: false });
    }
    // what a resolution of either province names is found in its own province's register
    expect((await requireAgencies('03', ['fund'], 'agency')).map((a) => a.province)).to.deep.equal(['03']);

    const before = await Agency.countDocuments({});
    await runMigrations();
    expect(await Agency.countDocuments({})).to.equal(before);
    // the rest of seed 002 is added beside them, the renamed fund left as it was
    expect(await ensureAgencyRegister()).to.equal(18);
    expect((await getAgency('02', 'fund', 'en')).name).to.equal('The Fund (renamed)');
  });
});
