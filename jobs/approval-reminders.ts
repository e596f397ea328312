import { Campaign } from '../models/campaign.model.js';
import { Place } from '../models/place.model.js';
import { pendingCounties, signOffOf } from '../server/approvals/approvals.service.js';
import { t } from '../server/i18n/index.js';
import { RecipientDirectory, type Recipient } from '../server/notifications/recipients.js';
import { queueMessage } from '../server/outbox/outbox.service.js';
import { previousMonth } from '../server/reports/provincial-report.service.js';
import { toJalali } from '../server/shared/jalali.js';
import type { JobDefinition } from './runner.js';

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Reminders start on this day of the next Jalali month. */
const REMINDER_DAY = 5;

/**
 * From the 5th of a Jalali month (every day at 7:30 Tehran, once per place, month and address through the
 * outbox's dedupe key): a county whose last month is not approved reminds its county governor; a province not yet
 * approved reminds its fund managers (who approve the counties too).
 */
export const approvalRemindersJob: JobDefinition = {
  name: 'approval-reminders',
  schedule: '30 7 * * *',
  async run(ctx) {
    if (toJalali(ctx.now).day < REMINDER_DAY) return;
    const month = previousMonth(ctx.now);
    const provinces = (await Campaign.distinct('province').setOptions({ scope: 'system' })) as string[];
    const directory = await RecipientDirectory.load({ mailboxFallback: !ctx.config.smtpUrl });
    const link = `${ctx.config.publicUrl.replace(/\/$/, '')}/approvals?month=${month}`;
    for (const province of provinces.sort()) {
      await ctx.phase(`province:${province}`, async () => {
        if ((await signOffOf(province, month)).final) return;
        const counties = await pendingCounties(province, month);
        const names = new Map((await Place.find({ code: { $in: [province, ...counties] } }, { code: 1, name: 1 }).setOptions({ scope: 'system' }).lean<{ code: string; name: string }[]>()).map((p) => [p.code, p.name]));
        const remind = async (recipient: Recipient | null, place: string) => {
          if (!recipient) return ctx.count('noAddress');
          const params = { month, place: names.get(place) ?? place, link };
          const queued = await queueMessage({
            province,
            to: recipient.address,
            ...(recipient.user ? { recipient: recipient.user } : {}),
            kind: 'approval-reminder',
            dedupeKey: `approval-reminder:${place}:${month}:${recipient.address}`,
            subject: t(recipient.lang, 'approvals.reminder.subject', params),
            text: t(recipient.lang, 'approvals.reminder.text', params),
            html: `<p dir="${recipient.lang === 'fa' ? 'rtl' : 'ltr'}">${escapeHtml(t(recipient.lang, 'approvals.reminder.text', params))}</p>`,
          });
          ctx.count(queued ? 'queued' : 'alreadyQueued');
        };
        for (const county of counties) for (const recipient of directory.usersWith('county-governor', { placeCodes: [county] })) await remind(recipient, county);
        for (const recipient of directory.usersWith('fund-manager', { province })) await remind(recipient, province);
      });
    }
  },
};
