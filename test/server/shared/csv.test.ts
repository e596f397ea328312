import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { neutraliseFormula, toCsv } from '../../../server/shared/csv.js';

describe('CSV export', () => {
  const columns = [
    { header: 'شهرستان', key: 'name' },
    { header: 'سهمیه', key: 'target' },
    { header: 'توضیح', key: 'note' },
  ];

  it('starts with a UTF-8 byte-order mark so Excel reads Persian as Persian', () => {
    const bytes = toCsv(columns, [{ name: 'ساری', target: 1200 }]);
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).to.equal('شهرستان,سهمیه,توضیح\r\nساری,1200,\r\n');
  });

  it('quotes commas, quotes and line breaks, and reads back the same values', () => {
    const rows = [{ name: 'قائم‌شهر', target: 800, note: 'گفت "بله"، سپس, رفت\nخط دوم' }];
    const text = toCsv(columns, rows).toString('utf8').replace(/^\uFEFF/, '');
    expect(parse(text)).to.deep.equal([
      ['شهرستان', 'سهمیه', 'توضیح'],
      ['قائم‌شهر', '800', 'گفت "بله"، سپس, رفت\nخط دوم'],
    ]);
  });

  it('defuses cells Excel would run as formulas, but leaves negative numbers alone', () => {
    expect(neutraliseFormula('=HYPERLINK("http://x")')).to.equal('\'=HYPERLINK("http://x")');
    expect(neutraliseFormula('@SUM(A1)')).to.equal("'@SUM(A1)");
    expect(neutraliseFormula('-12')).to.equal('-12');
    expect(neutraliseFormula('-')).to.equal('-');
    expect(toCsv([{ header: 'n', key: 'n' }], [{ n: -5 }]).toString('utf8')).to.equal('\uFEFFn\r\n-5\r\n');
  });
});
