import { expect } from 'chai';
import { MOBILE_REASONS, normaliseMobile, validateMobile } from '../../../server/enrolments/mobile.js';

describe('Iranian mobile numbers', () => {
  it('makes every usual way of writing a number the canonical 09xxxxxxxxx', () => {
    for (const input of ['09121234567', '+989121234567', '00989121234567', '989121234567', '9121234567']) {
      expect(validateMobile(input), input).to.deep.equal({ ok: true, value: '09121234567' });
    }
  });

  it('accepts Persian digits, spaces, dashes and brackets', () => {
    expect(normaliseMobile('۰۹۱۲ ۱۲۳ ۴۵۶۷')).to.equal('09121234567');
    expect(normaliseMobile('+98 (912) 123-4567')).to.equal('09121234567');
    expect(normaliseMobile('٠٩٣٥-١٢٣-٤٥٦٧')).to.equal('09351234567');
  });

  it('refuses landlines, short numbers, letters and a plus in the wrong place', () => {
    for (const input of ['02112345678', '0912123456', '091212345678', '0912123456a', '9+121234567', '+09121234567', '', '08121234567']) {
      expect(validateMobile(input), input).to.deep.equal({ ok: false, reason: 'mobile.format' });
    }
    expect(normaliseMobile(null)).to.equal(null);
  });

  it('exports its one reason key', () => {
    expect(MOBILE_REASONS).to.deep.equal(['mobile.format']);
  });
});
