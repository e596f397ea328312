import { AuditEvent, RETENTION_DELETE } from '../models/audit-event.model.js';
import { Place } from '../models/place.model.js';
import { recordAudit, COUNTRY } from '../server/audit/record.js';
import { inTransaction } from '../server/db/transaction.js';
import type { JobDefinition } from './runner.js';

/**
 * The audit trail's retention, every night at 2:15 (Tehran): in each province, the events older than
 * AUDIT_RETENTION_YEARS are removed, and the removal is itself recorded (how many, up to when), in one transaction.
 * Nothing younger is touched; this is the only delete the audit_events model lets through.
 */
export const auditRetentionJob: JobDefinition = {
  name: 'audit-retention',
  schedule: '15 2 * * *',
  async run(ctx) {
    const cutoff = new Date(ctx.now);
    cutoff.setUTCFullYear(cutoff.getUTCFullYear() - ctx.config.auditRetentionYears);
    const provinces = [COUNTRY.province, ...((await Place.distinct('province', { level: 'province' }).setOptions({ scope: 'system' })) as string[])];
    for (const province of provinces) {
      await ctx.phase(`province:${province}`, async () => {
        const removed = await inTransaction(async (session) => {
          const { deletedCount } = await AuditEvent.deleteMany({ province, at: { $lt: cutoff } }).session(session).setOptions({ scope: 'system', [RETENTION_DELETE]: true });
          if (deletedCount > 0) {
            await recordAudit(session, [{ action: 'retention', subject: 'audit_events', place: { province, placePath: [province] }, detail: { removed: deletedCount, olderThan: cutoff.toISOString().slice(0, 10) } }]);
          }
          return deletedCount;
        });
        ctx.count('removed', removed);
      });
    }
  },
};
