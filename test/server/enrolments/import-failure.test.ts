import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import type { CampaignRecord } from '../../../models/campaign.model.js';
import { Enrolment } from '../../../models/enrolment.model.js';
import { EnrolmentImport } from '../../../models/enrolment-import.model.js';
import { ProgressCounter, type ProgressCounterRecord } from '../../../models/progress-counter.model.js';
import { rebuildCounters } from '../../../server/quotas/progress.service.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { birthDateForAge, KHAJEH_DIZAJ, nationalId, openCampaign, TABRIZ_CENTRAL } from '../../support/enrolments.js';
import { PageClient } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { apiToken, createUser, type TestUser } from '../../support/users.js';

const HEADER = 'nationalId,firstName,lastName,birthDate,sex,mobile,targetGroup,channel';
/** The database is told to refuse this surname (a collection validator, as an administrator could set one). */
const REFUSED_SURNAME = 'ناپذیرفتنی';

describe('A background import that fails', function () {
  this.timeout(180_000);
  let app: TestApp;
  let campaign: CampaignRecord;
  let head: TestUser;
  let token: string;
  let browser: PageClient;

  const enrolments = () => Enrolment.countDocuments({}).setOptions({ scope: 'system' });
  const provinceLogged = async () => (await ProgressCounter.findOne({ campaign: campaign._id, placeCode: '03' }).setOptions({ scope: 'system' }).lean<ProgressCounterRecord>())?.logged ?? 0;
  const refuseSurname = (refuse: boolean) => mongoose.connection.db!.command({ collMod: 'enrolments', validator: refuse ? { lastName: { $ne: REFUSED_SURNAME } } : {} });
  const importOf = async (id: string, lang: 'fa' | 'en' = 'fa') => {
    const response = await fetch(`${app.baseUrl}/api/v1/enrolments/imports/${id}`, { headers: { authorization: `Bearer ${token}`, 'accept-language': lang } });
    expect(response.status).to.equal(200);
    return (await response.json()) as Record<string, any>;
  };
  /** 300 villagers in English columns (line 1 the header, so data lines 2–301); the one at `refusedLine` bears the refused surname. */
  const file = (refusedLine: number) =>
    new File(
      [[HEADER, ...Array.from({ length: 300 }, (_, i) => `${nationalId(5000 + i)},Maryam,${i + 2 === refusedLine ? REFUSED_SURNAME : 'Rezaei'},${birthDateForAge(30)},female,09121234567,villagers,online`)].join('\r\n') + '\r\n'],
      'failing.csv',
      { type: 'text/csv' },
    );
  const upload = async (f: File) => {
    await browser.get('/enrolments/import');
    const page = await browser.upload('/enrolments/import', {}, { file: f }, { from: '/enrolments/import' });
    expect(page.path).to.match(/^\/enrolments\/imports\/[0-9a-f]{24}$/);
    const id = page.path.split('/').at(-1)!;
    let batch = await importOf(id);
    while (batch.status === 'running') {
      await sleep(200);
      batch = await importOf(id);
    }
    return { id, path: page.path, batch };
  };

  before(async () => {
    await resetDatabase();
    await loadPlaces(TABRIZ_CENTRAL);
    campaign = await openCampaign('03');
    head = await createUser({ role: 'village-head', placeCode: KHAJEH_DIZAJ });
    token = await apiToken(head);
    app = await startTestApp();
    browser = new PageClient(app.baseUrl);
    await browser.login(head.username, head.password);
  });
  after(async () => {
    await refuseSurname(false);
    await app.stop();
  });

  it('ends as failed with its reason, in Persian and English, having saved only whole chunks of rows; the same file again resumes it', async () => {
    const before = { enrolments: await enrolments(), logged: await provinceLogged() };
    await refuseSurname(true);
    // the database refuses a row of the second chunk of 250 (lines 252–301): the first chunk is saved, the second not at all
    const failing = file(272);
    const { id, path, batch } = await upload(failing);
    expect(batch).to.include({ status: 'failed', total: 300, processed: 250, saved: 250 });
    expect(batch.failure.code).to.equal('database');
    expect(batch.failure.message).to.contain('سطرهای ۲۵۲ تا ۳۰۱').and.contain('سطرهای پیش از آن کامل ثبت شده‌اند');
    expect((await importOf(id, 'en')).failure.message).to.equal('The database refused rows 252 to 301 and the import stopped there: none of those rows was saved, and every row before them was saved whole.');
    const page = await browser.get(path);
    expect(page.text).to.contain('ثبت نیمه‌کاره ماند').and.contain('پایگاه داده سطرهای ۲۵۲ تا ۳۰۱ را نپذیرفت');
    expect(page.html).to.not.contain('http-equiv="refresh"');
    expect({ enrolments: await enrolments(), logged: await provinceLogged() }).to.deep.equal({ enrolments: before.enrolments + 250, logged: before.logged + 250 });
    expect((await rebuildCounters(campaign._id)).drifted, 'the counters match the enrolments written').to.deep.equal([]);

    await refuseSurname(false);
    const again = await upload(failing);
    expect(again.id).to.not.equal(id);
    expect(again.batch).to.include({ status: 'done', saved: 50, alreadyImported: 250 });
    expect(again.batch).to.not.have.property('failure');
    expect({ enrolments: await enrolments(), logged: await provinceLogged() }).to.deep.equal({ enrolments: before.enrolments + 300, logged: before.logged + 300 });
  });

  it('fails an import whose server stopped under it, saying so, instead of leaving it running', async () => {
    const stalledId = new Types.ObjectId();
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    await mongoose.connection.collection('enrolment_imports').insertOne({
      _id: stalledId, campaign: campaign._id, filename: 'cut-off.csv', fileHash: createHash('sha256').update('cut-off').digest('hex'), status: 'running',
      total: 1000, processed: 500, saved: 500, alreadyImported: 0, problems: [], createdBy: head._id, province: '03', placePath: head.placePath, createdAt: tenMinutesAgo, updatedAt: tenMinutesAgo,
    });
    const shown = await importOf(String(stalledId), 'en');
    expect(shown).to.include({ status: 'failed', processed: 500 });
    expect(shown.failure).to.deep.equal({ code: 'interrupted', message: 'The server stopped or restarted during the import; it had checked the first 500 rows, and every row it saved was saved whole.' });
    expect((await EnrolmentImport.findById(stalledId).setOptions({ scope: 'system' }).lean())?.status).to.equal('failed');
    expect((await browser.get(`/enrolments/imports/${stalledId}`)).text).to.contain('۵۰۰ سطر نخست بررسی شده بود');
  });

  it('is 404 in the API to someone outside its area, as an unknown id is', async () => {
    const [batch] = await EnrolmentImport.find({}).setOptions({ scope: 'system' }).limit(1).lean();
    await loadPlaces('0207');
    const elsewhere = await apiToken(await createUser({ role: 'county-governor', placeCode: '0207' }));
    for (const id of [String(batch!._id), String(new Types.ObjectId())]) {
      const response = await fetch(`${app.baseUrl}/api/v1/enrolments/imports/${id}`, { headers: { authorization: `Bearer ${elsewhere}` } });
      expect(response.status).to.equal(404);
    }
  });
});
