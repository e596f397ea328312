import { clauseReminders } from '../server/agreements/reminders.js';
import { commitmentReminders } from '../server/notifications/commitment-reminders.js';
import { meetingReminders } from '../server/notifications/meeting-reminders.js';
import { quotaReminders } from '../server/notifications/quota-reminders.js';
import { RecipientDirectory } from '../server/notifications/recipients.js';
import { queueReminderMail, ReminderBook } from '../server/notifications/reminder-book.js';
import { formatJalaliDate, toJalali } from '../server/shared/jalali.js';
import type { JobDefinition } from './runner.js';

/**
 * Every morning at 7 (Tehran), for each province at work: work out who is owed which reminder today — meetings, commitments, quotas — and
 * write it down per address, then queue the mail (single messages, or one digest per person). Each phase is a
 * checkpoint; every reminder has a unique key, so a rerun or a resumed run sends nothing twice.
 */
export const remindersJob: JobDefinition = {
  name: 'reminders',
  schedule: '0 7 * * *',
  perProvince: true,
  async run(ctx) {
    const province = ctx.province!;
    const day = formatJalaliDate(toJalali(ctx.now));
    const directory = await RecipientDirectory.load({ mailboxFallback: !ctx.config.smtpUrl, province });
    const book = new ReminderBook(directory, day, (name, by) => ctx.count(name, by), province);
    await ctx.phase('meetings', () => meetingReminders(book, ctx.now));
    await ctx.phase('commitments', () => commitmentReminders(book, ctx.now));
    await ctx.phase('quotas', () => quotaReminders(book, ctx.now));
    await ctx.phase('clauses', () => clauseReminders(book, ctx.now));
    await ctx.phase('mail', () => queueReminderMail({ province, day, publicUrl: ctx.config.publicUrl, count: (name, by) => ctx.count(name, by) }));
  },
};
