import type { Types } from 'mongoose';
import { NotificationPolicy, type NotificationPolicyRecord } from '../../models/notification-policy.model.js';
import { NotificationPreference, type DeliveryMode, type NotificationPreferenceRecord, type ReminderKind } from '../../models/notification-preference.model.js';
import { User, type UserRecord } from '../../models/user.model.js';
import type { Role } from '../auth/roles.js';
import type { Lang } from '../i18n/index.js';

/** Someone a reminder can be sent to: an address, with the wishes of the user behind it if there is one. */
export interface Recipient {
  address: string;
  user?: Types.ObjectId;
  lang: Lang;
  mode: DeliveryMode;
  optOut: ReadonlySet<ReminderKind>;
}

type DirectoryUser = Pick<UserRecord, '_id' | 'username' | 'role' | 'placeCode' | 'province' | 'agency' | 'lang'>;

/**
 * Everyone the reminders job may write to, loaded once per run: active users with their notification preferences,
 * and each province's mandatory kinds. Users have no address of their own: theirs is the one they gave on the
 * notification settings page. Without an SMTP server (the development mailbox), a user who gave none is written
 * to at `<username>@mailbox.invalid` so the mailbox page still shows their mail; with SMTP they are skipped and
 * counted (`noAddress`).
 */
export class RecipientDirectory {
  /** Users by role, and by role and place: a whole-country run asks tens of thousands of times. */
  private readonly byRole = new Map<Role, DirectoryUser[]>();
  private readonly byRoleAndPlace = new Map<string, DirectoryUser[]>();

  private constructor(
    users: DirectoryUser[],
    private readonly preferences: Map<string, NotificationPreferenceRecord>,
    private readonly byAddress: Map<string, NotificationPreferenceRecord>,
    private readonly policies: Map<string, NotificationPolicyRecord>,
    private readonly mailboxFallback: boolean,
  ) {
    for (const user of users) {
      const key = `${user.role}|${user.placeCode}`;
      if (!this.byRole.has(user.role)) this.byRole.set(user.role, []);
      if (!this.byRoleAndPlace.has(key)) this.byRoleAndPlace.set(key, []);
      this.byRole.get(user.role)!.push(user);
      this.byRoleAndPlace.get(key)!.push(user);
    }
  }

  /** `province`: only that province's users (a reminders run is one province's, and writes to its people only). */
  static async load(options: { mailboxFallback: boolean; province?: string }): Promise<RecipientDirectory> {
    const [users, preferences, policies] = await Promise.all([
      User.find({ ...(options.province ? { province: options.province } : {}), active: true }, { username: 1, role: 1, placeCode: 1, province: 1, agency: 1, lang: 1 }).setOptions({ scope: 'system' }).lean<DirectoryUser[]>(),
      NotificationPreference.find({}).lean<NotificationPreferenceRecord[]>(),
      NotificationPolicy.find({}).lean<NotificationPolicyRecord[]>(),
    ]);
    return new RecipientDirectory(
      users,
      new Map(preferences.map((p) => [String(p.user), p])),
      new Map(preferences.filter((p) => p.email).map((p) => [p.email!, p])),
      new Map(policies.map((p) => [p.province, p])),
      options.mailboxFallback,
    );
  }

  /** Users with `role` (and, when given, at one of `placeCodes`, in `province`, of `agency`) that can be written to. */
  usersWith(role: Role, where: { placeCodes?: readonly string[]; province?: string; agency?: string } = {}): (Recipient | null)[] {
    const candidates = where.placeCodes ? where.placeCodes.flatMap((code) => this.byRoleAndPlace.get(`${role}|${code}`) ?? []) : (this.byRole.get(role) ?? []);
    return candidates.filter((u) => (!where.province || u.province === where.province) && (!where.agency || u.agency === where.agency)).map((u) => this.forUser(u));
  }

  /** A user as a recipient; null when they have no address and mail really goes out. One digest a day unless they chose single mails. */
  private forUser(user: DirectoryUser): Recipient | null {
    const preference = this.preferences.get(String(user._id));
    const address = preference?.email ?? (this.mailboxFallback ? `${user.username}@mailbox.invalid` : undefined);
    if (!address) return null;
    return { address, user: user._id, lang: preference?.lang ?? user.lang, mode: preference?.mode ?? 'digest', optOut: new Set(preference?.optOut ?? []) };
  }

  /** An address from the committee or agency register (a chair, an agency's office): a user's wishes if it is theirs. */
  forAddress(address: string): Recipient {
    const preference = this.byAddress.get(address.toLowerCase());
    return {
      address: address.toLowerCase(),
      ...(preference ? { user: preference.user } : {}),
      lang: preference?.lang ?? 'fa',
      mode: preference?.mode ?? 'digest',
      optOut: new Set(preference?.optOut ?? []),
    };
  }

  /** Whether `recipient` gets reminders of `kind` about something in `province`: yes unless opted out of a non-mandatory kind. */
  wants(recipient: Recipient, kind: ReminderKind, province: string): boolean {
    if (!recipient.optOut.has(kind)) return true;
    return this.policies.get(province)?.mandatory.includes(kind) ?? false;
  }
}
