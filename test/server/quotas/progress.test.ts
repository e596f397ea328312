import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import { Campaign } from '../../../models/campaign.model.js';
import { placeFields } from '../../../models/plugins/place-scoped.js';
import { ProgressCounter, type ProgressCounterRecord } from '../../../models/progress-counter.model.js';
import { countEnrolment, levelOfCode, rebuildCounters } from '../../../server/quotas/progress.service.js';
import { fromJalali } from '../../../server/shared/jalali.js';
import { resetDatabase } from '../../support/database.js';

const village = { code: '0303030001029406', province: '03', ancestors: ['03', '0303', '030303', '0303030001'] };
const otherVillage = { code: '0303030001029407', province: '03', ancestors: ['03', '0303', '030303', '0303030001'] };
const mordad = fromJalali({ year: 1403, month: 5, day: 10 });
const shahrivar = fromJalali({ year: 1403, month: 6, day: 2 });

async function counters(campaign: Types.ObjectId): Promise<Record<string, Pick<ProgressCounterRecord, 'level' | 'logged' | 'verified' | 'byMonth' | 'placePath'>>> {
  const all = await ProgressCounter.find({ campaign }).setOptions({ scope: 'system' }).lean<ProgressCounterRecord[]>();
  return Object.fromEntries(all.map((c) => [c.placeCode, { level: c.level, logged: c.logged, verified: c.verified, byMonth: c.byMonth, placePath: c.placePath }]));
}

/** Enrolments as the contract describes them, written straight to the collection the rebuild reads. */
async function insertEnrolments(campaign: Types.ObjectId, rows: { place: typeof village; status: string; createdAt: Date; channel?: string }[]): Promise<void> {
  await mongoose.connection.collection('enrolments').insertMany(
    rows.map((r, i) => ({ campaign, nationalId: String(1000000000 + i), province: r.place.province, placePath: [...r.place.ancestors, r.place.code], place: r.place.code, status: r.status, channel: r.channel ?? 'in-person', createdAt: r.createdAt })),
  );
}

describe('Progress counters', () => {
  beforeEach(() => resetDatabase());

  it('counts an enrolment at its village and at every place above it, by Jalali month, and those made online', async () => {
    const campaign = new Types.ObjectId();
    await countEnrolment({ campaignId: campaign, place: village, logged: 1, verified: 0, online: 1, at: mordad });
    await countEnrolment({ campaignId: campaign, place: village, logged: 1, verified: 0, at: shahrivar });
    await countEnrolment({ campaignId: campaign, place: village, logged: 0, verified: 1, at: mordad });
    const all = await counters(campaign);
    expect(Object.keys(all).sort()).to.deep.equal(['03', '0303', '030303', '0303030001', '0303030001029406']);
    for (const code of Object.keys(all)) {
      expect(all[code]).to.include({ logged: 2, verified: 1 });
      expect(all[code]!.byMonth).to.deep.equal({ '1403-05': { logged: 1, verified: 1, online: 1 }, '1403-06': { logged: 1, verified: 0, online: 0 } });
    }
    expect(all['0303030001029406']).to.include({ level: 'village' });
    expect(all['0303030001']).to.include({ level: 'rural_district' });
    expect(all['030303']!.placePath).to.deep.equal(['03', '0303', '030303']);
    expect(all['03']).to.include({ level: 'province' });
  });

  it('moves the counters with the enrolment inside a transaction, and not at all when it aborts', async () => {
    const campaign = new Types.ObjectId();
    await mongoose.connection.transaction((session) => countEnrolment({ campaignId: campaign, place: village, logged: 1, verified: 0, at: mordad }, session));
    const aborted = await mongoose.connection
      .transaction(async (session) => {
        await countEnrolment({ campaignId: campaign, place: village, logged: 1, verified: 0, at: mordad }, session);
        throw new Error('the enrolment insert failed');
      })
      .catch((error: Error) => error.message);
    expect(aborted).to.equal('the enrolment insert failed');
    expect((await counters(campaign))['03']).to.include({ logged: 1 });
  });

  it('names a synthetic town and district by the shape of their codes', () => {
    expect(levelOfCode('0207C04', true)).to.equal('city');
    expect(levelOfCode('0207D02', false)).to.equal('district');
    expect(levelOfCode('0303030001', true)).to.equal('city');
    expect(levelOfCode('0303030001', false)).to.equal('rural_district');
  });

  it('rebuilds drifted counters from the enrolments and reports each difference', async () => {
    const { _id: campaign } = await Campaign.create({
      name: 'پویش ۱۴۰۳',
      year: 1403,
      ...placeFields({ code: '03', province: '03', ancestors: [] }),
      startsAt: fromJalali({ year: 1403, month: 1, day: 1 }),
      endsAt: fromJalali({ year: 1404, month: 1, day: 1 }),
      townThreshold: 20_000,
      createdBy: new Types.ObjectId(),
    });
    await insertEnrolments(campaign, [
      { place: village, status: 'logged', createdAt: mordad, channel: 'online' },
      { place: village, status: 'verified', createdAt: mordad },
      { place: otherVillage, status: 'verified', createdAt: shahrivar },
      { place: otherVillage, status: 'rejected', createdAt: shahrivar },
    ]);
    // the counters saw one enrolment of the first village only, and a stray one elsewhere
    await countEnrolment({ campaignId: campaign, place: village, logged: 1, verified: 0, at: mordad });
    await countEnrolment({ campaignId: campaign, place: { code: '0303030002000001', province: '03', ancestors: ['03', '0303', '030303', '0303030002'] }, logged: 1, verified: 0, at: mordad });

    const report = await rebuildCounters(campaign);
    const drift = Object.fromEntries(report.drifted.map((d) => [d.placeCode, { counted: d.counted, actual: d.actual }]));
    expect(drift['03']).to.deep.equal({ counted: { logged: 2, verified: 0 }, actual: { logged: 3, verified: 2 } });
    expect(drift['0303030001029407']).to.deep.equal({ counted: { logged: 0, verified: 0 }, actual: { logged: 1, verified: 1 } });
    expect(drift['0303030002000001']).to.deep.equal({ counted: { logged: 1, verified: 0 }, actual: { logged: 0, verified: 0 } });

    const all = await counters(campaign);
    expect(all['03']).to.include({ logged: 3, verified: 2 });
    expect(all['03']!.byMonth).to.deep.equal({ '1403-05': { logged: 2, verified: 1, online: 1 }, '1403-06': { logged: 1, verified: 1, online: 0 } });
    expect(all['0303030001029407']).to.include({ level: 'village', logged: 1, verified: 1 });
    expect(all['0303030002000001']).to.include({ logged: 0, verified: 0 });

    expect((await rebuildCounters(campaign)).drifted).to.deep.equal([]);
  });
});
