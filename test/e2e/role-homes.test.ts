import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { Committee, type CommitteeRecord } from '../../models/committee.model.js';
import { addJalaliMonths, formatJalaliDate, toJalali } from '../../server/shared/jalali.js';
import { toPersianDigits } from '../../server/shared/persian-text.js';
import { DEMO_PASSWORD } from '../../server/users/demo.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { launchChromium, SCREENSHOTS, signIn } from '../support/browser.js';
import { resetDatabase } from '../support/database.js';
import { loadDemo } from '../support/demo.js';
import { birthDateForAge, nationalId } from '../support/enrolments.js';

const PHONE = { width: 360, height: 740 };

describe('Each role’s home and main job on a 360×740 phone', function () {
  this.timeout(300_000);
  let app: TestApp;
  let browser: Browser;

  before(async () => {
    await resetDatabase();
    app = await startTestApp({ LOGIN_RATE_LIMIT: '1000' });
    await loadDemo(app.config);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function open(username: string, options: { js: boolean; lang: 'fa' | 'en' }): Promise<Page> {
    const page = await browser.newPage({ viewport: PHONE, javaScriptEnabled: options.js });
    await page.goto(`${app.baseUrl}/login`);
    await signIn(page, username, DEMO_PASSWORD);
    if (options.lang === 'en') await page.goto(`${app.baseUrl}/lang/en?next=/`);
    expect(new URL(page.url()).pathname).to.equal('/');
    return page;
  }
  const fits = async (page: Page) => expect(await page.evaluate('document.documentElement.scrollWidth'), page.url()).to.be.at.most(PHONE.width);
  const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  for (const js of [false, true]) {
    it(`a village head enrols someone from the home's big button (${js ? 'with' : 'without'} JavaScript, Persian)`, async () => {
      const page = await open('demo.village', { js, lang: 'fa' });
      expect(await page.textContent('#percent')).to.match(/٪$/);
      expect(await page.textContent('nav.bar')).to.contain('ثبت‌نام').and.not.contain('ستادها');
      await fits(page);
      await shot(page, `home-village-${js ? 'js' : 'nojs'}-fa`);
      await page.click('a.button.big');
      await page.fill('#f-nationalId', toPersianDigits(nationalId(js ? 901 : 902)));
      await page.fill('#f-firstName', 'گلاره');
      await page.fill('#f-lastName', 'سلطانی');
      await page.fill('#f-birthDate', toPersianDigits(birthDateForAge(30)));
      await page.check('input[name="sex"][value="female"]');
      await page.fill('#f-mobile', '۰۹۱۴۵۵۵۱۲۳۴');
      await page.selectOption('#f-targetGroup', 'farmers');
      await page.check('input[name="channel"][value="in-person"]');
      await page.check('input[name="inPersonReason"][value="asked"]');
      await page.click('form button:has-text("ثبت")');
      expect(await page.textContent('.flash')).to.contain('ثبت‌نام گلاره سلطانی ثبت شد.');
      await fits(page);
    });
  }

  it('a village head reads their home in English, percent with a Latin sign', async () => {
    const page = await open('demo.village', { js: true, lang: 'en' });
    expect(await page.textContent('h1')).to.contain('My work today');
    expect(await page.textContent('#percent')).to.match(/^[\d.]+%$/);
    await fits(page);
    await shot(page, 'home-village-js-en');
  });

  it('a district governor enrols at a village chosen by its name, without JavaScript', async () => {
    const page = await open('demo.district', { js: false, lang: 'fa' });
    await shot(page, 'home-district-nojs-fa');
    await page.click('nav.bar a:has-text("ثبت‌نام")');
    expect(await page.locator('#l-village option').count()).to.be.greaterThan(10);
    await page.fill('#f-village', 'الوارسفلی');
    await page.fill('#f-nationalId', nationalId(903));
    await page.fill('#f-firstName', 'کاوه');
    await page.fill('#f-lastName', 'نادری');
    await page.fill('#f-birthDate', birthDateForAge(40));
    await page.check('input[name="sex"][value="male"]');
    await page.fill('#f-mobile', '09141112234');
    await page.selectOption('#f-targetGroup', 'farmers');
    await page.check('input[name="channel"][value="in-person"]');
    await page.check('input[name="inPersonReason"][value="asked"]');
    await shot(page, 'enrol-by-name-district-nojs-fa');
    await page.click('form button:has-text("ثبت")');
    expect(await page.textContent('.flash')).to.contain('ثبت‌نام کاوه نادری ثبت شد.');
  });

  for (const js of [false, true]) {
    it(`a county governor records last month's meeting as held in one step (${js ? 'with' : 'without'} JavaScript)`, async () => {
      const page = await open('demo.sari', { js, lang: js ? 'en' : 'fa' });
      await shot(page, `home-sari-${js ? 'js-en' : 'nojs-fa'}`);
      const sari = (await Committee.findOne({ placeCode: '0207', kind: 'county-strategic' }).setOptions({ scope: 'system' }).lean<CommitteeRecord>())!;
      await page.goto(`${app.baseUrl}/committees/${String(sari._id)}`);
      await page.click('#past summary');
      const day = addJalaliMonths({ ...toJalali(new Date()), day: js ? 12 : 11 }, -1);
      await page.fill('#past #f-date', formatJalaliDate(day));
      await page.fill('#past #f-time', '10:00');
      await page.fill('#past #f-location', 'فرمانداری ساری');
      await page.fill('#f-attendees', 'فرماندار ساری\nمدیر صندوق شهرستان');
      await page.fill('#f-past-minutes', 'پیگیری سهمیهٔ دهیاران');
      await page.click('#past button');
      await page.waitForURL(/\/meetings\/[0-9a-f]{24}$/);
      expect(await page.textContent('.flash')).to.match(/برگزارشده ثبت شد|recorded as held/);
      await fits(page);
      await shot(page, `past-meeting-${js ? 'js-en' : 'nojs-fa'}`);
    });
  }

  for (const js of [false, true]) {
    it(`an agency officer reports progress on an overdue commitment in one tap from home (${js ? 'with' : 'without'} JavaScript)`, async () => {
      const page = await open('demo.agency', { js, lang: js ? 'en' : 'fa' });
      await fits(page);
      await shot(page, `home-agency-${js ? 'js-en' : 'nojs-fa'}`);
      await page.click('.items li:first-child a.button');
      expect(new URL(page.url()).hash).to.equal('#update');
      await page.fill('#f-text', js ? 'Letters sent to the village heads' : 'نامه به دهیاران فرستاده شد');
      await page.click('#update button');
      expect(await page.textContent('.flash')).to.match(/ثبت شد|posted|recorded/i);
      await page.goto(`${app.baseUrl}/my/commitments`);
      await fits(page);
      await shot(page, `my-commitments-${js ? 'js-en' : 'nojs-fa'}`);
    });
  }

  it('a fund manager sees what waits to be verified and the places behind pace, in Persian and English', async () => {
    for (const lang of ['fa', 'en'] as const) {
      const page = await open('demo.fund', { js: lang === 'en', lang });
      expect(Number((await page.textContent('#pending'))!.replace(/[۰-۹]/g, (d) => String('۰۱۲۳۴۵۶۷۸۹'.indexOf(d))))).to.be.greaterThan(0);
      expect(await page.locator('.box h2', { hasText: lang === 'fa' ? 'عقب‌تر از برنامه' : 'Behind pace' }).count()).to.equal(1);
      await fits(page);
      await shot(page, `home-fund-${lang}`);
      await page.click('a.button:has-text("' + (lang === 'fa' ? 'بررسی و تأیید' : 'Review and verify') + '")');
      expect(new URL(page.url()).pathname).to.equal('/enrolments/verify');
      await fits(page);
    }
  });

  it('the governor’s office lands on the overview, and its dashboard reads 24.3% in English, not ٪', async () => {
    for (const lang of ['fa', 'en'] as const) {
      const page = await open('demo.governor', { js: lang === 'fa', lang });
      expect(await page.textContent('#overdue')).to.match(lang === 'fa' ? /^[۰-۹٬]+$/ : /^[\d,]+$/);
      await fits(page);
      await shot(page, `home-governor-${lang}`);
      await page.click('.box a:has-text("' + (lang === 'fa' ? 'صفحهٔ کامل پیشرفت' : 'Full progress page') + '")');
      const percent = (await page.textContent('#percent'))!;
      expect(percent).to.match(lang === 'fa' ? /٪$/ : /%$/);
      await fits(page);
      await shot(page, `dashboard-governor-${lang}`);
    }
  });

  it('answers compressed, keeps each page with its stylesheet under 30 KB gzipped, caches fonts for a year and has a favicon', async () => {
    const dashboard = await fetch(`${app.baseUrl}/login`, { headers: { 'accept-encoding': 'gzip, br' } });
    expect(dashboard.headers.get('content-encoding')).to.match(/gzip|br/);
    const css = await fetch(`${app.baseUrl}/static/app.css`);
    const cssGzip = gzipSync(Buffer.from(await css.arrayBuffer())).length;
    const font = await fetch(`${app.baseUrl}/static/fonts/Vazirmatn-Regular.woff2`);
    expect(font.headers.get('cache-control')).to.match(/max-age=31536000/);
    const icon = await fetch(`${app.baseUrl}/favicon.ico`);
    expect(icon.status).to.equal(200);
    expect(icon.headers.get('content-type')).to.match(/icon/);

    const page = await open('demo.governor', { js: false, lang: 'fa' });
    const sizes: Record<string, number> = {};
    for (const path of ['/', '/overview', '/resolutions', '/committees/compliance', '/admin/users']) {
      const html = await (await page.goto(`${app.baseUrl}${path}`))!.body();
      sizes[path] = gzipSync(html).length + cssGzip;
    }
    await page.goto(`${app.baseUrl}/`);
    await page.click('.box a:has-text("صفحهٔ کامل پیشرفت")');
    sizes.dashboard = gzipSync(await (await page.reload())!.body()).length + cssGzip;
    for (const [path, size] of Object.entries(sizes)) expect(size, path).to.be.below(30 * 1024);
  });
  it('the fund’s central office reads the country on a phone, key figure first, and reopens a province’s approval with a reason (without JavaScript)', async () => {
    const page = await open('demo.national', { js: false, lang: 'fa' });
    const figure = await page.locator('#national-logged').boundingBox();
    const table = await page.locator('#province-table').boundingBox();
    expect(figure!.y, 'the key figure before the table').to.be.below(table!.y);
    expect(await page.textContent('#national-logged')).to.match(/^[۰-۹٬]+$/);
    expect(await page.locator('figure.map path[data-key]').count()).to.equal(31);
    expect(await page.textContent('#not-approved + ul')).to.contain('مازندران').and.not.contain('آذربایجان شرقی');
    await fits(page);
    await shot(page, 'home-national-nojs-fa');

    await page.click('#province-table a:has-text("آذربایجان شرقی")');
    await fits(page);
    await page.fill('#withdraw input[name="reason"]', 'ارقام با سامانه استان همخوان نیست');
    await page.click('#withdraw button');
    expect(await page.textContent('.flash')).to.contain('تأیید آمار آذربایجان شرقی بازگشایی شد');
    expect(await page.textContent('#province-state')).to.contain('ارقام با سامانه استان همخوان نیست');
    await page.click('.crumbs a');
    expect(await page.textContent('#not-approved + ul')).to.contain('آذربایجان شرقی');

    const english = await open('demo.national', { js: true, lang: 'en' });
    expect(await english.textContent('#key-figure')).to.contain('Enrolments the provinces approved');
    await fits(english);
    await shot(english, 'home-national-js-en');
  });
});
