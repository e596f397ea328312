import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { createDemoEnrolments } from '../../server/enrolments/demo.js';
import { toPersianDigits } from '../../server/shared/persian-text.js';
import { DEMO_PASSWORD, createDemoUsers } from '../../server/users/demo.js';
import { launchChromium, SCREENSHOTS, signIn } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { resetDatabase } from '../support/database.js';
import { birthDateForAge, nationalId } from '../support/enrolments.js';
import { loadPlaces } from '../support/places.js';


describe('A village head enrolling someone on a phone', function () {
  this.timeout(120_000);
  let app: TestApp;
  let browser: Browser;

  before(async () => {
    await resetDatabase();
    await loadPlaces('02', '030303');
    await createDemoUsers();
    app = await startTestApp();
    await createDemoEnrolments(app.config);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('logs an enrolment without JavaScript, typing Persian digits, and sees it first in their recent enrolments', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
    await page.goto(`${app.baseUrl}/`);
    await signIn(page, 'demo.village', DEMO_PASSWORD);
    await page.waitForURL(/\/$/);
    await page.click('nav.bar >> text=ثبت‌نام‌ها');
    await page.waitForURL(/\/enrolments$/);
    expect((await page.textContent('#target'))!.trim()).to.equal('۶۰');
    expect((await page.textContent('#logged'))!.trim()).to.equal('۱۴');

    await page.click('a.button:has-text("ثبت‌نام تازه")');
    await page.waitForURL(/\/enrolments\/new$/);
    const id = nationalId(777);
    await page.fill('#f-nationalId', toPersianDigits(id));
    await page.fill('#f-firstName', 'گلاره');
    await page.fill('#f-lastName', 'سلطانی');
    await page.fill('#f-birthDate', toPersianDigits(birthDateForAge(34)));
    await page.check('input[name="sex"][value="female"]');
    await page.fill('#f-mobile', '۰۹۱۴۵۵۵۱۲۳۴');
    await page.selectOption('#f-targetGroup', 'craftspeople');
    await page.check('input[name="channel"][value="in-person"]');
    await page.check('input[name="inPersonReason"][value="asked"]');
    await page.screenshot({ path: join(SCREENSHOTS, 'enrolment-form-phone.png'), fullPage: true });
    // nothing on the form is wider than the phone
    expect(await page.evaluate('document.documentElement.scrollWidth')).to.be.at.most(360);
    await page.click('button:has-text("ثبت")');

    await page.waitForURL(/\/enrolments$/);
    expect(await page.textContent('.flash')).to.contain('ثبت‌نام گلاره سلطانی ثبت شد.');
    expect((await page.textContent('#logged'))!.trim()).to.equal('۱۵');
    const first = await page.textContent('.recent li:first-child');
    expect(first).to.contain('گلاره سلطانی');
    expect(first).to.contain(toPersianDigits(id));
    expect(first).to.contain('قالی‌بافان و صنعتگران دستی');
    expect(await page.getAttribute('html', 'dir')).to.equal('rtl');
    expect(await page.evaluate('document.documentElement.scrollWidth')).to.be.at.most(360);
    await page.screenshot({ path: join(SCREENSHOTS, 'enrolment-home-phone.png'), fullPage: true });
  });

  it('uploads a file from the phone and reads the report of its bad rows', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
    await page.goto(`${app.baseUrl}/login`);
    await signIn(page, 'demo.village', DEMO_PASSWORD);
    await page.waitForURL(/\/$/);
    await page.click('nav.bar >> text=ثبت‌نام‌ها');
    await page.waitForURL(/\/enrolments$/);
    await page.click('text=ثبت‌نام گروهی با فایل');
    const csv = ['کد ملی,نام,نام خانوادگی,تاریخ تولد,جنسیت,شماره همراه,گروه هدف,شیوه ثبت‌نام', `${nationalId(801)},سمیه,اکبری,۱۳۶۹/۰۲/۱۱,زن,۰۹۱۴۱۱۱۲۲۳۳,کشاورزان,حضوری`, `0499370898,کاوه,نادری,1366/01/01,مرد,09141112234,villagers,online`].join('\r\n');
    await page.setInputFiles('#f-file', { name: 'دهیاری.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    await page.click('button:has-text("بارگذاری")');
    await page.waitForURL(/\/enrolments\/imports\/[0-9a-f]{24}$/);
    expect(await page.textContent('h1')).to.contain('دهیاری.csv');
    expect((await page.textContent('#saved'))!.trim()).to.equal('۱');
    expect((await page.textContent('#problems'))!.trim()).to.equal('۱');
    expect(await page.textContent('table')).to.contain('رقم کنترل کد ملی درست نیست');
    expect(await page.evaluate('document.documentElement.scrollWidth')).to.be.at.most(360);
    await page.screenshot({ path: join(SCREENSHOTS, 'enrolment-import-phone.png'), fullPage: true });
  });

  it('lets the fund manager verify it from the same phone-sized list', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
    await page.goto(`${app.baseUrl}/login`);
    await signIn(page, 'demo.fund.03', DEMO_PASSWORD);
    await page.goto(`${app.baseUrl}/enrolments/verify`);
    const row = page.locator('.verify li', { hasText: 'گلاره سلطانی' });
    await page.screenshot({ path: join(SCREENSHOTS, 'enrolment-verify-phone.png'), fullPage: false });
    await row.locator('button:has-text("تأیید")').click();
    await page.waitForURL(/\/enrolments\/verify$/);
    expect(await page.textContent('.flash')).to.contain('ثبت‌نام گلاره سلطانی تأیید شد.');
    expect(await page.locator('.verify li', { hasText: 'گلاره سلطانی' }).count()).to.equal(0);
    expect(await page.evaluate('document.documentElement.scrollWidth')).to.be.at.most(360);
  });
});
