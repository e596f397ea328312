import { expect } from 'chai';
import { EnrolmentImport } from '../../../models/enrolment-import.model.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { resetDatabase } from '../../support/database.js';
import { birthDateForAge, KHAJEH_DIZAJ, nationalId, openCampaign, TABRIZ_CENTRAL } from '../../support/enrolments.js';
import { PageClient } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { createUser, type TestUser } from '../../support/users.js';

describe('CSRF tokens of upload forms', () => {
  let app: TestApp;
  let head: TestUser;
  const file = () => new File([Buffer.from(`nationalId,firstName,lastName,birthDate,sex,mobile,targetGroup,channel\r\n${nationalId(9001)},Maryam,Rezaei,${birthDateForAge(30)},female,09121234567,villagers,online\r\n`)], 'list.csv');

  before(async () => {
    await resetDatabase();
    await loadPlaces(TABRIZ_CENTRAL);
    await openCampaign('03');
    head = await createUser({ role: 'village-head', placeCode: KHAJEH_DIZAJ });
    app = await startTestApp();
  });
  after(() => app.stop());

  it('never put the token in a URL: the upload forms carry it in their body', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(head.username, head.password);
    const form = await browser.get('/enrolments/import');
    expect(form.html).to.match(/<form method="post" action="\/enrolments\/import" enctype="multipart\/form-data"[^>]*><input type="hidden" name="_csrf"/);
    expect(form.html).to.not.match(/\?_csrf=/);
    const done = await browser.upload('/enrolments/import', {}, { file: file() }, { from: '/enrolments/import' });
    expect(done.path).to.match(/^\/enrolments\/imports\/[0-9a-f]{24}$/);
    expect(done.path + (done.headers.get('location') ?? '')).to.not.contain('_csrf');
  });

  it('refuse an upload whose token is only in the address (as an old form or a forged link would send it), before reading the file', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(head.username, head.password);
    const form = await browser.get('/enrolments/import');
    const token = /name="_csrf" value="([^"]+)"/.exec(form.html)![1]!;
    const before = await EnrolmentImport.countDocuments({}).setOptions({ scope: 'system' });
    const refused = await browser.upload(`/enrolments/import?_csrf=${encodeURIComponent(token)}`, {}, { file: file() }, { csrf: false, from: '/enrolments/import' });
    expect(refused.status).to.equal(403);
    expect(await EnrolmentImport.countDocuments({}).setOptions({ scope: 'system' })).to.equal(before);
  });

  it('check any other multipart form at once, so a form not listed as an upload fails closed', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(head.username, head.password);
    const refused = await browser.upload('/logout', {}, {}, { csrf: false });
    expect(refused.status).to.equal(403);
    expect((await browser.get('/enrolments')).path).to.equal('/enrolments');
  });
});
