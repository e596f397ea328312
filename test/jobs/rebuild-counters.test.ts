import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import { Campaign } from '../../models/campaign.model.js';
import { JobRun } from '../../models/job-run.model.js';
import { placeFields } from '../../models/plugins/place-scoped.js';
import { ProgressCounter, type ProgressCounterRecord } from '../../models/progress-counter.model.js';
import { rebuildCountersJob } from '../../jobs/rebuild-counters.js';
import { Scheduler } from '../../jobs/scheduler.js';
import { loadConfig } from '../../server/config.js';
import { countEnrolment } from '../../server/quotas/progress.service.js';
import { fromJalali } from '../../server/shared/jalali.js';
import { resetDatabase } from '../support/database.js';

const SARI = '0207';
const KIASAR = { code: '0207C04', province: '02', ancestors: ['02', SARI] };

describe('The nightly counter rebuild', () => {
  beforeEach(() => resetDatabase());

  it('recounts every open campaign from its enrolments, sets drifted counters right and says how many drifted', async () => {
    const { _id: campaign } = await Campaign.create({
      name: 'پویش ۱۴۰۴',
      year: 1404,
      ...placeFields({ code: '02', province: '02', ancestors: [] }),
      startsAt: fromJalali({ year: 1404, month: 1, day: 1 }),
      endsAt: fromJalali({ year: 1405, month: 1, day: 1 }),
      townThreshold: 20_000,
      createdBy: new Types.ObjectId(),
    });
    const at = fromJalali({ year: 1404, month: 4, day: 10 });
    await mongoose.connection.collection('enrolments').insertMany(
      ['logged', 'verified', 'rejected'].map((status, i) => ({ campaign, nationalId: `000000000${i}`, place: KIASAR.code, province: '02', placePath: ['02', SARI, KIASAR.code], status, createdAt: at })),
    );
    // one enrolment counted, one missed (a write that went around the service)
    await countEnrolment({ campaignId: campaign, place: KIASAR, logged: 1, verified: 0, at });

    const config = loadConfig({ DATA_DIR: ':memory:' });
    const [result] = await new Scheduler(config, [rebuildCountersJob]).fire(rebuildCountersJob, fromJalali({ year: 1404, month: 5, day: 1 }, { hour: 3, minute: 30 }));
    expect(result!.started).to.equal(true);
    const run = await JobRun.findOne({ job: 'rebuild-counters' }).lean<{ counts: Record<string, number> }>();
    expect(run!.counts).to.deep.equal({ campaigns: 1, counters: 3, drifted: 3 });

    const counters = await ProgressCounter.find({ campaign }).setOptions({ scope: 'system' }).lean<ProgressCounterRecord[]>();
    expect(Object.fromEntries(counters.map((c) => [c.placeCode, [c.logged, c.verified]]))).to.deep.equal({ '02': [2, 1], [SARI]: [2, 1], [KIASAR.code]: [2, 1] });
  });
});
