const PERSIAN_DIGITS = '۰۱۲۳۴۵۶۷۸۹';
const ARABIC_INDIC_DIGITS = '٠١٢٣٤٥٦٧٨٩';

export function toPersianDigits(text: string | number): string {
  return String(text).replace(/[0-9]/g, (d) => PERSIAN_DIGITS[Number(d)]);
}

/** Persian (۰-۹) and Arabic-Indic (٠-٩) digits to Latin, so users may type either. */
export function toLatinDigits(text: string): string {
  return text.replace(/[۰-۹٠-٩]/g, (d) => {
    const persian = PERSIAN_DIGITS.indexOf(d);
    return String(persian >= 0 ? persian : ARABIC_INDIC_DIGITS.indexOf(d));
  });
}

/**
 * The spelling users and old data files disagree on, made one: Arabic yeh/kaf to Persian,
 * Arabic and Persian digits to Latin, tatweel and diacritics dropped, spaces collapsed.
 */
export function normalizePersian(text: string): string {
  return toLatinDigits(text)
    .replace(/[يى]/g, 'ی')
    .replace(/ك/g, 'ک')
    .replace(/ة/g, 'ه')
    .replace(/[\u064B-\u065F\u0670\u0640]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A key for name search that ignores what users type differently: ی/ي, ک/ك, آ/ا, hamza forms,
 * zero-width non-joiners and spaces between word parts, and digit scripts.
 */
export function searchKey(text: string): string {
  return normalizePersian(text)
    .replace(/[\u200C\u200D\u200E\u200F\s]/g, '')
    .replace(/[آأإ]/g, 'ا')
    .replace(/ؤ/g, 'و')
    .replace(/[ئ]/g, 'ی')
    .replace(/ۀ/g, 'ه')
    .replace(/ء/g, '')
    .toLowerCase();
}

const persianCollator = new Intl.Collator('fa');

/** Alphabetical order as Persian readers expect it (پ after ب, گ after ک, …). */
export function comparePersian(a: string, b: string): number {
  return persianCollator.compare(a, b);
}

const numberFormats = {
  fa: new Intl.NumberFormat('fa-IR'),
  en: new Intl.NumberFormat('en-US'),
};

/** Grouped digits in the reader's script: ۱۲٬۳۴۵ or 12,345. */
export function formatNumber(value: number, lang: 'fa' | 'en' = 'fa'): string {
  return numberFormats[lang].format(value);
}
