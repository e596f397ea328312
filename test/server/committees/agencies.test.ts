import { expect } from 'chai';
import { Agency } from '../../../models/agency.model.js';
import { Committee, type CommitteeRecord } from '../../../models/committee.model.js';
import { OutboxMessage, type OutboxMessageRecord } from '../../../models/outbox-message.model.js';
import { formatJalaliDate, toJalali } from '../../../server/shared/jalali.js';
import { User } from '../../../models/user.model.js';
import { ensureAgencyRegister } from '../../../server/committees/agencies.service.js';
import { agencyChangeForm } from '../../../server/committees/validation.js';
import { resetDatabase } from '../../support/database.js';
import { loadPlaces } from '../../support/places.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { PageClient } from '../../support/http.js';
import { createUser, type TestUser } from '../../support/users.js';

describe('The agency register', () => {
  let app: TestApp;
  let governor: TestUser;
  let fundManager: TestUser;

  before(async () => {
    await resetDatabase();
    await loadPlaces('0207');
    await ensureAgencyRegister();
    governor = await createUser({ role: 'governor-office', placeCode: '02' });
    fundManager = await createUser({ role: 'fund-manager', placeCode: '02' });
    app = await startTestApp();
  });
  after(() => app.stop());

  it('starts with the ten agencies of seed 002, and adding them again changes nothing', async () => {
    expect(await Agency.countDocuments({ province: '02' })).to.equal(10);
    expect(await ensureAgencyRegister()).to.equal(0);
  });

  it('lets the governor’s office add an agency and give it an officer', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, governor.password);
    const added = await browser.post('/agencies', { code: 'nomad-affairs', nameFa: 'اداره کل امور عشایر', nameEn: 'Nomad Affairs Directorate' }, { from: '/agencies' });
    expect(added.path).to.equal('/agencies/nomad-affairs');
    expect(added.text).to.contain('«اداره کل امور عشایر» به فهرست دستگاه‌ها افزوده شد.');

    const form = await browser.get('/admin/users/new');
    expect(form.text).to.contain('اداره کل امور عشایر');
    const user = await browser.post('/admin/users', { username: 'nomads.officer', displayName: 'کارشناس عشایر', password: 'a-long-password', role: 'agency-officer', placeCode: '02', agency: 'nomad-affairs', lang: 'fa' }, { from: '/admin/users/new' });
    expect(user.path).to.equal('/admin/users');
    expect(user.text).to.contain('اداره کل امور عشایر');
    expect((await User.findOne({ username: 'nomads.officer' }).setOptions({ scope: 'system' }).lean())!.agency).to.equal('nomad-affairs');
  });

  it('refuses an officer for an agency that is not in the register, and a code taken twice', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, governor.password);
    const user = await browser.post('/admin/users', { username: 'ghost.officer', displayName: 'نامعلوم', password: 'a-long-password', role: 'agency-officer', placeCode: '02', agency: 'ministry-of-magic', lang: 'fa' }, { from: '/admin/users/new' });
    expect(user.text).to.contain('این دستگاه در فهرست دستگاه‌های اجرایی نیست.');
    const twice = await browser.post('/agencies', { code: 'fund', nameFa: 'صندوق دوم', nameEn: 'Second fund' }, { from: '/agencies' });
    expect(twice.text).to.contain('این شناسه برای دستگاه دیگری است.');
    expect(await User.exists({ username: 'ghost.officer' }).setOptions({ scope: 'system' })).to.equal(null);
  });

  it('reads the change form’s ticked “active” box (sent after its hidden false) as active', () => {
    const read = (active: unknown) => agencyChangeForm.body.parse({ nameFa: 'الف', nameEn: 'A', active }).active;
    expect([read(['false', 'true']), read('false'), read(undefined)]).to.deep.equal([true, false, true]);
  });

  it('lets only the governor’s office change the register', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(fundManager.username, fundManager.password);
    const page = await browser.get('/agencies');
    expect(page.text).to.contain('دفتر امور روستایی و شوراها').and.not.contain('افزودن دستگاه');
    const refused = await browser.post('/agencies', { code: 'rogue', nameFa: 'x', nameEn: 'x' }, { from: '/agencies' });
    expect(refused.status).to.equal(403);
    expect(await Agency.exists({ code: 'rogue' })).to.equal(null);
  });

  it('keeps a renamed agency’s mailbox and retires it without losing it', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, governor.password);
    await browser.get('/agencies/broadcaster');
    const saved = await browser.post('/agencies/broadcaster', { nameFa: 'صدا و سیمای مرکز مازندران', nameEn: 'IRIB Mazandaran', email: 'office@irib-mazandaran.example.ir', active: 'false' }, { from: '/agencies/broadcaster' });
    expect(saved.text).to.contain('صدا و سیمای مرکز مازندران');
    const stored = await Agency.findOne({ province: '02', code: 'broadcaster' }).lean();
    expect(stored).to.include({ email: 'office@irib-mazandaran.example.ir', active: false, changedBy: governor.username });
  });

  it('lets the governor’s office set up an ad-hoc group with people and agency seats, who are invited when it meets', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, governor.password);
    await browser.get('/committees');
    const bad = await browser.post('/committees', { kind: 'ad-hoc', name: 'گروه شهرداران داوطلب', place: '0207', chairName: 'شهردار کیاسر', people: 'شهردار الف، not-an-address' }, { from: '/committees' });
    expect(bad.text).to.contain('در یکی از سطرها رایانامه درست نیست.');
    const created = await browser.post(
      '/committees',
      { kind: 'ad-hoc', name: 'گروه شهرداران داوطلب', place: '0207', chairName: 'شهردار کیاسر', chairEmail: 'mayor@kiasar.example.ir', people: 'شهردار الف، alef@example.ir\nشهردار ب', agencies: 'urban-affairs' },
      { from: '/committees' },
    );
    expect(created.path).to.match(/^\/committees\/[0-9a-f]{24}$/);
    expect(created.text).to.contain('«گروه شهرداران داوطلب» ساخته شد.').and.contain('شهردار الف').and.contain('شهردار ب').and.contain('دفتر امور شهری و شوراها');
    const committee = await Committee.findById(created.path.split('/')[2]).setOptions({ scope: 'system' }).lean<CommitteeRecord>();
    expect(committee).to.include({ kind: 'ad-hoc', placeCode: '0207', meetsMonthly: false });

    const tomorrow = toJalali(new Date(Date.now() + 86_400_000));
    const scheduled = await browser.post(`${created.path}/meetings`, { date: formatJalaliDate(tomorrow), time: '09:00', location: 'شهرداری کیاسر', agenda: '' }, { from: created.path });
    const meetingId = scheduled.path.split('/')[2]!;
    const mail = await OutboxMessage.find({ dedupeKey: new RegExp(`^meeting:${meetingId}:0:`) }).lean<OutboxMessageRecord[]>();
    expect(mail.map((m) => m.to).sort()).to.deep.equal(['alef@example.ir', 'mayor@kiasar.example.ir']);
  });

  describe('kept per province', () => {
    let tabriz: TestUser;
    before(async () => {
      await loadPlaces('030303');
      tabriz = await createUser({ role: 'governor-office', placeCode: '03' });
    });

    it('gives East Azerbaijan its own ten agencies, which Mazandaran’s changes do not touch', async () => {
      expect(await ensureAgencyRegister()).to.equal(10);
      expect(await Agency.countDocuments({ province: '03' })).to.equal(10);
      const eastAzerbaijan = new PageClient(app.baseUrl);
      await eastAzerbaijan.login(tabriz.username, tabriz.password);
      const page = await eastAzerbaijan.get('/agencies/broadcaster');
      // Mazandaran renamed and retired its broadcaster; East Azerbaijan's is as seed 002 made it
      expect(page.text).to.not.contain('صدا و سیمای مرکز مازندران');
      expect(await Agency.findOne({ province: '03', code: 'broadcaster' }).lean()).to.include({ active: true, changedBy: null });
    });

    it('answers 404 for another province’s added agency, and lets each province add the same code for itself', async () => {
      const eastAzerbaijan = new PageClient(app.baseUrl);
      await eastAzerbaijan.login(tabriz.username, tabriz.password);
      expect((await eastAzerbaijan.get('/agencies/nomad-affairs')).status).to.equal(404);
      await eastAzerbaijan.get('/agencies');
      const changed = await eastAzerbaijan.post('/agencies/nomad-affairs', { nameFa: 'ربوده', nameEn: 'Taken over', active: 'false' }, { from: '/agencies' });
      expect(changed.status).to.equal(404);
      expect(await Agency.findOne({ province: '02', code: 'nomad-affairs' }).lean()).to.include({ nameFa: 'اداره کل امور عشایر', active: true });
      const added = await eastAzerbaijan.post('/agencies', { code: 'nomad-affairs', nameFa: 'اداره کل امور عشایر آذربایجان شرقی', nameEn: 'Nomad Affairs, East Azerbaijan' }, { from: '/agencies' });
      expect(added.path).to.equal('/agencies/nomad-affairs');
      const list = (await eastAzerbaijan.get('/agencies')).text;
      expect(list, list.slice(0, 300)).to.contain('اداره کل امور عشایر آذربایجان شرقی');
      const mazandaran = new PageClient(app.baseUrl);
      await mazandaran.login(governor.username, governor.password);
      expect((await mazandaran.get('/agencies')).text).to.not.contain('آذربایجان شرقی');
    });
  });
});
