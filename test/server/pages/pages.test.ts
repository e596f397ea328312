import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { resetDatabase } from '../../support/database.js';
import { loadPlaces } from '../../support/places.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { PageClient } from '../../support/http.js';
import { createUser, type TestUser } from '../../support/users.js';

const BUDGET = 30 * 1024;
/** The rural district with the most villages in the data (130), so the heaviest list page there is. */
const LARGEST_RURAL_DISTRICT = '2402020002';

describe('The place pages', () => {
  let app: TestApp;
  let ardabilFund: TestUser;
  let villageHead: TestUser;

  before(async () => {
    await resetDatabase();
    await loadPlaces(LARGEST_RURAL_DISTRICT, '030303');
    ardabilFund = await createUser({ role: 'fund-manager', placeCode: '24' });
    villageHead = await createUser({ role: 'village-head', placeCode: '0303030001029409' });
    app = await startTestApp();
  });
  after(() => app.stop());

  it('walk down from province to village with population and households in Persian digits', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(ardabilFund.username, ardabilFund.password);
    const province = await browser.get('/places/24');
    expect(province.text).to.contain('اردبیل');
    expect(province.text).to.contain('۱٬۲۷۰٬۴۲۰');
    const ruralDistrict = await browser.get(`/places/${LARGEST_RURAL_DISTRICT}`);
    expect(ruralDistrict.text).to.contain('دهستان');
    expect(ruralDistrict.html.match(/<tr>/g)!.length).to.be.greaterThan(130);
  });

  it('stay under 30 KB gzipped, even the longest list of villages', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(ardabilFund.username, ardabilFund.password);
    const sizes: Record<string, number> = { '/login': gzipSync((await new PageClient(app.baseUrl).get('/login')).html).length };
    for (const path of ['/places/24', `/places/${LARGEST_RURAL_DISTRICT}`, '/places?q=' + encodeURIComponent('ا')]) {
      const page = await browser.get(path);
      sizes[path] = gzipSync(page.html).length;
    }
    const css = gzipSync(Buffer.from(await (await fetch(`${app.baseUrl}/static/app.css`)).arrayBuffer())).length;
    mkdirSync('test-output', { recursive: true });
    writeFileSync(join('test-output', 'page-sizes.json'), JSON.stringify({ ...sizes, '/static/app.css': css }, null, 2));
    for (const [path, size] of Object.entries(sizes)) expect(size + css, path).to.be.lessThan(BUDGET);
  });

  it('serve the Vazirmatn font from the application itself', async () => {
    const css = await (await fetch(`${app.baseUrl}/static/app.css`)).text();
    expect(css).to.contain('font-display: swap');
    const font = await fetch(`${app.baseUrl}/static/fonts/Vazirmatn-Regular.woff2`);
    expect(font.status).to.equal(200);
    expect((await font.arrayBuffer()).byteLength).to.be.greaterThan(10_000);
  });

  it('switch to English and back without JavaScript', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(villageHead.username, villageHead.password);
    const english = await browser.get('/lang/en?next=/places/0303030001029409');
    expect(english.path).to.equal('/places/0303030001029409');
    expect(english.html).to.contain('<html lang="en" dir="ltr">');
    expect(english.text).to.contain('Population 1,944');
    const persian = await browser.get('/lang/fa?next=/places/0303030001029409');
    expect(persian.html).to.contain('<html lang="fa" dir="rtl">');
    expect(persian.text).to.contain('جمعیت ۱٬۹۴۴');
  });

  it('show an unknown address as a Persian error page with status 404', async () => {
    const page = await new PageClient(app.baseUrl).get('/no-such-page');
    expect(page.status).to.equal(404);
    expect(page.text).to.contain('صفحه یا موردی که خواستید پیدا نشد.');
  });
});
