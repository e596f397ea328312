import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { Types } from 'mongoose';
import { countEnrolment } from '../../server/quotas/progress.service.js';
import { fromJalali } from '../../server/shared/jalali.js';
import { resetDatabase } from '../support/database.js';
import { loadPlaces } from '../support/places.js';
import { launchChromium, SCREENSHOTS, signIn } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createUser, type TestUser } from '../support/users.js';


describe('A fund manager in a real browser, without JavaScript', function () {
  this.timeout(90_000);
  let app: TestApp;
  let browser: Browser;
  let manager: TestUser;

  before(async () => {
    await resetDatabase();
    await loadPlaces('02');
    manager = await createUser({ role: 'fund-manager', placeCode: '02' });
    app = await startTestApp();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('creates a campaign, allocates the province total over the counties, and reads progress on a phone', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    await page.goto(`${app.baseUrl}/login`);
    await signIn(page, manager.username, manager.password);
    await page.goto(`${app.baseUrl}/campaigns`);
    await page.fill('#f-name', 'پویش ۱۴۰۲ مازندران');
    await page.fill('#f-year', '۱۴۰۲');
    await page.click('button:has-text("ساختن پویش")');
    await page.waitForURL(/\/campaigns\/[0-9a-f]{24}$/);
    const id = page.url().split('/').pop()!;

    await page.click('text=پیشنهاد تقسیم سهمیه');
    await page.selectOption('#f-level', 'county');
    await page.fill('#f-total', '۱۰۰۰۰');
    await page.click('button:has-text("پیشنهاد بده")');
    await page.click('button:has-text("ذخیرهٔ این سهمیه‌ها")');
    await page.waitForURL(new RegExp(`/campaigns/${id}$`));
    expect(await page.textContent('.flash')).to.contain('سهمیهٔ ۲۲ مکان با جمع ۱۰٬۰۰۰ ذخیره شد.');

    const sari = { code: '0207C04', province: '02', ancestors: ['02', '0207'] };
    for (let i = 0; i < 30; i++) await countEnrolment({ campaignId: new Types.ObjectId(id), place: sari, logged: 1, verified: i % 3 === 0 ? 1 : 0, at: fromJalali({ year: 1402, month: 6 + (i % 6), day: 5 }) });
    await page.reload();
    expect((await page.textContent('#target'))!.trim()).to.equal('۱۰٬۰۰۰');
    expect((await page.textContent('#logged'))!.trim()).to.equal('۳۰');
    expect(await page.locator('figure.map svg path').count()).to.be.greaterThan(20);
    await page.screenshot({ path: join(SCREENSHOTS, 'fund-manager-dashboard.png'), fullPage: true });
  });
});
