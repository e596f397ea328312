import type { Config } from '../config.js';
import type { Lang } from '../i18n/index.js';
import { RecipientDirectory } from '../notifications/recipients.js';
import { queueMessage } from '../outbox/outbox.service.js';
import { reportMail, reportPdf, reportXlsx } from '../reports/provincial-report.documents.js';
import { buildProvincialReport } from '../reports/provincial-report.service.js';

/**
 * Once the province is approved, its monthly report is final: built again from the counters (late enrolments
 * included) and mailed as final to the governor's office and the fund managers, once per address.
 */
export async function mailFinalReport(province: string, month: string, config: Pick<Config, 'publicUrl' | 'smtpUrl'>, now = new Date()): Promise<number> {
  const report = { ...(await buildProvincialReport(province, month, now)), status: 'final' as const };
  const directory = await RecipientDirectory.load({ mailboxFallback: !config.smtpUrl });
  const baseUrl = config.publicUrl.replace(/\/$/, '');
  const documents = new Map<Lang, Promise<[Buffer, Buffer]>>();
  let queued = 0;
  for (const recipient of [...directory.usersWith('governor-office', { province }), ...directory.usersWith('fund-manager', { province })]) {
    if (!recipient) continue;
    if (!documents.has(recipient.lang)) documents.set(recipient.lang, Promise.all([reportPdf(report, recipient.lang), reportXlsx(report, recipient.lang)]));
    const [pdf, xlsx] = await documents.get(recipient.lang)!;
    const name = `report-${province}-${month}-final`;
    const added = await queueMessage({
      province,
      to: recipient.address,
      ...(recipient.user ? { recipient: recipient.user } : {}),
      kind: 'monthly-report',
      // once per approval and address: a province approved again after the central office reopened it is mailed anew
      dedupeKey: `monthly-report-final:${province}:${month}:${now.toISOString()}:${recipient.address}`,
      ...reportMail(report, recipient.lang, baseUrl),
      attachments: [
        { filename: `${name}.pdf`, contentType: 'application/pdf', content: pdf.toString('base64'), encoding: 'base64' },
        { filename: `${name}.xlsx`, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', content: xlsx.toString('base64'), encoding: 'base64' },
      ],
    });
    if (added) queued++;
  }
  return queued;
}
