/** Recording a meeting that already took place (server/committees/meetings.service.ts recordPastMeeting). */
export default {
  fa: {
    'committees.recordPast': 'ثبت جلسه‌ای که برگزار شده است',
    'committees.recordPastNote': 'برای جلسه‌ای که برگزار شد ولی از پیش ثبت نشده بود: در جدول ماه خودش «برگزار شد» حساب می‌شود و دعوت‌نامه‌ای فرستاده نمی‌شود.',
    'committees.attendeesOnePerLine': 'حاضران (هر نفر در یک سطر)',
    'committees.attendeesRequired': 'نام دست‌کم یک حاضر را بنویسید.',
    'committees.recordPastButton': 'ثبت جلسهٔ برگزارشده',
    'committees.meetingInFuture': 'این زمان هنوز نرسیده است؛ جلسهٔ آینده را با «تعیین جلسه» بگذارید.',
    'committees.pastMeetingRecorded': 'جلسهٔ {when} برگزارشده ثبت شد.',
  },
  en: {
    'committees.recordPast': 'Record a meeting that took place',
    'committees.recordPastNote': "For a meeting that was held but never entered beforehand: it counts as held in its month's grid, and no invitation is sent.",
    'committees.attendeesOnePerLine': 'Who came (one per line)',
    'committees.attendeesRequired': 'Name at least one person who came.',
    'committees.recordPastButton': 'Record the meeting as held',
    'committees.meetingInFuture': 'That time has not come yet; schedule a meeting to come instead.',
    'committees.pastMeetingRecorded': 'The meeting of {when} is recorded as held.',
  },
};
