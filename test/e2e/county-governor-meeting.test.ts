import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { ensureAgencyRegister } from '../../server/committees/agencies.service.js';
import { loadCommitteeReferenceData } from '../../server/committees/reference-data.js';
import { formatJalaliDate, jalaliMonthLength, toJalali } from '../../server/shared/jalali.js';
import { toPersianDigits } from '../../server/shared/persian-text.js';
import { DEMO_PASSWORD, createDemoUsers } from '../../server/users/demo.js';
import { resetDatabase } from '../support/database.js';
import { loadPlaces } from '../support/places.js';
import { launchChromium, SCREENSHOTS, signIn } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/app.js';


describe('A county governor in a real browser', function () {
  this.timeout(120_000);
  let app: TestApp;
  let browser: Browser;

  before(async () => {
    await resetDatabase();
    await loadPlaces('02', '030303');
    await ensureAgencyRegister();
    await createDemoUsers();
    await loadCommitteeReferenceData();
    app = await startTestApp();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('schedules this month’s county committee meeting and sees it in the compliance grid', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    await page.goto(`${app.baseUrl}/login`);
    await signIn(page, 'demo.sari', DEMO_PASSWORD);

    await page.click('nav >> text=ستادها');
    await page.click('text=ستاد راهبردی صندوق در شهرستان ساری');
    expect(await page.textContent('h1')).to.contain('ستاد راهبردی صندوق در شهرستان ساری');

    // the last day of this Jalali month, ten in the morning (still this month, and in the future)
    const now = toJalali(new Date());
    const lastDay = { year: now.year, month: now.month, day: jalaliMonthLength(now.year, now.month) };
    const lateToday = now.day === lastDay.day;
    await page.fill('#f-date', toPersianDigits(formatJalaliDate(lastDay)));
    await page.fill('#f-time', lateToday ? '۲۳:۵۹' : '۱۰:۰۰');
    await page.fill('#f-location', 'سالن جلسات فرمانداری ساری');
    await page.fill('#f-agenda', 'پیگیری سهمیه دهیاران و گزارش به دفتر سیاسی');
    await page.click('button:has-text("تعیین جلسه و دعوت از اعضا")');
    await page.waitForURL(/\/meetings\/[0-9a-f]{24}$/);
    expect(await page.textContent('.flash')).to.contain('تعیین شد');
    await page.screenshot({ path: join(SCREENSHOTS, 'county-governor-meeting.png'), fullPage: true });

    await page.goto(`${app.baseUrl}/committees/compliance`);
    expect(await page.textContent('h1')).to.contain('ساری');
    const cells = await page.$$eval('table.grid tbody tr td', (tds) => tds.map((td) => [td.className, td.textContent!.trim()]));
    expect(cells).to.have.length(12);
    expect(cells[now.month - 1]).to.deep.equal(['m-scheduled', '◷ تعیین شده']);
    expect(cells.slice(0, now.month - 1).map(([state]) => state)).to.include('m-held');
    expect(await page.getAttribute('html', 'dir')).to.equal('rtl');
    await page.screenshot({ path: join(SCREENSHOTS, 'county-governor-compliance.png'), fullPage: true });
    await page.setViewportSize({ width: 1100, height: 700 });
    await page.screenshot({ path: join(SCREENSHOTS, 'county-governor-compliance-wide.png'), fullPage: true });
  });

  it('shows the governor’s office which agencies owe what and which counties have not met, Sari no longer among them', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, javaScriptEnabled: false });
    await page.goto(`${app.baseUrl}/login`);
    await signIn(page, 'demo.governor', DEMO_PASSWORD);
    await page.click('.box a:has-text("نمای کلی کامل")');
    const notMet = await page.$$eval('ul.cols >> nth=0 >> li a', (links) => links.map((a) => a.textContent!.trim()));
    expect(notMet).to.include('آمل').and.not.include('ساری');
    const agencies = await page.$$eval('h3 a', (links) => links.map((a) => a.textContent!.trim()));
    expect(agencies).to.include.members(['دفتر امور روستایی و شوراها', 'صدا و سیمای مرکز استان', 'فرمانداری‌های استان']);
    await page.screenshot({ path: join(SCREENSHOTS, 'governor-overview.png'), fullPage: false });
  });
});
