import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Enrolment, type EnrolmentRecord } from '../../models/enrolment.model.js';
import { createDemoEnrolments } from '../../server/enrolments/demo.js';
import { toPersianDigits } from '../../server/shared/persian-text.js';
import { DEMO_PASSWORD, createDemoUsers } from '../../server/users/demo.js';
import { launchChromium, SCREENSHOTS, signIn } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { resetDatabase } from '../support/database.js';
import { birthDateForAge, nationalId } from '../support/enrolments.js';
import { api } from '../support/http.js';
import { loadPlaces } from '../support/places.js';

const toArabicIndic = (digits: string) => digits.replace(/[0-9]/g, (d) => '٠١٢٣٤٥٦٧٨٩'[Number(d)]!);

interface Person {
  nationalId: string;
  /** the ID as typed, when not all in Persian digits */
  typed?: string;
  firstName: string;
  lastName: string;
}

describe('A village head enrolling with no signal', function () {
  this.timeout(180_000);
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

  /** A phone-sized context signed in as the village head, on the form, once the service worker has kept the pages. */
  async function phoneOnForm(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/login`);
    await signIn(page, 'demo.village', DEMO_PASSWORD);
    await page.waitForURL(/\/$/); // signing in lands on the role's home ("my work today")
    await page.goto(`${app.baseUrl}/enrolments/new`);
    await page.waitForSelector('html[data-offline-ready="yes"]');
    return { context, page };
  }

  /** Fills and sends the form; `reason: null` leaves the in-person reason unsaid. */
  async function enrol(page: Page, person: Person, { reason = 'asked' }: { reason?: string | null } = {}): Promise<void> {
    await page.fill('#f-nationalId', person.typed ?? toPersianDigits(person.nationalId));
    await page.fill('#f-firstName', person.firstName);
    await page.fill('#f-lastName', person.lastName);
    await page.fill('#f-birthDate', toPersianDigits(birthDateForAge(33)));
    await page.check('input[name="sex"][value="female"]');
    await page.fill('#f-mobile', '۰۹۱۴۵۵۵۱۲۳۴');
    await page.check('input[name="channel"][value="in-person"]');
    if (reason) await page.check(`input[name="inPersonReason"][value="${reason}"]`);
    await page.click('form.enrol button');
  }

  const badge = (page: Page) => page.locator('.pending-badge');
  const stored = (id: string) => Enrolment.find({ province: '03', nationalId: id }).setOptions({ scope: 'system' }).lean<EnrolmentRecord[]>();

  it('enrols three people offline, refuses the bad check digit on the phone, keeps two through an offline reload, and sends both once online', async () => {
    const { context, page } = await phoneOnForm();
    await page.goto(`${app.baseUrl}/enrolments`);
    const loggedBefore = (await page.textContent('#logged'))!.trim();
    await page.goto(`${app.baseUrl}/enrolments/new`);

    await context.setOffline(true);
    await enrol(page, { nationalId: nationalId(9001), firstName: 'زهرا', lastName: 'نوری' });
    await page.waitForSelector('#offline-notice:has-text("روی این گوشی ذخیره شد")');
    expect(await page.textContent('#offline-notice')).to.equal('ثبت‌نام زهرا نوری روی این گوشی ذخیره شد و با برقراری اتصال فرستاده می‌شود.');

    const badCheckDigit = nationalId(9002).slice(0, 9) + String((Number(nationalId(9002)[9]) + 1) % 10);
    await enrol(page, { nationalId: badCheckDigit, firstName: 'مینا', lastName: 'کاظمی' });
    await page.waitForSelector('.field.invalid small.error');
    expect(await page.textContent('.field.invalid small.error')).to.equal('رقم کنترل کد ملی درست نیست؛ کد را دوباره بررسی کنید.');
    await page.screenshot({ path: join(SCREENSHOTS, 'offline-refused-on-phone.png'), fullPage: true });

    // typed in mixed digits: Arabic-Indic, Latin and Persian
    const mixed = `${toArabicIndic(nationalId(9003).slice(0, 3))}${nationalId(9003).slice(3, 6)}${toPersianDigits(nationalId(9003).slice(6))}`;
    await enrol(page, { nationalId: nationalId(9003), typed: mixed, firstName: 'لیلا', lastName: 'حسینی' });
    await page.waitForSelector('#offline-notice:has-text("لیلا حسینی")');
    expect((await badge(page).textContent())!.replace(/\s+/g, ' ').trim()).to.equal('در انتظار ارسال ۲');

    // no signal at all: the form and the count still come up
    await page.reload();
    await page.waitForSelector('#f-nationalId');
    await page.waitForSelector('.pending-badge:not([hidden])');
    expect(await badge(page).locator('span').textContent()).to.equal('۲');
    expect(await page.evaluate('document.documentElement.scrollWidth')).to.be.at.most(360);
    await page.screenshot({ path: join(SCREENSHOTS, 'offline-form-reloaded.png'), fullPage: true });

    await page.goto(`${app.baseUrl}/enrolments/pending`);
    await page.waitForSelector('#queue li');
    expect(await page.locator('#queue li').count()).to.equal(2);
    expect(await page.textContent('#queue')).to.contain('در انتظار ارسال');
    // the national ID in the reader's digits, left to right, whatever digits were typed
    const leila = page.locator('#queue li', { hasText: 'لیلا' }).locator('.id[dir="ltr"]');
    expect((await leila.textContent())!.trim()).to.equal(toPersianDigits(nationalId(9003)));
    await page.screenshot({ path: join(SCREENSHOTS, 'offline-pending-list.png'), fullPage: true });

    await context.setOffline(false);
    await page.waitForSelector('.pending-badge[hidden]', { state: 'attached' });
    await page.waitForSelector('#queue li:nth-child(2) .state.sent');
    expect(await page.locator('#queue .state.sent').count()).to.equal(2);
    expect(await page.textContent('#queue')).to.contain('فرستاده شد');
    await page.screenshot({ path: join(SCREENSHOTS, 'offline-pending-sent.png'), fullPage: true });
    expect(await stored(nationalId(9001))).to.have.length(1);
    expect(await stored(nationalId(9003))).to.have.length(1);
    expect(await stored(badCheckDigit)).to.have.length(0);

    await page.goto(`${app.baseUrl}/enrolments`);
    const toLatin = (s: string) => Number(s.replace(/[۰-۹]/g, (d) => String('۰۱۲۳۴۵۶۷۸۹'.indexOf(d))));
    expect(toLatin((await page.textContent('#logged'))!.trim())).to.equal(toLatin(loggedBefore) + 2);

    // what the service worker keeps stays small
    const cachedBytes = await page.evaluate<number>(`(async () => {
      let total = 0;
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) total += (await (await cache.match(request)).arrayBuffer()).byteLength;
      }
      return total;
    })()`);
    console.log(`      cached set: ${cachedBytes} bytes`);
    expect(cachedBytes).to.be.above(10_000).and.at.most(150_000);
    await context.close();
  });

  it('gets the same id when the reply to a stored enrolment was lost and the phone sends it again', async () => {
    const { context, page } = await phoneOnForm();
    let dropped = 0;
    await page.route('**/api/v1/enrolments/batch', async (route) => {
      if (dropped++ > 0) return route.continue();
      await route.fetch(); // the server stores it and answers; the answer never reaches the phone
      await route.abort('connectionreset');
    });
    await enrol(page, { nationalId: nationalId(9011), firstName: 'پری', lastName: 'امینی' });
    await page.waitForSelector('#offline-notice:has-text("روی این گوشی ذخیره شد")');
    const first = await stored(nationalId(9011));
    expect(first).to.have.length(1);

    await page.goto(`${app.baseUrl}/enrolments/pending`);
    await page.waitForSelector('#queue .state.sent');
    expect(await page.locator('#queue .state.sent').count()).to.equal(1);
    const sentId = await page.evaluate<string>(`(async () => {
      const db = await new Promise((resolve) => {
        const r = indexedDB.open('enrolment-queue');
        r.onsuccess = () => resolve(r.result);
      });
      const items = await new Promise((resolve) => {
        const r = db.transaction('items').objectStore('items').getAll();
        r.onsuccess = () => resolve(r.result);
      });
      return items.find((i) => i.fields.lastName === 'امینی').result.id;
    })()`);
    // sent again by the page or by Background Sync: either way under the same key
    expect(dropped).to.be.at.least(1);
    expect(sentId).to.equal(String(first[0]!._id));
    expect(await stored(nationalId(9011))).to.have.length(1);
    await context.close();
  });

  it('shows the 409 with its reason for a queued person whom someone else enrolled meanwhile, editable until deleted', async () => {
    const { context, page } = await phoneOnForm();
    await context.setOffline(true);
    await enrol(page, { nationalId: nationalId(9021), firstName: 'سارا', lastName: 'رحیمی' });
    await page.waitForSelector('#offline-notice:has-text("سارا رحیمی")');

    // meanwhile the district governor enrols the same person at the same village
    const token = (await api(app.baseUrl).post('/api/v1/auth/token', { username: 'demo.district', password: DEMO_PASSWORD })).body.token;
    const elsewhere = await api(app.baseUrl, token).post('/api/v1/enrolments', { village: '0303030001029409', nationalId: nationalId(9021), firstName: 'سارا', lastName: 'رحیمی', birthDate: birthDateForAge(33), sex: 'female', mobile: '09145551234', targetGroup: 'villagers', channel: 'in-person', inPersonReason: 'asked' });
    expect(elsewhere.status).to.equal(201);

    await page.goto(`${app.baseUrl}/enrolments/pending`).catch(() => {});
    await context.setOffline(false);
    await page.goto(`${app.baseUrl}/enrolments/pending`);
    await page.waitForSelector('#queue .state.refused');
    expect(await page.textContent('#queue .state.refused')).to.equal('پذیرفته نشد: این کد ملی پیش‌تر در خواجه دیزج ثبت‌نام شده است. این کد ملی پیش‌تر ثبت‌نام شده است.');
    expect((await badge(page).textContent())!.replace(/\s+/g, ' ').trim()).to.equal('در انتظار ارسال ۱');
    await page.screenshot({ path: join(SCREENSHOTS, 'offline-refused-409.png'), fullPage: true });

    // the refused item opens in the form with its reason beside the field
    await page.click('#queue li a:has-text("ویرایش")');
    await page.waitForSelector('.field.invalid small.error');
    expect(await page.inputValue('#f-nationalId')).to.equal(toPersianDigits(nationalId(9021)));
    expect(await page.textContent('.field.invalid small.error')).to.equal('این کد ملی پیش‌تر ثبت‌نام شده است.');

    await page.goto(`${app.baseUrl}/enrolments/pending`);
    page.once('dialog', (dialog) => dialog.accept());
    await page.click('#queue li button:has-text("حذف")');
    await page.waitForSelector('#queue-empty:not([hidden])');
    await context.close();
  });

  it('keeps the queue when the session has ended, asks to sign in, sends after signing in, and asks before signing out', async () => {
    const { context, page } = await phoneOnForm();
    await context.setOffline(true);
    await enrol(page, { nationalId: nationalId(9031), firstName: 'نرگس', lastName: 'بابایی' });
    await page.waitForSelector('#offline-notice:has-text("نرگس بابایی")');
    await context.clearCookies(); // the session has expired
    await context.setOffline(false);
    await page.goto(`${app.baseUrl}/enrolments/pending`).catch(() => {});
    await page.waitForURL(/\/login/);
    // the sign-in page itself: the badge is for a signed-in user, and nothing was sent
    expect(await stored(nationalId(9031))).to.have.length(0);

    await signIn(page, 'demo.village', DEMO_PASSWORD);
    await page.waitForURL(/\/enrolments\/pending$/);
    await page.waitForSelector('#queue .state.sent');
    expect(await page.locator('#queue .state.sent').count()).to.equal(1);
    expect(await stored(nationalId(9031))).to.have.length(1);

    await context.setOffline(true);
    await page.goto(`${app.baseUrl}/enrolments/new`);
    await enrol(page, { nationalId: nationalId(9032), firstName: 'رویا', lastName: 'صالحی' });
    await page.waitForSelector('#offline-notice:has-text("رویا صالحی")');
    // a dismissed question keeps the user signed in with the queue
    let question = '';
    page.once('dialog', (dialog) => {
      question = dialog.message();
      void dialog.dismiss();
    });
    await page.click('details.menu summary'); // signing out is under the role's menu
    await page.click('form[action="/logout"] button');
    await page.waitForTimeout(300);
    expect(question).to.contain('۱ ثبت‌نام هنوز روی این گوشی در انتظار ارسال است');
    expect(page.url()).to.match(/\/enrolments\/new$/);
    await context.close();
  });

  it('refuses on the phone, beside the reasons, an in-person enrolment that does not say why, and queues nothing', async () => {
    const { context, page } = await phoneOnForm();
    await context.setOffline(true);
    await enrol(page, { nationalId: nationalId(9041), firstName: 'لیلا', lastName: 'مرادی' }, { reason: null });
    await page.waitForSelector('.field.invalid small.error');
    expect(await page.textContent('.field.invalid small.error')).to.equal('ثبت‌نام حضوری است؛ بگویید چرا: معلولیت، درخواست خود فرد یا دلیل دیگر.');
    expect(await page.locator('.field.invalid input[name="inPersonReason"]').count()).to.equal(3);
    expect(await page.locator('#offline-notice:has-text("ذخیره شد")').count()).to.equal(0);
    // said, it is queued like any other
    await enrol(page, { nationalId: nationalId(9041), firstName: 'لیلا', lastName: 'مرادی' }, { reason: 'disability' });
    await page.waitForSelector('#offline-notice:has-text("لیلا مرادی")');
    await context.setOffline(false);
    await page.goto(`${app.baseUrl}/enrolments/pending`);
    await page.waitForSelector('#queue .state.sent');
    expect((await stored(nationalId(9041)))[0]).to.include({ channel: 'in-person', inPersonReason: 'disability' });
    await context.close();
  });
});
