import { expect } from 'chai';
import { Types } from 'mongoose';
import { AuditEvent, type AuditEventRecord } from '../../../models/audit-event.model.js';
import { Agency } from '../../../models/agency.model.js';
import { Enrolment } from '../../../models/enrolment.model.js';
import { NotificationPolicy } from '../../../models/notification-policy.model.js';
import { NotificationPreference } from '../../../models/notification-preference.model.js';
import { Quota } from '../../../models/quota.model.js';
import { toAuthUser } from '../../../server/auth/auth.service.js';
import type { AuthUser } from '../../../server/auth/scope.js';
import { outsideAnyActor, requestActor, runAs } from '../../../server/audit/context.js';
import { recordAudit } from '../../../server/audit/record.js';
import { createCampaign, getCampaign } from '../../../server/campaigns/campaigns.service.js';
import { addAgency, changeAgency, ensureAgencyRegister } from '../../../server/committees/agencies.service.js';
import { createCommittee } from '../../../server/committees/committees.service.js';
import { cancelMeeting, scheduleMeeting } from '../../../server/committees/meetings.service.js';
import { addResolution } from '../../../server/committees/resolutions.service.js';
import { postUpdate } from '../../../server/committees/updates.service.js';
import { loadConfig } from '../../../server/config.js';
import { inTransaction } from '../../../server/db/transaction.js';
import { logEnrolment, rejectEnrolment, verifyEnrolment } from '../../../server/enrolments/enrolments.service.js';
import { savePolicy, saveSettings } from '../../../server/notifications/preferences.service.js';
import { setQuota } from '../../../server/quotas/quotas.service.js';
import { toJalali } from '../../../server/shared/jalali.js';
import { createUser as createAccount } from '../../../server/users/users.service.js';
import { eventsOf } from '../../support/audit.js';
import { resetDatabase } from '../../support/database.js';
import { enrolmentBody, KHAJEH_DIZAJ } from '../../support/enrolments.js';
import { loadPlaces } from '../../support/places.js';
import { createUser } from '../../support/users.js';

const config = loadConfig({ DATA_DIR: ':memory:' });
const mail = { from: 'committees@example.ir', publicUrl: 'https://tracker.example.ir' };

/** A change as the test expects it: the field and its values before and after. */
type Expected = { field: string; before?: unknown; after?: unknown; redacted?: boolean };

function as<T>(user: AuthUser, work: () => Promise<T>): Promise<T> {
  return runAs(requestActor(user, '127.0.0.1'), work);
}

describe('The audit trail of every service write', () => {
  let governor03: AuthUser, fund03: AuthUser, village: AuthUser, governor02: AuthUser, sari: AuthUser;
  const ids: Record<string, string> = {};

  before(async () => {
    await resetDatabase();
    await loadPlaces('030303', '0207');
    await ensureAgencyRegister();
    governor03 = toAuthUser(await createUser({ role: 'governor-office', placeCode: '03' }));
    fund03 = toAuthUser(await createUser({ role: 'fund-manager', placeCode: '03' }));
    village = toAuthUser(await createUser({ role: 'village-head', placeCode: KHAJEH_DIZAJ }));
    governor02 = toAuthUser(await createUser({ role: 'governor-office', placeCode: '02' }));
    sari = toAuthUser(await createUser({ role: 'county-governor', placeCode: '0207' }));
  });

  const year = toJalali(new Date()).year;
  const soon = new Date(Date.now() + 3 * 86_400_000);

  // Each row: who does it, the write, which object it must be recorded on, and what the one event must say.
  const rows: { name: string; who: () => AuthUser; write: () => Promise<{ subject: string; id: string }>; action: string; changes: Expected[]; absent?: string[] }[] = [
    {
      name: 'creating a user, without its password hash',
      who: () => governor03,
      write: async () => ({ subject: 'users', id: (ids.user = String((await createAccount(governor03, { username: 'new.head', displayName: 'دهیار تازه', role: 'village-head', placeCode: KHAJEH_DIZAJ, password: 'a-long-password-1', lang: 'fa', mobile: '09121110000' }))._id)) }),
      action: 'create',
      changes: [{ field: 'username', before: null, after: 'new.head' }, { field: 'mobile', before: null, after: '09121110000' }, { field: 'passwordHash', redacted: true, before: null, after: null }],
    },
    {
      name: 'creating a campaign',
      who: () => fund03,
      write: async () => ({ subject: 'campaigns', id: (ids.campaign = String((await createCampaign(fund03, { name: `پویش ${year}`, year }, config))._id)) }),
      action: 'create',
      changes: [{ field: 'name', before: null, after: `پویش ${year}` }],
    },
    {
      name: 'setting a quota (a bulk write)',
      who: () => fund03,
      write: async () => {
        await setQuota(fund03, await getCampaign(fund03, ids.campaign!), { placeCode: KHAJEH_DIZAJ, target: 60 }, { source: 'typed' });
        return { subject: 'quotas', id: (ids.quota = String((await Quota.findOne({ placeCode: KHAJEH_DIZAJ }).setOptions({ scope: 'system' }).lean())!._id)) };
      },
      action: 'create',
      changes: [{ field: 'target', before: null, after: 60 }],
    },
    {
      name: 'changing a quota',
      who: () => fund03,
      write: async () => {
        await setQuota(fund03, await getCampaign(fund03, ids.campaign!), { placeCode: KHAJEH_DIZAJ, target: 80 }, { source: 'typed', reason: 'بازنگری' });
        return { subject: 'quotas', id: ids.quota! };
      },
      action: 'update',
      changes: [{ field: 'target', before: 60, after: 80 }],
    },
    {
      name: 'logging an enrolment',
      who: () => village,
      write: async () => ({ subject: 'enrolments', id: (ids.enrolment = String((await logEnrolment(village, enrolmentBody(1, { mobile: '09127654321' })))._id)) }),
      action: 'create',
      changes: [{ field: 'status', before: null, after: 'logged' }, { field: 'mobile', before: null, after: '09127654321' }],
    },
    {
      name: 'verifying an enrolment',
      who: () => fund03,
      write: async () => ({ subject: 'enrolments', id: String((await verifyEnrolment(fund03, ids.enrolment!))._id) }),
      action: 'update',
      changes: [{ field: 'status', before: 'logged', after: 'verified' }, { field: 'verifiedBy', before: null }],
      absent: ['nationalId', 'firstName'],
    },
    {
      name: 'rejecting an enrolment',
      who: () => fund03,
      write: async () => ({ subject: 'enrolments', id: String((await rejectEnrolment(fund03, ids.enrolment!, 'مدارک ناقص'))._id) }),
      action: 'update',
      changes: [{ field: 'status', before: 'verified', after: 'rejected' }, { field: 'rejectionReason', before: null, after: 'مدارک ناقص' }],
    },
    {
      name: 'creating a committee',
      who: () => governor02,
      write: async () => ({ subject: 'committees', id: (ids.committee = String((await createCommittee(governor02, { kind: 'county-strategic', place: '0207', name: 'ستاد شهرستان ساری', meetsMonthly: true }))._id)) }),
      action: 'create',
      changes: [{ field: 'name', before: null, after: 'ستاد شهرستان ساری' }],
    },
    {
      name: 'scheduling a meeting',
      who: () => sari,
      write: async () => ({ subject: 'meetings', id: (ids.meeting = String((await scheduleMeeting(sari, ids.committee!, { startsAt: soon, location: 'فرمانداری ساری' }, mail))._id)) }),
      action: 'create',
      changes: [{ field: 'state', before: null, after: 'scheduled' }, { field: 'location', before: null, after: 'فرمانداری ساری' }],
      absent: ['history'],
    },
    {
      name: 'adding a resolution',
      who: () => governor02,
      write: async () => ({ subject: 'resolutions', id: (ids.resolution = String((await addResolution(governor02, ids.meeting!, { text: 'اطلاع‌رسانی مستمر', agency: 'broadcaster', deadline: { type: 'monthly' } }))._id)) }),
      action: 'create',
      changes: [{ field: 'text', before: null, after: 'اطلاع‌رسانی مستمر' }],
    },
    {
      name: 'cancelling a meeting',
      who: () => sari,
      write: async () => ({ subject: 'meetings', id: String((await cancelMeeting(sari, ids.meeting!, 'تعطیلی', mail))._id) }),
      action: 'update',
      changes: [{ field: 'state', before: 'scheduled', after: 'cancelled' }],
      absent: ['history'],
    },
    {
      name: 'posting a progress update moves the resolution',
      who: () => governor02,
      write: async () => {
        await postUpdate(governor02, ids.resolution!, { text: 'آغاز شد', status: 'in-progress' });
        return { subject: 'resolutions', id: ids.resolution! };
      },
      action: 'update',
      changes: [{ field: 'status', before: 'open', after: 'in-progress' }],
    },
    {
      name: 'adding an agency to the register',
      who: () => governor02,
      write: async () => ({ subject: 'agencies', id: (ids.agency = String((await Agency.findOne({ code: (await addAgency(governor02, { code: 'red-crescent', nameFa: 'هلال احمر', nameEn: 'Red Crescent' })).code }).lean())!._id)) }),
      action: 'create',
      changes: [{ field: 'nameFa', before: null, after: 'هلال احمر' }],
    },
    {
      name: 'renaming an agency',
      who: () => governor02,
      write: async () => {
        await changeAgency(governor02, 'red-crescent', { nameFa: 'جمعیت هلال احمر', nameEn: 'Red Crescent Society', active: true });
        return { subject: 'agencies', id: ids.agency! };
      },
      action: 'update',
      changes: [{ field: 'nameFa', before: 'هلال احمر', after: 'جمعیت هلال احمر' }],
    },
    {
      name: 'saving one’s notification settings',
      who: () => fund03,
      write: async () => {
        await saveSettings(fund03, { email: 'fund@example.ir', lang: 'fa', mode: 'digest', wanted: [] });
        return { subject: 'notification_preferences', id: String((await NotificationPreference.findOne({ user: fund03.id }).lean())!._id) };
      },
      action: 'create',
      changes: [{ field: 'mode', before: null, after: 'digest' }],
    },
    {
      name: 'setting the province’s mandatory reminders',
      who: () => governor03,
      write: async () => {
        await savePolicy(governor03, ['quota-behind']);
        return { subject: 'notification_policies', id: String((await NotificationPolicy.findOne({ province: '03' }).lean())!._id) };
      },
      action: 'create',
      changes: [{ field: 'mandatory', before: null, after: ['quota-behind'] }],
    },
  ];

  for (const row of rows) {
    it(`records ${row.name} as exactly one event, by its user, with the fields before and after`, async () => {
      const since = new Date();
      const user = row.who();
      const { subject, id } = await as(user, row.write);
      const events = (await eventsOf(subject, id)).filter((e) => e.at >= since);
      expect(events, `${subject} ${id}`).to.have.length(1);
      const [event] = events as [AuditEventRecord];
      expect(event.action).to.equal(row.action);
      expect(event.actor).to.include({ kind: 'user', username: user.username, role: user.role });
      expect(String(event.actor.user)).to.equal(user.id);
      for (const change of row.changes) {
        const found = event.changes.find((c) => c.field === change.field);
        expect(found, `change of ${change.field}`).to.not.equal(undefined);
        if ('before' in change) expect(found!.before).to.deep.equal(change.before);
        if ('after' in change) expect(found!.after).to.deep.equal(change.after);
        if (change.redacted) expect(found!.redacted).to.equal(true);
      }
      for (const field of row.absent ?? []) expect(event.changes.map((c) => c.field)).to.not.include(field);
      expect(JSON.stringify(event)).to.not.match(/\$2[aby]\$/); // no bcrypt hash anywhere
    });
  }

  it('places each event where its object is, so the scope rule applies to it', async () => {
    const [enrolment] = await eventsOf('enrolments', ids.enrolment);
    expect(enrolment!.province).to.equal('03');
    expect(enrolment!.place).to.equal(KHAJEH_DIZAJ);
    expect(enrolment!.placePath).to.include('030303');
    const [meeting] = await eventsOf('meetings', ids.meeting);
    expect(meeting!.placePath).to.deep.equal(['02', '0207']);
  });

  it('leaves no event when the transaction of the change is rolled back', async () => {
    const before = await AuditEvent.countDocuments({}).setOptions({ scope: 'system' });
    const failure = await as(village, () =>
      inTransaction(async (session) => {
        await Enrolment.create([{ ...(enrolmentBody(2) as Record<string, string>), birthDate: new Date('1990-01-01'), birthDateJalali: '1368/10/11', campaign: new Types.ObjectId(ids.campaign), place: KHAJEH_DIZAJ, province: '03', placePath: ['03', '0303', '030303', KHAJEH_DIZAJ], createdBy: new Types.ObjectId(village.id) }] as never[], { session });
        throw new Error('the counters could not be moved');
      }),
    ).catch((err: Error) => err);
    expect((failure as Error).message).to.equal('the counters could not be moved');
    expect(await AuditEvent.countDocuments({}).setOptions({ scope: 'system' })).to.equal(before);
    expect(await Enrolment.countDocuments({ nationalId: String(enrolmentBody(2).nationalId) }).setOptions({ scope: 'system' })).to.equal(0);
  });

  it('refuses a write that nobody answers for, and writes neither the change nor an event', async () => {
    const before = await AuditEvent.countDocuments({}).setOptions({ scope: 'system' });
    const refused = await outsideAnyActor(() => Agency.create({ province: '03', code: 'nobody', nameFa: 'هیچ‌کس', nameEn: 'Nobody' })).catch((err: { name: string }) => err);
    expect((refused as { name: string }).name).to.equal('auditActorMissing');
    const refusedUpdate = await outsideAnyActor(() => Agency.updateOne({ code: 'broadcaster' }, { $set: { nameEn: 'x' } }).exec()).catch((err: { name: string }) => err);
    expect((refusedUpdate as { name: string }).name).to.equal('auditActorMissing');
    const refusedRaw = await outsideAnyActor(() => recordAudit(null, [{ action: 'create', subject: 'enrolments', place: { province: '03', placePath: ['03'] } }])).catch((err: { name: string }) => err);
    expect((refusedRaw as { name: string }).name).to.equal('auditActorMissing');
    expect(await Agency.countDocuments({ code: 'nobody' })).to.equal(0);
    expect((await Agency.findOne({ code: 'broadcaster' }).lean())!.nameEn).to.not.equal('x');
    expect(await AuditEvent.countDocuments({}).setOptions({ scope: 'system' })).to.equal(before);
  });

  it('refuses every update and delete of an audit event', async () => {
    const [event] = await eventsOf('agencies', ids.agency);
    for (const attempt of [
      () => AuditEvent.updateOne({ _id: event!._id }, { $set: { action: 'delete' } }).setOptions({ scope: 'system' }),
      () => AuditEvent.deleteOne({ _id: event!._id }).setOptions({ scope: 'system' }),
      () => AuditEvent.deleteMany({ _id: event!._id }).setOptions({ scope: 'system' }),
      () => AuditEvent.findOneAndUpdate({ _id: event!._id }, { $set: { action: 'delete' } }).setOptions({ scope: 'system' }),
    ]) {
      const refused = await attempt().then(() => null, (err: { name: string }) => err);
      expect(refused?.name).to.equal('auditImmutable');
    }
    expect((await eventsOf('agencies', ids.agency))[0]).to.deep.equal(event);
  });
});
