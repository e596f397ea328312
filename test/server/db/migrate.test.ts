import { expect } from 'chai';
import { Agency, type AgencyRecord } from '../../../models/agency.model.js';
import { JobRun } from '../../../models/job-run.model.js';
import { OutboxMessage } from '../../../models/outbox-message.model.js';
import { toAuthUser } from '../../../server/auth/auth.service.js';
import { listMessages } from '../../../server/outbox/outbox.service.js';
import { createUser } from '../../support/users.js';
import { Types } from 'mongoose';
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
    await OutboxMessage.collection.createIndex({ status: 1, nextAttemptAt: 1 }, { name: 'status_1_nextAttemptAt_1' });

    await runMigrations();
    expect((await Agency.collection.indexes()).map((i) => i.name)).to.not.include('code_1');
    expect((await JobRun.collection.indexes()).map((i) => i.name)).to.not.include('job_1_scheduledFor_1');
    expect((await OutboxMessage.collection.indexes()).map((i) => i.name)).to.not.include('status_1_nextAttemptAt_1');
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

  it('gives mail queued before the province wall a province: its recipient\'s, else installation-level, read by the installation administrator only, once', async () => {
    const sari = await createUser({ role: 'county-governor', placeCode: '0207' });
    const tabriz = await createUser({ role: 'district-governor', placeCode: '030303' });
    const mazandaran = toAuthUser(await createUser({ role: 'governor-office', placeCode: '02' }));
    const eastAzerbaijan = toAuthUser(await createUser({ role: 'governor-office', placeCode: '03' }));
    const admin = toAuthUser(await createUser({ role: 'installation-admin', placeCode: '02' }));
    const message = (dedupeKey: string, recipient?: unknown) => ({
      to: `${dedupeKey}@example.ir`, ...(recipient ? { recipient } : {}), subject: 'یادآوری', html: '<p>یادآوری</p>', text: 'یادآوری', kind: 'test', dedupeKey,
      status: 'pending', attempts: 0, nextAttemptAt: new Date(0), createdAt: new Date(), updatedAt: new Date(),
    });
    // as the previous version wrote them: no province at all
    await OutboxMessage.collection.insertMany([message('old-sari', sari._id), message('old-tabriz', tabriz._id), message('old-invitation'), message('old-removed-user', new Types.ObjectId())]);

    await runMigrations();
    const provinceOf = async (dedupeKey: string) => (await OutboxMessage.findOne({ dedupeKey }).lean())?.province;
    expect(await provinceOf('old-sari')).to.equal('02');
    expect(await provinceOf('old-tabriz')).to.equal('03');
    expect(await provinceOf('old-invitation')).to.equal('00');
    expect(await provinceOf('old-removed-user')).to.equal('00');
    const keys = async (reader: typeof admin) => (await listMessages(reader)).map((m) => m.dedupeKey).filter((k) => k.startsWith('old-')).sort();
    expect(await keys(mazandaran)).to.deep.equal(['old-sari']);
    expect(await keys(eastAzerbaijan)).to.deep.equal(['old-tabriz']);
    expect(await keys(admin)).to.deep.equal(['old-invitation', 'old-removed-user']);
    expect(await keys(toAuthUser(sari))).to.deep.equal(['old-sari']);

    const before = await OutboxMessage.find({}).sort({ dedupeKey: 1 }).lean();
    await runMigrations();
    expect(await OutboxMessage.find({}).sort({ dedupeKey: 1 }).lean()).to.deep.equal(before);
  });
});
