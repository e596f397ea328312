import { expect } from 'chai';
import { addAxis } from '../../../server/agreements/axes.service.js';
import type { AuthUser } from '../../../server/auth/scope.js';
import { ensureAgencyRegister } from '../../../server/committees/agencies.service.js';
import { createCommittee } from '../../../server/committees/committees.service.js';
import { addJalaliMonths, formatJalaliDate, toJalali } from '../../../server/shared/jalali.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { api, PageClient } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { apiToken, createUser, type TestUser } from '../../support/users.js';

const actor = (user: TestUser): AuthUser => ({ id: String(user._id), username: user.username, role: user.role, placeCode: user.placeCode, province: user.province, lang: 'fa' });

describe('The policy-axis pages, as a governor’s office reads them', function () {
  this.timeout(60_000);
  let app: TestApp;
  let mazandaran: TestUser;
  let eastAzerbaijan: TestUser;

  before(async () => {
    await resetDatabase();
    await loadPlaces('0207', '030303');
    await ensureAgencyRegister();
    mazandaran = await createUser({ role: 'governor-office', placeCode: '02' });
    eastAzerbaijan = await createUser({ role: 'governor-office', placeCode: '03' });
    // each province's secretariat keeps its own list: two axes in Mazandaran, three in East Azerbaijan
    for (const [user, names] of [[mazandaran, ['عدالت بیمه‌ای', 'خدمت الکترونیکی']], [eastAzerbaijan, ['پوشش عشایر', 'بیمه زنان روستایی', 'آموزش دهیاران']]] as const) {
      const secretariat = await createCommittee(actor(user), { kind: 'secretariat', name: 'دبیرخانه دائمی محورهای سیاستی', place: user.province, meetsMonthly: false, chair: { name: 'دبیر' } });
      for (const name of names) await addAxis(actor(user), { secretariat: String(secretariat._id), name });
    }
    app = await startTestApp();
    // Mazandaran's clauses under axis 1: one communicated three months ago and due within one (overdue), one due in six
    const governor = api(app.baseUrl, await apiToken(mazandaran));
    const agreement = (await governor.post('/api/v1/agreements', { title: 'تفاهم‌نامه خدمت برخط', parties: ['صندوق بیمه', 'سازمان شهرداری‌ها'], signedOn: '1404/08/24', level: 'province' })).body.id;
    const today = toJalali(new Date());
    const threeMonthsAgo = formatJalaliDate(addJalaliMonths({ year: today.year, month: today.month, day: Math.min(today.day, 28) }, -3));
    const late = await governor.post(`/api/v1/agreements/${agreement}/clauses`, { text: 'استعلام برخط ثبت احوال در دفتر دهیاری', agency: 'fund', policyAxis: 'axis-1', deadline: { type: 'within', months: 1 }, communicatedOn: threeMonthsAgo });
    expect(late.status).to.equal(201);
    const onTime = await governor.post(`/api/v1/agreements/${agreement}/clauses`, { text: 'آموزش ثبت‌نام برخط به دهیاران', agency: 'fund', policyAxis: 'axis-1', deadline: { type: 'within', months: 6 } });
    expect(onTime.status).to.equal(201);
  });
  after(() => app.stop());

  async function signedIn(user: TestUser): Promise<PageClient> {
    const browser = new PageClient(app.baseUrl);
    await browser.login(user.username, user.password);
    return browser;
  }

  it('lists the province’s own axes, each with its commitments and how many are overdue', async () => {
    const page = await (await signedIn(mazandaran)).get('/policy-axes');
    expect(page.status).to.equal(200);
    const rows = [...page.html.matchAll(/<tr><td><a href="\/policy-axes\/([a-z0-9-]+)">([^<]+)<\/a>[^]*?<td class="n">([^<]+)<\/td><td class="n">([^<]+)<\/td><\/tr>/g)].map((m) => m.slice(1));
    expect(rows).to.deep.equal([
      ['axis-1', '۱. عدالت بیمه‌ای', '۲', '۱'],
      ['axis-2', '۲. خدمت الکترونیکی', '۰', '۰'],
    ]);
    expect(page.text).to.not.contain('پوشش عشایر');
  });

  it('shows one axis: its commitments, overdue first, their state and the count per state', async () => {
    const page = await (await signedIn(mazandaran)).get('/policy-axes/axis-1');
    expect(page.status).to.equal(200);
    expect(page.html).to.match(/<h1>۱\. عدالت بیمه‌ای/);
    expect(page.html).to.match(/<dt>گذشته از مهلت<\/dt><dd>۱<\/dd>/);
    expect(page.html).to.match(/<dt>تعهدها<\/dt><dd>۲<\/dd>/);
    expect(page.text).to.contain('گذشته از مهلت: ۱').and.contain('باز: ۱');
    const items = [...page.html.matchAll(/<li><a href="\/resolutions\/[0-9a-f]{24}">([^<]+)<\/a> <span class="badge s-([a-z-]+)">[^<]+<\/span><br>([^<]+)<br>/g)].map((m) => m.slice(1));
    expect(items).to.deep.equal([
      ['بند ۱', 'overdue', 'استعلام برخط ثبت احوال در دفتر دهیاری'],
      ['بند ۲', 'open', 'آموزش ثبت‌نام برخط به دهیاران'],
    ]);
    const empty = await (await signedIn(mazandaran)).get('/policy-axes/axis-2');
    expect(empty.status).to.equal(200);
    expect(empty.html).to.match(/<dt>تعهدها<\/dt><dd>۰<\/dd>/);
  });

  it('keeps each province to its own axes: another province’s axis is 404, and the same code is the reader’s own axis', async () => {
    const mine = await signedIn(mazandaran);
    expect((await mine.get('/policy-axes/axis-3')).status).to.equal(404);
    expect((await mine.get('/policy-axes/axis-99')).status).to.equal(404);
    const theirs = await (await signedIn(eastAzerbaijan)).get('/policy-axes/axis-1');
    expect(theirs.status).to.equal(200);
    expect(theirs.html).to.match(/<h1>۱\. پوشش عشایر/);
    // Mazandaran's clauses are not East Azerbaijan's commitments
    expect(theirs.html).to.match(/<dt>تعهدها<\/dt><dd>۰<\/dd>/);
    expect(theirs.text).to.not.contain('استعلام برخط ثبت احوال');
    expect((await (await signedIn(eastAzerbaijan)).get('/policy-axes/axis-3')).status).to.equal(200);
  });
});
