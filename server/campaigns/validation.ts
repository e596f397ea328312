import { z } from 'zod';
import { TARGET_GROUPS } from '../../models/campaign.model.js';
import { placeCode } from '../places/validation.js';
import { parseJalaliDate } from '../shared/jalali.js';
import { optionalWholeNumber as optionalWhole, wholeNumber } from '../shared/input.js';

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const jalaliDay = z.preprocess(blankToUndefined, z.string().refine((text) => parseJalaliDate(text) !== null, 'campaigns.dateInvalid').optional());

/** Checkboxes arrive as one string or several; the API sends an array. */
const targetGroups = z.preprocess(
  (value) => (value === undefined || value === '' ? undefined : Array.isArray(value) ? value : [value]),
  z.array(z.enum(TARGET_GROUPS, 'campaigns.targetGroupsInvalid')).min(1, 'campaigns.targetGroupsInvalid').optional(),
);

const campaignFields = {
  name: z.string().trim().min(1, 'validation.required').max(200),
  year: wholeNumber(1390, 1500, 'campaigns.yearInvalid'),
  townThreshold: optionalWhole(1, 10_000_000, 'campaigns.thresholdInvalid'),
  minAge: optionalWhole(0, 120, 'campaigns.ageInvalid'),
  maxAge: optionalWhole(0, 120, 'campaigns.ageInvalid'),
  startsOn: jalaliDay,
  endsOn: jalaliDay,
  targetGroups,
};

const ageOrder = (campaign: { minAge?: number; maxAge?: number }) => campaign.minAge === undefined || campaign.maxAge === undefined || campaign.minAge <= campaign.maxAge;

/** The page form: the province is the user's own. */
export const campaignForm = {
  body: z.object(campaignFields).refine(ageOrder, { message: 'campaigns.ageOrder', path: ['maxAge'] }),
};

/** `POST /api/v1/campaigns { name, province, year, townThreshold? }` */
export const campaignRequest = {
  body: z.object({ ...campaignFields, province: placeCode.refine((code) => code.length === 2, 'campaigns.provinceInvalid') }).refine(ageOrder, { message: 'campaigns.ageOrder', path: ['maxAge'] }),
};

export type CampaignInput = z.infer<typeof campaignForm.body> & { province?: string };
