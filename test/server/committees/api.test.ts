import { expect } from 'chai';
import { OutboxMessage, type OutboxMessageRecord } from '../../../models/outbox-message.model.js';
import { Meeting } from '../../../models/meeting.model.js';
import { Resolution } from '../../../models/resolution.model.js';
import { ensureAgencyRegister } from '../../../server/committees/agencies.service.js';
import { formatJalaliDate, toJalali } from '../../../server/shared/jalali.js';
import { resetDatabase } from '../../support/database.js';
import { loadPlaces } from '../../support/places.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { api } from '../../support/http.js';
import { apiToken, createUser } from '../../support/users.js';

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000);
const jalaliText = (instant: Date) => formatJalaliDate(toJalali(instant));

describe('The committees API', () => {
  let app: TestApp;
  let governor: ReturnType<typeof api>;
  let sari: ReturnType<typeof api>;
  let ruralOfficer: ReturnType<typeof api>;
  let fundOfficer: ReturnType<typeof api>;
  let sariCommittee: string;
  let amolCommittee: string;

  before(async () => {
    await resetDatabase();
    await loadPlaces('0207', '0201');
    await ensureAgencyRegister();
    app = await startTestApp();
    governor = api(app.baseUrl, await apiToken(await createUser({ role: 'governor-office', placeCode: '02' })));
    sari = api(app.baseUrl, await apiToken(await createUser({ role: 'county-governor', placeCode: '0207' })));
    ruralOfficer = api(app.baseUrl, await apiToken(await createUser({ role: 'agency-officer', placeCode: '02', agency: 'rural-affairs' })));
    fundOfficer = api(app.baseUrl, await apiToken(await createUser({ role: 'agency-officer', placeCode: '02', agency: 'fund' })));
  });
  after(() => app.stop());

  it('lists the executive agencies of the register with their Persian names', async () => {
    const response = await sari.get('/api/v1/agencies');
    expect(response.status).to.equal(200);
    const rural = response.body.agencies.find((a: { code: string }) => a.code === 'rural-affairs');
    expect(rural).to.include({ name: 'دفتر امور روستایی و شوراها', nameEn: 'Rural Affairs and Councils Office', active: true });
    expect(response.body.agencies).to.have.length(10);
  });

  it('creates committees and lists those at a place and below', async () => {
    const created = await governor.post('/api/v1/committees', { kind: 'county-strategic', place: '0207', name: 'ستاد راهبردی شهرستان ساری', meetsMonthly: true });
    expect(created.status).to.equal(201);
    sariCommittee = created.body.id;
    amolCommittee = (await governor.post('/api/v1/committees', { kind: 'county-strategic', place: '0201', name: 'ستاد راهبردی شهرستان آمل', meetsMonthly: true })).body.id;
    await governor.post('/api/v1/committees', {
      kind: 'provincial-strategic',
      place: '02',
      name: 'ستاد راهبردی استان مازندران',
      meetsMonthly: true,
      members: [{ kind: 'agency', agency: 'rural-affairs' }, { kind: 'person', name: 'مدیرکل صندوق', email: 'fund.director@example.ir' }],
    });

    const inSari = await governor.get('/api/v1/committees?place=0207');
    expect(inSari.body).to.deep.equal([{ id: sariCommittee, kind: 'county-strategic', name: 'ستاد راهبردی شهرستان ساری', place: '0207', meetsMonthly: true }]);
    const provincial = await governor.get('/api/v1/committees?place=02&kind=provincial-strategic');
    expect(provincial.body.map((c: { name: string }) => c.name)).to.deep.equal(['ستاد راهبردی استان مازندران']);
    expect((await governor.get('/api/v1/committees?place=02')).body).to.have.length(3);
  });

  it('refuses a second county committee for the same county, and a county committee at a province', async () => {
    const twice = await governor.post('/api/v1/committees', { kind: 'county-strategic', place: '0207', name: 'دوباره', meetsMonthly: true });
    expect(twice.status).to.equal(409);
    expect(twice.body.error.fields).to.deep.equal({ place: 'این شهرستان ستاد راهبردی دارد.' });
    const wrongLevel = await governor.post('/api/v1/committees', { kind: 'county-strategic', place: '02', name: 'نادرست', meetsMonthly: true });
    expect(wrongLevel.body.error.fields).to.deep.equal({ place: 'ستاد راهبردی شهرستان باید در سطح شهرستان باشد.' });
  });

  it('lets the county governor schedule their own committee’s meeting, not another county’s', async () => {
    const own = await sari.post(`/api/v1/committees/${sariCommittee}/meetings`, { startsAt: inDays(3).toISOString(), location: 'فرمانداری ساری', agenda: 'پیشرفت سهمیه دهیاران' });
    expect(own.status).to.equal(201);
    const other = await sari.post(`/api/v1/committees/${amolCommittee}/meetings`, { startsAt: inDays(3).toISOString(), location: 'فرمانداری آمل' });
    expect(other.status).to.equal(403);
    expect(other.body.error).to.deep.equal({ code: 'outOfScope', message: 'این مکان خارج از محدوده مسئولیت شماست.' });
    expect(await Meeting.countDocuments({ committee: amolCommittee }).setOptions({ scope: 'system' })).to.equal(0);
  });

  it('refuses a meeting in the past, naming the field, and writes nothing', async () => {
    const before = await Meeting.countDocuments({}).setOptions({ scope: 'system' });
    const past = await sari.post(`/api/v1/committees/${sariCommittee}/meetings`, { startsAt: inDays(-1).toISOString(), location: 'فرمانداری ساری' });
    expect(past.status).to.equal(400);
    expect(past.body.error.fields).to.deep.equal({ startsAt: 'زمان جلسه گذشته است؛ جلسه را برای آینده تعیین کنید، یا اگر برگزار شده «ثبت جلسه‌ای که برگزار شده است» را بزنید.' });
    expect(await Meeting.countDocuments({}).setOptions({ scope: 'system' })).to.equal(before);
  });

  it('accepts a Jalali start time in Tehran, and invites the members by e-mail with a calendar entry', async () => {
    const start = inDays(10);
    const provincial = (await governor.get('/api/v1/committees?place=02&kind=provincial-strategic')).body[0].id;
    const created = await governor.post(`/api/v1/committees/${provincial}/meetings`, { startsAt: `${jalaliText(start)} 10:00`, location: 'استانداری مازندران' });
    expect(created.status).to.equal(201);
    const meeting = await Meeting.findById(created.body.id).setOptions({ scope: 'system' }).lean();
    expect(toJalali(meeting!.startsAt)).to.include({ hour: 10, minute: 0 });
    const mail = await OutboxMessage.find({ dedupeKey: new RegExp(`^meeting:${created.body.id}:`) }).lean<OutboxMessageRecord[]>();
    expect(mail.map((m) => m.to)).to.deep.equal(['fund.director@example.ir']);
    expect(mail[0]!.subject).to.contain('دعوت به جلسه ستاد راهبردی استان مازندران');
    expect(mail[0]!.attachments![0]!.content).to.contain('DTSTART;TZID=Asia/Tehran:').and.contain('T100000');
  });

  describe('resolutions and updates', () => {
    let meetingId: string;
    let ruralResolution: string;

    before(async () => {
      meetingId = (await governor.post(`/api/v1/committees/${sariCommittee}/meetings`, { startsAt: inDays(2).toISOString(), location: 'فرمانداری ساری' })).body.id;
    });

    it('numbers the resolutions of a meeting in order', async () => {
      const first = await sari.post(`/api/v1/meetings/${meetingId}/resolutions`, {
        text: 'تخصیص سهمیه اجباری بیمه روستاییان به دهیاران',
        agency: 'rural-affairs',
        collaborators: ['fund'],
        deadline: { type: 'within', months: 1 },
      });
      expect(first.status).to.equal(201);
      expect(first.body.number).to.equal(1);
      ruralResolution = first.body.id;
      const second = await sari.post(`/api/v1/meetings/${meetingId}/resolutions`, { text: 'گزارش ماهانه به دفتر سیاسی', agency: 'political', deadline: { type: 'monthly' } });
      expect(second.body.number).to.equal(2);
    });

    it('refuses a deadline before the meeting and an unknown agency, writing nothing', async () => {
      const early = await sari.post(`/api/v1/meetings/${meetingId}/resolutions`, { text: 'x', agency: 'fund', deadline: { type: 'date', date: '1390/01/01' } });
      expect(early.status).to.equal(400);
      expect(early.body.error.fields).to.deep.equal({ deadline: 'مهلت پیش از تاریخ جلسه است.' });
      const unknown = await sari.post(`/api/v1/meetings/${meetingId}/resolutions`, { text: 'x', agency: 'ministry-of-magic', deadline: { type: 'within', months: 1 } });
      expect(unknown.status).to.equal(400);
      expect(unknown.body.error.fields).to.deep.equal({ agency: 'این دستگاه در فهرست دستگاه‌های اجرایی نیست.' });
      expect(await Resolution.countDocuments({ meeting: meetingId }).setOptions({ scope: 'system' })).to.equal(2);
    });

    it('takes progress updates only from the officers of the responsible agency', async () => {
      const own = await ruralOfficer.post(`/api/v1/resolutions/${ruralResolution}/updates`, { text: 'سهمیه ۵۰ دهیاری ابلاغ شد', progress: 40 });
      expect(own.status).to.equal(201);
      const other = await fundOfficer.post(`/api/v1/resolutions/${ruralResolution}/updates`, { text: 'من هم', progress: 90 });
      expect(other.status).to.equal(403);
      expect(other.body.error.message).to.equal('گزارش این تعهد را فقط کارشناسان دستگاه مسئول آن ثبت می‌کنند.');
      const list = await governor.get('/api/v1/resolutions?agency=rural-affairs');
      expect(list.body.resolutions).to.have.length(1);
      expect(list.body.resolutions[0]).to.include({ status: 'in-progress', state: 'in-progress', progress: 40, number: 1 });
    });

    it('filters by status and committee', async () => {
      expect((await governor.get(`/api/v1/resolutions?committee=${sariCommittee}`)).body.resolutions).to.have.length(2);
      expect((await governor.get('/api/v1/resolutions?status=open')).body.resolutions.map((r: { agency: string }) => r.agency)).to.deep.equal(['political']);
      expect((await governor.get('/api/v1/resolutions?status=overdue')).body.resolutions).to.deep.equal([]);
    });

    it('refuses an update on a cancelled resolution', async () => {
      expect((await governor.post(`/api/v1/resolutions/${ruralResolution}/updates`, { text: 'لغو به دستور استاندار', status: 'cancelled' })).status).to.equal(201);
      const late = await ruralOfficer.post(`/api/v1/resolutions/${ruralResolution}/updates`, { text: 'گزارش دیرهنگام', progress: 60 });
      expect(late.status).to.equal(409);
      expect(late.body.error.message).to.equal('این مصوبه لغو شده و گزارش تازه نمی‌پذیرد.');
    });
  });

  it('gives the compliance grid of a province’s monthly committees', async () => {
    const year = toJalali(new Date()).year;
    const response = await governor.get(`/api/v1/committees/compliance?place=02&year=${year}`);
    expect(response.status).to.equal(200);
    expect(response.body.committees.map((c: { place: string }) => c.place)).to.deep.equal(['02', '0201', '0207']);
    const sariRow = response.body.committees.find((c: { id: string }) => c.id === sariCommittee);
    expect(sariRow.months).to.have.length(12);
    expect(sariRow.months.map((m: { state: string }) => m.state)).to.include('scheduled');
    const outside = await sari.get(`/api/v1/committees/compliance?place=0201&year=${year}`);
    expect(outside.status).to.equal(403);
  });
});
