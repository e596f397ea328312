import type { CampaignRecord } from '../../models/campaign.model.js';
import { TtlCache } from '../shared/ttl-cache.js';

/**
 * The campaigns of a province that had not ended when they were read, kept for CAMPAIGN_CACHE_SECONDS: every
 * enrolment needs the campaign open today in its province, and campaigns change a few times a year. Any write
 * through the Campaign model empties it (models/campaign.model.ts); another instance sees a new or changed
 * campaign within CAMPAIGN_CACHE_SECONDS.
 */
export const CAMPAIGN_CACHE_SECONDS = 60;

export interface ProvinceCampaigns {
  /** When they were read: the list holds every campaign of the province with `endsAt` after this instant. */
  readAt: number;
  campaigns: CampaignRecord[];
}

export const provinceCampaigns = new TtlCache<string, ProvinceCampaigns>(CAMPAIGN_CACHE_SECONDS * 1000, 1_000);

export function forgetOpenCampaigns(): void {
  provinceCampaigns.clear();
}
