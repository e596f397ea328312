import { expect } from 'chai';
import type { CampaignRecord } from '../../../models/campaign.model.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { recordCommands, type SentCommand } from '../../support/commands.js';
import { resetDatabase } from '../../support/database.js';
import { birthDateForAge, enrolmentBody, KHAJEH_DIZAJ, nationalId, openCampaign, setQuota, TABRIZ_CENTRAL } from '../../support/enrolments.js';
import { api, PageClient } from '../../support/http.js';
import { loadPlaces } from '../../support/places.js';
import { apiToken, createUser, type TestUser } from '../../support/users.js';

const describeCommands = (commands: SentCommand[]) => commands.map((c) => `${c.name} ${c.collection ?? ''}`.trim()).join(', ');

describe('What an enrolment costs in database round trips (driver command monitoring)', () => {
  let app: TestApp;
  let campaign: CampaignRecord;
  let head: TestUser;
  let token: string;
  let serial = 9_000;
  // each enrolment another person (another birth date): the same name and birth date twice in a village is a possible duplicate
  const person = (n: number) => ({ campaign: String(campaign._id), birthDate: birthDateForAge(18 + (n % 30)) });

  before(async () => {
    await resetDatabase();
    await loadPlaces(TABRIZ_CENTRAL);
    campaign = await openCampaign('03');
    await setQuota(campaign, { code: KHAJEH_DIZAJ, ancestors: ['03', '0303', TABRIZ_CENTRAL, '0303030001'] }, 40);
    head = await createUser({ role: 'village-head', placeCode: KHAJEH_DIZAJ });
    token = await apiToken(head);
    app = await startTestApp();
  });
  after(() => app.stop());

  it('takes 4 round trips for an enrolment through the API once the user, place and campaign are known: the enrolment, its audit event, the counters, the commit', async () => {
    const client = api(app.baseUrl, token);
    expect((await client.post('/api/v1/enrolments', enrolmentBody(++serial, person(serial)))).status).to.equal(201);
    const { result, commands } = await recordCommands(() => client.post('/api/v1/enrolments', enrolmentBody(++serial, person(serial))));
    expect(result.status).to.equal(201);
    expect(commands.map((c) => `${c.name} ${c.collection ?? ''}`.trim()), describeCommands(commands)).to.deep.equal(['insert enrolments', 'insert audit_events', 'update progress_counters', 'commitTransaction']);
    expect(commands.map((c) => c.name)).to.include('commitTransaction');
  });

  it('takes at most 3 round trips per enrolment when enrolments arrive together: a batch shares its 4 commands', async () => {
    const client = api(app.baseUrl, token);
    // 12 other people: each birth date of person() once, none that a later test's person shares
    const bodies = Array.from({ length: 12 }, () => enrolmentBody(++serial, person(serial)));
    const { result, commands } = await recordCommands(() => Promise.all(bodies.map((body) => client.post('/api/v1/enrolments', body))));
    expect(result.map((r) => r.status)).to.deep.equal(bodies.map(() => 201));
    expect(commands.length / bodies.length, describeCommands(commands)).to.be.at.most(3);
  });

  it('keeps every other token remembered when one token\'s last use is written', async () => {
    const other = await apiToken(await createUser({ role: 'village-head', placeCode: KHAJEH_DIZAJ }));
    const client = api(app.baseUrl, token);
    expect((await client.get('/api/v1/me')).status).to.equal(200);
    // the other token's first request writes its "last used"
    expect((await api(app.baseUrl, other).get('/api/v1/me')).status).to.equal(200);
    const { result, commands } = await recordCommands(() => client.get('/api/v1/me'));
    expect(result.status).to.equal(200);
    expect(commands.filter((c) => c.collection === 'api_tokens' || c.collection === 'users'), describeCommands(commands)).to.deep.equal([]);
  });

  it('answers a national ID already enrolled with 409 without a check before the insert', async () => {
    const client = api(app.baseUrl, token);
    const body = enrolmentBody(++serial, person(serial));
    expect((await client.post('/api/v1/enrolments', body)).status).to.equal(201);
    const { result, commands } = await recordCommands(() => client.post('/api/v1/enrolments', body));
    expect(result.status).to.equal(409);
    // the insert is the first thing sent: the unique index answers, then the record found says where
    expect(commands[0]!.name, describeCommands(commands)).to.equal('insert');
  });

  it('takes at most 8 round trips for the form and the page it leads to (one of them the audit event), and that page shows the new enrolment', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(head.username, head.password);
    await browser.get('/enrolments/new');
    const id = nationalId(++serial);
    const fields = { ...(enrolmentBody(serial, person(serial)) as Record<string, string>), nationalId: id, campaign: String(campaign._id), referringAgency: '' };
    const { result: page, commands } = await recordCommands(() => browser.post('/enrolments', fields, { from: '/enrolments/new' }));
    expect(page.path).to.equal('/enrolments');
    expect(page.text).to.include('ثبت‌نام مریم رضایی ثبت شد.');
    expect(commands.length, describeCommands(commands)).to.be.at.most(8);
  });

  it('writes no session on a page with nothing to flash', async () => {
    const browser = new PageClient(app.baseUrl);
    await browser.login(head.username, head.password);
    await browser.get('/enrolments');
    const { commands } = await recordCommands(() => browser.get('/enrolments'));
    const sessionWrites = commands.filter((c) => c.collection === 'sessions' && c.name !== 'find');
    expect(sessionWrites, describeCommands(commands)).to.deep.equal([]);
  });
});
