import { expect } from 'chai';
import { AuditEvent, type AuditEventRecord } from '../../models/audit-event.model.js';
import { auditRetentionJob } from '../../jobs/audit-retention.js';
import { JobRunner } from '../../jobs/runner.js';
import { loadConfig } from '../../server/config.js';
import { resetDatabase } from '../support/database.js';
import { loadPlaces } from '../support/places.js';

const YEAR = 365.25 * 86_400_000;

describe('The audit trail retention job', () => {
  before(async () => {
    await resetDatabase();
    await loadPlaces('0207', '030303');
  });

  it('removes only the events older than the retention period, and records the removal as the job', async () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const event = (province: string, yearsAgo: number) => ({ at: new Date(now.getTime() - yearsAgo * YEAR), actor: { kind: 'system', name: 'test fixture' }, action: 'update', subject: 'quotas', documentId: 'x', place: province, province, placePath: [province], changes: [] });
    await AuditEvent.insertMany([event('02', 12), event('02', 10.5), event('02', 9.9), event('03', 11), event('03', 1)]);
    const runner = new JobRunner(loadConfig({ DATA_DIR: ':memory:', AUDIT_RETENTION_YEARS: '10' }));
    const started = await runner.start(auditRetentionJob, { trigger: 'manual', scheduledFor: now });
    expect(started.started).to.equal(true);
    if (started.started) await started.done;

    const left = await AuditEvent.find({ subject: 'quotas' }).setOptions({ scope: 'system' }).lean<AuditEventRecord[]>();
    expect(left.map((e) => `${e.province}:${Math.round((now.getTime() - e.at.getTime()) / YEAR)}`).sort()).to.deep.equal(['02:10', '03:1']);
    const removals = await AuditEvent.find({ action: 'retention' }).sort({ province: 1 }).setOptions({ scope: 'system' }).lean<AuditEventRecord[]>();
    expect(removals.map((e) => ({ province: e.province, removed: e.detail!.removed, job: e.actor.job, kind: e.actor.kind }))).to.deep.equal([
      { province: '02', removed: 2, job: 'audit-retention', kind: 'job' },
      { province: '03', removed: 1, job: 'audit-retention', kind: 'job' },
    ]);
    expect(removals[0]!.actor.run).to.equal(started.started ? started.runId : '');
  });
});
