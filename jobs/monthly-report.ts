import { RecipientDirectory } from '../server/notifications/recipients.js';
import { queueMessage } from '../server/outbox/outbox.service.js';
import { reportMail, reportPdf, reportXlsx } from '../server/reports/provincial-report.documents.js';
import { previousMonth, snapshotMonth } from '../server/reports/provincial-report.service.js';
import type { Lang } from '../server/i18n/index.js';
import type { JobDefinition } from './runner.js';

/**
 * The monthly provincial progress report. Runs every morning at 6 (Tehran) so that a day missed (a server down on
 * the 1st) is caught up: for each province with a campaign or a committee, the month that just ended is
 * snapshotted once (each province in its own run) and mailed to the governor's office and the fund managers, with the PDF and the spreadsheet
 * attached. On the 1st of a Jalali month that is the previous month; on later days it finds its snapshot and the
 * queued mail already there (each message's dedupe key names the province, the month and the address).
 */
export const monthlyReportJob: JobDefinition = {
  name: 'monthly-report',
  schedule: '0 6 * * *',
  perProvince: true,
  async run(ctx) {
    const month = previousMonth(ctx.now);
    const province = ctx.province!;
    const directory = await RecipientDirectory.load({ mailboxFallback: !ctx.config.smtpUrl });
    const baseUrl = ctx.config.publicUrl.replace(/\/$/, '');
    await ctx.phase(`province:${province}`, async () => {
      const { snapshot, created } = await snapshotMonth(province, month, ctx.now);
      if (created) ctx.count('snapshots');
      const recipients = [...directory.usersWith('governor-office', { province }), ...directory.usersWith('fund-manager', { province })];
      const documents = new Map<Lang, Promise<{ pdf: Buffer; xlsx: Buffer }>>();
      const documentsIn = (lang: Lang) => {
        if (!documents.has(lang)) documents.set(lang, Promise.all([reportPdf(snapshot.report, lang), reportXlsx(snapshot.report, lang)]).then(([pdf, xlsx]) => ({ pdf, xlsx })));
        return documents.get(lang)!;
      };
      for (const recipient of recipients) {
        if (!recipient) {
          ctx.count('noAddress');
          continue;
        }
        const { pdf, xlsx } = await documentsIn(recipient.lang);
        const name = `report-${province}-${month}`;
        const queued = await queueMessage({
          to: recipient.address,
          province,
          ...(recipient.user ? { recipient: recipient.user } : {}),
          kind: 'monthly-report',
          dedupeKey: `monthly-report:${province}:${month}:${recipient.address}`,
          ...reportMail(snapshot.report, recipient.lang, baseUrl),
          attachments: [
            { filename: `${name}.pdf`, contentType: 'application/pdf', content: pdf.toString('base64'), encoding: 'base64' },
            { filename: `${name}.xlsx`, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', content: xlsx.toString('base64'), encoding: 'base64' },
          ],
        });
        ctx.count(queued ? 'queued' : 'alreadyQueued');
      }
    });
  },
};
