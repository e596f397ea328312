import { expect } from 'chai';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { Types } from 'mongoose';
import { Campaign } from '../../models/campaign.model.js';
import { Committee } from '../../models/committee.model.js';
import { Enrolment } from '../../models/enrolment.model.js';
import { NotificationPreference } from '../../models/notification-preference.model.js';
import { Place, type PlaceRecord } from '../../models/place.model.js';
import { placeFields } from '../../models/plugins/place-scoped.js';
import { Quota } from '../../models/quota.model.js';
import { ReportSnapshot } from '../../models/report-snapshot.model.js';
import { Resolution } from '../../models/resolution.model.js';
import { deliverDue } from '../../jobs/deliver-outbox.js';
import { monthlyReportJob } from '../../jobs/monthly-report.js';
import { Scheduler } from '../../jobs/scheduler.js';
import { toAuthUser } from '../../server/auth/auth.service.js';
import { ensureAgencyRegister } from '../../server/committees/agencies.service.js';
import { createCommittee } from '../../server/committees/committees.service.js';
import { mailSettings } from '../../server/committees/invitations.js';
import { recordHeld, scheduleMeeting } from '../../server/committees/meetings.service.js';
import { addResolution } from '../../server/committees/resolutions.service.js';
import { loadConfig } from '../../server/config.js';
import { countEnrolment } from '../../server/quotas/progress.service.js';
import { reportPdf, reportXlsx } from '../../server/reports/provincial-report.documents.js';
import { buildProvincialReport, type ProvincialReport } from '../../server/reports/provincial-report.service.js';
import { readXlsxRows } from '../../server/reports/xlsx.js';
import { fromJalali, jalaliMonthBounds } from '../../server/shared/jalali.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { resetDatabase } from '../support/database.js';
import { api, PageClient } from '../support/http.js';
import { loadPlaces } from '../support/places.js';
import { decodeMail, startSmtpServer, type TestSmtpServer } from '../support/smtp.js';
import { apiToken, createUser, type TestUser } from '../support/users.js';

const on = (month: number, day: number, hour = 7) => fromJalali({ year: 1404, month, day }, { hour });
const SARI = '0207';
const AMOL = '0201';
const KIASAR = '0207C04';

async function pdfText(pdf: Buffer): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(pdf), verbosity: 0, disableFontFace: true, useSystemFonts: false }).promise;
  const texts: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    for (const item of (await (await doc.getPage(n)).getTextContent()).items) if ('str' in item) texts.push(item.str.normalize('NFKC'));
  }
  await doc.destroy();
  return texts.join(' ');
}

interface RawEnrolment {
  place: string;
  placePath: string[];
  status: 'logged' | 'verified' | 'rejected';
  createdAt: Date;
}

describe('The monthly provincial report', function () {
  this.timeout(120_000);
  let smtp: TestSmtpServer;
  let config: ReturnType<typeof loadConfig>;
  let governor: TestUser;
  let campaignId: Types.ObjectId;
  let places: Map<string, PlaceRecord>;

  /** Figures computed straight from the enrolment documents, without counters: what the report must say. */
  async function countedFromEnrolments(county: string, monthEnd: Date, monthStart: Date) {
    const all = await Enrolment.find({ campaign: campaignId }).setOptions({ scope: 'system' }).lean<RawEnrolment[]>();
    const mine = all.filter((e) => e.placePath.includes(county) && e.createdAt < monthEnd && e.status !== 'rejected');
    return {
      logged: mine.length,
      verified: mine.filter((e) => e.status === 'verified').length,
      loggedThisMonth: mine.filter((e) => e.createdAt >= monthStart).length,
    };
  }

  before(async () => {
    await resetDatabase();
    await loadPlaces(SARI, AMOL, '0303030001'); // and a corner of East Azerbaijan: another province
    await ensureAgencyRegister();
    smtp = await startSmtpServer();
    config = loadConfig({ NODE_ENV: 'test', SMTP_URL: smtp.url, PUBLIC_URL: 'https://tracker.example.ir', MAIL_FROM: 'tracker@example.ir' });
    governor = await createUser({ role: 'governor-office', placeCode: '02', username: 'office.report' });
    const fund = await createUser({ role: 'fund-manager', placeCode: '02', username: 'fund.report', lang: 'en' });
    await NotificationPreference.create({ user: governor._id, email: 'governor@example.ir' });
    await NotificationPreference.create({ user: fund._id, email: 'fund@example.ir' });

    places = new Map((await Place.find({ province: '02' }).setOptions({ scope: 'system' }).lean<PlaceRecord[]>()).map((p) => [p.code, p]));
    const campaign = await Campaign.create({
      name: 'پویش ۱۴۰۴ مازندران',
      year: 1404,
      startsAt: on(1, 1, 0),
      endsAt: fromJalali({ year: 1405, month: 1, day: 1 }),
      townThreshold: 20000,
      createdBy: governor._id,
      ...placeFields({ code: '02', province: '02', ancestors: [] }),
    });
    campaignId = campaign._id;
    for (const [code, target, holderLevel] of [[SARI, 50, 'county'], [AMOL, 30, 'county'], [KIASAR, 20, 'town']] as const) {
      await Quota.create({ campaign: campaignId, placeCode: code, holderLevel, target, updatedBy: governor._id, ...placeFields(places.get(code)!) });
    }

    // 60 enrolments in Shahrivar and Mehr at three towns of Sari and Amol; some verified, some rejected
    const towns = [KIASAR, ...[...places.values()].filter((p) => p.level === 'city' && p.code !== KIASAR).map((p) => p.code).filter((c) => c.startsWith(SARI)).slice(0, 1), [...places.values()].find((p) => p.level === 'city' && p.code.startsWith(AMOL))!.code];
    for (let i = 0; i < 60; i++) {
      const place = places.get(towns[i % towns.length]!)!;
      const createdAt = i < 35 ? on(6, 1 + (i % 28), 9) : on(7, 1 + (i % 20), 9);
      const status = i % 7 === 0 ? 'rejected' : i % 3 === 0 ? 'verified' : 'logged';
      await Enrolment.collection.insertOne({
        campaign: campaignId,
        place: place.code,
        ...placeFields(place),
        nationalId: String(1000000000 + i),
        status,
        createdAt,
        ...(status === 'verified' ? { verifiedAt: new Date(createdAt.getTime() + 86_400_000) } : {}),
      });
      // what the enrolment service does, as one net change: the counters follow each enrolment's current state
      await countEnrolment({ campaignId, place: { code: place.code, province: '02', ancestors: place.ancestors }, logged: status === 'rejected' ? 0 : 1, verified: status === 'verified' ? 1 : 0, at: createdAt });
    }

    const office = toAuthUser(governor);
    const sariCommittee = await createCommittee(office, { kind: 'county-strategic', place: SARI, name: 'ستاد راهبردی شهرستان ساری', meetsMonthly: true });
    await createCommittee(office, { kind: 'county-strategic', place: AMOL, name: 'ستاد راهبردی شهرستان آمل', meetsMonthly: true });
    // both committees have existed since the start of the year
    await Committee.collection.updateMany({}, { $set: { createdAt: on(1, 1) } });
    const meeting = await scheduleMeeting(office, String(sariCommittee._id), { startsAt: on(6, 10, 10), location: 'فرمانداری ساری' }, mailSettings(config), on(6, 1));
    await recordHeld(office, String(meeting._id), { attendance: [] }, on(6, 10, 12));
    const resolve = async (text: string, agency: string, due: number, doneOn?: number) => {
      const r = await addResolution(office, String(meeting._id), { text, agency, deadline: { type: 'date', date: { year: 1404, month: due > 31 ? 7 : 6, day: due > 31 ? due - 31 : due } } }, on(6, 10, 12));
      if (doneOn) await Resolution.updateOne({ _id: r._id }, { $set: { status: 'done', deliveries: [{ period: 'once', doneOn: { year: 1404, month: 6, day: doneOn } }] } }).setOptions({ scope: 'system' });
    };
    await resolve('تعیین سهمیه دهیاران', 'rural-affairs', 20, 18); // done on time
    await resolve('برگزاری نشست دهیاران', 'rural-affairs', 15, 17); // done late
    await resolve('گزارش پیشرفت به استانداری', 'rural-affairs', 25); // overdue at the end of Shahrivar
    await resolve('اطلاع‌رسانی در روستاها', 'fund', 31 + 20); // due 20 Mehr: open
  });
  after(() => smtp.stop());

  it('rolls up the province with figures equal to those counted from the enrolments themselves', async () => {
    const report = await buildProvincialReport('02', '1404-06', on(7, 1, 6));
    expect(report).to.include({ month: '1404-06', closed: true });
    expect(report.province).to.deep.equal({ code: '02', name: 'مازندران' });
    const { start, end } = jalaliMonthBounds(1404, 6);
    for (const [code, target] of [[SARI, 50], [AMOL, 30]] as const) {
      const row = report.counties.find((c) => c.code === code)!;
      const counted = await countedFromEnrolments(code, end, start);
      expect(row, code).to.include({ target, ...counted });
      expect(row.percent).to.equal(Math.round((counted.logged / target) * 1000) / 10);
    }
    const province = await countedFromEnrolments('02', end, start);
    expect(report.totals).to.include({ target: 80, ...province });

    const kiasar = report.smallTowns.find((t) => t.code === KIASAR)!;
    expect(kiasar).to.include({ name: 'کیاسر', county: 'ساری', target: 20, ...(await countedFromEnrolments(KIASAR, end, start)) });

    const sari = report.compliance.find((c) => c.place === SARI)!;
    const amol = report.compliance.find((c) => c.place === AMOL)!;
    expect([sari.state, sari.heldThisYear, amol.state, amol.missedThisYear]).to.deep.equal(['held', 1, 'missed', 6]);

    const rural = report.commitments.find((a) => a.agency === 'rural-affairs')!;
    expect(rural).to.deep.include({ owed: 3, done: 2, onTime: 1, overdue: 1, open: 0 });
    expect(report.commitments.find((a) => a.agency === 'fund')).to.deep.include({ owed: 1, done: 0, overdue: 0, open: 1 });
  });

  it('gives next month its own figures: what was logged in it, and the points gained since', async () => {
    const mehr = await buildProvincialReport('02', '1404-07', on(8, 1, 6));
    const { start, end } = jalaliMonthBounds(1404, 7);
    const counted = await countedFromEnrolments('02', end, start);
    expect(mehr.totals).to.include(counted);
    const shahrivar = await buildProvincialReport('02', '1404-06', on(8, 1, 6));
    expect(mehr.totals.percentChange).to.equal(Math.round((mehr.totals.percent - shahrivar.totals.percent) * 10) / 10);
  });

  it('on the first of the month stores the snapshot and mails the governor’s office and the fund managers, with the PDF and XLSX attached', async () => {
    const results = await new Scheduler(config, [monthlyReportJob]).fire(monthlyReportJob, on(7, 1, 6));
    expect(results.map((r) => r.started)).to.deep.equal([true]);
    expect(await ReportSnapshot.countDocuments({ province: '02', month: '1404-06' }).setOptions({ scope: 'system' })).to.equal(1);
    await deliverDue({ config });
    const mails = smtp.received.map((m) => ({ ...decodeMail(m.raw), envelopeTo: m.to.join() })).sort((a, b) => a.envelopeTo.localeCompare(b.envelopeTo));
    expect(mails.map((m) => m.envelopeTo)).to.deep.equal(['fund@example.ir', 'governor@example.ir']);
    const [fundMail, governorMail] = mails;
    expect(governorMail!.subject).to.equal('گزارش ماهانه پیشرفت استان مازندران، شهریور ۱۴۰۴ (مقدماتی)');
    expect(fundMail!.subject).to.equal('Monthly progress report of مازندران, Shahrivar 1404 (preliminary)');
    expect(governorMail!.html).to.contain('ساری').and.contain('آمل').and.contain('dir="rtl"');
    expect(governorMail!.text).to.contain('https://tracker.example.ir/reports/provincial/02/1404-06');
    expect(governorMail!.attachments.map((a) => [a.filename, a.contentType])).to.deep.equal([
      ['report-02-1404-06.pdf', 'application/pdf'],
      ['report-02-1404-06.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ]);

    const text = await pdfText(governorMail!.attachments[0]!.content);
    for (const name of ['ساری', 'آمل', 'کیاسر', 'دفتر امور روستایی و شوراها']) expect(text, name).to.contain(name);

    const snapshot = (await ReportSnapshot.findOne({ province: '02', month: '1404-06' }).setOptions({ scope: 'system' }).lean<{ report: ProvincialReport }>())!.report;
    const sheets = await readXlsxRows(governorMail!.attachments[1]!.content);
    const counties = sheets['شهرستان‌ها']!;
    for (const county of snapshot.counties) {
      const row = counties.find((r) => r['کد'] === county.code)!;
      expect([row['سهمیه'], row['ثبت‌شده'], row['تأییدشده'], row['درصد'], row['ثبت در این ماه']], county.name).to.deep.equal([county.target, county.logged, county.verified, county.percent, county.loggedThisMonth]);
    }
    expect(counties.find((r) => r['کد'] === '02')!['ثبت‌شده']).to.equal(snapshot.totals.logged);

    // the next morning: nothing new is made or sent
    const before = smtp.received.length;
    await new Scheduler(config, [monthlyReportJob]).fire(monthlyReportJob, on(7, 2, 6));
    await deliverDue({ config });
    expect(smtp.received.length).to.equal(before);
  });

  it('keeps last month’s report as it was when the figures underneath change', async () => {
    const stored = (await ReportSnapshot.findOne({ province: '02', month: '1404-06' }).setOptions({ scope: 'system' }).lean<{ report: ProvincialReport }>())!.report;
    // a Shahrivar enrolment at Kiasar is rejected in Mehr
    const kiasar = places.get(KIASAR)!;
    await countEnrolment({ campaignId, place: { code: KIASAR, province: '02', ancestors: kiasar.ancestors }, logged: -1, verified: 0, at: on(6, 3, 9) });
    const recomputed = await buildProvincialReport('02', '1404-06', on(7, 5));
    expect(recomputed.totals.logged).to.equal(stored.totals.logged - 1);

    const app: TestApp = await startTestApp();
    try {
      const json = await api(app.baseUrl, await apiToken(governor)).get('/api/v1/reports/provincial?province=02&month=1404-06');
      expect(json.status).to.equal(200);
      expect(json.body.snapshot).to.equal(true);
      expect(json.body.totals.logged).to.equal(stored.totals.logged);
      expect(json.body.counties.map((c: { name: string }) => c.name)).to.include('ساری').and.include('آمل');
    } finally {
      await app.stop();
    }
    await countEnrolment({ campaignId, place: { code: KIASAR, province: '02', ancestors: kiasar.ancestors }, logged: 1, verified: 0, at: on(6, 3, 9) });
  });

  it('answers a month not closed with a preview, and refuses another province or a month to come', async () => {
    const app = await startTestApp();
    try {
      const client = api(app.baseUrl, await apiToken(governor));
      const preview = await client.get('/api/v1/reports/provincial?province=02&month=1404-07');
      expect(preview.status).to.equal(200);
      expect(preview.body).to.include({ snapshot: false, generatedAt: null, month: '1404-07' });
      expect((await client.get('/api/v1/reports/provincial?province=03&month=1404-06')).status).to.equal(403);
      expect((await client.get('/api/v1/reports/provincial?province=02&month=1499-01')).status).to.equal(404);
      const bad = await client.get('/api/v1/reports/provincial?province=02&month=1404-13');
      expect(bad.status).to.equal(400);
      expect(bad.body.error.fields.month).to.contain('۱۴۰۳-۰۷');
    } finally {
      await app.stop();
    }
  });

  it('shows the reports on their pages: the list, a month beside another, the quarter beside last year’s, and the downloads', async () => {
    const app = await startTestApp();
    try {
      const browser = new PageClient(app.baseUrl);
      await browser.login(governor.username, governor.password);
      const list = await browser.get('/reports');
      expect(list.text).to.contain('شهریور ۱۴۰۴');
      const page = await browser.get('/reports/provincial/02/1404-07?compare=1404-06');
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('گزارش ماهانه پیشرفت استان مازندران، مهر ۱۴۰۴').and.contain('پیش‌نمایش');
      expect(page.text).to.contain('ثبت‌شده · شهریور ۱۴۰۴').and.contain('ثبت‌شده · مهر ۱۴۰۴');
      expect(page.text).to.contain('فصل ۳ سال ۱۴۰۴ در برابر همان فصل سال ۱۴۰۳');
      const pdf = await browser.get('/reports/provincial/02/1404-06/report.pdf');
      expect([pdf.status, pdf.headers.get('content-type'), pdf.html.slice(0, 5)]).to.deep.equal([200, 'application/pdf', '%PDF-']);
      const xlsx = await browser.get('/reports/provincial/02/1404-06/report.xlsx');
      expect(xlsx.headers.get('content-disposition')).to.contain('report-02-1404-06.xlsx');
    } finally {
      await app.stop();
    }
  });

  it('writes the PDF and the spreadsheet in English for English readers', async () => {
    const report = await buildProvincialReport('02', '1404-06', on(7, 1, 6));
    expect(await pdfText(await reportPdf(report, 'en'))).to.contain('Quota progress by county');
    const sheets = await readXlsxRows(await reportXlsx(report, 'en'));
    expect(Object.keys(sheets)).to.deep.equal(['Counties', 'Small towns', 'Meetings', 'Commitments']);
    expect(sheets.Counties!.find((r) => r.Code === SARI)!.Logged).to.equal(report.counties.find((c) => c.code === SARI)!.logged);
  });

});
