import { expect } from 'chai';
import { NotificationPreference } from '../../../models/notification-preference.model.js';
import { OutboxMessage } from '../../../models/outbox-message.model.js';
import { deliverDue } from '../../../jobs/deliver-outbox.js';
import { loadConfig } from '../../../server/config.js';
import { queueMessage } from '../../../server/outbox/outbox.service.js';
import { resetDatabase } from '../../support/database.js';
import { loadPlaces } from '../../support/places.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { PageClient } from '../../support/http.js';
import { createUser, type TestUser } from '../../support/users.js';

describe('Reminder settings and the development mailbox', () => {
  let app: TestApp;
  let governor: TestUser;
  let sari: TestUser;

  before(async () => {
    await resetDatabase();
    await loadPlaces('0207');
    governor = await createUser({ role: 'governor-office', placeCode: '02', username: 'office.settings' });
    sari = await createUser({ role: 'county-governor', placeCode: '0207', username: 'sari.settings' });
    app = await startTestApp();
  });
  after(() => app.stop());

  async function signedIn(user: TestUser): Promise<PageClient> {
    const browser = new PageClient(app.baseUrl);
    await browser.login(user.username, user.password);
    return browser;
  }

  it('lets a user give an address, choose the daily digest and English, and turn a kind off', async () => {
    const browser = await signedIn(sari);
    const empty = await browser.get('/settings/notifications');
    expect(empty.text).to.contain('تنظیم یادآوری‌ها').and.contain('هنوز نشانی ایمیلی ثبت نکرده‌اید');
    // every kind but one ticked: the form posts `wanted` once per ticked box
    const saved = await browser.post('/settings/notifications', { email: 'Sari.Office@Example.IR', mode: 'digest', lang: 'en', wanted: 'meeting-upcoming' }, { from: '/settings/notifications' });
    expect(saved.path).to.equal('/settings/notifications');
    expect(saved.text).to.contain('تنظیم یادآوری‌ها ذخیره شد');
    expect(saved.html).to.contain('value="sari.office@example.ir"');
    const preference = await NotificationPreference.findOne({ user: sari._id }).lean();
    expect(preference).to.include({ email: 'sari.office@example.ir', mode: 'digest', lang: 'en' });
    expect(preference!.optOut).to.not.include('meeting-upcoming');
    expect(preference!.optOut).to.include('commitment-overdue');
  });

  it('shows a wrong address beside its field and keeps what was saved', async () => {
    const browser = await signedIn(sari);
    const page = await browser.post('/settings/notifications', { email: 'not-an-address', mode: 'single', lang: 'fa' }, { from: '/settings/notifications' });
    expect(page.text).to.contain('نشانی ایمیل را مانند name@example.ir بنویسید');
    expect((await NotificationPreference.findOne({ user: sari._id }).lean())!.email).to.equal('sari.office@example.ir');
  });

  it('lets the governor’s office make a kind mandatory, which then cannot be turned off', async () => {
    const office = await signedIn(governor);
    const page = await office.get('/settings/notifications');
    expect(page.text).to.contain('یادآوری‌های اجباری استان');
    await office.post('/settings/notifications/policy', { mandatory: 'commitment-overdue' }, { from: '/settings/notifications' });

    const browser = await signedIn(sari);
    const settings = await browser.get('/settings/notifications');
    expect(settings.html).to.match(/value="commitment-overdue" checked disabled/);
    expect(settings.text).to.contain('اجباری (تعیین‌شده از سوی استانداری)');
    // a county governor cannot set the province's rule
    const refused = await browser.post('/settings/notifications/policy', { mandatory: 'quota-behind' }, { from: '/settings/notifications' });
    expect(refused.status).to.equal(403);
  });

  it('keeps mail in the development mailbox without SMTP: the governor’s office reads all, others their own', async () => {
    await queueMessage({ to: 'sari.office@example.ir', recipient: sari._id, subject: 'یادآوری جلسه ستاد ساری', html: '<p>x</p>', text: 'جلسه فردا است.', province: '02', kind: 'meeting-upcoming', dedupeKey: 'mailbox:1' });
    await queueMessage({ to: 'office@example.ir', recipient: governor._id, subject: 'گزارش ماهانه', html: '<p>y</p>', text: 'گزارش پیوست است.', province: '02', kind: 'monthly-report', dedupeKey: 'mailbox:2' });
    await deliverDue({ config: loadConfig({ NODE_ENV: 'test' }) });

    const office = await signedIn(governor);
    const all = await office.get('/dev/mailbox');
    expect(all.text).to.contain('یادآوری جلسه ستاد ساری').and.contain('گزارش ماهانه');
    const own = await (await signedIn(sari)).get('/dev/mailbox');
    expect(own.text).to.contain('یادآوری جلسه ستاد ساری').and.not.contain('گزارش ماهانه');
    const id = String((await OutboxMessage.findOne({ dedupeKey: 'mailbox:2' }).lean())!._id);
    expect((await (await signedIn(sari)).get(`/dev/mailbox/${id}`)).status).to.equal(404);
    expect((await office.get(`/dev/mailbox/${id}`)).text).to.contain('گزارش پیوست است.');
  });

  it('has no mailbox when mail really goes out', async () => {
    const withSmtp = await startTestApp({ SMTP_URL: 'smtp://127.0.0.1:2525' });
    try {
      const browser = new PageClient(withSmtp.baseUrl);
      await browser.login(governor.username, governor.password);
      expect((await browser.get('/dev/mailbox')).status).to.equal(404);
    } finally {
      await withSmtp.stop();
    }
  });
});
