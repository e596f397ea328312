import { expect } from 'chai';
import { resetDatabase } from '../../support/database.js';
import { loadPlaces } from '../../support/places.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { PageClient } from '../../support/http.js';
import { createUser, type TestUser } from '../../support/users.js';

describe('The users administration page', () => {
  let app: TestApp;
  let governor: TestUser;
  let sari: TestUser;

  before(async () => {
    await resetDatabase();
    await loadPlaces('0207', '0208', '030303');
    governor = await createUser({ role: 'governor-office', placeCode: '02', username: 'office.mazandaran' });
    sari = await createUser({ role: 'county-governor', placeCode: '0207', username: 'governor.sari' });
    app = await startTestApp();
  });
  after(() => app.stop());

  async function asGovernor(): Promise<PageClient> {
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, governor.password);
    return browser;
  }

  it('lets the governor’s office create a user with a role and a place, who can then log in', async () => {
    const browser = await asGovernor();
    await browser.get('/admin/users/new');
    const page = await browser.post('/admin/users', {
      username: 'mayor.kiasar',
      displayName: 'شهردار کیاسر',
      mobile: '۰۹۱۱۱۱۱۲۲۳۳',
      password: 'a-good-password',
      role: 'mayor',
      placeCode: '0207C04',
      agency: '',
      lang: 'fa',
    });
    expect(page.path).to.equal('/admin/users');
    expect(page.text).to.contain('کاربر mayor.kiasar ساخته شد.');
    expect(page.text).to.contain('کیاسر');

    const mayor = await new PageClient(app.baseUrl).login('09111112233', 'a-good-password');
    expect(mayor.path).to.equal('/');
    expect(mayor.text).to.contain('کیاسر');
  });

  it('shows the form again with each problem beside its field and what was typed', async () => {
    const browser = await asGovernor();
    await browser.get('/admin/users/new');
    const page = await browser.post('/admin/users', { username: 'x', displayName: 'دهیار', mobile: '123', password: 'short', role: 'village-head', placeCode: '0207', lang: 'fa' }, { from: '/admin/users/new' });
    expect(page.path).to.equal('/admin/users/new');
    expect(page.text).to.contain('لطفاً خطاهای فرم را برطرف کنید.');
    expect(page.text).to.contain('نام کاربری ۳ تا ۳۲ حرف لاتین');
    expect(page.text).to.contain('شماره همراه باید به شکل');
    expect(page.text).to.contain('گذرواژه دست‌کم ۸ نویسه است.');
    expect(page.html).to.contain('value="دهیار"');
    expect(page.html).to.not.contain('value="short"');
  });

  it('refuses a place that does not fit the role, or lies outside the province', async () => {
    const browser = await asGovernor();
    await browser.get('/admin/users/new');
    const wrongLevel = await browser.post('/admin/users', { username: 'head.x', displayName: 'x', password: 'a-good-password', role: 'village-head', placeCode: '0207', lang: 'fa' }, { from: '/admin/users/new' });
    expect(wrongLevel.text).to.contain('این نقش به این سطح از تقسیمات نمی‌خورد');
    const outside = await browser.post('/admin/users', { username: 'head.y', displayName: 'y', password: 'a-good-password', role: 'district-governor', placeCode: '030303', lang: 'fa' }, { from: '/admin/users/new' });
    expect(outside.text).to.contain('این مکان خارج از محدوده مسئولیت شماست.');
  });

  it('refuses a username that is taken', async () => {
    const browser = await asGovernor();
    await browser.get('/admin/users/new');
    const page = await browser.post('/admin/users', { username: 'governor.sari', displayName: 'x', password: 'a-good-password', role: 'viewer', placeCode: '0208', lang: 'fa' }, { from: '/admin/users/new' });
    expect(page.text).to.contain('این نام کاربری گرفته شده است.');
  });

  it('is closed to every other role', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(sari.username, sari.password);
    expect((await browser.get('/admin/users')).status).to.equal(403);
    const posted = await browser.post('/admin/users', { username: 'sneaky', displayName: 'x', password: 'a-good-password', role: 'viewer', placeCode: '0207', lang: 'fa' }, { from: '/places/0207' });
    expect(posted.status).to.equal(403);
  });
});
