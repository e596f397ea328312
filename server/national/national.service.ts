import { Campaign, type CampaignRecord } from '../../models/campaign.model.js';
import { MonthApproval, type MonthApprovalRecord } from '../../models/month-approval.model.js';
import { figuresThrough, markWithdrawn } from '../approvals/approvals.service.js';
import { Place } from '../../models/place.model.js';
import { Quota, type QuotaRecord } from '../../models/quota.model.js';
import { User } from '../../models/user.model.js';
import { NATIONAL_ROLES } from '../auth/roles.js';
import { assertInScope, type AuthUser } from '../auth/scope.js';
import type { Config } from '../config.js';
import { AppError, forbidden } from '../errors/app-error.js';
import { t } from '../i18n/index.js';
import { RecipientDirectory } from '../notifications/recipients.js';
import { queueMessage } from '../outbox/outbox.service.js';
import { monthTitle } from '../reports/provincial-report.documents.js';
import { percent } from '../quotas/pace.js';
import { targetOf } from '../reports/provincial-report.service.js';
import { jalaliMonthBounds } from '../shared/jalali.js';
import { comparePersian } from '../shared/persian-text.js';

/** Where a province stands in the month's sign-off, as the central office sees it. */
export type ProvinceState = 'approved' | 'pending' | 'withdrawn' | 'noCampaign';

export interface ProvinceRow {
  code: string;
  name: string;
  state: ProvinceState;
  counties: number;
  countiesApproved: number;
  /** The province's target in the month's campaign (the provincial report's rule); null without a campaign. */
  target: number | null;
  /** The figures the province approved, frozen; null until it has. */
  logged: number | null;
  verified: number | null;
  percent: number | null;
  /** Enrolments dated in the approved months but counted after the approval. */
  afterApproval: { logged: number; verified: number } | null;
  approvedBy?: string;
  approvedAt?: Date;
  withdrawnReason?: string;
  /** Approved by a demo account: illustrative data, labelled as such. */
  illustrative: boolean;
}

export interface CountryView {
  month: string;
  provinces: ProvinceRow[];
  /** The approved provinces only: the national figure is what the provinces answer for. */
  totals: { provinces: number; target: number; logged: number; verified: number; percent: number };
  /** Provinces with a campaign in the month that have not approved it. */
  notApproved: ProvinceRow[];
}

/**
 * The country for one Jalali month, province by province: each province's APPROVED figures (frozen in its monthly
 * approval, server/approvals/), its target, how many of its counties have approved, and the national roll-up of the
 * approved provinces. Read across every province on purpose (the central office's scope is the country); every
 * query names the provinces it reads.
 */
export async function countryView(month: string): Promise<CountryView> {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  const monthEnd = jalaliMonthBounds(year, monthNumber).end;
  const places = await Place.find({ level: { $in: ['province', 'county'] } }, { code: 1, name: 1, level: 1, province: 1 })
    .setOptions({ scope: 'system' })
    .lean<{ code: string; name: string; level: string; province: string }[]>();
  const provinces = places.filter((p) => p.level === 'province').sort((a, b) => comparePersian(a.name, b.name));
  const codes = provinces.map((p) => p.code);
  const [approvals, campaigns] = await Promise.all([
    MonthApproval.find({ province: { $in: codes }, month }).setOptions({ scope: 'system' }).lean<MonthApprovalRecord[]>(),
    Campaign.find({ province: { $in: codes }, startsAt: { $lt: monthEnd } }).setOptions({ scope: 'system' }).sort({ startsAt: -1 }).lean<CampaignRecord[]>(),
  ]);
  // the provincial report's rule: the campaign running at the month's end, else the latest started before it
  const campaignOf = new Map<string, CampaignRecord>();
  for (const campaign of campaigns) if (!campaignOf.has(campaign.province)) campaignOf.set(campaign.province, campaign);
  const illustrative = new Set((await User.distinct('username', { username: { $in: approvals.map((a) => a.approvedBy) }, demo: true }).setOptions({ scope: 'system' })) as string[]);

  const rows = await Promise.all(
    provinces.map(async (province): Promise<ProvinceRow> => {
      const campaign = campaignOf.get(province.code);
      const mine = approvals.filter((a) => a.province === province.code);
      const own = mine.find((a) => a.place === province.code);
      const counties = places.filter((p) => p.level === 'county' && p.province === province.code).length;
      const row: ProvinceRow = {
        code: province.code,
        name: province.name,
        state: !campaign ? 'noCampaign' : own?.status === 'approved' ? 'approved' : own?.status === 'withdrawn' ? 'withdrawn' : 'pending',
        counties,
        countiesApproved: mine.filter((a) => a.level === 'county' && a.status === 'approved').length,
        target: null,
        logged: null,
        verified: null,
        percent: null,
        afterApproval: null,
        illustrative: Boolean(own && illustrative.has(own.approvedBy)),
        ...(own?.status === 'withdrawn' && own.withdrawnReason ? { withdrawnReason: own.withdrawnReason } : {}),
      };
      if (!campaign) return row;
      row.target = await provinceTarget(campaign);
      if (own?.status !== 'approved' || String(own.campaign) !== String(campaign._id)) return row;
      const current = await figuresThrough(campaign, campaign.province, month);
      return {
        ...row,
        logged: own.figures.logged,
        verified: own.figures.verified,
        percent: percent(own.figures.logged, row.target),
        afterApproval: { logged: current.logged - own.figures.logged, verified: current.verified - own.figures.verified },
        approvedBy: own.approvedBy,
        approvedAt: own.approvedAt,
      };
    }),
  );
  const approved = rows.filter((r) => r.state === 'approved');
  const sum = (pick: (r: ProvinceRow) => number | null) => approved.reduce((total, r) => total + (pick(r) ?? 0), 0);
  const target = sum((r) => r.target);
  const logged = sum((r) => r.logged);
  return {
    month,
    provinces: rows,
    totals: { provinces: approved.length, target, logged, verified: sum((r) => r.verified), percent: percent(logged, target) },
    notApproved: rows.filter((r) => r.state === 'pending' || r.state === 'withdrawn'),
  };
}

/** The province's target as its report gives it: its own quota, else the highest quota on each branch below it. */
async function provinceTarget(campaign: CampaignRecord): Promise<number> {
  const quotas = await Quota.find({ province: campaign.province, campaign: campaign._id }, { placeCode: 1, placePath: 1, target: 1 }).setOptions({ scope: 'system' }).lean<QuotaRecord[]>();
  return targetOf(campaign.province, quotas).target;
}

/**
 * The level above a province (the fund's central office) reopens the province's approval of a month, with a reason:
 * its report is preliminary again and its fund manager may approve it anew (or reopen a county first), and is told so
 * by mail. The change is audited like every write (models/plugins/audited.ts), in the central office's name.
 */
export async function withdrawProvinceApproval(user: AuthUser, province: string, month: string, reason: string, config: Pick<Config, 'publicUrl' | 'smtpUrl'>, now = new Date()): Promise<MonthApprovalRecord> {
  if (!NATIONAL_ROLES.includes(user.role)) throw forbidden();
  const place = await assertInScope(user, province);
  if (place.level !== 'province') throw new AppError('validation', 'errors.validation', 400, {}, { province: 'approvals.placeLevel' });
  const withdrawn = await markWithdrawn(place.code, place.code, month, user.username, reason, now);
  await tellFundManagers(place.code, place.name, month, reason, now, config);
  return withdrawn;
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The province's fund managers learn that their month is open again, and why (once per withdrawal and address). */
async function tellFundManagers(province: string, name: string, month: string, reason: string, at: Date, config: Pick<Config, 'publicUrl' | 'smtpUrl'>): Promise<void> {
  const directory = await RecipientDirectory.load({ mailboxFallback: !config.smtpUrl });
  const link = `${config.publicUrl.replace(/\/$/, '')}/approvals?month=${month}`;
  for (const recipient of directory.usersWith('fund-manager', { province })) {
    if (!recipient) continue;
    const params = { province: name, month: monthTitle(month, recipient.lang), reason, link };
    const text = t(recipient.lang, 'national.withdrawnMail.text', params);
    await queueMessage({
      province,
      to: recipient.address,
      ...(recipient.user ? { recipient: recipient.user } : {}),
      kind: 'approval-withdrawn',
      dedupeKey: `approval-withdrawn:${province}:${month}:${at.toISOString()}:${recipient.address}`,
      subject: t(recipient.lang, 'national.withdrawnMail.subject', params),
      text,
      html: `<p dir="${recipient.lang === 'fa' ? 'rtl' : 'ltr'}">${escapeHtml(text)}</p>`,
    });
  }
}

export interface CountyRow {
  province: string;
  provinceName: string;
  code: string;
  name: string;
  /** The county's approved figures, frozen in its approval. */
  logged: number;
  verified: number;
}

/** The counties of the provinces whose month is final, with the figures each approved (the final reports' county rows). */
export async function approvedCounties(view: CountryView): Promise<CountyRow[]> {
  const provinces = view.provinces.filter((r) => r.state === 'approved');
  if (!provinces.length) return [];
  const approvals = await MonthApproval.find({ province: { $in: provinces.map((p) => p.code) }, month: view.month, level: 'county', status: 'approved' }).setOptions({ scope: 'system' }).lean<MonthApprovalRecord[]>();
  const names = new Map((await Place.find({ code: { $in: approvals.map((a) => a.place) } }, { code: 1, name: 1 }).setOptions({ scope: 'system' }).lean<{ code: string; name: string }[]>()).map((p) => [p.code, p.name]));
  const provinceName = new Map(provinces.map((p) => [p.code, p.name]));
  return approvals
    .map((a) => ({ province: a.province, provinceName: provinceName.get(a.province) ?? a.province, code: a.place, name: names.get(a.place) ?? a.place, logged: a.figures.logged, verified: a.figures.verified }))
    .sort((a, b) => comparePersian(a.provinceName, b.provinceName) || comparePersian(a.name, b.name));
}

/** How many provinces approved each of `months` (latest first), for the central office's month list. */
export async function approvalsByMonth(months: readonly string[]): Promise<{ month: string; approved: number }[]> {
  const codes = (await Place.distinct('code', { level: 'province' }).setOptions({ scope: 'system' })) as string[];
  const approvals = await MonthApproval.find({ province: { $in: codes }, month: { $in: [...months] }, level: 'province', status: 'approved' }, { month: 1 }).setOptions({ scope: 'system' }).lean<{ month: string }[]>();
  return months.map((month) => ({ month, approved: approvals.filter((a) => a.month === month).length }));
}
