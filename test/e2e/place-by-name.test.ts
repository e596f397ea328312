import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { CampaignRecord } from '../../models/campaign.model.js';
import { Quota, type QuotaRecord } from '../../models/quota.model.js';
import { launchChromium, SCREENSHOTS, signIn } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { resetDatabase } from '../support/database.js';
import { openCampaign } from '../support/enrolments.js';
import { loadPlaces } from '../support/places.js';
import { createUser, type TestUser } from '../support/users.js';

const PHONE = { width: 360, height: 740 };
const SARI_DARAGH_GHESHLAGH = '0315030003026254'; // one of the two villages called ساری درق in Kaleybar

describe('A fund manager choosing places by name on a 360-px phone', function () {
  this.timeout(120_000);
  let app: TestApp;
  let browser: Browser;
  let fund: TestUser;
  let campaign: CampaignRecord;

  before(async () => {
    await resetDatabase();
    // with a second county, the province has more places than a phone should download as a list
    await loadPlaces('0315', '0302');
    fund = await createUser({ role: 'fund-manager', placeCode: '03' });
    campaign = await openCampaign('03');
    app = await startTestApp();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  const width = (page: Page) => page.evaluate('document.documentElement.scrollWidth');

  it('without JavaScript, opens the dashboard of a place typed with Arabic letters, then finds one of two villages of one name and sets its quota', async () => {
    const page = await browser.newPage({ viewport: PHONE, javaScriptEnabled: false });
    await page.goto(`${app.baseUrl}/login`);
    await signIn(page, fund.username, fund.password);

    await page.goto(`${app.baseUrl}/campaigns/${campaign._id}`);
    await page.fill('#find-place input[name="place"]', 'كليبر'); // Arabic kaf and yeh: the county and its town
    await page.click('#find-place button');
    expect(await page.locator('#find-place input[name="placePick"]').count()).to.equal(2);
    await page.check('#find-place label:has-text("شهرستان") input');
    await page.click('#find-place button');
    expect(await page.textContent('h1 small')).to.contain('کلیبر · شهرستان');
    expect(await width(page)).to.be.at.most(PHONE.width);

    await page.click('text=سهمیهٔ این مکان');
    await page.fill('#find-quota input[name="place"]', 'ساري درق'); // Arabic yeh
    await page.click('#find-quota button');
    const choices = page.locator('#find-quota input[name="placePick"]');
    expect(await choices.count()).to.equal(2);
    expect(await page.textContent('#find-quota')).to.contain('ساری درق — پیغان چایی — مرکزی').and.contain('ساری درق — قشلاق — آبش احمد');
    expect(await width(page)).to.be.at.most(PHONE.width);
    await page.screenshot({ path: join(SCREENSHOTS, 'place-by-name-two-villages.png'), fullPage: true });

    await page.check('#find-quota label:has-text("قشلاق") input');
    await page.click('#find-quota button');
    expect(new URL(page.url()).pathname).to.equal(`/campaigns/${campaign._id}/quotas/${SARI_DARAGH_GHESHLAGH}`);
    await page.fill('#f-target', '۸۰');
    await page.click('button:has-text("ذخیره")');
    expect(await page.textContent('#target')).to.equal('۸۰');
    expect(await width(page)).to.be.at.most(PHONE.width);
    await page.screenshot({ path: join(SCREENSHOTS, 'place-by-name-quota-saved.png'), fullPage: true });
    const quota = await Quota.findOne({ province: '03', campaign: campaign._id, placeCode: SARI_DARAGH_GHESHLAGH }).setOptions({ scope: 'system' }).lean<QuotaRecord>();
    expect(quota?.target).to.equal(80);
    await page.close();
  });

  it('with JavaScript, offers the places a name begins as it is typed, over a province too large to list', async () => {
    const page = await browser.newPage({ viewport: PHONE });
    await page.goto(`${app.baseUrl}/login`);
    await signIn(page, fund.username, fund.password);
    await page.goto(`${app.baseUrl}/campaigns/${campaign._id}/quotas`);
    // no list in the page: the province has more places than a phone should download
    expect(await page.locator('#l-place option').count()).to.equal(0);
    await page.fill('#find-quota input[name="place"]', 'ساري د');
    await page.locator('#l-place option').nth(1).waitFor({ state: 'attached' });
    const offered = await Promise.all((await page.locator('#l-place option').all()).map((option) => option.getAttribute('value')));
    expect(offered.sort()).to.deep.equal(['ساری درق — پیغان چایی — مرکزی', 'ساری درق — قشلاق — آبش احمد'].sort());
    // a name from the list is that place
    await page.fill('#find-quota input[name="place"]', 'ساری درق — قشلاق — آبش احمد');
    await page.click('#find-quota button');
    expect(new URL(page.url()).pathname).to.equal(`/campaigns/${campaign._id}/quotas/${SARI_DARAGH_GHESHLAGH}`);
    await page.close();
  });
});
