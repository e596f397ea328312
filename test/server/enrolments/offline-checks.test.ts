import { expect } from 'chai';
import type { CampaignRecord } from '../../../models/campaign.model.js';
import { Place, type PlaceRecord } from '../../../models/place.model.js';
import { logEnrolment } from '../../../server/enrolments/enrolments.service.js';
import { nationalIdCheckDigit } from '../../../server/enrolments/national-id.js';
import { checkBeforeQueueing } from '../../../server/enrolments/offline-checks.js';
import { AppError } from '../../../server/errors/app-error.js';
import { toJalali } from '../../../server/shared/jalali.js';
import { toPersianDigits } from '../../../server/shared/persian-text.js';
import { resetDatabase } from '../../support/database.js';
import { BASMENJ, birthDateForAge, enrolmentBody, KHAJEH_DIZAJ, nationalId, openCampaign, TABRIZ_CENTRAL, TABRIZ_CITY } from '../../support/enrolments.js';
import { loadPlaces } from '../../support/places.js';
import { createUser, type TestUser } from '../../support/users.js';

/** A valid national ID that starts with 0, as spreadsheets lose it. */
function zeroLed(n: number): string {
  const firstNine = `0${String(10_000_000 + n).slice(-8)}`;
  return firstNine + nationalIdCheckDigit(firstNine);
}

/** The server's answer to one enrolment: null when stored, else the refusal as the API carries it. */
async function serverAnswer(user: TestUser, raw: Record<string, string>): Promise<{ messageKey: string; params: Record<string, unknown>; fields: Record<string, string> } | null> {
  try {
    await logEnrolment({ id: String(user._id), role: user.role, placeCode: user.placeCode, province: user.province }, raw);
    return null;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { messageKey: err.messageKey, params: err.params, fields: err.fields ?? {} };
  }
}

describe('The checks the phone runs before queueing an enrolment', () => {
  let campaign: CampaignRecord;
  let serial = 900;
  const cases: [string, Record<string, string>][] = [
    ['a good enrolment', {}],
    ['a wrong check digit', { nationalId: '0499370898' }],
    ['letters in the national ID', { nationalId: '04993a0899' }],
    ['ten repeated digits', { nationalId: '1111111111' }],
    ['no national ID', { nationalId: '' }],
    ['a national ID in Persian digits', { nationalId: 'persian' }],
    ['a 9-digit ID that lost its zero', { nationalId: 'lost-zero' }],
    ['no first name', { firstName: '' }],
    ['a last name of 101 letters', { lastName: 'ب'.repeat(101) }],
    ['a birth date that is no Jalali date', { birthDate: '1370/13/40' }],
    ['a birth date in Gregorian form', { birthDate: '03-05-1991' }],
    ['no birth date', { birthDate: '' }],
    ['a birth date in the future', { birthDate: birthDateForAge(-1) }],
    ['a person of 17', { birthDate: birthDateForAge(17) }],
    ['a person of 18', { birthDate: birthDateForAge(18) }],
    ['a person of 50', { birthDate: birthDateForAge(50) }],
    ['a person of 51', { birthDate: birthDateForAge(51) }],
    ['a birth date in Persian digits', { birthDate: toPersianDigits(birthDateForAge(30)) }],
    ['a mobile that is not Iranian', { mobile: '0044 20 7946 0000' }],
    ['a mobile in +98 form', { mobile: '+98 912 123 4567' }],
    ['no mobile', { mobile: '' }],
    ['no sex', { sex: '' }],
    ['a target group the campaign leaves out', { targetGroup: 'vocational-trainees' }],
    ['several problems at once', { nationalId: '123', mobile: '1', birthDate: 'x', firstName: '' }],
    ['in person without saying why', { inPersonReason: '' }],
    ['in person for a disability', { inPersonReason: 'disability' }],
    ['online with an in-person reason', { channel: 'online' }],
    ['online, no reason', { channel: 'online', inPersonReason: '' }],
    ['no channel, no reason', { channel: '', inPersonReason: '' }],
  ];

  before(async () => {
    await resetDatabase();
    await loadPlaces(TABRIZ_CENTRAL);
    campaign = await openCampaign('03', { minAge: 18, maxAge: 50, targetGroups: ['villagers', 'farmers', 'nomads', 'craftspeople'] });
  });

  for (const [where, user] of [['at a village head’s own village', { role: 'village-head', place: KHAJEH_DIZAJ }], ['at a mayor’s town, counted against the threshold', { role: 'mayor', place: BASMENJ }], ['at a mayor’s city above the threshold', { role: 'mayor', place: TABRIZ_CITY }]] as const) {
    it(`refuses exactly what the server refuses, in the same words, ${where}`, async () => {
      const actor = await createUser({ role: user.role, placeCode: user.place });
      const place = await Place.findOne({ code: user.place }).setOptions({ scope: 'system' }).lean<PlaceRecord>();
      const context = { campaign: { minAge: campaign.minAge, maxAge: campaign.maxAge, townThreshold: campaign.townThreshold, targetGroups: campaign.targetGroups }, place: { level: place!.level, population: place!.population }, today: toJalali(new Date()) };
      for (const [name, overrides] of cases) {
        const raw = enrolmentBody(++serial, { campaign: String(campaign._id), ...overrides }) as Record<string, string>;
        // fresh IDs in the two spellings a phone may get them in (every case is a new person)
        if (overrides.nationalId === 'persian') raw.nationalId = toPersianDigits(nationalId(serial));
        if (overrides.nationalId === 'lost-zero') raw.nationalId = zeroLed(serial).slice(1);
        const phone = checkBeforeQueueing(raw, context);
        const server = await serverAnswer(actor, raw);
        expect(phone, name).to.deep.equal(server);
      }
    });
  }

  it('checks the age alone when the village is typed, leaving the place to the server', () => {
    const context = { campaign: { minAge: 18, maxAge: 50, townThreshold: 20_000, targetGroups: ['villagers'] }, today: toJalali(new Date()) };
    expect(checkBeforeQueueing(enrolmentBody(1, { village: TABRIZ_CITY }) as Record<string, string>, context)).to.equal(null);
    expect(checkBeforeQueueing(enrolmentBody(1, { birthDate: birthDateForAge(60) }) as Record<string, string>, context)).to.deep.equal({ messageKey: 'eligibility.tooOld', params: { age: 60, maxAge: 50 }, fields: { birthDate: 'enrolments.field.tooOld' } });
  });
});
