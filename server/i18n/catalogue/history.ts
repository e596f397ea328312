/** History lines of meetings and resolutions as sentences (server/committees/history-text.ts). */
export default {
  fa: {
    'history.by': 'توسط',
    'history.present': '{count} نفر حاضر',
    'history.moved': 'از {from} به {to}',
    'history.status': 'وضعیت از «{from}» به «{to}»',
    'history.progress': 'پیشرفت از {from}٪ به {to}٪',
    'history.period': 'برای {month}',
    'history.separator': '، ',
  },
  en: {
    'history.by': 'by',
    'history.present': '{count} present',
    'history.moved': 'from {from} to {to}',
    'history.status': 'status from “{from}” to “{to}”',
    'history.progress': 'progress from {from}% to {to}%',
    'history.period': 'for {month}',
    'history.separator': ', ',
  },
};
