import { expect } from 'chai';
import { DEFAULT_ELIGIBILITY_RULES, ELIGIBILITY_REASONS, ageOn, checkEligibility } from '../../../server/enrolments/eligibility.js';

const d = (year: number, month: number, day: number) => ({ year, month, day });
const on = d(1404, 5, 3);

describe('eligibility to join the fund', () => {
  it('uses 18, 50 and 20,000 as the default rules', () => {
    expect(DEFAULT_ELIGIBILITY_RULES).to.deep.equal({ minAge: 18, maxAge: 50, townThreshold: 20000 });
  });

  it('counts whole Jalali years, the birthday itself included', () => {
    expect(ageOn(d(1386, 5, 3), d(1404, 5, 3))).to.equal(18);
    expect(ageOn(d(1386, 5, 4), d(1404, 5, 3))).to.equal(17);
    expect(ageOn(d(1386, 5, 3), d(1404, 5, 2))).to.equal(17);
    expect(ageOn(d(1386, 1, 1), d(1404, 12, 29))).to.equal(18);
  });

  it('gives someone born on 30 Esfand of a leap year their birthday on 29 Esfand of a common year', () => {
    // 1403 is leap, 1404 and 1421 are common.
    expect(ageOn(d(1403, 12, 30), d(1404, 12, 28))).to.equal(0);
    expect(ageOn(d(1403, 12, 30), d(1404, 12, 29))).to.equal(1);
    expect(ageOn(d(1403, 12, 30), d(1421, 12, 29))).to.equal(18);
    // And in a leap year (1408) the birthday is 30 Esfand itself.
    expect(ageOn(d(1403, 12, 30), d(1408, 12, 29))).to.equal(4);
    expect(ageOn(d(1403, 12, 30), d(1408, 12, 30))).to.equal(5);
  });

  it('admits a villager of exactly 18 and one of 50, and refuses 17 and 51', () => {
    expect(checkEligibility({ birthDate: d(1386, 5, 3), enrolmentDate: on, residence: 'village' })).to.deep.equal({ eligible: true, age: 18 });
    expect(checkEligibility({ birthDate: d(1354, 5, 3), enrolmentDate: on, residence: 'village' })).to.deep.equal({ eligible: true, age: 50 });
    expect(checkEligibility({ birthDate: d(1353, 5, 4), enrolmentDate: on, residence: 'nomadic' })).to.deep.equal({ eligible: true, age: 50 });
    expect(checkEligibility({ birthDate: d(1386, 5, 4), enrolmentDate: on, residence: 'village' })).to.deep.equal({
      eligible: false,
      reason: 'eligibility.tooYoung',
      params: { age: 17, minAge: 18 },
    });
    expect(checkEligibility({ birthDate: d(1353, 5, 3), enrolmentDate: on, residence: 'village' })).to.deep.equal({
      eligible: false,
      reason: 'eligibility.tooOld',
      params: { age: 51, maxAge: 50 },
    });
  });

  it('follows the campaign’s own age rules, such as the older 55 limit', () => {
    const result = checkEligibility({ birthDate: d(1350, 1, 1), enrolmentDate: on, residence: 'village' }, { maxAge: 55 });
    expect(result).to.deep.equal({ eligible: true, age: 54 });
  });

  it('refuses a birth date after the enrolment date', () => {
    expect(checkEligibility({ birthDate: d(1404, 5, 4), enrolmentDate: on, residence: 'village' })).to.deep.equal({
      eligible: false,
      reason: 'eligibility.birthInFuture',
      params: { birthDate: '1404/05/04', enrolmentDate: '1404/05/03' },
    });
  });

  it('covers towns under the threshold, not at it, and never cities', () => {
    const base = { birthDate: d(1370, 1, 1), enrolmentDate: on };
    expect(checkEligibility({ ...base, residence: 'town', townPopulation: 19999 }).eligible).to.equal(true);
    expect(checkEligibility({ ...base, residence: 'town' }).eligible).to.equal(true);
    expect(checkEligibility({ ...base, residence: 'town', townPopulation: 20000 })).to.deep.equal({
      eligible: false,
      reason: 'eligibility.residence',
      params: { residence: 'town', townPopulation: 20000, townThreshold: 20000 },
    });
    expect(checkEligibility({ ...base, residence: 'town', townPopulation: 30000 }, { townThreshold: 50000 }).eligible).to.equal(true);
    expect(checkEligibility({ ...base, residence: 'city' })).to.deep.include({ eligible: false, reason: 'eligibility.residence' });
  });

  it('exports every reason key it can return', () => {
    expect(ELIGIBILITY_REASONS).to.have.members(['eligibility.tooYoung', 'eligibility.tooOld', 'eligibility.residence', 'eligibility.birthInFuture']);
  });
});
