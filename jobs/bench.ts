/**
 * `npm run bench:jobs [-- --enrolments N --villages-per-county N --resolutions-per-county N]`
 *
 * The figure of issue 6: the reminders and the monthly report for a whole-country data set, with their run time
 * and peak memory. The data set: every province and county of the census files, synthetic villages where the
 * census stops (named «روستای ساختگی …», source `synthetic:bench-jobs`), one campaign per province with a quota
 * for every village and a village head for it (no address: mail goes to the development mailbox), a district
 * governor for every district, N enrolments (1,000,000 by default) loaded through the driver and counted by the
 * counter rebuild, a county committee per county with a held meeting without minutes and (for half of them) one
 * coming up, and resolutions with due dates around "today" for ten agencies (thousands of commitments).
 * Then, on the clock of 20 Mehr 1404 at 7:00: the reminders job; on 1 Aban at 6:00: the monthly report job
 * (Mehr's report for every province, PDF and XLSX); then the delivery of a sample of the outbox to a local SMTP server.
 * Peak memory is the application process's maximum resident set (getrusage), and the database process's VmHWM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import mongoose, { Types } from 'mongoose';
import { startSmtpSink } from './smtp-sink.js';
import { Agency, type AgencyRecord } from '../models/agency.model.js';
import { Campaign } from '../models/campaign.model.js';
import { Committee } from '../models/committee.model.js';
import { JobRun, type JobRunRecord } from '../models/job-run.model.js';
import { Meeting } from '../models/meeting.model.js';
import { OutboxMessage } from '../models/outbox-message.model.js';
import { Place, type PlaceRecord } from '../models/place.model.js';
import { placeFields } from '../models/plugins/place-scoped.js';
import { Quota } from '../models/quota.model.js';
import { Resolution } from '../models/resolution.model.js';
import { User } from '../models/user.model.js';
import { hashPassword } from '../server/auth/passwords.js';
import { ensureAgencyRegister } from '../server/committees/agencies.service.js';
import { loadConfig } from '../server/config.js';
import { configureLogger } from '../server/logger.js';
import { readCensusFile, SHIPPED_PLACE_FILES } from '../server/places/census-files.js';
import { importPlaces } from '../server/places/import.service.js';
import { rebuildCounters } from '../server/quotas/progress.service.js';
import { addJalaliDays, formatJalaliDate, fromJalali, jalaliMonthKey, toJalali } from '../server/shared/jalali.js';
import { searchKey, toPersianDigits } from '../server/shared/persian-text.js';
import { deliverDue } from './deliver-outbox.js';
import { monthlyReportJob } from './monthly-report.js';
import { remindersJob } from './reminders.js';
import { Scheduler } from './scheduler.js';
import { runAs } from '../server/audit/context.js';

const { values: args } = parseArgs({
  options: {
    enrolments: { type: 'string', default: '1000000' },
    'villages-per-county': { type: 'string', default: '20' },
    'resolutions-per-county': { type: 'string', default: '10' },
  },
});
const TOTAL = Number(args.enrolments);
const VILLAGES_PER_COUNTY = Number(args['villages-per-county']);
const RESOLUTIONS_PER_COUNTY = Number(args['resolutions-per-county']);
const SYNTHETIC_SOURCE = 'synthetic:bench-jobs (the census files list no villages for this county)';
const YEAR = 1404;
const DELIVERY_SAMPLE = 2000;
const on = (month: number, day: number, hour = 0) => fromJalali({ year: YEAR, month, day }, { hour });

const log = (message: string) => process.stderr.write(`[bench:jobs ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (bytes: number) => `${fmt(bytes / 1024 / 1024)} MB`;

let seed = 6;
/** mulberry32: the same data set on every run. */
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

async function startDatabase(): Promise<{ uri: string; dbName?: string; child?: ChildProcess }> {
  if (process.env.MONGODB_URI) return { uri: process.env.MONGODB_URI, dbName: `rict_bench_jobs_${Date.now()}` };
  const child = spawn(process.execPath, ['--max-old-space-size=12288', '--import', 'tsx', 'server/db/embedded/cli.ts', '--inmemory', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`embedded server exited (${code})`)));
  });
  return { uri: first.trim(), child };
}

/** Peak resident memory of another process (Linux), for the database's share. */
function peakRss(pid: number | undefined): string {
  if (!pid) return 'n/a';
  try {
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return mb(kb * 1024);
  } catch {
    return 'n/a';
  }
}

/** Run time and this process's peak memory during `work` (rss sampled every 50 ms). */
async function measured<T>(work: () => Promise<T>): Promise<{ seconds: number; peak: number; result: T }> {
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t = performance.now();
  const result = await work();
  clearInterval(sampler);
  return { seconds: (performance.now() - t) / 1000, peak: Math.max(peak, process.memoryUsage().rss), result };
}


async function buildPlaces(): Promise<PlaceRecord[]> {
  await importPlaces(SHIPPED_PLACE_FILES.map((file) => readCensusFile(file)));
  const places = await Place.find({ level: { $in: ['county', 'village'] } }).setOptions({ scope: 'system' }).lean<PlaceRecord[]>();
  const withVillages = new Set(places.filter((p) => p.level === 'village').map((p) => p.ancestors[1]));
  const synthetic = [];
  for (const county of places.filter((p) => p.level === 'county' && !withVillages.has(p.code))) {
    for (let n = 1; n <= VILLAGES_PER_COUNTY; n++) {
      const code = `${county.code}999999${String(n).padStart(6, '0')}`;
      const name = `روستای ساختگی ${toPersianDigits(n)}`;
      const ancestors = [county.province, county.code];
      synthetic.push({ code, level: 'village', name, nameKey: searchKey(name), parent: county.code, ancestors, ...placeFields({ code, province: county.province, ancestors }), population: 500, ruralPopulation: 500, source: SYNTHETIC_SOURCE });
    }
  }
  await Place.insertMany(synthetic, { ordered: false });
  return Place.find({ level: { $in: ['province', 'county', 'district', 'village'] } }).setOptions({ scope: 'system' }).lean<PlaceRecord[]>();
}

async function main(): Promise<void> {
  configureLogger('silent');
  const db = await startDatabase();
  const smtp = await startSmtpSink();
  try {
    await mongoose.connect(db.uri, { serverSelectionTimeoutMS: 120_000, connectTimeoutMS: 120_000, socketTimeoutMS: 0, ...(db.dbName ? { dbName: db.dbName } : {}) });
    await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
    const config = loadConfig({ NODE_ENV: 'production', DATA_DIR: ':memory:', LOG_LEVEL: 'silent', SESSION_SECRET: 'bench-session-secret-of-enough-length', PUBLIC_URL: 'https://tracker.example.ir' });

    const places = await buildPlaces();
    await ensureAgencyRegister();
    const agencies = await Agency.find({}).lean<AgencyRecord[]>();
    for (const agency of agencies) await Agency.updateOne({ _id: agency._id }, { $set: { email: `office.${agency.province}.${agency.code}@example.ir` } });
    const provinces = places.filter((p) => p.level === 'province');
    const counties = places.filter((p) => p.level === 'county');
    const villages = places.filter((p) => p.level === 'village');
    const districts = places.filter((p) => p.level === 'district');
    log(`places: ${provinces.length} provinces, ${counties.length} counties, ${fmt(villages.length)} villages (census and synthetic)`);

    // people: the province offices (with addresses), an officer per agency and province, every village head and district governor
    const passwordHash = await hashPassword('bench-password');
    const person = (username: string, role: string, place: PlaceRecord, extra: Record<string, unknown> = {}) => ({ username, displayName: username, passwordHash, role, placeCode: place.code, lang: 'fa', active: true, demo: false, ...placeFields(place), ...extra });
    const users = [
      ...provinces.flatMap((p) => [person(`gov-${p.code}`, 'governor-office', p), person(`fund-${p.code}`, 'fund-manager', p), ...agencies.map((a) => person(`agency-${a.code}-${p.code}`, 'agency-officer', p, { agency: a.code }))]),
      ...counties.map((c) => person(`county-${c.code}`, 'county-governor', c)),
      ...districts.map((d) => person(`district-${d.code}`, 'district-governor', d)),
      ...villages.map((v) => person(`head-${v.code}`, 'village-head', v)),
    ];
    for (let i = 0; i < users.length; i += 5000) await User.insertMany(users.slice(i, i + 5000), { ordered: false });
    log(`users: ${fmt(users.length)}`);

    const system = new Types.ObjectId();
    const campaigns = new Map<string, Types.ObjectId>();
    for (const p of provinces) {
      const campaign = await Campaign.create({ name: `پویش ${toPersianDigits(YEAR)} ${p.name}`, year: YEAR, startsAt: on(1, 1), endsAt: fromJalali({ year: YEAR + 1, month: 1, day: 1 }), townThreshold: 20_000, createdBy: system, ...placeFields(p) });
      campaigns.set(p.code, campaign._id);
    }
    const quotas = villages.map((v) => ({ campaign: campaigns.get(v.province)!, placeCode: v.code, holderLevel: 'village', target: 20 + Math.floor(random() * 180), updatedBy: system, ...placeFields(v) }));
    for (let i = 0; i < quotas.length; i += 5000) await Quota.insertMany(quotas.slice(i, i + 5000), { ordered: false });

    // enrolments, through the driver, between the campaign's start and 20 Mehr
    const collection = mongoose.connection.collection('enrolments');
    const start = on(1, 1).getTime();
    const span = on(7, 20).getTime() - start;
    const load = await measured(async () => {
      for (let done = 0; done < TOTAL; done += 10_000) {
        const batch = Array.from({ length: Math.min(10_000, TOTAL - done) }, (_, i) => {
          const village = villages[Math.floor(random() * villages.length)]!;
          const r = random();
          const createdAt = new Date(start + random() * span);
          return { campaign: campaigns.get(village.province)!, place: village.code, ...placeFields(village), nationalId: String(1_000_000_000 + done + i), status: r < 0.15 ? 'verified' : r < 0.2 ? 'rejected' : 'logged', createdAt };
        });
        await collection.insertMany(batch, { ordered: false });
        if ((done / 10_000) % 20 === 0) log(`enrolments: ${fmt(done + batch.length)} of ${fmt(TOTAL)}`);
      }
      for (const id of campaigns.values()) await rebuildCounters(id);
    });
    log(`enrolments loaded and counted in ${fmt(load.seconds, 1)} s`);

    // committees, meetings and commitments
    let resolutions = 0;
    for (const county of counties) {
      const committee = await Committee.create({ kind: 'county-strategic', name: `ستاد راهبردی شهرستان ${county.name}`, placeCode: county.code, chair: { name: `فرماندار ${county.name}`, email: `chair.${county.code}@example.ir` }, members: [], meetsMonthly: true, createdBy: 'bench', ...placeFields(county) });
      const held = await Meeting.create({ committee: committee._id, startsAt: on(6, 20, 10), month: jalaliMonthKey(YEAR, 6), location: `فرمانداری ${county.name}`, state: 'held', heldAt: on(6, 20, 12), ...placeFields(county) });
      if (random() < 0.5) await Meeting.create({ committee: committee._id, startsAt: on(7, 21, 10), month: jalaliMonthKey(YEAR, 7), location: `فرمانداری ${county.name}`, state: 'scheduled', ...placeFields(county) });
      const docs = Array.from({ length: RESOLUTIONS_PER_COUNTY }, (_, n) => {
        const due = addJalaliDays({ year: YEAR, month: 7, day: 20 }, Math.floor(random() * 50) - 30);
        return { meeting: held._id, committee: committee._id, number: n + 1, text: `مصوبه آزمایشی ${toPersianDigits(n + 1)} ستاد ${county.name}`, agency: agencies[n % agencies.length]!.code, deadline: { type: 'date', date: due }, communicatedOn: { year: YEAR, month: 6, day: 20 }, dueOn: due, status: 'open', lastUpdateAt: random() < 0.5 ? on(6, 1) : on(7, 15), ...placeFields(county) };
      });
      await Resolution.insertMany(docs);
      resolutions += docs.length;
    }
    log(`committees: ${counties.length}, commitments: ${fmt(resolutions)}`);

    const baseline = process.memoryUsage().rss;
    const lastRun = async (job: string) => (await JobRun.findOne({ job }).sort({ startedAt: -1 }).lean<JobRunRecord>())!;
    log('reminders…');
    const reminders = await measured(() => new Scheduler(config, [remindersJob]).fire(remindersJob, on(7, 20, 7)));
    const reminderRun = await lastRun('reminders');
    log(`reminders: ${fmt(reminders.seconds, 1)} s`);
    const report = await measured(() => new Scheduler(config, [monthlyReportJob]).fire(monthlyReportJob, fromJalali({ year: YEAR, month: 8, day: 1 }, { hour: 6 })));
    const reportRun = await lastRun('monthly-report');
    log(`monthly report: ${fmt(report.seconds, 1)} s`);
    const queued = await OutboxMessage.countDocuments({ status: 'pending' });
    const smtpConfig = loadConfig({ NODE_ENV: 'production', SMTP_URL: smtp.url, MAIL_FROM: 'tracker@example.ir', SESSION_SECRET: 'bench-session-secret-of-enough-length' });
    // a sample of the queue: on the embedded server each claim sorts the pending messages in memory (see README)
    const delivery = await measured(() => deliverDue({ config: smtpConfig, limit: DELIVERY_SAMPLE }));

    const today = formatJalaliDate(toJalali(on(7, 20, 7)));
    console.log(
      [
        `Data set: ${provinces.length} provinces, ${counties.length} counties, ${fmt(villages.length)} villages with a quota and a village head, ${fmt(users.length)} users, ${fmt(TOTAL)} enrolments, ${counties.length} county committees, ${fmt(resolutions)} commitments (${agencies.length} agencies)`,
        `Database: ${db.child ? 'embedded server, in memory, own process' : 'MongoDB at MONGODB_URI'}; application process before the jobs: ${mb(baseline)} resident`,
        `Reminders on ${today} 07:00: ${fmt(reminders.seconds, 1)} s, peak ${mb(reminders.peak)} resident; ${Object.entries(reminderRun.counts).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`,
        `Monthly report for Mehr (${provinces.length} provinces, PDF + XLSX each): ${fmt(report.seconds, 1)} s, peak ${mb(report.peak)} resident; ${Object.entries(reportRun.counts).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`,
        `Delivery of the first ${fmt(DELIVERY_SAMPLE)} of ${fmt(queued)} queued messages to a local SMTP server (${fmt(smtp.received())} received): ${fmt(delivery.seconds, 1)} s (${fmt(delivery.result.sent / delivery.seconds, 1)} messages/s), sent ${fmt(delivery.result.sent)}, retried ${delivery.result.retried}, failed ${delivery.result.failed}`,
        `Peak resident memory over the whole run: application ${mb(process.resourceUsage().maxRSS * 1024)}, database ${peakRss(db.child?.pid)}`,
      ].join('\n'),
    );
  } finally {
    if (db.dbName) await mongoose.connection.dropDatabase().catch(() => undefined);
    await mongoose.disconnect();
    await smtp.stop();
    db.child?.kill('SIGTERM');
  }
}

runAs({ kind: 'system', name: 'bench:jobs' }, main).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
