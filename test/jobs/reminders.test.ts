import { expect } from 'chai';
import { Agency } from '../../models/agency.model.js';
import { Campaign } from '../../models/campaign.model.js';
import { JobRun } from '../../models/job-run.model.js';
import { NotificationPolicy } from '../../models/notification-policy.model.js';
import { NotificationPreference, type ReminderKind } from '../../models/notification-preference.model.js';
import { OutboxMessage } from '../../models/outbox-message.model.js';
import { Place, type PlaceRecord } from '../../models/place.model.js';
import { placeFields } from '../../models/plugins/place-scoped.js';
import { Quota } from '../../models/quota.model.js';
import { Reminder } from '../../models/reminder.model.js';
import { Resolution } from '../../models/resolution.model.js';
import { deliverDue } from '../../jobs/deliver-outbox.js';
import { remindersJob } from '../../jobs/reminders.js';
import { Scheduler } from '../../jobs/scheduler.js';
import { toAuthUser } from '../../server/auth/auth.service.js';
import { ensureAgencyRegister } from '../../server/committees/agencies.service.js';
import { createCommittee } from '../../server/committees/committees.service.js';
import { mailSettings } from '../../server/committees/invitations.js';
import { recordHeld, scheduleMeeting } from '../../server/committees/meetings.service.js';
import { addResolution } from '../../server/committees/resolutions.service.js';
import { loadConfig } from '../../server/config.js';
import { countEnrolment } from '../../server/quotas/progress.service.js';
import { fromJalali } from '../../server/shared/jalali.js';
import { recordCommands } from '../support/commands.js';
import { resetDatabase } from '../support/database.js';
import { loadPlaces } from '../support/places.js';
import { decodeMail, startSmtpServer, type DecodedMail, type TestSmtpServer } from '../support/smtp.js';
import { createUser, type TestUser } from '../support/users.js';

/** A Jalali day of 1404 at a Tehran hour (the reminders job runs at 7). */
const on = (month: number, day: number, hour = 7) => fromJalali({ year: 1404, month, day }, { hour });

interface Mail extends DecodedMail {
  kind: string;
  envelopeTo: string;
}

describe('The reminders job', function () {
  this.timeout(60_000);
  let smtp: TestSmtpServer;
  let config: ReturnType<typeof loadConfig>;
  let governor: TestUser;
  let ruralOfficer: TestUser;
  let districtGovernor: TestUser;
  let sariMeeting: string;
  let heldMeeting: string;
  let resolution: string;
  const village = '0303030001029409';

  async function prefer(user: TestUser, preference: { email: string; mode?: 'single' | 'digest'; lang?: 'fa' | 'en'; optOut?: ReminderKind[] }) {
    await NotificationPreference.updateOne({ user: user._id }, { $set: { mode: 'single', optOut: [], ...preference } }, { upsert: true });
  }

  /** Runs the job as the scheduler would at `now`, delivers the outbox to the SMTP server, and returns what arrived. */
  async function remindAt(now: Date): Promise<Mail[]> {
    const before = smtp.received.length;
    const results = await new Scheduler(config, [remindersJob]).fire(remindersJob, now);
    expect(results.length).to.be.above(0);
    expect(results.every((r) => r.started)).to.equal(true);
    await deliverDue({ config });
    return smtp.received.slice(before).map((m) => ({ ...decodeMail(m.raw), kind: decodeMail(m.raw).headers['x-outbox-kind'] ?? '', envelopeTo: m.to.join(',') }));
  }
  const ofKind = (mails: Mail[], kind: string) => mails.filter((m) => m.kind === kind);
  const recipients = (mails: Mail[]) => mails.map((m) => m.envelopeTo).sort();

  before(async () => {
    await resetDatabase();
    await loadPlaces('0207', '0303030001');
    await ensureAgencyRegister();
    smtp = await startSmtpServer();
    config = loadConfig({ NODE_ENV: 'test', SMTP_URL: smtp.url, PUBLIC_URL: 'https://tracker.example.ir', MAIL_FROM: 'tracker@example.ir' });

    governor = await createUser({ role: 'governor-office', placeCode: '02', username: 'office.reminders' });
    const sari = await createUser({ role: 'county-governor', placeCode: '0207', username: 'sari.reminders' });
    ruralOfficer = await createUser({ role: 'agency-officer', placeCode: '02', agency: 'rural-affairs', username: 'rural.reminders' });
    const head = await createUser({ role: 'village-head', placeCode: village, username: 'head.reminders' });
    districtGovernor = await createUser({ role: 'district-governor', placeCode: '030303', username: 'district.reminders' });
    await createUser({ role: 'county-governor', placeCode: '0303', username: 'tabriz.reminders' }); // no address: never written to
    await prefer(sari, { email: 'sari@example.ir' });
    await prefer(head, { email: 'head@example.ir' });
    await Agency.updateOne({ code: 'rural-affairs' }, { $set: { email: 'office.rural@example.ir' } });

    const office = toAuthUser(governor);
    const mail = mailSettings(config);
    const sariCommittee = await createCommittee(office, {
      kind: 'county-strategic',
      place: '0207',
      name: 'ستاد راهبردی شهرستان ساری',
      meetsMonthly: true,
      chair: { name: 'فرماندار ساری', email: 'chair.sari@example.ir' },
      members: [{ kind: 'person', name: 'عضو ستاد', email: 'member.sari@example.ir' }],
    });
    await createCommittee(office, { kind: 'special-working-group', place: '02', name: 'کارگروه ویژه استان', meetsMonthly: true, chair: { name: 'معاون سیاسی', email: 'deputy@example.ir' } });

    const held = await scheduleMeeting(office, String(sariCommittee._id), { startsAt: on(6, 20, 10), location: 'فرمانداری ساری' }, mail, on(6, 1));
    heldMeeting = String(held._id);
    await recordHeld(office, heldMeeting, { attendance: [{ name: 'فرماندار ساری', present: true }] }, on(6, 20, 12));
    sariMeeting = String((await scheduleMeeting(office, String(sariCommittee._id), { startsAt: on(7, 12, 10), location: 'فرمانداری ساری' }, mail, on(7, 1)))._id);
    resolution = String(
      (await addResolution(office, heldMeeting, { text: 'تعیین سهمیه اجباری دهیاران و پیگیری آن', agency: 'rural-affairs', deadline: { type: 'date', date: { year: 1404, month: 7, day: 15 } } }, on(6, 20, 12)))._id,
    );
    // heard from last on 1 Shahrivar (the record was made today, in real time)
    await Resolution.updateOne({ _id: resolution }, { $set: { lastUpdateAt: on(6, 1) } }).setOptions({ scope: 'system' });

    const campaign = await Campaign.create({ name: 'پویش ۱۴۰۴', year: 1404, startsAt: on(1, 1, 0), endsAt: fromJalali({ year: 1405, month: 1, day: 1 }), townThreshold: 20000, createdBy: governor._id, ...placeFields({ code: '03', province: '03', ancestors: [] }) });
    const places = await Place.find({ parent: '0303030001', level: 'village' }).setOptions({ scope: 'system' }).sort({ code: 1 }).lean<PlaceRecord[]>();
    const onPace = places.find((p) => p.code !== village)!;
    for (const [code, target, logged] of [[village, 120, 10], [onPace.code, 12, 12]] as const) {
      const place = places.find((p) => p.code === code)!;
      await Quota.create({ campaign: campaign._id, placeCode: code, holderLevel: 'village', target, updatedBy: governor._id, ...placeFields(place) });
      for (let i = 0; i < logged; i++) await countEnrolment({ campaignId: campaign._id, place: { code, province: '03', ancestors: place.ancestors }, logged: 1, verified: i < 4 ? 1 : 0, at: on(5, 1) });
    }
  });
  after(() => smtp.stop());

  beforeEach(async () => {
    await Promise.all([Reminder.deleteMany({}).setOptions({ scope: 'system' }), OutboxMessage.deleteMany({}), JobRun.deleteMany({}), NotificationPolicy.deleteMany({})]);
    await prefer(governor, { email: 'governor@example.ir' });
    await prefer(ruralOfficer, { email: 'rural.officer@example.ir' });
    await prefer(districtGovernor, { email: 'district@example.ir', lang: 'en' });
  });

  it('reminds every invitee of a meeting within two days of it, naming it, its Jalali date and time, and linking to it', async () => {
    expect(ofKind(await remindAt(on(7, 9)), 'meeting-upcoming')).to.deep.equal([]);
    const mails = ofKind(await remindAt(on(7, 11)), 'meeting-upcoming');
    expect(recipients(mails)).to.deep.equal(['chair.sari@example.ir', 'member.sari@example.ir']);
    const [mail] = mails;
    expect(mail!.subject).to.equal('یادآوری جلسه ستاد راهبردی شهرستان ساری، ۱۲ مهر ۱۴۰۴، ساعت ۱۰:۰۰');
    expect(mail!.text).to.contain('در فرمانداری ساری برگزار می‌شود').and.contain(`https://tracker.example.ir/meetings/${sariMeeting}`);
    expect(mail!.html).to.contain('dir="rtl"').and.contain(`href="https://tracker.example.ir/meetings/${sariMeeting}"`);
  });

  it('tells the chair’s office of a monthly committee with no meeting this month, from the 20th of the Jalali month', async () => {
    expect(ofKind(await remindAt(on(7, 19)), 'meeting-not-scheduled')).to.deep.equal([]);
    const mails = ofKind(await remindAt(on(7, 20)), 'meeting-not-scheduled');
    // the Sari committee has its Mehr meeting; the working group has none
    expect(recipients(mails)).to.deep.equal(['deputy@example.ir', 'governor@example.ir']);
    expect(mails[0]!.subject).to.equal('جلسه مهر ۱۴۰۴ کارگروه ویژه استان هنوز تعیین نشده است');
    expect(mails[0]!.text).to.contain('تا ۲۰ مهر ۱۴۰۴');
  });

  it('chases minutes a week after a meeting was held', async () => {
    expect(ofKind(await remindAt(on(6, 27)), 'meeting-minutes-missing')).to.deep.equal([]);
    const mails = ofKind(await remindAt(on(6, 28)), 'meeting-minutes-missing');
    expect(recipients(mails)).to.deep.equal(['chair.sari@example.ir', 'sari@example.ir']);
    expect(mails[0]!.text).to.contain('۲۰ شهریور ۱۴۰۴').and.contain(`/meetings/${heldMeeting}`);
  });

  it('reminds the responsible agency 7 days before, the day before, on the first day overdue and then weekly', async () => {
    const dueSoon = ofKind(await remindAt(on(7, 10)), 'commitment-due-soon');
    expect(recipients(dueSoon)).to.deep.equal(['rural.officer@example.ir']);
    expect(dueSoon[0]!.subject).to.equal('مهلت مصوبه ۱: ۱۵ مهر ۱۴۰۴');
    expect(dueSoon[0]!.text).to.contain('تعیین سهمیه اجباری دهیاران').and.contain('دفتر امور روستایی و شوراها').and.contain(`/resolutions/${resolution}`);
    expect(ofKind(await remindAt(on(7, 11)), 'commitment-due-soon')).to.deep.equal([]);

    expect(recipients(ofKind(await remindAt(on(7, 14)), 'commitment-due-tomorrow'))).to.deep.equal(['rural.officer@example.ir']);
    expect(ofKind(await remindAt(on(7, 15)), 'commitment-overdue')).to.deep.equal([]);
    const overdue = ofKind(await remindAt(on(7, 16)), 'commitment-overdue');
    expect(overdue.map((m) => m.subject)).to.deep.equal(['مصوبهٔ شمارهٔ ۱: ۱ روز از مهلت گذشته است']);
    expect(ofKind(await remindAt(on(7, 17)), 'commitment-overdue')).to.deep.equal([]);
    expect(ofKind(await remindAt(on(7, 22)), 'commitment-overdue')).to.deep.equal([]);
    expect(ofKind(await remindAt(on(7, 23)), 'commitment-overdue').map((m) => m.subject)).to.deep.equal(['مصوبهٔ شمارهٔ ۱: ۸ روز از مهلت گذشته است']);
  });

  it('escalates a commitment 14 days overdue to the agency’s head and the governor’s office, once', async () => {
    expect(ofKind(await remindAt(on(7, 28)), 'commitment-escalation')).to.deep.equal([]);
    const escalated = ofKind(await remindAt(on(7, 29)), 'commitment-escalation');
    expect(recipients(escalated)).to.deep.equal(['governor@example.ir', 'office.rural@example.ir']);
    expect(escalated[0]!.subject).to.equal('ارجاع: مصوبهٔ شمارهٔ ۱، ۱۴ روز از مهلت گذشته است');
    expect(ofKind(await remindAt(on(8, 2)), 'commitment-escalation')).to.deep.equal([]);
  });

  it('tells the agency of a commitment nobody has reported on for 30 days', async () => {
    const stale = ofKind(await remindAt(on(7, 1)), 'commitment-stale');
    expect(recipients(stale)).to.deep.equal(['rural.officer@example.ir']);
    expect(stale[0]!.text).to.contain('از ۱ شهریور ۱۴۰۴ گزارشی');
  });

  it('sends the weekly quota note to a village head behind pace and to their district governor, in each one’s language', async () => {
    const mails = await remindAt(on(7, 10));
    const own = ofKind(mails, 'quota-behind');
    expect(recipients(own)).to.deep.equal(['head@example.ir']);
    expect(own[0]!.text).to.contain('۱۰ نفر ثبت شده (۴ تأییدشده) از سهمیه ۱۲۰ نفر').and.contain(`/places/${village}`);
    const supervised = ofKind(mails, 'quota-behind-supervised');
    expect(recipients(supervised)).to.deep.equal(['district@example.ir']);
    expect(supervised[0]!.subject).to.match(/^.+ \(in your area\) is behind its enrolment quota$/);
    expect(supervised[0]!.text).to.contain('10 logged (4 verified) of a quota of 120');
    expect(supervised[0]!.html).to.contain('dir="ltr"');

    // once a week (Saturday to Friday): not again on Friday 11 Mehr, again on Saturday 12 Mehr
    expect(ofKind(await remindAt(on(7, 11)), 'quota-behind')).to.deep.equal([]);
    expect(recipients(ofKind(await remindAt(on(7, 12)), 'quota-behind'))).to.deep.equal(['head@example.ir']);
  });

  it('gathers a day’s reminders into one digest for those who chose it', async () => {
    await prefer(governor, { email: 'governor@example.ir', mode: 'digest' });
    const mails = (await remindAt(on(7, 29))).filter((m) => m.envelopeTo === 'governor@example.ir');
    expect(mails).to.have.length(1);
    expect(mails[0]!.kind).to.equal('digest');
    expect(mails[0]!.subject).to.equal('یادآوری‌های امروز (۲)');
    expect(mails[0]!.text).to.contain('ارجاع: مصوبهٔ شمارهٔ ۱').and.contain('جلسه مهر ۱۴۰۴ کارگروه ویژه استان هنوز تعیین نشده است');
  });

  it('respects an opt-out, unless the governor’s office made the kind mandatory', async () => {
    await prefer(ruralOfficer, { email: 'rural.officer@example.ir', optOut: ['commitment-due-soon'] });
    expect(ofKind(await remindAt(on(7, 10)), 'commitment-due-soon')).to.deep.equal([]);
    const [run] = await JobRun.find({}).lean();
    expect(run!.counts.optedOut).to.be.at.least(1);

    await Reminder.deleteMany({}).setOptions({ scope: 'system' });
    await NotificationPolicy.create({ province: '02', mandatory: ['commitment-due-soon'], updatedBy: 'office.reminders' });
    expect(recipients(ofKind(await remindAt(on(7, 10, 8)), 'commitment-due-soon'))).to.deep.equal(['rural.officer@example.ir']);
  });

  it('sends nothing twice: a second run the same day, and two instances firing the same tick together', async () => {
    const first = await remindAt(on(7, 10));
    expect(first.length).to.be.above(0);
    expect(await remindAt(on(7, 10, 9))).to.deep.equal([]);

    await Promise.all([Reminder.deleteMany({}).setOptions({ scope: 'system' }), OutboxMessage.deleteMany({}), JobRun.deleteMany({})]);
    const before = smtp.received.length;
    const tick = on(7, 10);
    const [a, b] = await Promise.all([new Scheduler(config, [remindersJob]).fire(remindersJob, tick), new Scheduler(config, [remindersJob]).fire(remindersJob, tick)]);
    // each province's run of the tick happens once between the two instances
    expect([...a!, ...b!].filter((r) => r.started)).to.have.length(a!.length);
    await deliverDue({ config });
    const twice = smtp.received.slice(before);
    expect(twice.length).to.equal(first.length);
    const keys = twice.map((m) => `${m.to.join()}|${decodeMail(m.raw).subject}`);
    expect(new Set(keys).size).to.equal(keys.length);
  });

  it('counts the people it could not write to', async () => {
    await NotificationPreference.deleteOne({ user: districtGovernor._id });
    await remindAt(on(7, 10));
    // one run per province; the district governor is East Azerbaijan's
    const runs = await JobRun.find({}).lean();
    expect(runs.map((r) => r.status)).to.deep.equal(runs.map(() => 'succeeded'));
    expect(runs.find((r) => r.province === '03')!.counts.noAddress).to.be.at.least(1);
    expect(await Reminder.countDocuments({ address: /district/ }).setOptions({ scope: 'system' })).to.equal(0);
  });

  it('reads, in one province\'s run, only that province\'s users, meetings, committees, resolutions, agencies, campaigns and proposals', async () => {
    const { result, commands } = await recordCommands(async () => {
      const run = await new Scheduler(config, [remindersJob]).runNow(remindersJob, 'office.reminders', { province: '02', now: on(7, 10) });
      if (run.started) await run.done;
      return run;
    });
    expect(result.started).to.equal(true);
    const ruleCollections = ['meetings', 'committees', 'resolutions', 'agencies', 'campaigns', 'clause_proposals', 'agreements', 'quotas', 'progress_counters', 'reminders', 'users'];
    const reads = commands.filter((c) => ['find', 'distinct', 'aggregate', 'count'].includes(c.name) && ruleCollections.includes(c.collection ?? ''));
    expect(reads.map((c) => c.collection)).to.include.members(['meetings', 'committees', 'resolutions', 'agencies', 'campaigns', 'clause_proposals', 'users']);
    const filterOf = (c: (typeof reads)[number]) => (c.name === 'aggregate' ? ((c.command.pipeline as Record<string, any>[])[0]?.$match ?? {}) : (c.command.filter ?? c.command.query ?? {})) as Record<string, unknown>;
    expect(reads.filter((c) => filterOf(c).province !== '02').map((c) => `${c.name} ${c.collection} ${JSON.stringify(filterOf(c))}`)).to.deep.equal([]);
    // the reminders it found are Mazandaran's only (East Azerbaijan's quota note is its own run's)
    expect(await Reminder.distinct('province').setOptions({ scope: 'system' })).to.deep.equal(['02']);
  });
});
