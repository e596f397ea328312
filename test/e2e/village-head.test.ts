import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { DEMO_PASSWORD, createDemoUsers } from '../../server/users/demo.js';
import { resetDatabase } from '../support/database.js';
import { loadPlaces } from '../support/places.js';
import { launchChromium, SCREENSHOTS, signIn } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/app.js';


describe('A village head in a real browser', function () {
  this.timeout(60_000);
  let app: TestApp;
  let browser: Browser;

  before(async () => {
    await resetDatabase();
    await loadPlaces('02', '030303');
    await createDemoUsers();
    app = await startTestApp();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('logs in, opens their village and reads its population in Persian digits, right to left', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    await page.goto(`${app.baseUrl}/`);
    await signIn(page, 'demo.village', DEMO_PASSWORD);
    // a village head lands on their work today; their village is in the menu (a <details>, no JavaScript needed)
    await page.waitForURL(/\/$/);
    await page.click('details.menu summary');
    await page.click('details.menu >> text=تقسیمات کشوری');
    await page.waitForURL(/\/places\/0303030001029409$/);

    expect(await page.getAttribute('html', 'dir')).to.equal('rtl');
    expect(await page.getAttribute('html', 'lang')).to.equal('fa');
    expect(await page.textContent('h1')).to.contain('خواجه دیزج');
    expect((await page.textContent('#population'))!.trim()).to.equal('۱٬۹۴۴');
    expect((await page.textContent('#households'))!.trim()).to.equal('۶۱۶');
    expect(await page.evaluate('getComputedStyle(document.body).direction')).to.equal('rtl');

    await page.screenshot({ path: join(SCREENSHOTS, 'village-head-village.png'), fullPage: true });
  });
});
