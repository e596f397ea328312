import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { loadAgreementDemo } from '../../server/agreements/demo.js';
import { ensureAgencyRegister } from '../../server/committees/agencies.service.js';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../../server/users/demo.js';
import { createUser } from '../../server/users/users.service.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { launchChromium, SCREENSHOTS, signIn } from '../support/browser.js';
import { resetDatabase } from '../support/database.js';
import { loadPlaces } from '../support/places.js';

const PROBLEM = 'آزمون: سکونت خانوارهای ییلاقی تأیید نمی‌شود';
const CLAUSE = 'آزمون: گواهی سکونت ییلاقی را شورای شهر صادر کند';


/** A destination under the role's menu (a <details>, which works without JavaScript): open it, then follow the link. */
async function openFromMenu(page: Page, label: string): Promise<void> {
  await page.click('details.menu summary');
  await page.click(`details.menu a:has-text("${label}")`);
}
describe('The field-problem loop on a phone, without JavaScript', function () {
  this.timeout(240_000);
  let app: TestApp;
  let browser: Browser;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `field-problem-loop-${name}.png`), fullPage: true });
  /** Nothing on the page may be wider than the phone. */
  const fitsThePhone = async () => expect(await page.evaluate<number>('document.documentElement.scrollWidth')).to.be.at.most(360);
  const as = async (username: string) => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false, locale: 'fa-IR' });
    page = await context.newPage();
    await page.goto(`${app.baseUrl}/login`);
    await signIn(page, username, DEMO_PASSWORD);
  };

  before(async () => {
    await resetDatabase();
    await loadPlaces('02');
    await ensureAgencyRegister();
    for (const account of DEMO_ACCOUNTS.filter((a) => a.placeCode.startsWith('02'))) await createUser('system', { ...account, password: DEMO_PASSWORD, lang: 'fa' }, { demo: true });
    await loadAgreementDemo();
    app = await startTestApp();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  let problemPath = '';

  it('a mayor logs a problem at their town', async () => {
    await as('demo.mayor');
    await openFromMenu(page, 'مشکلات میدانی');
    await page.selectOption('#f-topic', 'residence-unconfirmed');
    await page.fill('#f-description', PROBLEM);
    await page.fill('#f-affected', '۱۸');
    await page.click('button:has-text("ثبت مشکل")');
    await page.waitForURL(/\/field-problems\/[0-9a-f]{24}$/);
    problemPath = new URL(page.url()).pathname;
    expect(await page.textContent('.flash')).to.contain('ثبت شد');
    expect(await page.textContent('main')).to.contain(PROBLEM);
    await fitsThePhone();
    await shot('1-logged');
  });

  it('two others of the county say they have it too, and it counts three places', async () => {
    for (const username of ['demo.mayor.hular', 'demo.sari']) {
      await as(username);
      await page.goto(`${app.baseUrl}${problemPath}`);
      await page.fill('#f-affected', '۶');
      await page.click('form button:has-text("ما هم داریم")');
      expect(await page.textContent('.flash')).to.contain('ثبت شد');
    }
    expect(await page.textContent('.facts')).to.contain('۳');
    expect(await page.textContent('.facts')).to.contain('۳۰');
    await fitsThePhone();
    await shot('2-seconded');
  });

  it('the topic trend ranks it with this quarter against the same quarter last year and a chart', async () => {
    await page.click('text=موضوع‌ها در گذر زمان');
    expect(await page.textContent('h1')).to.contain('ساری');
    const residence = page.locator('#topic-residence-unconfirmed');
    expect(await residence.locator('table.compare tbody tr').count()).to.equal(4);
    expect(await residence.locator('svg.bars rect').count()).to.equal(12);
    await fitsThePhone();
    await shot('3-trends');
  });

  it('a volunteer of the working group proposes a clause from the problem', async () => {
    await as('demo.mayor');
    await page.goto(`${app.baseUrl}${problemPath}`);
    await page.click('a.button:has-text("پیشنهاد بند از این مشکل")');
    expect(await page.textContent('main')).to.contain('داده نمونه');
    expect(await page.isChecked(`input[name="problems"][value="${problemPath.split('/').pop()}"]`)).to.equal(true);
    await page.fill('#f-text', CLAUSE);
    await page.selectOption('#f-agency', 'urban-affairs');
    await page.fill('#f-withinMonths', '۲');
    await page.click('form button:has-text("پیشنهاد بند تازه")');
    expect(await page.textContent('.flash')).to.contain('در انتظار تصمیم');
    await fitsThePhone();
    await shot('4-proposed');
  });

  it('the governor’s office adopts it: clause 3 becomes a commitment with its deadline', async () => {
    await as('demo.governor');
    await openFromMenu(page, 'تفاهم‌نامه‌ها');
    await page.click('text=تفاهم‌نامه همکاری سازمان شهرداری‌ها');
    const proposal = page.locator('li', { hasText: CLAUSE });
    await proposal.locator('input[name="reason"]').fill('مشکل سه محل در یک هفته');
    await proposal.locator('button:has-text("پذیرش")').click();
    expect(await page.textContent('.flash')).to.contain('بند ۳');
    await fitsThePhone();
    await shot('5-adopted');
    await page.locator('#clause-3 a:has-text("تعهد")').click();
    await page.waitForURL(/\/resolutions\/[0-9a-f]{24}$/);
    expect(await page.textContent('main')).to.contain(CLAUSE);
    expect(await page.textContent('main')).to.contain('ظرف ۲ ماه');
    await fitsThePhone();
    await shot('6-commitment');
  });

  it('the topic now links to the clause that addresses it, and the agreement shows the quarters around adoption', async () => {
    await page.goto(`${app.baseUrl}/field-problems/trends`);
    await shot('7-trend-links');
    expect(await page.locator('#topic-residence-unconfirmed p').last().textContent()).to.contain('بند ۳');
    await page.goto(`${app.baseUrl}${problemPath}`);
    expect(await page.textContent('main')).to.contain('بند ۳');
    await page.goto(`${app.baseUrl}/agreements`);
    await page.click('text=تفاهم‌نامه همکاری سازمان شهرداری‌ها');
    expect(await page.textContent('main')).to.contain('اثر داشت؟');
    expect(await page.locator('h3', { hasText: 'بند ۱' }).count()).to.be.at.least(1);
    await fitsThePhone();
    await shot('7-effect');
  });
});
