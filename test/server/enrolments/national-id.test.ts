import { expect } from 'chai';
import {
  NATIONAL_ID_REASONS,
  isValidNationalId,
  nationalIdCheckDigit,
  normaliseNationalId,
  validateNationalId,
} from '../../../server/enrolments/national-id.js';

describe('the national ID check', () => {
  // Worked by hand: 0·10+4·9+9·8+9·7+3·6+7·5+0·4+8·3+9·2 = 266; 266 mod 11 = 2; 11−2 = 9.
  it('accepts 0499370899, whose check digit is 11 minus a remainder of 2', () => {
    expect(nationalIdCheckDigit('049937089')).to.equal(9);
    expect(validateNationalId('0499370899')).to.deep.equal({ ok: true, value: '0499370899' });
  });

  // 1·10+2·9+…+9·2 = 210; 210 mod 11 = 1, below 2, so the check digit is the remainder itself.
  it('accepts 1234567891, whose remainder of 1 is its own check digit', () => {
    expect(validateNationalId('1234567891')).to.deep.equal({ ok: true, value: '1234567891' });
  });

  // 1·9 + 1·2 = 11; remainder 0.
  it('accepts 0100000010, whose remainder of 0 gives a check digit of 0', () => {
    expect(validateNationalId('0100000010').ok).to.equal(true);
  });

  it('refuses a wrong check digit', () => {
    expect(validateNationalId('0499370898')).to.deep.equal({ ok: false, reason: 'nationalId.checkDigit' });
    expect(validateNationalId('1234567890')).to.deep.equal({ ok: false, reason: 'nationalId.checkDigit' });
  });

  it('accepts Persian and Arabic-Indic digits, spaces and dashes, and returns Latin digits', () => {
    expect(validateNationalId('۰۴۹۹۳۷۰۸۹۹')).to.deep.equal({ ok: true, value: '0499370899' });
    expect(validateNationalId(' ٠٤٩-٩٣٧٠٨٩-٩ ')).to.deep.equal({ ok: true, value: '0499370899' });
    expect(validateNationalId('049 937 0899')).to.deep.equal({ ok: true, value: '0499370899' });
    expect(normaliseNationalId('۰۴۹-۹۳۷۰۸۹-۹')).to.equal('0499370899');
  });

  it('refuses letters and wrong lengths as a format error', () => {
    expect(validateNationalId('04993708a9')).to.deep.equal({ ok: false, reason: 'nationalId.format' });
    expect(validateNationalId('499370899')).to.deep.equal({ ok: false, reason: 'nationalId.format' });
    expect(validateNationalId('04993708990')).to.deep.equal({ ok: false, reason: 'nationalId.format' });
  });

  it('pads an ID whose leading zero a spreadsheet dropped, only when the import asks for it', () => {
    expect(validateNationalId('499370899')).to.deep.equal({ ok: false, reason: 'nationalId.format' });
    expect(validateNationalId('499370899', { padLeadingZeros: true })).to.deep.equal({ ok: true, value: '0499370899' });
    // 001000000 → 0·10 + 0·9 + 1·8 = 8, remainder 8, check 3: 0010000003, which a spreadsheet shows as 10000003.
    expect(validateNationalId('10000003', { padLeadingZeros: true })).to.deep.equal({ ok: true, value: '0010000003' });
    expect(validateNationalId('1234567', { padLeadingZeros: true })).to.deep.equal({ ok: false, reason: 'nationalId.format' });
  });

  it('asks for the ID when nothing (or only spaces) was given', () => {
    expect(validateNationalId('')).to.deep.equal({ ok: false, reason: 'nationalId.required' });
    expect(validateNationalId('   ')).to.deep.equal({ ok: false, reason: 'nationalId.required' });
    expect(validateNationalId(undefined)).to.deep.equal({ ok: false, reason: 'nationalId.required' });
  });

  it('refuses every all-same-digit ID, even those the checksum would pass', () => {
    for (let d = 0; d <= 9; d++) {
      expect(validateNationalId(String(d).repeat(10))).to.deep.equal({ ok: false, reason: 'nationalId.repeated' });
    }
    // 1111111111 is checksum-valid (sum 54, remainder 10, check 1): only the repetition rule stops it.
    expect(nationalIdCheckDigit('111111111')).to.equal(1);
  });

  it('answers a plain yes or no when asked', () => {
    expect(isValidNationalId('0499370899')).to.equal(true);
    expect(isValidNationalId('0499370898')).to.equal(false);
  });

  it('exports every reason key it can return', () => {
    expect(NATIONAL_ID_REASONS).to.have.members(['nationalId.required', 'nationalId.format', 'nationalId.checkDigit', 'nationalId.repeated']);
  });
});
