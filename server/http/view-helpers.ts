import Handlebars, { type HelperOptions } from 'handlebars';
import { formatJalaliForDisplay } from '../shared/jalali.js';
import { formatNumber, toPersianDigits } from '../shared/persian-text.js';
import { t, type Lang } from '../i18n/index.js';

/** A run of Latin letters and digits, with the punctuation and spaces between them (a username, an ID, a JSON value). */
const LATIN_RUN = /[A-Za-z0-9](?:[A-Za-z0-9 .,:;_@\/\-'"(){}\[\]+#&=~*]*[A-Za-z0-9"\]}])?/g;

/** The page's language, which the layout's locals put at the template root. */
function langOf(options: HelperOptions): Lang {
  return (options.data?.root?.lang as Lang | undefined) ?? 'fa';
}

/**
 * Handlebars helpers for every view. The last argument of a helper is Handlebars' options object.
 *   {{t "places.population"}}  {{t "common.welcome" name=user.username}}  {{t (concat "places.level." level)}}  {{t flash.key flash.params}}
 *   {{num place.population}}   → ۱٬۹۴۴ (or 1,944 in English; — when unknown)
 *   {{date createdAt}} {{datetime createdAt}}  → Jalali: ۳ مرداد ۱۳۹۷
 *   {{#if (eq role "mayor")}}   {{concat "a" "b"}}   {{lookup form.errors "username"}} (built in)
 */
export const viewHelpers = {
  /** `{{t key}}`, `{{t key name=value}}`, or `{{t key paramsObject}}` (e.g. a flash message's params). */
  t(key: string, ...rest: unknown[]): string {
    const options = rest.pop() as HelperOptions;
    const params = { ...((rest[0] as Record<string, unknown> | undefined) ?? {}), ...(options.hash as Record<string, unknown>) };
    return t(langOf(options), key, params);
  },
  /** A code or date as text, in the reader's digits without grouping: `{{digits nationalId}}` → ۰۴۹۹۳۷۰۸۹۹. */
  digits(value: unknown, options: HelperOptions): string {
    const text = value === undefined || value === null ? '' : String(value);
    return langOf(options) === 'fa' ? toPersianDigits(text) : text;
  },
  /**
   * Text with its Latin runs (usernames, codes, IDs, field names without a label) isolated left to right:
   * `{{isolateLatin sentence}}` → «… <bdi dir="ltr">demo.governor</bdi> …». The text is escaped.
   */
  isolateLatin(value: unknown, options: HelperOptions): Handlebars.SafeString {
    const text = value === undefined || value === null ? '' : String(value);
    if (langOf(options) !== 'fa') return new Handlebars.SafeString(Handlebars.escapeExpression(text));
    let html = '';
    let last = 0;
    for (const match of text.matchAll(LATIN_RUN)) {
      html += Handlebars.escapeExpression(text.slice(last, match.index)) + `<bdi dir="ltr">${Handlebars.escapeExpression(match[0])}</bdi>`;
      last = match.index + match[0].length;
    }
    return new Handlebars.SafeString(html + Handlebars.escapeExpression(text.slice(last)));
  },
  num(value: unknown, options: HelperOptions): string {
    return typeof value === 'number' ? formatNumber(value, langOf(options)) : '—';
  },
  date(value: unknown, options: HelperOptions): string {
    return value instanceof Date ? formatJalaliForDisplay(value, langOf(options)) : '';
  },
  datetime(value: unknown, options: HelperOptions): string {
    return value instanceof Date ? formatJalaliForDisplay(value, langOf(options), { withTime: true }) : '';
  },
  eq(a: unknown, b: unknown): boolean {
    return a === b;
  },
  /** A value for a query string: `?next={{url currentPath}}`. */
  url(value: unknown): string {
    return encodeURIComponent(String(value ?? ''));
  },
  /** {{#if (includes form.values.present name)}}: a form's list (one value or several) holds the value. */
  includes(list: unknown, value: unknown): boolean {
    return Array.isArray(list) ? list.includes(value) : list === value;
  },
  concat(...args: unknown[]): string {
    return args.slice(0, -1).join('');
  },
};
