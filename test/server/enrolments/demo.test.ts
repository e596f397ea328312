import { expect } from 'chai';
import { Enrolment, type EnrolmentRecord } from '../../../models/enrolment.model.js';
import { ProgressCounter, type ProgressCounterRecord } from '../../../models/progress-counter.model.js';
import { createDemoEnrolments } from '../../../server/enrolments/demo.js';
import { createDemoUsers, DEMO_PASSWORD } from '../../../server/users/demo.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { KHAJEH_DIZAJ, TABRIZ_CENTRAL } from '../../support/enrolments.js';
import { PageClient } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';

describe('The demo enrolments', () => {
  let app: TestApp;

  before(async () => {
    await resetDatabase();
    await loadPlaces('0207', TABRIZ_CENTRAL);
    await createDemoUsers();
    app = await startTestApp();
  });
  after(() => app.stop());

  it('give the demo village head and the Mazandaran accounts a campaign, quotas and enrolments, once', async () => {
    expect(await createDemoEnrolments(app.config)).to.equal(14 + 12 + 30);
    expect(await createDemoEnrolments(app.config)).to.equal(0);
    expect(await Enrolment.countDocuments({ place: KHAJEH_DIZAJ }).setOptions({ scope: 'system' })).to.equal(14);
    expect(await Enrolment.countDocuments({ province: '02', place: '0207C04' }).setOptions({ scope: 'system' })).to.equal(12);
    expect(await Enrolment.countDocuments({ province: '02' }).setOptions({ scope: 'system' })).to.equal(12 + 30);
  });

  it('keep the counters equal to a fresh count', async () => {
    const enrolments = await Enrolment.find({ status: { $ne: 'rejected' } }).setOptions({ scope: 'system' }).lean<EnrolmentRecord[]>();
    const counters = await ProgressCounter.find({}).setOptions({ scope: 'system' }).lean<ProgressCounterRecord[]>();
    for (const counter of counters) {
      const here = enrolments.filter((e) => e.placePath.includes(counter.placeCode));
      expect({ logged: counter.logged, verified: counter.verified }, counter.placeCode).to.deep.equal({ logged: here.length, verified: here.filter((e) => e.status === 'verified').length });
    }
  });

  it('show on the village head’s home: quota, progress and recent enrolments', async () => {
    const browser = new PageClient(app.baseUrl);
    const landing = await browser.login('demo.village', DEMO_PASSWORD);
    expect(landing.path).to.equal('/');
    expect(landing.text).to.contain('۱۴ نفر از ۶۰ نفر');
    const home = await browser.get('/enrolments');
    expect(home.html).to.match(/id="target">۶۰</);
    expect(home.html).to.match(/id="logged">۱۴</);
    expect(home.html).to.match(/id="verified">۶</);
    expect(home.text).to.contain('آخرین ثبت‌نام‌ها');
    expect(home.text).to.contain('خواجه دیزج');
  });
});
