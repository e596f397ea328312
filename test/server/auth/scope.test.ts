import { expect } from 'chai';
import { resetDatabase } from '../../support/database.js';
import { loadPlaces } from '../../support/places.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { api, PageClient } from '../../support/http.js';
import { apiToken, createUser, type TestUser } from '../../support/users.js';

const KHAJEH_DIZAJ = '0303030001029409';
const QEZEL_DIZAJ = '0303030001029414'; // another village of the same rural district
const SARI = '0207';
const QAEMSHAHR = '0208';

describe('Each user sees only their own area', () => {
  let app: TestApp;
  let villageHead: TestUser;
  let sariGovernor: TestUser;
  let fundManager: TestUser;

  before(async () => {
    await resetDatabase();
    await loadPlaces(SARI, QAEMSHAHR, '0303030001');
    villageHead = await createUser({ role: 'village-head', placeCode: KHAJEH_DIZAJ });
    sariGovernor = await createUser({ role: 'county-governor', placeCode: SARI });
    fundManager = await createUser({ role: 'fund-manager', placeCode: '02' });
    app = await startTestApp();
  });
  after(() => app.stop());

  describe('on the pages', () => {
    it('a village head opens their own village but not another village', async () => {
      const browser = new PageClient(app.baseUrl);
      await browser.login(villageHead.username, villageHead.password);
      const own = await browser.get(`/places/${KHAJEH_DIZAJ}`);
      expect(own.status).to.equal(200);
      expect(own.text).to.contain('خواجه دیزج');
      const other = await browser.get(`/places/${QEZEL_DIZAJ}`);
      expect(other.status).to.equal(403);
      expect(other.text).to.contain('این مکان خارج از محدوده مسئولیت شماست.');
      expect(other.text).to.not.contain('قزل دیزج');
    });

    it('a county governor opens their county but not the neighbouring county', async () => {
      const browser = new PageClient(app.baseUrl);
      await browser.login(sariGovernor.username, sariGovernor.password);
      expect((await browser.get(`/places/${SARI}`)).status).to.equal(200);
      expect((await browser.get(`/places/${QAEMSHAHR}`)).status).to.equal(403);
      expect((await browser.get('/places/02')).status).to.equal(403);
    });

    it('a search finds only places inside the user’s area', async () => {
      const browser = new PageClient(app.baseUrl);
      await browser.login(sariGovernor.username, sariGovernor.password);
      const page = await browser.get(`/places?q=${encodeURIComponent('قائم')}`);
      expect(page.text).to.contain('مکانی با این نام در محدوده شما پیدا نشد.');
    });

    it('a fund manager opens every county of their province', async () => {
      const browser = new PageClient(app.baseUrl);
      await browser.login(fundManager.username, fundManager.password);
      expect((await browser.get(`/places/${SARI}`)).status).to.equal(200);
      expect((await browser.get(`/places/${QAEMSHAHR}`)).status).to.equal(200);
      expect((await browser.get(`/places/${KHAJEH_DIZAJ}`)).status).to.equal(403);
    });
  });

  describe('through the API', () => {
    it('a village head reads their village but not another village', async () => {
      const client = api(app.baseUrl, await apiToken(villageHead));
      expect((await client.get(`/api/v1/places/${KHAJEH_DIZAJ}`)).body).to.include({ code: KHAJEH_DIZAJ, population: 1944 });
      const other = await client.get(`/api/v1/places/${QEZEL_DIZAJ}`);
      expect(other.status).to.equal(403);
      expect(other.body.error.code).to.equal('outOfScope');
      const siblings = await client.get('/api/v1/places?parent=0303030001');
      expect(siblings.status).to.equal(403);
    });

    it('a county governor reads their county and its children but not the neighbouring county', async () => {
      const client = api(app.baseUrl, await apiToken(sariGovernor));
      expect((await client.get(`/api/v1/places/${SARI}`)).status).to.equal(200);
      expect((await client.get(`/api/v1/places/${QAEMSHAHR}`)).status).to.equal(403);
      expect((await client.get(`/api/v1/places?parent=${QAEMSHAHR}`)).status).to.equal(403);
      const children = await client.get(`/api/v1/places?parent=${SARI}`);
      expect(children.body.places.every((p: { ancestors: string[] }) => p.ancestors.includes(SARI))).to.equal(true);
    });
  });
});
