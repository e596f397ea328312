import { Committee, type CommitteeRecord } from '../../models/committee.model.js';
import { Place, type PlaceRecord } from '../../models/place.model.js';
import type { AuthUser } from '../auth/scope.js';
import { logger } from '../logger.js';
import { addJalaliMonths, fromJalali, jalaliMonthLength, toJalali, type JalaliDate } from '../shared/jalali.js';
import { addAgency, ensureAgencyRegister } from './agencies.service.js';
import { createCommittee } from './committees.service.js';
import type { MailSettings } from './invitations.js';
import { approveMinutes, cancelMeeting, recordHeld, saveMinutes, scheduleMeeting } from './meetings.service.js';
import { addResolution, type ResolutionInput } from './resolutions.service.js';
import { postUpdate } from './updates.service.js';

/**
 * The demo's reference data: the Mazandaran provincial strategic committee's meeting of 3 Mordad 1397 and its nine
 * resolutions (seed 002, DOMAIN.md), the special working group it set up, and the county strategic committees of
 * Mazandaran's 22 counties with their last few months of meetings (some held, some skipped, one cancelled) so the
 * compliance grid and the governor's overview have something true-looking to show. Everything goes through the
 * same services as the pages, recorded as the demo governor's office, with no e-mail address anywhere, so no
 * invitation is ever queued for these past meetings.
 */
const MAZANDARAN = '02';
const PROVINCIAL_NAME = 'ستاد راهبردی صندوق بیمه اجتماعی کشاورزان، روستاییان و عشایر استان مازندران';
const MEETING_DAY: JalaliDate = { year: 1397, month: 5, day: 3 };
/** The campaign year of seed 002 ends with Esfand 1397: its recurring commitments run until then. */
const CAMPAIGN_YEAR_END: JalaliDate = { year: 1397, month: 12, day: 29 };
const NO_MAIL: MailSettings = { from: 'no-reply@localhost', publicUrl: 'http://localhost' };

const governorOffice: AuthUser = { id: 'reference-data', username: 'demo.governor', role: 'governor-office', placeCode: MAZANDARAN, province: MAZANDARAN, lang: 'fa' };
const officerOf = (agency: string): AuthUser => ({ ...governorOffice, username: `${agency}.officer`, role: 'agency-officer', agency });

const monthly = { type: 'monthly' as const, until: CAMPAIGN_YEAR_END };

/** The nine resolutions, in the order of the news item, each with its agency and the deadline its words imply. */
export const SEED_002_RESOLUTIONS: (ResolutionInput & { progressUpdates?: { on: JalaliDate; text: string; progress?: number; done?: boolean }[] })[] = [
  {
    text: 'تشکیل کارگروه ویژه ذیل ستاد راهبردی استان به مسئولیت معاون سیاسی، امنیتی و اجتماعی استاندار، با حضور مدیران کل دفتر سیاسی، انتخابات و تقسیمات کشوری، امور اجتماعی و فرهنگی، امور روستایی و شوراها، امور شهری و شوراها و صندوق بیمه اجتماعی استان؛ برگزاری نشست‌های ماهانه و اعلام نتیجه به استاندار.',
    agency: 'political',
    collaborators: ['social-cultural', 'rural-affairs', 'urban-affairs', 'fund'],
    deadline: monthly,
    progressUpdates: [{ on: { year: 1397, month: 5, day: 20 }, text: 'نخستین نشست کارگروه ویژه برگزار و گزارش آن به استاندار ارسال شد.', done: true }],
  },
  {
    text: 'تخصیص سهمیه اجباری بیمه نمودن روستاییان برای دهیاران و پیگیری لازم جهت تحقق آن.',
    agency: 'rural-affairs',
    collaborators: ['fund'],
    targetGroup: 'villagers',
    deadline: monthly,
    quotaLink: { holderLevel: 'village' },
    progressUpdates: [
      { on: { year: 1397, month: 5, day: 29 }, text: 'سهمیه دهیاری‌های شهرستان‌ها ابلاغ شد.', progress: 30, done: true },
      { on: { year: 1397, month: 6, day: 30 }, text: 'گزارش پیشرفت شهریور از بخشداری‌ها جمع‌آوری و ارسال شد.', progress: 45, done: true },
      { on: { year: 1397, month: 8, day: 5 }, text: 'گزارش مهر با تأخیر ارسال شد.', progress: 55, done: true },
    ],
  },
  {
    text: 'تشکیل ماهانه جلسه ستاد راهبردی در شهرستان‌ها توسط فرمانداران و اعلام نتیجه اقدامات به اداره کل سیاسی.',
    agency: 'county-governorates',
    collaborators: ['political'],
    deadline: monthly,
  },
  {
    text: 'اطلاع‌رسانی مستمر به مردم برای معرفی صندوق در رسانه استانی توسط صداوسیمای استان، با پیگیری مدیریت صندوق.',
    agency: 'broadcaster',
    collaborators: ['fund'],
    deadline: monthly,
    progressUpdates: [{ on: { year: 1397, month: 5, day: 25 }, text: 'پخش میان‌برنامه معرفی صندوق در شبکه تبرستان آغاز شد.', progress: 20, done: true }],
  },
  {
    text: 'برگزاری جلسات منطقه‌ای بخشداران طبق روال گذشته و تخصیص سهمیه‌ای مشخص برای بخشداران جهت بیمه نمودن روستاییان و پیگیری تحقق آن.',
    agency: 'political',
    targetGroup: 'villagers',
    deadline: monthly,
    quotaLink: { holderLevel: 'district' },
  },
  {
    text: 'هدایت و راهنمایی کارآموزان مراکز آموزش فنی و حرفه‌ای جهت عضویت در صندوق.',
    agency: 'technical-vocational',
    collaborators: ['fund'],
    targetGroup: 'vocational-trainees',
    deadline: monthly,
  },
  {
    text: 'همکاری در جذب قالی‌بافان و صاحبان صنایع دستی در بیمه با صندوق بیمه اجتماعی استان.',
    agency: 'industry-mine-trade',
    collaborators: ['cultural-heritage', 'fund'],
    targetGroup: 'craftspeople',
    deadline: monthly,
  },
  {
    text: 'همکاری اداره کل جهاد کشاورزی، به عنوان دستگاه متولی بخش کشاورزی، در جذب کشاورزان استان در بیمه.',
    agency: 'agricultural-jihad',
    collaborators: ['fund'],
    targetGroup: 'farmers',
    deadline: monthly,
  },
  {
    text: 'برگزاری جلسه شهرداران شهرهای زیر ۲۰ هزار نفر استان با صندوق بیمه اجتماعی کشاورزان، روستاییان و عشایر ظرف مدت یک ماه، با پیگیری اداره کل امور شهری و شوراها.',
    agency: 'urban-affairs',
    collaborators: ['fund'],
    deadline: { type: 'within', months: 1 },
    progressUpdates: [{ on: { year: 1397, month: 5, day: 28 }, text: 'جلسه شهرداران شهرهای زیر ۲۰ هزار نفر با صندوق در استانداری برگزار شد.', done: true }],
  },
];

const at = (date: JalaliDate, hour: number, minute = 0): Date => fromJalali(date, { hour, minute });
const plusDays = (instant: Date, days: number) => new Date(instant.getTime() + days * 86_400_000);

/** Schedules a past meeting as of a week before it, and (unless it was skipped) records it held with approved minutes. */
async function pastMeeting(committee: CommitteeRecord, date: JalaliDate, outcome: 'held' | 'cancelled' | 'unrecorded', details: { location: string; agenda: string; attendance: string[]; minutes: string }): Promise<string> {
  const startsAt = at(date, 10);
  const meeting = await scheduleMeeting(governorOffice, String(committee._id), { startsAt, location: details.location, agenda: details.agenda }, NO_MAIL, plusDays(startsAt, -7));
  const id = String(meeting._id);
  if (outcome === 'cancelled') await cancelMeeting(governorOffice, id, 'عدم حضور حد نصاب', NO_MAIL, plusDays(startsAt, -1));
  if (outcome === 'held') {
    await recordHeld(governorOffice, id, { attendance: details.attendance.map((name) => ({ name, present: true })) }, plusDays(startsAt, 0.1));
    await saveMinutes(governorOffice, id, details.minutes, plusDays(startsAt, 1));
    await approveMinutes(governorOffice, id, plusDays(startsAt, 2));
  }
  return id;
}

/** Loads the reference data once: does nothing when Mazandaran's provincial committee is already there. */
export async function loadCommitteeReferenceData(today = new Date()): Promise<boolean> {
  if (await Committee.exists({ province: MAZANDARAN, kind: 'provincial-strategic' }).setOptions({ scope: 'system' })) return false;
  await ensureAgencyRegister();
  await addAgency(governorOffice, { code: 'county-governorates', nameFa: 'فرمانداری‌های استان', nameEn: 'County governorates' }).catch(() => undefined);

  const provincial = await createCommittee(governorOffice, {
    kind: 'provincial-strategic',
    name: PROVINCIAL_NAME,
    place: MAZANDARAN,
    meetsMonthly: true,
    chair: { name: 'استاندار مازندران' },
    members: [
      { kind: 'person', name: 'مدیرعامل صندوق بیمه اجتماعی کشاورزان، روستاییان و عشایر' },
      { kind: 'person', name: 'فرمانداران شهرستان‌های استان' },
      ...['political', 'social-cultural', 'rural-affairs', 'urban-affairs', 'agricultural-jihad', 'cultural-heritage', 'industry-mine-trade', 'technical-vocational', 'broadcaster', 'fund'].map((agency) => ({ kind: 'agency' as const, agency })),
    ],
    reportsToText: 'دفتر مرکزی صندوق',
  });
  const meetingId = await pastMeeting(provincial, MEETING_DAY, 'held', {
    location: 'سالن جلسات استانداری مازندران، ساری',
    agenda: 'راهکارهای گسترش پوشش بیمه روستاییان، کشاورزان و عشایر استان',
    attendance: ['استاندار مازندران (اسلامی)', 'مدیرعامل صندوق (واعظ‌مهدوی)', 'مدیران کل دستگاه‌های اجرایی استان', 'فرمانداران شهرستان‌ها'],
    minutes: SEED_002_RESOLUTIONS.map((r, i) => `${i + 1}. ${r.text}`).join('\n'),
  });
  for (const { progressUpdates, ...resolution } of SEED_002_RESOLUTIONS) {
    const created = await addResolution(governorOffice, meetingId, { ...resolution, communicatedOn: MEETING_DAY }, at(MEETING_DAY, 14));
    for (const update of progressUpdates ?? []) {
      await postUpdate(officerOf(resolution.agency), String(created._id), { text: update.text, ...(update.progress !== undefined ? { progress: update.progress } : {}), ...(update.done ? { status: 'done' as const } : {}) }, at(update.on, 12));
    }
  }

  const workingGroup = await createCommittee(governorOffice, {
    kind: 'special-working-group',
    name: 'کارگروه ویژه بیمه روستاییان و عشایر استان مازندران',
    place: MAZANDARAN,
    meetsMonthly: true,
    chair: { name: 'معاون سیاسی، امنیتی و اجتماعی استاندار' },
    members: ['political', 'social-cultural', 'rural-affairs', 'urban-affairs', 'fund'].map((agency) => ({ kind: 'agency' as const, agency })),
    reportsTo: String(provincial._id),
    reportsToText: 'استاندار',
  });

  const counties = (await Place.find({ province: MAZANDARAN, level: 'county' }).setOptions({ scope: 'system' }).sort({ code: 1 }).lean<PlaceRecord[]>());
  const countyCommittees = [];
  for (const county of counties) {
    countyCommittees.push({
      county,
      committee: await createCommittee(governorOffice, {
        kind: 'county-strategic',
        name: `ستاد راهبردی صندوق در شهرستان ${county.name}`,
        place: county.code,
        meetsMonthly: true,
        chair: { name: `فرماندار ${county.name}` },
        members: ['political', 'rural-affairs', 'fund'].map((agency) => ({ kind: 'agency' as const, agency })),
        reportsTo: String(provincial._id),
        reportsToText: 'دفتر امور سیاسی، انتخابات و تقسیمات کشوری',
      }),
    });
  }

  // the last four months before this one: most committees met, some skipped a month, one cancelled
  const now = toJalali(today);
  for (let back = 4; back >= 1; back--) {
    const month = addJalaliMonths({ year: now.year, month: now.month, day: 1 }, -back);
    const day = { ...month, day: Math.min(10 + back, jalaliMonthLength(month.year, month.month)) };
    const record = (name: string) => ({ location: `فرمانداری ${name}`, agenda: 'پیگیری مصوبات ستاد استان و سهمیه بیمه روستاییان', attendance: [`فرماندار ${name}`, 'نماینده صندوق', 'بخشداران'], minutes: 'گزارش پیشرفت سهمیه‌ها ارائه و مقرر شد بخشداران گزارش ماهانه ارسال کنند.' });
    await pastMeeting(provincial, day, 'held', { ...record('استانداری'), location: 'استانداری مازندران' });
    if (back !== 2) await pastMeeting(workingGroup, day, 'held', { ...record('معاونت سیاسی'), location: 'معاونت سیاسی، امنیتی و اجتماعی استانداری' });
    for (const [index, { county, committee }] of countyCommittees.entries()) {
      const skipped = (index + back) % 5 === 0;
      if (skipped) continue;
      const outcome = index === 3 && back === 1 ? 'cancelled' : 'held';
      await pastMeeting(committee, day, outcome, record(county.name));
    }
  }
  logger.info({ counties: countyCommittees.length, resolutions: SEED_002_RESOLUTIONS.length }, 'committee reference data loaded (seed 002)');
  return true;
}
