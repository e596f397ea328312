import { expect } from 'chai';
import { writeXlsx } from '../../../server/reports/xlsx.js';
import { UPLOAD_REASONS, TabularUploadError, readTabularUpload } from '../../../server/shared/tabular.js';

const csv = (text: string, bom = false) => Buffer.concat([Buffer.from(bom ? [0xef, 0xbb, 0xbf] : []), Buffer.from(text, 'utf8')]);

async function reasonOf(promise: Promise<unknown>): Promise<{ reason: string; params: unknown }> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(TabularUploadError);
    const e = error as TabularUploadError;
    return { reason: e.reason, params: e.params };
  }
  throw new Error('expected the upload to be refused');
}

describe('reading an uploaded table', () => {
  const requiredColumns = ['کد ملی', 'نام'];

  it('reads a UTF-8 CSV with spreadsheet line numbers, Persian digits untouched', async () => {
    const { rows } = await readTabularUpload({
      buffer: csv('کد ملی,نام,روستا\r\n۰۴۹۹۳۷۰۸۹۹,مریم,"کیاکلا، مرکزی"\r\n\r\n1234567891,علی,\r\n'),
      filename: 'enrolments.csv',
      requiredColumns,
    });
    expect(rows).to.deep.equal([
      { line: 2, values: { 'کد ملی': '۰۴۹۹۳۷۰۸۹۹', نام: 'مریم', روستا: 'کیاکلا، مرکزی' } },
      // Line 3 is blank: skipped, but still counted, as Excel shows it.
      { line: 4, values: { 'کد ملی': '1234567891', نام: 'علی', روستا: '' } },
    ]);
  });

  it('accepts a BOM, semicolons, Arabic yeh/kaf and half-space variants in headers', async () => {
    const { rows } = await readTabularUpload({ buffer: csv('كد  ملي;نام\n0499370899;زهرا\n', true), filename: 'LIST.CSV', requiredColumns });
    expect(rows).to.deep.equal([{ line: 2, values: { 'کد ملی': '0499370899', نام: 'زهرا' } }]);
  });

  it('counts a quoted multi-line cell as one spreadsheet row', async () => {
    const { rows } = await readTabularUpload({ buffer: csv('کد ملی,نام\n1,"دو\nخط"\n2,ب\n'), filename: 'a.csv', requiredColumns });
    expect(rows.map((r) => r.line)).to.deep.equal([2, 3]);
  });

  it('reads the first sheet of a good XLSX, numbers as plain text', async () => {
    const buffer = await writeXlsx([
      {
        name: 'ثبت‌نام',
        rightToLeft: true,
        columns: [
          { header: 'کد ملی', key: 'id' },
          { header: 'نام', key: 'name' },
          { header: 'مبلغ', key: 'amount' },
        ],
        rows: [
          { id: '0499370899', name: 'مریم', amount: 0.1 + 0.2 },
          { id: 1234567891, name: 'علی', amount: 12 },
        ],
      },
    ]);
    const { rows } = await readTabularUpload({ buffer, filename: 'list.xlsx', requiredColumns });
    expect(rows).to.deep.equal([
      { line: 2, values: { 'کد ملی': '0499370899', نام: 'مریم', مبلغ: '0.3' } },
      { line: 3, values: { 'کد ملی': '1234567891', نام: 'علی', مبلغ: '12' } },
    ]);
  });

  it('refuses text that is not UTF-8 (a Windows-1256 export)', async () => {
    // «ساری» in Windows-1256.
    const cp1256 = Buffer.concat([Buffer.from('کد ملی,نام\n1,', 'utf8'), Buffer.from([0xd3, 0xc7, 0xd1, 0xed]), Buffer.from('\n')]);
    expect(await reasonOf(readTabularUpload({ buffer: cp1256, filename: 'a.csv', requiredColumns }))).to.include({ reason: 'upload.encoding' });
  });

  it('names the missing columns', async () => {
    const result = await reasonOf(readTabularUpload({ buffer: csv('نام,روستا\nعلی,x\n'), filename: 'a.csv', requiredColumns }));
    expect(result).to.deep.equal({ reason: 'upload.missingColumns', params: { columns: ['کد ملی'] } });
  });

  it('refuses 10,001 data rows and accepts 10,000', async () => {
    const lines = (n: number) => ['کد ملی,نام', ...Array.from({ length: n }, (_, i) => `${i},x`)].join('\n');
    const result = await reasonOf(readTabularUpload({ buffer: csv(lines(10_001)), filename: 'a.csv', requiredColumns }));
    expect(result).to.deep.equal({ reason: 'upload.tooManyRows', params: { maxRows: 10_000, rows: 10_001 } });
    const { rows } = await readTabularUpload({ buffer: csv(lines(10_000)), filename: 'a.csv', requiredColumns });
    expect(rows).to.have.length(10_000);
    expect(rows[9_999].line).to.equal(10_001);
  });

  it('refuses an .xlsx that is not a workbook, whether not a zip at all or a zip of something else', async () => {
    expect(await reasonOf(readTabularUpload({ buffer: csv('کد ملی,نام\n1,x\n'), filename: 'a.xlsx', requiredColumns }))).to.include({ reason: 'upload.notXlsx' });
    const brokenZip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 7)]);
    expect(await reasonOf(readTabularUpload({ buffer: brokenZip, filename: 'a.xlsx', requiredColumns }))).to.include({ reason: 'upload.notXlsx' });
  });

  it('calls empty files, blank files and header-only files empty', async () => {
    for (const buffer of [Buffer.alloc(0), csv('  \n\n'), csv('کد ملی,نام\n')]) {
      expect(await reasonOf(readTabularUpload({ buffer, filename: 'a.csv', requiredColumns }))).to.include({ reason: 'upload.empty' });
    }
    const emptySheet = await writeXlsx([{ name: 'x', columns: [], rows: [] }]);
    expect(await reasonOf(readTabularUpload({ buffer: emptySheet, filename: 'a.xlsx', requiredColumns }))).to.include({ reason: 'upload.empty' });
  });

  it('refuses other file types and repeated headers', async () => {
    expect(await reasonOf(readTabularUpload({ buffer: csv('x'), filename: 'old.xls', requiredColumns }))).to.deep.equal({
      reason: 'upload.fileType',
      params: { extension: 'xls' },
    });
    expect(await reasonOf(readTabularUpload({ buffer: csv('کد ملی,نام,نام\n1,a,b\n'), filename: 'a.csv', requiredColumns }))).to.deep.equal({
      reason: 'upload.duplicateColumns',
      params: { columns: ['نام'] },
    });
  });

  it('exports every reason key it can throw', () => {
    expect(UPLOAD_REASONS).to.include.members(['upload.encoding', 'upload.missingColumns', 'upload.tooManyRows', 'upload.notXlsx', 'upload.empty']);
  });
});
