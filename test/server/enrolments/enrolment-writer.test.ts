import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import type { CampaignRecord } from '../../../models/campaign.model.js';
import { AuditEvent, type AuditEventRecord } from '../../../models/audit-event.model.js';
import { Enrolment } from '../../../models/enrolment.model.js';
import { ProgressCounter } from '../../../models/progress-counter.model.js';
import { runAs, type Actor } from '../../../server/audit/context.js';
import { writeEnrolment } from '../../../server/enrolments/enrolment-writer.js';
import { rebuildCounters } from '../../../server/quotas/progress.service.js';
import { recordCommands } from '../../support/commands.js';
import { resetDatabase } from '../../support/database.js';
import { KHAJEH_DIZAJ, nationalId, openCampaign } from '../../support/enrolments.js';
import { enrolmentWrite, enrolmentWriteIn } from './fixtures/enrolment-writes.js';

async function countyCounter(campaign: CampaignRecord, province: string): Promise<number> {
  const counter = await ProgressCounter.findOne({ province, campaign: campaign._id, placeCode: `${province}07` }).setOptions({ scope: 'system' }).lean();
  return counter?.logged ?? 0;
}

async function districtCounter(campaign: CampaignRecord): Promise<number> {
  const counter = await ProgressCounter.findOne({ province: '03', campaign: campaign._id, placeCode: '030303' }).setOptions({ scope: 'system' }).lean();
  return counter?.logged ?? 0;
}

describe('The enrolment writer (group commit)', () => {
  let campaign: CampaignRecord;
  beforeEach(async () => {
    await resetDatabase();
    campaign = await openCampaign('03');
  });

  it('writes enrolments that arrive together in a few transactions, each caller getting its own stored record', async () => {
    const { result: records, commands } = await recordCommands(() => Promise.all(Array.from({ length: 40 }, (_, n) => writeEnrolment(enrolmentWrite(campaign, n)))));
    expect(records.map((r) => r.nationalId)).to.deep.equal(Array.from({ length: 40 }, (_, n) => nationalId(n)));
    const stored = await Enrolment.find({ _id: { $in: records.map((r) => r._id) } }).setOptions({ scope: 'system' }).lean();
    expect(stored).to.have.length(40);
    expect(await districtCounter(campaign)).to.equal(40);
    // the first goes alone, the other 39 wait for it and go together: far fewer commits than enrolments
    const commits = commands.filter((c) => c.name === 'commitTransaction').length;
    expect(commits).to.be.within(1, 5);
    expect((await rebuildCounters(campaign._id)).drifted).to.deep.equal([]);
  });

  it('answers a batch with one duplicate national ID: the duplicate gets the unique index error, the rest are written and counted', async () => {
    await writeEnrolment(enrolmentWrite(campaign, 7));
    const writes = Array.from({ length: 20 }, (_, n) => enrolmentWrite(campaign, 100 + n));
    writes[11] = enrolmentWrite(campaign, 7);
    const outcomes = await Promise.allSettled(writes.map((w) => writeEnrolment(w)));

    const refused = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [{ i, code: (o.reason as { code?: number }).code }] : []));
    expect(refused).to.deep.equal([{ i: 11, code: 11000 }]);
    expect(await Enrolment.countDocuments({ province: '03', campaign: campaign._id }).setOptions({ scope: 'system' })).to.equal(20);
    expect(await districtCounter(campaign)).to.equal(20);
    expect((await rebuildCounters(campaign._id)).drifted).to.deep.equal([]);
  });

  it('lets exactly one of two enrolments with the same national ID in one batch through', async () => {
    const writes = [enrolmentWrite(campaign, 1), enrolmentWrite(campaign, 2), enrolmentWrite(campaign, 3), { ...enrolmentWrite(campaign, 3) }];
    const outcomes = await Promise.allSettled(writes.map((w) => writeEnrolment(w)));
    expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect(await districtCounter(campaign)).to.equal(3);
  });

  it('writes the enrolments of several campaigns that arrive together in one transaction, each counted in its own campaign', async () => {
    const other = await openCampaign('02');
    const writes = Array.from({ length: 10 }, (_, n) => (n % 2 === 0 ? enrolmentWrite(campaign, n) : enrolmentWriteIn(other, '02', n)));
    const { commands } = await recordCommands(() => Promise.all(writes.map((w) => writeEnrolment(w))));
    // the first goes alone, the other nine, of both campaigns, wait for it and go together
    expect(commands.filter((c) => c.name === 'commitTransaction')).to.have.length(2);
    expect(await districtCounter(campaign)).to.equal(5);
    expect(await countyCounter(other, '02')).to.equal(5);
    expect((await rebuildCounters(campaign._id)).drifted).to.deep.equal([]);
    expect((await rebuildCounters(other._id)).drifted).to.deep.equal([]);
  });

  it('records the creation of each enrolment of a batch by the caller who sent it, not by whoever started the batch', async () => {
    const callers: Actor[] = [1, 2, 3].map((n) => ({ kind: 'user', userId: new Types.ObjectId().toHexString(), username: `head-${n}`, role: 'village-head', province: '03', placeCode: KHAJEH_DIZAJ, ip: `10.0.0.${n}` }));
    const records = await Promise.all(callers.map((actor, n) => runAs(actor, () => writeEnrolment(enrolmentWrite(campaign, 200 + n)))));
    for (const [n, record] of records.entries()) {
      const events = await AuditEvent.find({ subject: 'enrolments', documentId: String(record._id) }).setOptions({ scope: 'system' }).lean<AuditEventRecord[]>();
      expect(events.map((e) => ({ action: e.action, username: e.actor.username, role: e.actor.role, ip: e.actor.ip, province: e.province, place: e.place }))).to.deep.equal([
        { action: 'create', username: `head-${n + 1}`, role: 'village-head', ip: `10.0.0.${n + 1}`, province: '03', place: record.place },
      ]);
    }
  });

  after(async () => {
    // the killed process may have left a transaction open; MongoDB would keep it until its lifetime limit
    await mongoose.connection.db!.admin().command({ killAllSessions: [] });
  });

  it('loses nothing it acknowledged when the process dies between batches, with batches spanning two campaigns', async function () {
    this.timeout(120_000);
    const uri = process.env.MONGODB_URI ?? `mongodb://${mongoose.connection.host}:${mongoose.connection.port}/`;
    const province = '02';
    const other = await openCampaign(province);
    // a separate process writes through the writer with 50 callers at once, in both provinces, and prints each acknowledged national ID
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/server/enrolments/fixtures/write-until-killed.ts', uri, mongoose.connection.name, String(campaign._id), String(other._id), province], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acknowledged: string[] = [];
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the writer process exited early (${code})`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!line.startsWith('ack ')) return;
        acknowledged.push(line.slice(4));
        // killed without warning while later batches are still in flight
        if (acknowledged.length === 300) {
          child.removeAllListeners('exit');
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }
      });
    });
    const stored = await Enrolment.find({ province: { $in: ['03', province] }, nationalId: { $in: acknowledged } }).setOptions({ scope: 'system' }).select('nationalId').lean();
    expect(stored.length).to.equal(acknowledged.length);
    // whatever committed, committed with its counters: the drift job finds nothing to put right
    const total = await Enrolment.countDocuments({ province: '03', campaign: campaign._id }).setOptions({ scope: 'system' });
    const otherTotal = await Enrolment.countDocuments({ province, campaign: other._id }).setOptions({ scope: 'system' });
    expect(total + otherTotal).to.be.at.least(300);
    expect(await districtCounter(campaign)).to.equal(total);
    expect(await countyCounter(other, province)).to.equal(otherTotal);
    expect((await rebuildCounters(campaign._id)).drifted).to.deep.equal([]);
    expect((await rebuildCounters(other._id)).drifted).to.deep.equal([]);
  });
});
