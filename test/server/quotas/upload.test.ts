import { expect } from 'chai';
import { Campaign } from '../../../models/campaign.model.js';
import { placeFields } from '../../../models/plugins/place-scoped.js';
import { Quota, type QuotaRecord } from '../../../models/quota.model.js';
import { QuotaChange } from '../../../models/quota-change.model.js';
import { writeXlsx } from '../../../server/reports/xlsx.js';
import { fromJalali } from '../../../server/shared/jalali.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { PageClient } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { createUser, type TestUser } from '../../support/users.js';

describe('Uploading quotas', () => {
  let app: TestApp;
  let manager: TestUser;
  let browser: PageClient;
  let campaign: string;

  before(async () => {
    await resetDatabase();
    await loadPlaces('02', '0303');
    manager = await createUser({ role: 'fund-manager', placeCode: '02' });
    app = await startTestApp({ LOGIN_RATE_LIMIT: '1000' });
    browser = new PageClient(app.baseUrl);
    await browser.login(manager.username, manager.password);
  });
  after(() => app.stop());

  beforeEach(async () => {
    const created = await Campaign.create({
      name: 'پویش ۱۴۰۴',
      year: 1404,
      ...placeFields({ code: '02', province: '02', ancestors: [] }),
      startsAt: fromJalali({ year: 1404, month: 1, day: 1 }),
      endsAt: fromJalali({ year: 1405, month: 1, day: 1 }),
      townThreshold: 20_000,
      createdBy: manager._id,
    });
    campaign = String(created._id);
  });

  const csv = (text: string, name = 'quotas.csv') => ({ file: new File([Buffer.from(text, 'utf8')], name) });
  const send = (files: Record<string, File>) => browser.upload(`/campaigns/${campaign}/quotas/upload`, {}, files, { from: `/campaigns/${campaign}/quotas/upload` });
  const quotas = async () =>
    Object.fromEntries((await Quota.find({ campaign }).setOptions({ scope: 'system' }).lean<QuotaRecord[]>()).map((q) => [q.placeCode, [q.holderLevel, q.target]]));

  it('saves a CSV of codes and targets in any digits, and adds nothing twice when the same file comes again', async () => {
    const file = '\uFEFFcode,target\n0207,۱۲۰۰\n0207C04,80\n0207D02,"1,500"\n';
    const first = await send(csv(file));
    expect(first.text).to.contain('۳ سهمیه خوانده شد و ۳ سهمیه تغییر کرد.');
    expect(await quotas()).to.deep.equal({ '0207': ['county', 1200], '0207C04': ['town', 80], '0207D02': ['district', 1500] });
    const again = await send(csv(file));
    expect(again.text).to.contain('۳ سهمیه خوانده شد و ۰ سهمیه تغییر کرد.');
    expect(await QuotaChange.countDocuments({ campaign, source: 'upload', reason: 'quotas.csv' }).setOptions({ scope: 'system' })).to.equal(3);
  });

  it('reads the same table from an XLSX workbook', async () => {
    const workbook = await writeXlsx([{ name: 'سهمیه', columns: [{ header: 'code', key: 'code' }, { header: 'target', key: 'target' }], rows: [{ code: '0201', target: 700 }] }]);
    const page = await send({ file: new File([workbook], 'quotas.xlsx') });
    expect(page.text).to.contain('۱ سهمیه خوانده شد');
    expect(await quotas()).to.deep.equal({ '0201': ['county', 700] });
  });

  it('saves nothing from a file with bad rows, and names each row, column and reason', async () => {
    const page = await send(csv('code,target\n0207,100\nabc,5\n0207C01,10\n0303,10\n0207,-4\n0201,\n'));
    expect(page.path).to.equal(`/campaigns/${campaign}/quotas/upload`);
    expect(page.text).to.contain('فایل ذخیره نشد؛ ۶ ایراد:');
    expect(page.text).to.contain('سطر ۳، ستون code: کد مکان را مانند ۰۲۰۷ وارد کنید.');
    expect(page.text).to.contain('سطر ۴، ستون code: این شهر کوچک نیست (جمعیت آن ۲۰٬۰۰۰ نفر یا بیشتر است).');
    expect(page.text).to.contain('سطر ۵، ستون code: این مکان خارج از محدوده مسئولیت شماست.');
    expect(page.text).to.contain('سطر ۶، ستون code: این کد پیش‌تر در فایل آمده است.');
    expect(page.text).to.contain('سطر ۶، ستون target: سهمیه باید عددی درست و صفر یا بیشتر باشد.');
    expect(page.text).to.contain('سطر ۷، ستون target:');
    expect(await quotas()).to.deep.equal({});
  });

  it('refuses a file without the target column, one that is not UTF-8, and an XLSX that is not one', async () => {
    expect((await send(csv('code,quota\n0207,5\n'))).text).to.contain('این ستون‌ها در فایل نیست: target');
    const windows1256 = Buffer.from([0x63, 0x6f, 0x64, 0x65, 0x2c, 0x74, 0x61, 0x72, 0x67, 0x65, 0x74, 0x0a, 0xd3, 0xc7, 0xd1, 0xed, 0x2c, 0x35, 0x0a]);
    expect((await send({ file: new File([windows1256], 'quotas.csv') })).text).to.contain('فایل CSV باید با کدگذاری UTF-8 ذخیره شده باشد');
    expect((await send({ file: new File([Buffer.from('code,target\n0207,5\n')], 'quotas.xlsx') })).text).to.contain('این فایل XLSX نیست یا خراب است');
    expect(await quotas()).to.deep.equal({});
  });

  it('refuses a file of more than 10,000 rows', async () => {
    const rows = Array.from({ length: 10_001 }, () => '0207,1').join('\n');
    expect((await send(csv(`code,target\n${rows}\n`))).text).to.contain('فایل ۱۰٬۰۰۱ سطر دارد؛ بیشترین تعداد ۱۰٬۰۰۰ سطر است.');
  });
});
