import { Campaign, type CampaignRecord } from '../models/campaign.model.js';
import { logger } from '../server/logger.js';
import { rebuildCounters } from '../server/quotas/progress.service.js';
import type { JobDefinition } from './runner.js';

/** A campaign that ended within this many days still gets checked, so late verifications are not missed. */
const GRACE_DAYS = 31;

/**
 * The progress counters' drift check, every night at 3:30 (Tehran), when few enrolments are being written: each
 * campaign open now (or closed less than a month ago) is recounted from its enrolments, every counter that
 * differs is reported (counted on the run, logged with its figures) and set right.
 */
export const rebuildCountersJob: JobDefinition = {
  name: 'rebuild-counters',
  schedule: '30 3 * * *',
  async run(ctx) {
    const since = new Date(ctx.now.getTime() - GRACE_DAYS * 86_400_000);
    const campaigns = await Campaign.find({ startsAt: { $lte: ctx.now }, endsAt: { $gt: since } }).setOptions({ scope: 'system' }).select('_id name province').lean<CampaignRecord[]>();
    for (const campaign of campaigns) {
      await ctx.phase(`campaign:${campaign._id}`, async () => {
        const report = await rebuildCounters(campaign._id);
        ctx.count('campaigns');
        ctx.count('counters', report.counters);
        ctx.count('drifted', report.drifted.length);
        if (report.drifted.length > 0) {
          logger.warn({ campaign: String(campaign._id), province: campaign.province, drifted: report.drifted.slice(0, 50), total: report.drifted.length }, 'progress counters drifted from the enrolments; set right');
        }
      });
    }
  },
};
