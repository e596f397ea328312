import { FieldProblem } from '../../models/field-problem.model.js';
import { Agreement } from '../../models/agreement.model.js';
import { ClauseProposal } from '../../models/clause-proposal.model.js';
import { Place, type PlaceRecord } from '../../models/place.model.js';
import { PolicyAxis } from '../../models/policy-axis.model.js';
import { User, type UserRecord } from '../../models/user.model.js';
import { toAuthUser } from '../auth/auth.service.js';
import type { AuthUser } from '../auth/scope.js';
import { createCommittee } from '../committees/committees.service.js';
import { recordHeld, scheduleMeeting } from '../committees/meetings.service.js';
import { addResolution } from '../committees/resolutions.service.js';
import { reportProblem, sameHere } from '../field-problems/problems.service.js';
import { logger } from '../logger.js';
import { addJalaliMonths, fromJalali, toJalali, type JalaliDate } from '../shared/jalali.js';
import { DEMO_PASSWORD } from '../users/demo.js';
import { createUser } from '../users/users.service.js';
import { addClause, createAgreement, setVolunteers } from './agreements.service.js';
import { addAxis } from './axes.service.js';
import { decideProposal, proposeClause } from './proposals.service.js';

const MAZANDARAN = '02';
/** Demo mayors of Mazandaran towns under 50,000 people (census 1395): the working group and Sari's other towns. */
const DEMO_MAYORS: readonly { username: string; town: string; county: string; mobile: string }[] = [
  { username: 'demo.mayor.amirkola', town: 'امیرکلا', county: '0202', mobile: '09120000101' },
  { username: 'demo.mayor.ramsar', town: 'رامسر', county: '0206', mobile: '09120000102' },
  { username: 'demo.mayor.mahmudabad', town: 'محمودآباد', county: '0218', mobile: '09120000103' },
  { username: 'demo.mayor.juybar', town: 'جویبار', county: '0221', mobile: '09120000104' },
  { username: 'demo.mayor.hular', town: 'پایین هولار', county: '0207', mobile: '09120000105' },
  { username: 'demo.mayor.farim', town: 'فریم', county: '0207', mobile: '09120000106' },
];

/**
 * How often each topic came up, month by month over the last two years (index 0 = this month): the pattern the
 * illustrative data follows, so the quarter comparison and "did it help?" have something to show. ID mismatches
 * were frequent until clause 1 (about seven months ago) and rarer since; premiums weigh more this year; farmers
 * are away at the harvest of late spring and early autumn.
 */
function reportsIn(topic: string, monthsAgo: number, month: number): number {
  switch (topic) {
    case 'id-mismatch':
      return monthsAgo > 7 ? 3 : monthsAgo > 5 ? 1 : monthsAgo % 3 === 0 ? 1 : 0;
    case 'premium-too-high':
      return monthsAgo < 12 ? 2 + (monthsAgo % 2) : 1;
    case 'no-internet':
      return monthsAgo % 2 === 0 ? 2 : 1;
    case 'away-at-harvest':
      return [3, 4, 7].includes(month) ? 3 : 0;
    case 'residence-unconfirmed':
      return monthsAgo % 4 === 1 ? 1 : 0;
    default:
      return monthsAgo % 6 === 2 ? 1 : 0;
  }
}

async function user(username: string): Promise<AuthUser | null> {
  const found = await User.findOne({ username }).setOptions({ scope: 'system' }).lean<UserRecord>();
  return found ? toAuthUser(found) : null;
}

const at = (date: JalaliDate, hour = 10) => fromJalali(date, { hour });

/**
 * The illustrative loop of issue 13 in Mazandaran, once, on an empty demo database: six more demo mayors, field
 * problems over the last two years (every one marked `illustrative`), the seed-000 agreement (its title and parties
 * as published; its clauses, proposals and working group are examples and say so), a working group of five mayors
 * of towns under 50,000, one clause adopted from the problems seven months ago, one added four months ago, one
 * proposal waiting, and a secretariat with nine example policy axes and its "operational plan within two months".
 */
export async function loadAgreementDemo(today = new Date()): Promise<boolean> {
  const governor = await user('demo.governor');
  const kiasar = await user('demo.mayor');
  const sari = await user('demo.sari');
  const agency = await user('demo.agency');
  if (!governor || !kiasar || !sari || !agency) return false;
  if (await Agreement.exists({}).setOptions({ scope: governor })) return false;

  const towns = await Place.find({ province: MAZANDARAN, level: 'city', name: { $in: DEMO_MAYORS.map((m) => m.town) } }).setOptions({ scope: 'system' }).lean<PlaceRecord[]>();
  for (const mayor of DEMO_MAYORS) {
    const town = towns.find((t) => t.name === mayor.town && t.parent === mayor.county);
    if (!town || (await User.exists({ username: mayor.username }).setOptions({ scope: 'system' }))) continue;
    await createUser('system', { username: mayor.username, displayName: `شهردار ${mayor.town} (نمونه)`, mobile: mayor.mobile, role: 'mayor', placeCode: town.code, password: DEMO_PASSWORD, lang: 'fa' }, { demo: true });
  }
  const mayors = (await Promise.all(DEMO_MAYORS.map((m) => user(m.username)))).filter((m): m is AuthUser => m !== null);
  const sariPeople = [kiasar, ...mayors.filter((m) => m.placeCode.startsWith('0207')), sari];
  const elsewhere = mayors.filter((m) => !m.placeCode.startsWith('0207'));

  // field problems: in Sari county several places report the same thread; elsewhere a town reports and the agency officer joins
  const now = toJalali(today);
  const thisMonth: JalaliDate = { year: now.year, month: now.month, day: 1 };
  const threads = new Map<string, string>();
  for (let monthsAgo = 23; monthsAgo >= 0; monthsAgo--) {
    const month = addJalaliMonths(thisMonth, -monthsAgo);
    for (const topic of ['id-mismatch', 'premium-too-high', 'no-internet', 'away-at-harvest', 'residence-unconfirmed', 'other']) {
      const count = reportsIn(topic, monthsAgo, month.month);
      for (let i = 0; i < count; i++) {
        // this month's reports stay in the past: on days up to today, at midnight
        const when = monthsAgo === 0 ? at({ ...month, day: Math.max(1, Math.min(now.day, 1 + i * 3)) }, 0) : at({ ...month, day: Math.min(28, 3 + i * 6 + (monthsAgo % 5)) });
        const inSari = i % 2 === 0;
        const first = inSari ? sariPeople[(monthsAgo + i) % sariPeople.length]! : elsewhere[(monthsAgo + i) % elsewhere.length]!;
        const problem = await reportProblem(first, { topic, ...(topic === 'other' ? { otherText: 'صف طولانی بانک برای پرداخت حق بیمه' } : {}), description: 'نمونه برای نمایش', affected: 5 + ((monthsAgo * 7 + i * 11) % 40) }, when);
        if (inSari && !threads.has(`${topic}:${monthsAgo}`)) threads.set(`${topic}:${monthsAgo}`, String(problem._id));
        const seconders = inSari ? sariPeople.filter((p) => p.username !== first.username).slice(0, 1 + ((monthsAgo + i) % 3)) : [agency];
        for (const [k, seconder] of seconders.entries()) await sameHere(seconder, String(problem._id), { affected: 3 + k * 4 }, new Date(Math.min(today.getTime(), when.getTime() + (k + 1) * 86_400_000)));
      }
    }
  }
  await FieldProblem.updateMany({}, { $set: { illustrative: true } }).setOptions({ scope: governor });

  const agreement = await createAgreement(
    governor,
    { title: 'تفاهم‌نامه همکاری سازمان شهرداری‌ها و دهیاری‌های کشور و سازمان تأمین اجتماعی', parties: ['سازمان شهرداری‌ها و دهیاری‌های کشور', 'سازمان تأمین اجتماعی'], signedOn: { year: 1404, month: 8, day: 24 }, level: 'country', groupSize: 5, smallTownThreshold: 50_000, illustrative: true },
    at(addJalaliMonths(thisMonth, -9)),
  );
  const id = String(agreement._id);
  await setVolunteers(governor, id, ['demo.mayor', ...DEMO_MAYORS.slice(0, 4).map((m) => m.username)], at(addJalaliMonths(thisMonth, -9), 11));

  // clause 1: proposed by the Kiasar mayor from the ID-mismatch problems, adopted seven months ago
  const adoptedOn = addJalaliMonths({ ...thisMonth, day: 5 }, -7);
  const proposal1 = await proposeClause(
    kiasar,
    id,
    { text: 'نمونه: استعلام برخط تطبیق کد ملی با ثبت احوال در دفاتر شهرداری‌های کوچک، بی‌نیاز از مراجعه حضوری', agency: 'fund', deadline: { type: 'within', months: 2 }, problems: [threads.get('id-mismatch:8'), threads.get('id-mismatch:9')].filter((p): p is string => Boolean(p)), illustrative: true },
    at({ ...adoptedOn, day: 1 }),
  );
  await decideProposal(governor, String(proposal1._id), { decision: 'adopt', reason: 'نمونه: پرتکرارترین موضوع شهرهای کوچک در فصل پیش' }, at(adoptedOn));
  // clause 2: added directly four months ago, a monthly report
  await addClause(governor, id, { text: 'نمونه: گزارش ماهانه دفاتر شهرداری بدون اینترنت و برنامه اتصال آن‌ها', agency: 'urban-affairs', deadline: { type: 'monthly' }, topics: ['no-internet'], reason: 'نمونه: درخواست کارگروه', illustrative: true }, at(addJalaliMonths({ ...thisMonth, day: 2 }, -4)));
  // a proposal waiting nine days for a decision
  await proposeClause(
    kiasar,
    id,
    { text: 'نمونه: تقسیط سهم خانوار از حق بیمه برای خانوارهای پرجمعیت', agency: 'fund', deadline: { type: 'within', months: 3 }, problems: [threads.get('premium-too-high:0'), threads.get('premium-too-high:1')].filter((p): p is string => Boolean(p)), illustrative: true },
    new Date(today.getTime() - 9 * 86_400_000),
  );
  await ClauseProposal.updateMany({}, { $set: { illustrative: true } }).setOptions({ scope: governor });

  // seed 001: a permanent secretariat following nine policy axes (named here as examples), and its operational plan
  const secretariat = await createCommittee(governor, { kind: 'secretariat', name: 'دبیرخانه دائمی پیگیری محورهای سیاستی (نمونه)', place: MAZANDARAN, meetsMonthly: false, chair: { name: 'دبیر دبیرخانه' } });
  for (let n = 1; n <= 9; n++) await addAxis(governor, { secretariat: String(secretariat._id), name: `محور نمونه ${n}` });
  await PolicyAxis.updateMany({}, { $set: { illustrative: true } }).setOptions({ scope: governor });
  const meetingDay = addJalaliMonths({ ...thisMonth, day: 3 }, -1);
  const meeting = await scheduleMeeting(governor, String(secretariat._id), { startsAt: at(meetingDay), location: 'استانداری مازندران', agenda: 'نمونه: نخستین جلسه دبیرخانه' }, { from: 'no-reply@localhost', publicUrl: 'http://localhost' }, at(addJalaliMonths(meetingDay, -1)));
  await recordHeld(governor, String(meeting._id), { attendance: [{ name: 'دبیر دبیرخانه', present: true }] }, at(meetingDay, 12));
  await addResolution(governor, String(meeting._id), { text: 'نمونه: برنامه عملیاتی استقرار و پیشبرد سیاست‌ها ظرف دو ماه تدوین شود', agency: 'fund', policyAxis: 'axis-1', deadline: { type: 'within', months: 2 } }, at(meetingDay, 13));

  logger.info({ problems: await FieldProblem.countDocuments({}).setOptions({ scope: governor }) }, 'illustrative field problems and agreement loaded (issue 13)');
  return true;
}
