import type { HistoryEntry } from '../../models/meeting.model.js';
import { t, type Lang } from '../i18n/index.js';
import { formatJalaliForDisplay, jalaliMonthName } from '../shared/jalali.js';
import { toPersianDigits } from '../shared/persian-text.js';

/**
 * A history line's detail as a sentence in the reader's language. Details are stored in one neutral form by the
 * services (`open → in-progress، 0% → 30%، 1397-05`, a count of people present, two ISO instants); the reader
 * gets words and their own digits. A detail of another shape (a cancellation's reason) is the user's own text.
 */
export function historyDetail(entry: Pick<HistoryEntry, 'action' | 'detail'>, lang: Lang): { text: string; userText: boolean } | null {
  const detail = entry.detail;
  if (!detail) return null;
  if (entry.action === 'held' && /^\d+$/.test(detail)) return { text: t(lang, 'history.present', { count: Number(detail) }), userText: false };
  if (entry.action === 'rescheduled') {
    const [from, to] = detail.split(' → ').map((iso) => new Date(iso));
    if (from && to && !Number.isNaN(from.getTime()) && !Number.isNaN(to.getTime())) {
      return { text: t(lang, 'history.moved', { from: formatJalaliForDisplay(from, lang, { withTime: true }), to: formatJalaliForDisplay(to, lang, { withTime: true }) }), userText: false };
    }
  }
  if (entry.action === 'update') {
    const parts = detail.split('، ').map((part) => updatePart(part, lang));
    if (parts.every((p) => p !== null)) return { text: parts.join(t(lang, 'history.separator')), userText: false };
  }
  return { text: detail, userText: true };
}

function updatePart(part: string, lang: Lang): string | null {
  const status = /^([a-z-]+) → ([a-z-]+)$/.exec(part);
  if (status) return t(lang, 'history.status', { from: t(lang, `committees.status.${status[1]}`), to: t(lang, `committees.status.${status[2]}`) });
  const progress = /^(\d+)% → (\d+)%$/.exec(part);
  if (progress) return t(lang, 'history.progress', { from: Number(progress[1]), to: Number(progress[2]) });
  const period = /^(\d{4})-(\d{2})$/.exec(part);
  if (period) {
    const text = `${jalaliMonthName(Number(period[2]), lang)} ${period[1]}`;
    return t(lang, 'history.period', { month: lang === 'fa' ? toPersianDigits(text) : text });
  }
  return null;
}
