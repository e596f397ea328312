import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createDeflateRaw } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import type { CampaignRecord } from '../../../models/campaign.model.js';
import { Enrolment, type EnrolmentRecord } from '../../../models/enrolment.model.js';
import { EnrolmentImport } from '../../../models/enrolment-import.model.js';
import { ProgressCounter, type ProgressCounterRecord } from '../../../models/progress-counter.model.js';
import { rebuildCounters } from '../../../server/quotas/progress.service.js';
import { writeXlsx } from '../../../server/reports/xlsx.js';
import { toPersianDigits } from '../../../server/shared/persian-text.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { ALVAR_SOFLA, birthDateForAge, KHAJEH_DIZAJ, nationalId, openCampaign, TABRIZ_CENTRAL } from '../../support/enrolments.js';
import { PageClient, type Page } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { createUser, type TestUser } from '../../support/users.js';

const ENGLISH_HEADER = 'nationalId,firstName,lastName,birthDate,sex,mobile,targetGroup,channel';
const PERSIAN_HEADER = 'کد ملی,نام,نام خانوادگی,تاریخ تولد,جنسیت,شماره همراه,گروه هدف,شیوه ثبت‌نام';

/**
 * An "XLSX" whose one sheet is 100 MB of zeros deflated to about 100 KB, its zip headers claiming 1 KB: a zip bomb.
 * Built by streaming the zeros through the deflater, so the test itself never holds 100 MB.
 */
async function zipBomb(): Promise<File> {
  const deflater = createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  deflater.on('data', (chunk: Buffer) => parts.push(chunk));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < 100; i++) if (!deflater.write(zeros)) await once(deflater, 'drain');
  deflater.end();
  await once(deflater, 'end');
  const data = Buffer.concat(parts);
  const name = Buffer.from('xl/worksheets/sheet1.xml');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(1024, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(1024, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt32LE(0, 42);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(30 + name.length + data.length, 16);
  const bytes = Buffer.concat([local, name, data, central, name, end]);
  expect(bytes.length).to.be.below(200 * 1024);
  return new File([bytes], 'bomb.xlsx');
}

function csvFile(lines: string[], name = 'enrolments.csv'): File {
  return new File([Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')], name, { type: 'text/csv' });
}

/** Good rows in English columns: national IDs from `first`, each a villager of 30. */
function goodRows(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${nationalId(first + i)},Maryam,Rezaei,${birthDateForAge(30)},female,09121234567,villagers,online`);
}

async function enrolmentCount(): Promise<number> {
  return Enrolment.countDocuments({}).setOptions({ scope: 'system' });
}

async function provinceLogged(campaign: CampaignRecord): Promise<number> {
  const counter = await ProgressCounter.findOne({ campaign: campaign._id, placeCode: '03' }).setOptions({ scope: 'system' }).lean<ProgressCounterRecord>();
  return counter?.logged ?? 0;
}

describe('Enrolling from a file', () => {
  let app: TestApp;
  let campaign: CampaignRecord;
  let head: TestUser;
  /** One signed-in browser for the whole file (the login rate limit counts every sign-in). */
  let browser: PageClient;

  before(async () => {
    await resetDatabase();
    await loadPlaces(TABRIZ_CENTRAL);
    campaign = await openCampaign('03');
    head = await createUser({ role: 'village-head', placeCode: KHAJEH_DIZAJ });
    app = await startTestApp();
    browser = new PageClient(app.baseUrl);
    await browser.login(head.username, head.password);
  });
  after(() => app.stop());

  async function upload(file: File): Promise<{ browser: PageClient; page: Page }> {
    await browser.get('/enrolments/import');
    const page = await browser.upload('/enrolments/import', {}, { file }, { from: '/enrolments/import' });
    return { browser, page };
  }

  it('saves the good rows of a Persian CSV and reports each bad one with its row, column and reason', async () => {
    const before = await enrolmentCount();
    const { browser, page } = await upload(
      csvFile([
        PERSIAN_HEADER,
        `${toPersianDigits(nationalId(1))},مریم,رضایی,۱۳۷۰/۰۵/۰۳,زن,۰۹۱۲۱۲۳۴۵۶۷,کشاورزان,حضوری`,
        `${nationalId(2)},علی,احمدی,1365/01/20,مرد,09121234568,villagers,online`,
        `0499370898,رضا,کریمی,1365/01/20,مرد,09121234568,villagers,online`,
        `${nationalId(3)},سارا,محمدی,${birthDateForAge(17)},زن,09121234569,villagers,online`,
        `${nationalId(4)},نرگس,حسینی,1365/01/20,زن,09121234560,fishermen,online`,
        `${nationalId(2)},علی,احمدی,1365/01/20,مرد,09121234568,villagers,online`,
      ]),
    );
    expect(page.path).to.match(/^\/enrolments\/imports\/[0-9a-f]{24}$/);
    expect(page.text).to.contain('تمام شد.');
    expect(page.html).to.match(/id="saved">۲</);
    expect(page.html).to.match(/id="problems">۴</);
    expect(page.text).to.contain('۴ کد ملی 0499370898 رقم کنترل کد ملی درست نیست');
    expect(page.text).to.contain('۵ تاریخ تولد');
    expect(page.text).to.contain('سن این فرد ۱۷ سال است');
    expect(page.text).to.contain('۶ گروه هدف fishermen گروه هدف ناشناخته است');
    expect(page.text).to.contain('۷ کد ملی');
    expect(page.text).to.contain('این کد ملی در سطر ۳ همین فایل هم آمده است.');
    expect(await enrolmentCount()).to.equal(before + 2);
    const saved = await Enrolment.findOne({ nationalId: nationalId(1) }).setOptions({ scope: 'system' }).lean<EnrolmentRecord>();
    expect(saved).to.include({ place: KHAJEH_DIZAJ, sex: 'female', targetGroup: 'farmers', channel: 'in-person', birthDateJalali: '1370/05/03', mobile: '09121234567' });

    const report = await browser.download(`${page.path}/problems.csv`);
    expect(report.headers.get('content-type')).to.contain('text/csv');
    const lines = report.body.toString('utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).to.equal('سطر,ستون,مقدار,دلیل');
    expect(lines).to.have.length(5);
    expect(lines[1]).to.equal('4,کد ملی,0499370898,رقم کنترل کد ملی درست نیست؛ کد را دوباره بررسی کنید.');
  });

  it('stores the reason of an in-person row given in its own column, and reports one of no kind with its row', async () => {
    const { page } = await upload(
      csvFile([
        `${PERSIAN_HEADER},اگر حضوری است، چرا؟`,
        `${nationalId(41)},مریم,رضایی,1370/05/03,زن,09121234567,villagers,حضوری,فرد دارای معلولیت`,
        `${nationalId(42)},علی,احمدی,1365/01/20,مرد,09121234568,villagers,حضوری,حوصله نداشت`,
        `${nationalId(43)},سارا,محمدی,1365/01/20,زن,09121234569,villagers,online,`,
      ]),
    );
    expect(page.html).to.match(/id="saved">۲</);
    expect(page.text).to.contain('۳ اگر حضوری است، چرا؟ حوصله نداشت دلیل ثبت‌نام حضوری یکی از');
    expect(await Enrolment.findOne({ province: '03', nationalId: nationalId(41) }).setOptions({ scope: 'system' }).lean<EnrolmentRecord>()).to.include({ channel: 'in-person', inPersonReason: 'disability' });
    expect(await Enrolment.findOne({ province: '03', nationalId: nationalId(43) }).setOptions({ scope: 'system' }).lean<EnrolmentRecord>()).to.not.have.property('inPersonReason');
  });

  it('adds nothing twice when the same file is uploaded again', async () => {
    const file = csvFile([ENGLISH_HEADER, ...goodRows(100, 5)], 'same.csv');
    const first = await upload(file);
    expect(first.page.html).to.match(/id="saved">۵</);
    const counted = { enrolments: await enrolmentCount(), province: await provinceLogged(campaign) };
    const again = await upload(file);
    expect(again.page.path).to.equal(first.page.path);
    expect(again.page.text).to.contain('فایل same.csv پیش‌تر برای این پویش بارگذاری شده است؛ چیزی دوباره ثبت نشد.');
    expect({ enrolments: await enrolmentCount(), province: await provinceLogged(campaign) }).to.deep.equal(counted);
  });

  it('resumes an import cut off by a restart when the same file is uploaded again, adding nothing twice', async () => {
    const file = csvFile([ENGLISH_HEADER, ...goodRows(600, 4)], 'cut-off.csv');
    const bytes = Buffer.from(await file.arrayBuffer());
    // an import that saved its first two rows, then stopped moving ten minutes ago
    const stalledId = new Types.ObjectId();
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    await mongoose.connection.collection('enrolment_imports').insertOne({
      _id: stalledId, campaign: campaign._id, filename: 'cut-off.csv', fileHash: createHash('sha256').update(bytes).digest('hex'), status: 'running',
      total: 4, processed: 2, saved: 2, alreadyImported: 0, problems: [], createdBy: head._id, province: '03', placePath: head.placePath, createdAt: tenMinutesAgo, updatedAt: tenMinutesAgo,
    });
    const { page: firstRows } = await upload(csvFile([ENGLISH_HEADER, ...goodRows(600, 2)], 'first-rows.csv'));
    expect(firstRows.html).to.match(/id="saved">۲</);
    await Enrolment.updateMany({ nationalId: { $in: [nationalId(600), nationalId(601)] } }, { $set: { importBatch: stalledId } }).setOptions({ scope: 'system' });
    expect((await browser.get(`/enrolments/imports/${stalledId}`)).text).to.contain('ثبت نیمه‌کاره ماند');

    const before = await enrolmentCount();
    const { page } = await upload(file);
    expect(page.path).to.not.equal(`/enrolments/imports/${stalledId}`);
    expect(page.html).to.match(/id="saved">۲</);
    expect(page.text).to.contain('پیش‌تر از همین فایل ثبت شده ۲');
    expect(page.html).to.match(/id="problems">۰</);
    expect(await enrolmentCount()).to.equal(before + 2);
  });

  it('reports rows enrolled by another file as already enrolled, saying where', async () => {
    const { page } = await upload(csvFile([ENGLISH_HEADER, ...goodRows(100, 1), ...goodRows(200, 1)], 'overlap.csv'));
    expect(page.html).to.match(/id="saved">۱</);
    expect(page.text).to.contain('این کد ملی پیش‌تر در خواجه دیزج ثبت‌نام شده است.');
  });

  it('reads an XLSX file, a national ID that lost its leading zero included', async () => {
    const xlsx = await writeXlsx([
      {
        name: 'ثبت‌نام',
        columns: ENGLISH_HEADER.split(',').map((key) => ({ header: key, key })),
        rows: [{ nationalId: 499370899, firstName: 'زهرا', lastName: 'کاظمی', birthDate: '1368/11/02', sex: 'female', mobile: '09351234567', targetGroup: 'craftspeople', channel: 'in-person' }],
      },
    ]);
    const { page } = await upload(new File([xlsx], 'list.xlsx'));
    expect(page.html).to.match(/id="saved">۱</);
    expect(await Enrolment.countDocuments({ nationalId: '0499370899' }).setOptions({ scope: 'system' })).to.equal(1);
    // the report names the row whose zeros were put back, so the uploader can check it
    expect(page.text).to.contain('سطرهای ذخیره‌شده با یادداشت').and.contain('صفرهای آغاز کد ملی که صفحه‌گسترده انداخته بود بازگردانده شد: ۰۴۹۹۳۷۰۸۹۹');
  });

  it('refuses a village outside the uploader’s area in a row', async () => {
    const { page } = await upload(csvFile([`${ENGLISH_HEADER},village`, `${goodRows(300, 1)[0]},${ALVAR_SOFLA}`], 'outside.csv'));
    expect(page.html).to.match(/id="saved">۰</);
    expect(page.text).to.contain('این مکان خارج از محدوده مسئولیت شماست.');
  });

  const badFiles: [string, () => Promise<File>, string][] = [
    ['a CSV with a missing column', async () => csvFile(['nationalId,firstName,lastName,birthDate,sex,targetGroup,channel', goodRows(400, 1)[0]!]), 'این ستون‌ها در فایل نیست: شماره همراه'],
    ['a CSV in the wrong encoding', async () => new File([Buffer.from([0xc7, 0xe1, 0xe4, 0x2c, 0x0d, 0x0a, 0xe3, 0xd1, 0xed, 0xe3])], 'windows.csv'), 'فایل CSV باید با کدگذاری UTF-8 ذخیره شده باشد'],
    ['a CSV of 10,001 rows', async () => csvFile([ENGLISH_HEADER, ...goodRows(10_000, 10_001)], 'big.csv'), 'فایل ۱۰٬۰۰۱ سطر دارد؛ بیشترین تعداد ۱۰٬۰۰۰ سطر است.'],
    ['an XLSX that is not one', async () => csvFile([ENGLISH_HEADER, ...goodRows(500, 1)], 'fake.xlsx'), 'این فایل XLSX نیست یا خراب است'],
    ['a file that is neither CSV nor XLSX', async () => new File([Buffer.from('x')], 'old.xls'), 'فقط فایل اکسل یا سی‌اس‌وی پذیرفته می‌شود'],
    ['a CSV whose quote on line 3 is never closed', async () => csvFile([ENGLISH_HEADER, ...goodRows(600, 1), `${nationalId(601)},"Maryam,Rezaei,1370/05/03,female,09121234567,villagers,online`, ...goodRows(602, 2)]), 'در سطر ۳ فایل CSV یک گیومه (") باز شده و بسته نشده است.'],
    ['a CSV with binary bytes on line 2', async () => new File([Buffer.concat([Buffer.from(`${ENGLISH_HEADER}\r\n`), Buffer.from([0x00, 0x01, 0x02, 0x50, 0x4e, 0x47, 0x00]), Buffer.from('\r\n')])], 'binary.csv'), 'سطر ۲ نویسه‌هایی دارد که در متن نیست'],
    ['a CSV that is UTF-8 up to line 3 only', async () => new File([Buffer.concat([Buffer.from(`${ENGLISH_HEADER}\r\n${goodRows(610, 1)[0]}\r\n`), Buffer.from([0xe3, 0xd1, 0xed, 0xe3, 0x0d, 0x0a])])], 'mixed.csv'), 'سطر ۳ چنین نیست'],
    ['a CSV with a cell of 1,001 characters', async () => csvFile([ENGLISH_HEADER, `${nationalId(620)},${'م'.repeat(1001)},Rezaei,1370/05/03,female,09121234567,villagers,online`]), 'خانهٔ ستون ۲ در سطر ۲ از ۱٬۰۰۰ نویسه بلندتر است.'],
    ['a 100 KB XLSX that would inflate to 100 MB (its sizes lying)', zipBomb, 'این فایل XLSX باز‌شده از ۵۰ مگابایت بزرگ‌تر می‌شود و پذیرفته نیست.'],
  ];
  for (const [what, file, message] of badFiles) {
    it(`refuses ${what} whole, saying why, and writes nothing`, async () => {
      const before = { enrolments: await enrolmentCount(), batches: await EnrolmentImport.countDocuments({}).setOptions({ scope: 'system' }) };
      const sent = await file();
      // the test process is shared with every suite that ran before, so measure the growth across this one upload
      const baseRss = process.memoryUsage().rss;
      let peakRss = baseRss;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
      const { page } = await upload(sent).finally(() => clearInterval(sampler));
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      // the server (this process) never holds the inflated file: memory rises by far less than its 100 MB
      const growth = peakRss - baseRss;
      expect(growth, `grew by ${Math.round(growth / 1024 / 1024)} MB`).to.be.below(50 * 1024 * 1024);
      expect(page.path).to.equal('/enrolments/import');
      expect(page.text).to.contain(message);
      expect({ enrolments: await enrolmentCount(), batches: await EnrolmentImport.countDocuments({}).setOptions({ scope: 'system' }) }).to.deep.equal(before);
    });
  }

  it('runs a large file in the background with a page that refreshes itself until it is done', async function () {
    this.timeout(180_000);
    const before = { enrolments: await enrolmentCount(), province: await provinceLogged(campaign) };
    const { browser, page } = await upload(csvFile([ENGLISH_HEADER, ...goodRows(20_000, 1_000)], 'large.csv'));
    expect(page.path).to.match(/^\/enrolments\/imports\/[0-9a-f]{24}$/);
    expect(page.html).to.contain('<meta http-equiv="refresh" content="2">');
    expect(page.text).to.contain('در حال ثبت…');
    let shown = page;
    while (shown.html.includes('http-equiv="refresh"')) {
      await sleep(500);
      shown = await browser.get(page.path);
    }
    expect(shown.text).to.contain('تمام شد.');
    expect(shown.html).to.match(/id="saved">۱٬۰۰۰</);
    expect({ enrolments: await enrolmentCount(), province: await provinceLogged(campaign) }).to.deep.equal({ enrolments: before.enrolments + 1000, province: before.province + 1000 });
    expect((await rebuildCounters(campaign._id)).drifted, 'the drift job finds nothing to fix').to.deep.equal([]);
  });
});
