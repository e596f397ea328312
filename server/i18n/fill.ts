import { formatNumber, toPersianDigits } from '../shared/persian-text.js';

/**
 * A message's `{name}` placeholders filled, numbers in the reader's digits. Kept apart from the catalogue so the
 * phone's offline script (public/offline/) fills the catalogue's strings exactly as the server does.
 */
export function fillMessage(text: string, params: Record<string, unknown>, lang: 'fa' | 'en'): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined || value === null) return whole;
    if (typeof value === 'number') return formatNumber(value, lang);
    // a date or a figure sent as text (1410/01/01, 12:30) is still a number to the reader
    return lang === 'fa' && /^[\d/:.\-]+$/.test(String(value)) ? toPersianDigits(String(value)) : String(value);
  });
}
