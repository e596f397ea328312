import type { Request, Response } from 'express';
import { TARGET_GROUPS } from '../../models/campaign.model.js';
import type { Config } from '../config.js';
import { setFlash } from '../http/flash.js';
import { validated } from '../http/validate.js';
import { toPersianDigits } from '../shared/persian-text.js';
import { createCampaign, listCampaigns, mayManageCampaigns } from './campaigns.service.js';
import { campaignForm, campaignRequest } from './validation.js';

export async function index(req: Request, res: Response): Promise<void> {
  const campaigns = (await listCampaigns(req.user!)).map((c) => ({ ...c, yearText: req.lang === 'fa' ? toPersianDigits(c.year) : String(c.year) }));
  res.render('campaigns/index', { campaigns, targetGroups: TARGET_GROUPS, mayManage: mayManageCampaigns(req.user) });
}

export function create(config: Config) {
  return async (req: Request, res: Response): Promise<void> => {
    const { body } = validated(req, campaignForm);
    const campaign = await createCampaign(req.user!, body, config);
    setFlash(req, { type: 'success', key: 'campaigns.created', params: { name: campaign.name } });
    res.redirect(303, `/campaigns/${campaign._id}`);
  };
}

export function createJson(config: Config) {
  return async (req: Request, res: Response): Promise<void> => {
    const { body } = validated(req, campaignRequest);
    const campaign = await createCampaign(req.user!, body, config);
    res.status(201).json({ id: String(campaign._id) });
  };
}
