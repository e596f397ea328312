import bidiModule from 'bidi-js';
import PDFDocument from 'pdfkit';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { formatNumber, toPersianDigits } from '../shared/persian-text.js';

/**
 * PDF reports (the monthly progress report to the governor, committee minutes) with pdfkit and the
 * Vazirmatn font embedded, so Persian prints the same on every machine.
 *
 * How Persian gets onto the page, and why it takes this much:
 * - Shaping (joined letter forms) is done by fontkit, which pdfkit uses for every embedded font:
 *   for a run whose first letter is Arabic-script, fontkit applies the font's Arabic GSUB features
 *   (init/medi/fina, ligatures) and then REVERSES the glyphs into visual order. It needs the text in
 *   logical order for that.
 * - But pdfkit hands fontkit one space-separated word at a time and sets the words left to right in
 *   the order given; it has no bidi algorithm. A Persian line would come out with its words in
 *   the wrong order, and numbers inside Persian text reversed (Persian digits are Arabic script too,
 *   so fontkit reverses them as well).
 * So each line goes through the Unicode bidi algorithm (bidi-js): the line is cut into pieces (one
 * bidi level, no spaces), the pieces are put in visual order, and each piece is given to fontkit in
 * whichever character order makes fontkit's own reversal (or not) come out right. Pieces are drawn
 * one by one at positions computed here, which also gives right alignment and table columns.
 */

export interface PdfTable {
  columns: string[];
  rows: (string | number | null)[][];
}
export interface PdfSection {
  heading: string;
  table?: PdfTable;
  paragraphs?: string[];
}
export interface PdfDocumentSpec {
  title: string;
  lang: 'fa' | 'en';
  sections: PdfSection[];
}

// bidi-js is a UMD bundle whose module.exports is the factory itself, while its typings declare an
// ES default export; under NodeNext TypeScript sees the module object. Accept both shapes.
type BidiFactory = typeof import('bidi-js').default;
const bidiFactory: BidiFactory = (bidiModule as unknown as { default?: BidiFactory }).default ?? (bidiModule as unknown as BidiFactory);
const bidi = bidiFactory();

function fontPath(weight: 'Regular' | 'Bold'): string {
  const file = `fonts/ttf/Vazirmatn-${weight}.ttf`;
  try {
    const require = createRequire(import.meta.url);
    const path = join(dirname(require.resolve('vazirmatn/package.json')), file);
    if (existsSync(path)) return path;
  } catch {
    // The package may not export package.json; fall back to the project's node_modules.
  }
  return join(process.cwd(), 'node_modules/vazirmatn', file);
}

// --- bidi ------------------------------------------------------------------------------------

const NEUTRAL_SCRIPT = /[\p{Script=Common}\p{Script=Inherited}]/u;
const RTL_SCRIPT = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;

/** fontkit's own rule (first character of a definite script decides): will it reverse this piece? */
function fontkitReverses(text: string): boolean {
  for (const ch of text) {
    if (!NEUTRAL_SCRIPT.test(ch)) return RTL_SCRIPT.test(ch);
  }
  return false;
}

const reverse = (text: string) => [...text].reverse().join('');

/** A piece of a line ready to draw: `text` is what to hand to pdfkit; spaces are gaps, not drawn. */
export interface VisualPiece {
  text: string;
  space: boolean;
}

/**
 * One line (no line breaks) in visual order, left to right (UAX #9 rules L1–L4 at piece level).
 * `base` is the paragraph direction: 'rtl' for Persian documents, so a line starting with a Latin
 * word or a number still reads right to left.
 */
export function visualPieces(line: string, base: 'rtl' | 'ltr'): VisualPiece[] {
  if (line === '') return [];
  const { levels } = bidi.getEmbeddingLevels(line, base);
  const logical: { text: string; level: number; space: boolean }[] = [];
  for (let i = 0; i < line.length; ) {
    const space = /\s/.test(line[i]);
    let j = i + 1;
    while (j < line.length && levels[j] === levels[i] && /\s/.test(line[j]) === space) j++;
    logical.push({ text: line.slice(i, j), level: levels[i], space });
    i = j;
  }
  // L2: from the highest level down to the lowest odd one, reverse every run at that level or above.
  const maxLevel = Math.max(...logical.map((p) => p.level));
  const lowestOdd = Math.min(...logical.map((p) => (p.level % 2 ? p.level : p.level + 1)));
  for (let level = maxLevel; level >= lowestOdd; level--) {
    for (let i = 0; i < logical.length; ) {
      if (logical[i].level < level) {
        i++;
        continue;
      }
      let j = i;
      while (j < logical.length && logical[j].level >= level) j++;
      logical.splice(i, j - i, ...logical.slice(i, j).reverse());
      i = j;
    }
  }
  return logical.map((p) => {
    if (p.space) return { text: p.text, space: true };
    const odd = p.level % 2 === 1;
    // L4: brackets and similar get their mirrored glyph in right-to-left runs.
    const mirrored = odd ? [...p.text].map((ch) => bidi.getMirroredCharacter(ch) ?? ch).join('') : p.text;
    const visual = odd ? reverse(mirrored) : mirrored;
    // fontkit will reverse Arabic-script pieces itself: give it the logical order, which is also
    // the order its shaper needs. (For digits, reversing twice is harmless: they do not join.)
    return { text: fontkitReverses(p.text) ? reverse(visual) : visual, space: false };
  });
}

// --- layout -----------------------------------------------------------------------------------

const PAGE_MARGIN = 50;
const CELL_PAD_X = 5;
const CELL_PAD_Y = 3;

interface Style {
  font: 'body' | 'bold';
  size: number;
}

class Writer {
  readonly doc: PDFKit.PDFDocument;
  readonly rtl: boolean;
  y: number;

  constructor(readonly spec: PdfDocumentSpec) {
    this.rtl = spec.lang === 'fa';
    this.doc = new PDFDocument({
      size: 'A4',
      margins: { top: PAGE_MARGIN, bottom: PAGE_MARGIN, left: PAGE_MARGIN, right: PAGE_MARGIN },
      bufferPages: true,
      lang: this.rtl ? 'fa-IR' : 'en',
      displayTitle: true,
      info: { Title: spec.title, Creator: 'Rural Insurance Campaign Tracker' },
    });
    this.doc.registerFont('body', fontPath('Regular'));
    this.doc.registerFont('bold', fontPath('Bold'));
    this.y = PAGE_MARGIN;
  }

  get left() {
    return PAGE_MARGIN;
  }
  get right() {
    return this.doc.page.width - PAGE_MARGIN;
  }
  get bottom() {
    return this.doc.page.height - PAGE_MARGIN;
  }

  /** Persian documents show every digit in Persian, numbers with Persian grouping (۱۲٬۳۴۵). */
  text(value: string | number | null | undefined): string {
    if (value === null || value === undefined) return '';
    if (typeof value === 'number') return formatNumber(value, this.spec.lang);
    // In text, digit grouping commas and decimal points between digits become the Persian ٬ and ٫.
    return this.rtl ? toPersianDigits(value.replace(/(?<=\d),(?=\d{3})/g, '٬').replace(/(?<=\d)\.(?=\d)/g, '٫')) : value;
  }

  use(style: Style) {
    this.doc.font(style.font).fontSize(style.size);
  }

  lineHeight(style: Style) {
    return style.size * 1.65;
  }

  private widths = new Map<string, number>();

  /** Measured once per text and style: wrapping re-measures the same words many times. */
  width(text: string, style: Style): number {
    const key = `${style.font}|${style.size}|${text}`;
    let w = this.widths.get(key);
    if (w === undefined) {
      this.use(style);
      w = this.doc.widthOfString(text);
      this.widths.set(key, w);
    }
    return w;
  }

  /** Greedy word wrap in logical order; a word wider than the line is cut between characters. */
  wrap(text: string, maxWidth: number, style: Style): string[] {
    const lines: string[] = [];
    for (const paragraph of text.split(/\r?\n/)) {
      let current = '';
      for (const word of paragraph.split(/\s+/).filter(Boolean)) {
        const candidate = current ? `${current} ${word}` : word;
        if (this.width(candidate, style) <= maxWidth) {
          current = candidate;
          continue;
        }
        if (current) lines.push(current);
        current = word;
        while (this.width(current, style) > maxWidth && [...current].length > 1) {
          const chars = [...current];
          let n = chars.length - 1;
          while (n > 1 && this.width(chars.slice(0, n).join(''), style) > maxWidth) n--;
          lines.push(chars.slice(0, n).join(''));
          current = chars.slice(n).join('');
        }
      }
      lines.push(current);
    }
    return lines;
  }

  /** Draws one line between x0 and x1, aligned to the reading side (or to `align`). */
  drawLine(line: string, x0: number, x1: number, y: number, style: Style, align?: 'left' | 'right' | 'center') {
    const pieces = visualPieces(line, this.rtl ? 'rtl' : 'ltr').map((p) => ({ ...p, width: this.width(p.text, style) }));
    this.use(style);
    const total = pieces.reduce((a, p) => a + p.width, 0);
    const side = align ?? (this.rtl ? 'right' : 'left');
    let x = side === 'right' ? x1 - total : side === 'center' ? (x0 + x1 - total) / 2 : x0;
    for (const p of pieces) {
      if (!p.space) this.doc.text(p.text, x, y, { lineBreak: false });
      x += p.width;
    }
  }

  ensureSpace(height: number): boolean {
    if (this.y + height <= this.bottom) return false;
    this.doc.addPage();
    this.y = PAGE_MARGIN;
    return true;
  }

  block(text: string, style: Style, spaceAfter: number) {
    const lh = this.lineHeight(style);
    for (const line of this.wrap(text, this.right - this.left, style)) {
      this.ensureSpace(lh);
      this.drawLine(line, this.left, this.right, this.y, style);
      this.y += lh;
    }
    this.y += spaceAfter;
  }

  table(table: PdfTable) {
    const head: Style = { font: 'bold', size: 10 };
    const body: Style = { font: 'body', size: 10 };
    const available = this.right - this.left;
    const n = table.columns.length;
    if (n === 0) return;
    // no rows: no table (the section's paragraph says so), never a header alone at the top of a page
    if (table.rows.length === 0) return;
    const headers = table.columns.map((c) => this.text(c));
    const cells = table.rows.map((row) => Array.from({ length: n }, (_, i) => this.text(row[i])));
    const numeric = Array.from({ length: n }, (_, i) => table.rows.length > 0 && table.rows.every((r) => typeof r[i] === 'number' || r[i] === null || r[i] === undefined));

    // Natural widths (widest cell, capped at half the page), shrunk proportionally when too wide.
    const natural = headers.map((h, i) => {
      let w = this.width(h, head);
      for (const row of cells) w = Math.max(w, this.width(row[i], body));
      return Math.min(w, available / 2) + 2 * CELL_PAD_X;
    });
    const sum = natural.reduce((a, b) => a + b, 0);
    // Shrinking never goes below a header's longest word, so headers wrap between words ("Logged", not "Logge/d").
    const least = headers.map((h, i) => Math.min(natural[i]!, Math.max(...h.split(/\s+/).map((word) => this.width(word, head))) + 2 * CELL_PAD_X));
    const spare = available - least.reduce((a, b) => a + b, 0);
    const stretch = natural.reduce((a, w, i) => a + w - least[i]!, 0);
    const widths =
      sum <= available ? natural : spare > 0 && stretch > 0 ? natural.map((w, i) => least[i]! + ((w - least[i]!) * spare) / stretch) : natural.map((w) => (w * available) / sum);
    // Persian tables read from the right: the first column sits at the right edge.
    const edges: [number, number][] = [];
    let cursor = this.rtl ? this.right : this.left;
    for (const w of widths) {
      edges.push(this.rtl ? [cursor - w, cursor] : [cursor, cursor + w]);
      cursor += this.rtl ? -w : w;
    }
    const tableLeft = Math.min(...edges.map((e) => e[0]));
    const tableRight = Math.max(...edges.map((e) => e[1]));
    const align = (i: number): 'left' | 'right' => (this.rtl || numeric[i] ? 'right' : 'left');

    const drawRow = (values: string[], style: Style, fill?: string) => {
      const wrapped = values.map((v, i) => this.wrap(v, widths[i] - 2 * CELL_PAD_X, style));
      const lh = this.lineHeight(style);
      const height = Math.max(1, ...wrapped.map((l) => l.length)) * lh + 2 * CELL_PAD_Y;
      return {
        height,
        draw: () => {
          if (fill) this.doc.rect(tableLeft, this.y, tableRight - tableLeft, height).fill(fill);
          this.doc.fillColor('#000');
          wrapped.forEach((lines, i) => {
            lines.forEach((line, k) => this.drawLine(line, edges[i][0] + CELL_PAD_X, edges[i][1] - CELL_PAD_X, this.y + CELL_PAD_Y + k * lh, style, align(i)));
          });
          this.doc.moveTo(tableLeft, this.y + height).lineTo(tableRight, this.y + height).lineWidth(0.5).strokeColor('#999').stroke();
          this.y += height;
        },
      };
    };
    const header = () => drawRow(headers, head, '#e8e8e8');

    let h = header();
    this.ensureSpace(h.height + drawRow(cells[0] ?? [], body).height);
    h.draw();
    cells.forEach((values, r) => {
      const row = drawRow(values, body, r % 2 ? '#f6f6f6' : undefined);
      // A long table continues on the next page under a repeated header row.
      if (this.ensureSpace(row.height)) {
        h = header();
        h.draw();
      }
      row.draw();
    });
    this.y += 10;
  }

  footer() {
    const range = this.doc.bufferedPageRange();
    const style: Style = { font: 'body', size: 8 };
    for (let i = 0; i < range.count; i++) {
      this.doc.switchToPage(range.start + i);
      const label = this.rtl ? `${toPersianDigits(i + 1)} / ${toPersianDigits(range.count)}` : `${i + 1} / ${range.count}`;
      // Drawn inside the bottom margin; positions are explicit, so pdfkit adds no page.
      this.drawLine(label, this.left, this.right, this.doc.page.height - PAGE_MARGIN + 15, style, 'center');
    }
  }
}

export async function renderPdf(spec: PdfDocumentSpec): Promise<Buffer> {
  const w = new Writer(spec);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    w.doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    w.doc.on('end', () => resolve(Buffer.concat(chunks)));
    w.doc.on('error', reject);
  });
  w.block(w.text(spec.title), { font: 'bold', size: 18 }, 8);
  for (const section of spec.sections) {
    w.ensureSpace(60);
    w.block(w.text(section.heading), { font: 'bold', size: 13 }, 4);
    for (const p of section.paragraphs ?? []) w.block(w.text(p), { font: 'body', size: 11 }, 6);
    if (section.table) w.table(section.table);
  }
  w.footer();
  w.doc.end();
  return done;
}
