import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { excelDateToJalaliText, readXlsxRows, readXlsxSheets, safeSheetName, writeXlsx } from '../../../server/reports/xlsx.js';

describe('XLSX export', () => {
  const sheet = {
    name: 'شهرستان‌ها',
    rightToLeft: true,
    columns: [
      { header: 'شهرستان', key: 'name', width: 20 },
      { header: 'سهمیه', key: 'target' },
      { header: 'ثبت‌نام', key: 'achieved' },
    ],
    rows: [
      { name: 'ساری', target: 1200, achieved: 950 },
      { name: 'قائم‌شهر', target: 800, achieved: null },
      { name: 'بابل', target: 1500, achieved: 1501, ignored: 'not a column' },
    ],
  };

  it('round-trips Persian text and numbers, keyed by header', async () => {
    const buffer = await writeXlsx([sheet]);
    expect(buffer.subarray(0, 2).toString('latin1')).to.equal('PK');
    const read = await readXlsxRows(buffer);
    expect(read).to.deep.equal({
      'شهرستان‌ها': [
        { شهرستان: 'ساری', سهمیه: 1200, 'ثبت‌نام': 950 },
        { شهرستان: 'قائم‌شهر', سهمیه: 800, 'ثبت‌نام': null },
        { شهرستان: 'بابل', سهمیه: 1500, 'ثبت‌نام': 1501 },
      ],
    });
  });

  it('opens Persian sheets right-to-left, freezes the header and keeps numbers numeric', async () => {
    const buffer = await writeXlsx([sheet, { ...sheet, name: 'English', rightToLeft: false }]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(buffer as unknown as ExcelJS.Buffer);
    expect(workbook.worksheets[0].views[0]).to.include({ rightToLeft: true, state: 'frozen' });
    expect(workbook.worksheets[1].views[0].rightToLeft).to.equal(false);
    expect(workbook.worksheets[0].getCell('B2').type).to.equal(ExcelJS.ValueType.Number);
    expect(workbook.worksheets[0].getColumn(1).width).to.equal(20);
  });

  it('makes sheet names legal for Excel: no []:*?/\\, at most 31 characters, no repeats', async () => {
    expect(safeSheetName('گزارش ۱۴۰۴/۰۵')).to.equal('گزارش ۱۴۰۴ ۰۵');
    expect([...safeSheetName('x'.repeat(40))].length).to.equal(31);
    const buffer = await writeXlsx([
      { name: 'ماه', columns: [], rows: [] },
      { name: 'ماه', columns: [], rows: [] },
    ]);
    expect((await readXlsxSheets(buffer)).map((s) => s.name)).to.deep.equal(['ماه', 'ماه (2)']);
  });

  it('reads a date cell as the Jalali day it shows', () => {
    expect(excelDateToJalaliText(new Date(Date.UTC(2018, 6, 25)))).to.equal('1397/05/03');
  });
});
