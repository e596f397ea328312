import { expect } from 'chai';
import { Campaign } from '../../../models/campaign.model.js';
import { Committee, type CommitteeRecord } from '../../../models/committee.model.js';
import { Quota } from '../../../models/quota.model.js';
import { Meeting, type MeetingRecord } from '../../../models/meeting.model.js';
import { Resolution, type ResolutionRecord } from '../../../models/resolution.model.js';
import { scheduleMeeting } from '../../../server/committees/meetings.service.js';
import { loadCommitteeReferenceData } from '../../../server/committees/reference-data.js';
import { ATTACHMENT_MAX_BYTES } from '../../../server/committees/updates.service.js';
import { complianceGrid } from '../../../server/committees/compliance.service.js';
import { addJalaliMonths, formatJalaliDate, fromJalali, toJalali } from '../../../server/shared/jalali.js';
import { toPersianDigits } from '../../../server/shared/persian-text.js';
import { resetDatabase } from '../../support/database.js';
import { loadPlaces } from '../../support/places.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { PageClient } from '../../support/http.js';
import { createUser, type TestUser } from '../../support/users.js';

/** Posts a multipart form (a file upload) as a browser would, with the session of a signed-in user. */
async function uploadAs(baseUrl: string, user: TestUser, path: string, fields: Record<string, string>, file?: { name: string; type: string; data: Buffer }) {
  const cookies = new Map<string, string>();
  const keep = (response: Response) => {
    for (const c of response.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, ...value] = pair!.split('=');
      cookies.set(name!, value.join('='));
    }
  };
  const cookie = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
  let response = await fetch(`${baseUrl}/login`);
  keep(response);
  response = await fetch(`${baseUrl}/login`, { method: 'POST', redirect: 'manual', headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ login: user.username, password: user.password, _csrf: csrfOf(await response.text()) }) });
  keep(response);
  response = await fetch(`${baseUrl}${path}`, { headers: { cookie: cookie() } });
  const page = await response.text();
  const action = /enctype="multipart\/form-data"/.test(page) ? /action="([^"]+)" enctype="multipart\/form-data"/.exec(page)![1]!.replace(/&amp;/g, '&') : path;
  const form = new FormData();
  // the upload form carries its CSRF token in the body, like every form
  form.set('_csrf', csrfOf(page));
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append('attachment', new Blob([new Uint8Array(file.data)], { type: file.type }), file.name);
  response = await fetch(`${baseUrl}${action}`, { method: 'POST', redirect: 'manual', headers: { cookie: cookie(), referer: `${baseUrl}${path}` }, body: form });
  const location = response.headers.get('location');
  const after = await fetch(`${baseUrl}${location ?? path}`, { headers: { cookie: cookie() } });
  return { status: response.status, location, html: await after.text(), get: async (p: string) => fetch(`${baseUrl}${p}`, { headers: { cookie: cookie() } }) };
}

const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from('1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n')]);

describe('The committee pages', () => {
  let app: TestApp;
  let governor: TestUser;
  let sari: TestUser;
  let ruralOfficer: TestUser;
  let provincial: CommitteeRecord;
  let seedMeeting: MeetingRecord;
  let villageHeadsResolution: ResolutionRecord;

  before(async function () {
    this.timeout(120_000);
    await resetDatabase();
    await loadPlaces('02');
    await loadCommitteeReferenceData();
    governor = await createUser({ role: 'governor-office', placeCode: '02' });
    sari = await createUser({ role: 'county-governor', placeCode: '0207' });
    ruralOfficer = await createUser({ role: 'agency-officer', placeCode: '02', agency: 'rural-affairs' });
    provincial = (await Committee.findOne({ kind: 'provincial-strategic' }).setOptions({ scope: 'system' }).lean<CommitteeRecord>())!;
    seedMeeting = (await Meeting.findOne({ committee: provincial._id, month: '1397-05' }).setOptions({ scope: 'system' }).lean<MeetingRecord>())!;
    villageHeadsResolution = (await Resolution.findOne({ agency: 'rural-affairs' }).setOptions({ scope: 'system' }).lean<ResolutionRecord>())!;
    // many logins from one address in this file
    app = await startTestApp({ LOGIN_RATE_LIMIT: '1000' });
  });
  after(() => app.stop());

  it('show the meeting of 3 Mordad 1397 with its attendance, minutes and nine resolutions', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, governor.password);
    const page = await browser.get(`/meetings/${String(seedMeeting._id)}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('۳ مرداد ۱۳۹۷').and.contain('صورتجلسه تأییدشده').and.contain('مدیرعامل صندوق (واعظ‌مهدوی)');
    expect(page.html.match(/<tr class="s-/g)).to.have.length(9);
    expect(page.text).to.contain('شهرداران شهرهای زیر ۲۰ هزار نفر').and.contain('دفتر امور شهری و شوراها').and.contain('ظرف ۱ ماه (تا ۳ شهریور ۱۳۹۷)');
    expect(page.text).to.contain('ثبت برگزاری').and.contain('demo.governor');
  });

  it('offer the meeting as a calendar file with the invitation’s UID, in Tehran time', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, governor.password);
    const ics = await browser.get(`/meetings/${String(seedMeeting._id)}/calendar.ics`);
    expect(ics.headers.get('content-type')).to.equal('text/calendar; charset=utf-8');
    // 1397 still had summer time (+04:30); the calendar file states Tehran as +03:30 all year (Iran dropped DST in 1401),
    // consistently in VTIMEZONE and DTSTART, so a calendar shows the same instant
    expect(ics.html).to.contain(`UID:meeting-${String(seedMeeting._id)}@`).and.contain('DTSTART;TZID=Asia/Tehran:20180725T090000').and.contain('TZOFFSETTO:+0330');
  });

  it('show a committee with its members, meetings and resolutions', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, governor.password);
    const page = await browser.get(`/committees/${String(provincial._id)}`);
    expect(page.text).to.contain('استاندار مازندران').and.contain('صدا و سیمای مرکز استان').and.contain('دفتر مرکزی صندوق');
    expect(page.text).to.contain('تعیین جلسه');
  });

  it('give the governor’s office one page of overdue commitments by agency and counties that have not met', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, governor.password);
    const page = await browser.get('/overview');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('تعهدات گذشته از مهلت، به تفکیک دستگاه').and.contain('صدا و سیمای مرکز استان');
    const notMet = page.html.split('ستادهایی که در')[1]!;
    expect(notMet).to.contain('ساری');
    expect(page.text).not.to.contain('اطلاع‌رسانی مستمر به مردم برای معرفی صندوق در رسانه استانی توسط صداوسیمای استان، با پیگیری مدیریت صندوق. دفتر امور شهری');
  });

  it('let the county governor schedule this month’s meeting and see it in the compliance grid', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(sari.username, sari.password);
    const committeePage = await browser.get('/committees');
    const sariCommittee = /href="\/committees\/([0-9a-f]{24})">ستاد راهبردی صندوق در شهرستان ساری/.exec(committeePage.html)![1]!;
    const soon = new Date(Date.now() + 2 * 3600_000);
    const j = toJalali(soon);
    const scheduled = await browser.post(`/committees/${sariCommittee}/meetings`, { date: toPersianDigits(formatJalaliDate(j)), time: '۲۳:۵۹', location: 'فرمانداری ساری', agenda: 'پیگیری سهمیه دهیاران' }, { from: `/committees/${sariCommittee}` });
    expect(scheduled.path).to.match(/^\/meetings\/[0-9a-f]{24}$/);
    expect(scheduled.text).to.contain('جلسه برای').and.contain('تعیین شد');
    const grid = await browser.get('/committees/compliance');
    expect(grid.text).to.contain('ساری').and.contain('تعیین شده');
  });

  it('refuse a meeting in the past beside the date, and another county’s committee', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(sari.username, sari.password);
    const sariCommittee = (await Committee.findOne({ placeCode: '0207' }).setOptions({ scope: 'system' }).lean<CommitteeRecord>())!;
    const past = await browser.post(`/committees/${String(sariCommittee._id)}/meetings`, { date: '1400/01/01', time: '10:00', location: 'فرمانداری ساری' }, { from: `/committees/${String(sariCommittee._id)}` });
    expect(past.text).to.contain('زمان جلسه گذشته است');
    const amol = (await Committee.findOne({ placeCode: '0201' }).setOptions({ scope: 'system' }).lean<CommitteeRecord>())!;
    expect((await browser.get(`/committees/${String(amol._id)}`)).status).to.equal(403);
  });

  it('let the county governor record a past meeting as held in one step, counted in that month', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(sari.username, sari.password);
    const committee = (await Committee.findOne({ placeCode: '0207' }).setOptions({ scope: 'system' }).lean<CommitteeRecord>())!;
    const from = `/committees/${String(committee._id)}`;
    const lastMonth = addJalaliMonths({ ...toJalali(new Date()), day: 10 }, -1);
    const page = await browser.post(`${from}/meetings/held`, { date: toPersianDigits(formatJalaliDate(lastMonth)), time: '۱۰:۰۰', location: 'فرمانداری ساری', attendees: 'فرماندار ساری\nمدیر صندوق شهرستان', minutes: 'پیگیری سهمیهٔ دهیاران' }, { from });
    expect(page.path).to.match(/^\/meetings\/[0-9a-f]{24}$/);
    expect(page.text).to.contain('برگزارشده ثبت شد').and.contain('پیگیری سهمیهٔ دهیاران');
    const grid = await complianceGrid({ place: '0207', year: lastMonth.year, scope: 'system' });
    const state = grid.committees.find((row) => row.id === String(committee._id))!.months[lastMonth.month - 1]!.state;
    expect(state).to.equal('held');
  });

  it('refuse a future time and no attendees together, keeping every typed value', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(sari.username, sari.password);
    const committee = (await Committee.findOne({ placeCode: '0207' }).setOptions({ scope: 'system' }).lean<CommitteeRecord>())!;
    const from = `/committees/${String(committee._id)}`;
    const next = addJalaliMonths({ ...toJalali(new Date()), day: 10 }, 1);
    const page = await browser.post(`${from}/meetings/held`, { date: formatJalaliDate(next), time: '10:00', location: 'سالن اجتماعات', attendees: '', minutes: 'متن نوشته‌شده' }, { from });
    expect(page.path).to.equal(from);
    expect(page.text).to.contain('این زمان هنوز نرسیده است').and.contain('نام دست‌کم یک حاضر را بنویسید');
    expect(page.html).to.contain('value="سالن اجتماعات"').and.contain('متن نوشته‌شده</textarea>');
  });

  it('filter the tracker by status and agency', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, governor.password);
    const done = await browser.get('/resolutions?agency=urban-affairs');
    expect(done.text).to.contain('شهرداران شهرهای زیر ۲۰ هزار نفر').and.contain('انجام‌شده');
    expect(done.html.match(/<tr class="s-/g)).to.have.length(1);
    const overdue = await browser.get('/resolutions?status=overdue');
    expect(overdue.html.match(/<tr class="s-overdue/g)).to.have.length(8);
  });

  it('show an agency what it owes, what it delivered and its on-time rate', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, governor.password);
    const page = await browser.get('/agencies/rural-affairs');
    // 8 monthly reports fell due (Mordad to Esfand 1397): 2 on time, 1 late, 5 overdue
    expect(page.text).to.contain('از ۸ دوره سررسیدشده: ۲ به‌موقع، ۱ با تأخیر، ۵ گذشته از مهلت');
    expect(page.text).to.contain('۲۵٪');
    const list = await browser.get('/agencies');
    expect(list.text).to.contain('فرمانداری‌های استان');
  });

  it('take an agency officer’s progress update with a PDF and give the same file back', async () => {
    const path = `/resolutions/${String(villageHeadsResolution._id)}`;
    const ok = await uploadAs(app.baseUrl, ruralOfficer, path, { text: 'گزارش آبان: ۱۲۰ دهیاری سهمیه را پذیرفتند', progress: '۶۰' }, { name: 'گزارش.pdf', type: 'application/pdf', data: PDF });
    expect(ok.status).to.equal(303);
    expect(ok.html).to.contain('گزارش پیشرفت ثبت شد.').and.contain('گزارش آبان').and.contain('گزارش.pdf');
    const link = /href="(\/updates\/[0-9a-f]{24}\/attachment)"/.exec(ok.html)![1]!;
    const download = await ok.get(link);
    expect(download.status).to.equal(200);
    expect(download.headers.get('content-type')).to.equal('application/pdf');
    expect(Buffer.from(await download.arrayBuffer()).equals(PDF)).to.equal(true);
  });

  it('refuse an oversized or wrong-type attachment beside the field, recording nothing', async () => {
    const path = `/resolutions/${String(villageHeadsResolution._id)}`;
    const before = (await Resolution.findById(villageHeadsResolution._id).setOptions({ scope: 'system' }).lean<ResolutionRecord>())!.history.length;
    const big = await uploadAs(app.baseUrl, ruralOfficer, path, { text: 'بزرگ' }, { name: 'big.pdf', type: 'application/pdf', data: Buffer.concat([PDF, Buffer.alloc(ATTACHMENT_MAX_BYTES)]) });
    expect(big.html).to.contain('پیوست بزرگ‌تر از حد مجاز (۲ مگابایت) است.');
    const exe = await uploadAs(app.baseUrl, ruralOfficer, path, { text: 'برنامه' }, { name: 'report.pdf', type: 'application/pdf', data: Buffer.from('MZ\x90\x00 not a pdf') });
    expect(exe.html).to.contain('پیوست باید پی‌دی‌اف یا تصویر پی‌ان‌جی/جی‌پگ باشد.');
    const after = (await Resolution.findById(villageHeadsResolution._id).setOptions({ scope: 'system' }).lean<ResolutionRecord>())!.history.length;
    expect(after).to.equal(before);
  });

  it('link the village heads’ resolution to the quotas it created', async () => {
    const campaign = await new Campaign({ name: 'پویش ۱۳۹۷ مازندران', year: 1397, startsAt: fromJalali({ year: 1397, month: 1, day: 1 }), endsAt: fromJalali({ year: 1398, month: 1, day: 1 }), townThreshold: 20000, createdBy: governor._id, province: '02', placePath: ['02'] }).save();
    for (const [placeCode, target] of [['0207000001', 40], ['0207000002', 60]] as const) {
      await new Quota({ campaign: campaign._id, placeCode, holderLevel: 'village', target, updatedBy: governor._id, province: '02', placePath: ['02', '0207', placeCode] }).save();
    }
    await new Quota({ campaign: campaign._id, placeCode: '020701', holderLevel: 'district', target: 500, updatedBy: governor._id, province: '02', placePath: ['02', '0207', '020701'] }).save();
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, governor.password);
    const page = await browser.get(`/resolutions/${String(villageHeadsResolution._id)}`);
    expect(page.text).to.contain('سهمیه دهیاران').and.contain('پویش ۱۳۹۷ مازندران').and.contain('۲ سهمیه، جمعاً ۱۰۰ نفر');
    expect(page.html).to.contain(`href="/campaigns/${String(campaign._id)}"`);
  });

  it('refuse minutes on a meeting not yet held', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(sari.username, sari.password);
    const upcoming = (await Meeting.findOne({ state: 'scheduled', placePath: '0207' }).setOptions({ scope: 'system' }).lean<MeetingRecord>())!;
    const page = await browser.post(`/meetings/${String(upcoming._id)}/minutes`, { minutes: 'صورتجلسه پیش از جلسه' }, { from: `/meetings/${String(upcoming._id)}` });
    expect(page.text).to.contain('صورتجلسه را پس از ثبت برگزاری جلسه بنویسید.');
    expect((await Meeting.findById(upcoming._id).setOptions({ scope: 'system' }).lean<MeetingRecord>())!.minutes).to.equal(undefined);
  });

  it('speak English when asked', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, governor.password);
    await browser.get('/lang/en?next=/overview');
    const page = await browser.get('/overview');
    expect(page.text).to.contain('Overdue commitments by agency').and.contain('Provincial broadcaster');
  });

  it('record a resolution from the meeting page, and refuse a deadline before the meeting beside the field', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, governor.password);
    const path = `/meetings/${String(seedMeeting._id)}`;
    await browser.get(path);
    const refused = await browser.post(`${path}/resolutions`, { text: 'گزارش عملکرد به دفتر مرکزی', agency: 'fund', deadlineType: 'date', deadlineDate: '۱۳۹۶/۰۱/۰۱' }, { from: path });
    expect(refused.path).to.equal(path);
    expect(refused.html).to.match(/<small class="error">مهلت پیش از تاریخ جلسه است.<\/small>/);
    const added = await browser.post(`${path}/resolutions`, { text: 'گزارش عملکرد به دفتر مرکزی', agency: 'fund', collaborators: 'political', deadlineType: 'within', withinMonths: '۲', communicatedOn: '۱۳۹۷/۰۵/۲۳' }, { from: path });
    expect(added.text).to.contain('مصوبه شماره ۱۰ ثبت شد.');
    const tenth = (await Resolution.findOne({ meeting: seedMeeting._id, number: 10 }).setOptions({ scope: 'system' }).lean<ResolutionRecord>())!;
    expect(tenth.dueOn).to.deep.include({ year: 1397, month: 7, day: 23 });
    expect(tenth.collaborators).to.deep.equal(['political']);
    expect(tenth.history[0]).to.include({ by: governor.username, action: 'recorded' });
  });

  it('take a meeting from scheduled through held and minutes to approved, and move or cancel another', async () => {
    const governorActor = { id: String(governor._id), username: governor.username, role: 'governor-office' as const, placeCode: '02', province: '02', lang: 'fa' as const };
    const workingGroup = (await Committee.findOne({ kind: 'special-working-group' }).setOptions({ scope: 'system' }).lean<CommitteeRecord>())!;
    const mail = { from: 'no-reply@localhost', publicUrl: 'http://localhost' };
    const hourAgo = new Date(Date.now() - 3600_000);
    const past = await scheduleMeeting(governorActor, String(workingGroup._id), { startsAt: hourAgo, location: 'معاونت سیاسی' }, mail, new Date(Date.now() - 86_400_000));
    const browser = new PageClient(app.baseUrl);
    await browser.login(governor.username, governor.password);
    const path = `/meetings/${String(past._id)}`;
    await browser.get(path);
    const held = await browser.post(`${path}/held`, { present: 'معاون سیاسی، امنیتی و اجتماعی استاندار', others: 'نماینده فرمانداری ساری' }, { from: path });
    expect(held.text).to.contain('برگزاری جلسه و حاضران ثبت شد.').and.contain('نماینده فرمانداری ساری — حاضر').and.contain('دفتر امور شهری و شوراها — غایب');
    const early = await browser.post(`${path}/minutes/approve`, {}, { from: path });
    expect(early.text).to.contain('پیش از تأیید، صورتجلسه را بنویسید.');
    await browser.post(`${path}/minutes`, { minutes: 'گزارش ماهانه به استاندار تهیه شد.' }, { from: path });
    const approved = await browser.post(`${path}/minutes/approve`, {}, { from: path });
    expect(approved.text).to.contain('صورتجلسه تأیید شد.').and.contain('صورتجلسه تأییدشده').and.contain('گزارش ماهانه به استاندار تهیه شد.');

    const future = await scheduleMeeting(governorActor, String(workingGroup._id), { startsAt: new Date(Date.now() + 3 * 86_400_000), location: 'معاونت سیاسی' }, mail);
    const next = `/meetings/${String(future._id)}`;
    await browser.get(next);
    const target = toJalali(new Date(Date.now() + 5 * 86_400_000));
    const moved = await browser.post(`${next}/reschedule`, { date: formatJalaliDate(target), time: '11:30', location: 'استانداری' }, { from: next });
    expect(moved.text).to.contain('جلسه به').and.contain('۱۱:۳۰').and.contain('تغییر زمان توسط');
    const cancelled = await browser.post(`${next}/cancel`, { reason: 'سفر استاندار' }, { from: next });
    expect(cancelled.text).to.contain('جلسه لغو شد').and.contain('لغوشده').and.contain('سفر استاندار');
    const again = await browser.post(`${next}/cancel`, { reason: 'دوباره' }, { from: next });
    expect(again.text).to.contain('این جلسه دیگر در وضعیت «تعیین‌شده» نیست.');
  });
});
