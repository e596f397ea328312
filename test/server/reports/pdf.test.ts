import { expect } from 'chai';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { renderPdf, visualPieces } from '../../../server/reports/pdf.js';

interface Item {
  str: string;
  x: number;
  right: number;
  y: number;
}

/**
 * Text as pdf.js extracts it, normalised for comparison. What had to be normalised, and why:
 * - NFKC, in case a viewer maps glyphs to Arabic presentation forms (U+FBxx/FExx). With pdfkit
 *   it does not: its ToUnicode map records the original characters, and pdf.js returns the
 *   items in logical order (it runs its own bidi), so no reordering was needed.
 * - ZWNJ (the half-space in قائم‌شهر) comes back as a plain space: fontkit draws it with the space
 *   glyph, and pdfkit's ToUnicode map keeps one character per glyph (the first seen, U+0020).
 *   Both sides have ZWNJ turned into a space before comparing.
 * (Not needed for these names, but known: a lam-alef ligature comes back as «ال» instead of «لا»,
 * since pdf.js reverses the ligature's two characters with the rest of the RTL item, and mirrored
 * brackets come back swapped, «)» for «(».)
 */
const normalise = (s: string) => s.normalize('NFKC').replace(/\u200C/g, ' ').replace(/\s+/g, ' ').trim();

async function extract(pdf: Buffer): Promise<Item[][]> {
  const doc = await getDocument({ data: new Uint8Array(pdf), verbosity: 0, disableFontFace: true, useSystemFonts: false }).promise;
  const pages: Item[][] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    pages.push(
      content.items
        .filter((i): i is typeof i & { str: string; transform: number[]; width: number } => 'str' in i && i.str.trim() !== '')
        .map((i) => ({ str: normalise(i.str), x: i.transform[4], right: i.transform[4] + i.width, y: i.transform[5] })),
    );
  }
  await doc.destroy();
  return pages;
}

const counties = ['ساری', 'بابل', 'آمل', 'قائم‌شهر'];

describe('PDF reports', function () {
  this.timeout(60_000);

  describe('in Persian', () => {
    let pdf: Buffer;
    let pages: Item[][];
    before(async () => {
      pdf = await renderPdf({
        title: 'گزارش ماهانه ثبت‌نام — مرداد 1404',
        lang: 'fa',
        sections: [
          {
            heading: 'ثبت‌نام به تفکیک شهرستان',
            paragraphs: ['در این ماه 12,345 نفر ثبت‌نام کردند.'],
            table: {
              columns: ['شهرستان', 'سهمیه', 'ثبت‌نام'],
              rows: counties.map((name, i) => [name, 1200 + i * 100, 950.5 + i]),
            },
          },
        ],
      });
      pages = await extract(pdf);
    });

    it('embeds the Vazirmatn font', () => {
      expect(pdf.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
      expect(pdf.toString('latin1')).to.match(/\/FontName \/[A-Z]{6}\+Vazirmatn-Regular/).and.match(/Vazirmatn-Bold/);
    });

    it('gives back every county name when its text is extracted', () => {
      const texts = pages[0].map((i) => i.str);
      for (const name of counties) expect(texts, name).to.include(normalise(name));
      expect(texts).to.include(normalise('گزارش ماهانه ثبت‌نام — مرداد ۱۴۰۴'));
    });

    it('writes numbers in Persian digits with Persian grouping, also inside text', () => {
      const texts = pages[0].map((i) => i.str);
      expect(texts).to.include('۱٬۲۰۰').and.include('۱٬۵۰۰').and.include('۹۵۰٫۵');
      expect(texts).to.include(normalise('در این ماه ۱۲٬۳۴۵ نفر ثبت‌نام کردند.'));
      expect(texts.join(' ')).not.to.match(/[0-9]/);
    });

    it('puts the first column at the right and right-aligns every cell', () => {
      const pageRight = 595.28 - 50;
      const name = pages[0].find((i) => i.str === 'ساری')!;
      const quota = pages[0].find((i) => i.str === '۱٬۲۰۰')!;
      expect(name.x).to.be.greaterThan(quota.right);
      // Right-aligned: every county name ends at the same x, the column's right edge less its padding.
      for (const c of counties) {
        expect(pages[0].find((i) => i.str === normalise(c))!.right).to.be.closeTo(pageRight - 5, 1.5);
      }
    });
  });

  it('breaks a long table over pages and repeats the header row', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => [counties[i % 4], i]);
    const pages = await extract(await renderPdf({ title: 'فهرست', lang: 'fa', sections: [{ heading: 'جدول', table: { columns: ['شهرستان', 'تعداد'], rows } }] }));
    expect(pages.length).to.be.at.least(3);
    for (const page of pages) expect(page.map((i) => i.str)).to.include('شهرستان');
    // Every row is somewhere: the last value, 119, is on the last page.
    expect(pages.at(-1)!.map((i) => i.str)).to.include('۱۱۹');
    // "Page 1 of N" in Persian reads right to left, so it shows as «N / ۱»; pdf.js, seeing only digits
    // and a slash, returns that visual order.
    const count = '۰۱۲۳۴۵۶۷۸۹'[pages.length];
    expect(pages[0].map((i) => i.str)).to.include(`${count} / ۱`);
    expect(pages[1].map((i) => i.str)).to.include(`${count} / ۲`);
  });

  it('lays out English documents left to right, with Latin digits and right-aligned numbers', async () => {
    const pages = await extract(
      await renderPdf({ title: 'Monthly progress', lang: 'en', sections: [{ heading: 'By county', table: { columns: ['County', 'Enrolled'], rows: [['Sari', 1200], ['قائم‌شهر', 55]] } }] }),
    );
    const texts = pages[0].map((i) => i.str);
    expect(texts).to.include('1,200').and.include(normalise('قائم‌شهر'));
    const title = pages[0].find((i) => i.str === 'Monthly progress')!;
    expect(title.x).to.be.closeTo(50, 1);
    const sari = pages[0].find((i) => i.str === 'Sari')!;
    const big = pages[0].find((i) => i.str === '1,200')!;
    const small = pages[0].find((i) => i.str === '55')!;
    expect(sari.x).to.be.lessThan(big.x);
    expect(big.right).to.be.closeTo(small.right, 0.5);
  });

  describe('the bidi line layout', () => {
    it('puts Persian words right to left, each in logical order for the shaper', () => {
      expect(visualPieces('ساری بابل آمل', 'rtl').map((p) => p.text)).to.deep.equal(['آمل', ' ', 'بابل', ' ', 'ساری']);
    });

    it('keeps a number left to right inside Persian text (pre-reversed for fontkit, which reverses Arabic-script digits)', () => {
      expect(visualPieces('سهمیه ۱۲۰۰ نفر', 'rtl').map((p) => p.text)).to.deep.equal(['نفر', ' ', '۰۰۲۱', ' ', 'سهمیه']);
      expect(visualPieces('سهمیه 1200 نفر', 'rtl').map((p) => p.text)).to.deep.equal(['نفر', ' ', '1200', ' ', 'سهمیه']);
    });

    it('keeps an English phrase in order inside Persian text, and mirrors brackets in the Persian run', () => {
      expect(visualPieces('صندوق The fund', 'rtl').map((p) => p.text)).to.deep.equal(['The', ' ', 'fund', ' ', 'صندوق']);
      expect(visualPieces('نوشهر (مرکز)', 'rtl').map((p) => p.text)).to.deep.equal([')مرکز(', ' ', 'نوشهر']);
    });

    it('leaves left-to-right text alone', () => {
      expect(visualPieces('Sari (ساری) 12', 'ltr').map((p) => p.text)).to.deep.equal(['Sari', ' ', '(', 'ساری', ')', ' ', '12']);
    });
  });

  describe('with a wide English table and an empty one', () => {
    it('wraps column headers between words, never inside one, and draws no header for a table without rows', async () => {
      const columns = ['County', 'Target', 'Logged', 'Verified', 'Percent', 'Expected by today', 'Pace', 'Logged this month', 'Change (points)'];
      const pdf = await renderPdf({
        title: 'Monthly report',
        lang: 'en',
        sections: [
          { heading: 'Counties', table: { columns, rows: [['Qaemshahr and a long county name', 12000, 8000, 5000, 66.7, 9000, 'behind', 1200, 3.5]] } },
          { heading: 'Small towns', paragraphs: ['No small town has a quota.'], table: { columns: ['Town', 'Target', 'Logged'], rows: [] } },
        ],
      });
      const words = (await extract(pdf)).flat().map((i) => i.str);
      for (const word of ['Logged', 'Verified', 'Percent', 'Expected', 'Change']) expect(words.some((w) => w.split(' ').includes(word)), word).to.equal(true);
      expect(words.some((w) => /^(Logge|Verifie|Percen)$/.test(w))).to.equal(false);
      expect(words).to.include('No small town has a quota.');
      expect(words).not.to.include('Town');
    });
  });
});
