import { Types } from 'mongoose';
import { NotificationPolicy, type NotificationPolicyRecord } from '../../models/notification-policy.model.js';
import { NotificationPreference, REMINDER_KINDS, type DeliveryMode, type NotificationPreferenceRecord, type ReminderKind } from '../../models/notification-preference.model.js';
import type { AuthUser } from '../auth/scope.js';
import type { Lang } from '../i18n/index.js';

export interface NotificationSettings {
  email: string;
  lang: Lang;
  mode: DeliveryMode;
  kinds: { kind: ReminderKind; wanted: boolean; mandatory: boolean }[];
}

async function mandatoryKinds(province: string): Promise<Set<ReminderKind>> {
  const policy = await NotificationPolicy.findOne({ province }).lean<NotificationPolicyRecord>();
  return new Set(policy?.mandatory ?? []);
}

/** A user's reminder settings as the settings page shows them: every kind, wanted or not, and which are mandatory. */
export async function settingsOf(user: AuthUser): Promise<NotificationSettings> {
  const [preference, mandatory] = await Promise.all([NotificationPreference.findOne({ user: user.id }).lean<NotificationPreferenceRecord>(), mandatoryKinds(user.province)]);
  const optOut = new Set(preference?.optOut ?? []);
  return {
    email: preference?.email ?? '',
    lang: preference?.lang ?? user.lang,
    mode: preference?.mode ?? 'digest',
    kinds: REMINDER_KINDS.map((kind) => ({ kind, mandatory: mandatory.has(kind), wanted: mandatory.has(kind) || !optOut.has(kind) })),
  };
}

export interface SettingsInput {
  email?: string;
  lang: Lang;
  mode: DeliveryMode;
  wanted: ReminderKind[];
}

/**
 * Saves a user's settings. The kinds not ticked are opted out of; a mandatory kind cannot be ticked off (its box is
 * disabled), so its earlier choice is kept for the day the governor's office lifts the rule.
 */
export async function saveSettings(user: AuthUser, input: SettingsInput): Promise<void> {
  const [previous, mandatory] = await Promise.all([NotificationPreference.findOne({ user: user.id }).lean<NotificationPreferenceRecord>(), mandatoryKinds(user.province)]);
  const wanted = new Set(input.wanted);
  const optOut = REMINDER_KINDS.filter((kind) => (mandatory.has(kind) ? (previous?.optOut ?? []).includes(kind) : !wanted.has(kind)));
  await NotificationPreference.updateOne(
    { user: new Types.ObjectId(user.id) },
    { $set: { lang: input.lang, mode: input.mode, optOut, ...(input.email ? { email: input.email } : {}) }, ...(input.email ? {} : { $unset: { email: 1 } }) },
    { upsert: true, runValidators: true },
  );
}

/** The governor's office sets the kinds nobody in its province may opt out of. */
export async function savePolicy(actor: AuthUser, mandatory: ReminderKind[]): Promise<void> {
  await NotificationPolicy.updateOne({ province: actor.province }, { $set: { mandatory, updatedBy: actor.username } }, { upsert: true, runValidators: true });
}
