import { expect } from 'chai';
import { comparePersian, formatNumber, normalizePersian, searchKey, toLatinDigits, toPersianDigits } from '../../../server/shared/persian-text.js';

describe('Persian text helpers', () => {
  it('writes numbers in Persian digits and reads them back', () => {
    expect(toPersianDigits(1397)).to.equal('۱۳۹۷');
    expect(toLatinDigits('۰۹۱۲۳٤٥٦٧٨٩')).to.equal('09123456789');
  });

  it('makes Arabic yeh and kaf Persian', () => {
    expect(normalizePersian('كيان  علي')).to.equal('کیان علی');
  });

  it('finds the same name however the user typed yeh, kaf, the half-space or the digits', () => {
    expect(searchKey('سید‌کلا')).to.equal(searchKey('سيد كلا'));
    expect(searchKey('آمل')).to.equal(searchKey('امل'));
    expect(searchKey('منطقه ۲')).to.equal(searchKey('منطقه 2'));
  });

  it('sorts in Persian alphabetical order', () => {
    const names = ['گرگان', 'کرج', 'پاکدشت', 'بابل', 'چالوس', 'ژاوه'];
    expect([...names].sort(comparePersian)).to.deep.equal(['بابل', 'پاکدشت', 'چالوس', 'ژاوه', 'کرج', 'گرگان']);
  });

  it('groups thousands in the reader’s script', () => {
    expect(formatNumber(1234567)).to.equal('۱٬۲۳۴٬۵۶۷');
    expect(formatNumber(1234567, 'en')).to.equal('1,234,567');
  });
});
