/**
 * `npm run bench [-- --enrolments N --api N --clients N --villages-per-county N --burst N --outbox N --trace-gc]`
 * (the whole country: `npm run bench -- --enrolments 5000000`; `--trace-gc` runs the embedded server with node's
 * --trace-gc and prints its collector's pauses during the point lookups of 6.)
 *
 * The figures of issues 4 and 11 in one run, on a whole-country data set: every province and county of the census
 * files, with synthetic villages where the census data stops (named «روستای ساختگی …» and with
 * source `synthetic:bench`), one campaign per province, county quotas, and N enrolments (1,000,000 by default):
 *   1. enrolments accepted per second through POST /api/v1/enrolments at 1 and at 50 concurrent clients, p50/p99,
 *      and the database round trips per enrolment counted by the driver's command monitoring;
 *   2. the same inserts straight through the driver (insertOne at the same concurrency), and the ratio API ÷ raw;
 *   3. the embedded server's RSS per 100,000 enrolments (its process, before and after the bulk load, each after a full GC);
 *   4. a burst of 10,000 enrolments at once with 10% duplicates, then the drift job: what it found;
 *   5. the province dashboard from the counters against the same table computed by an aggregation over the
 *      enrolments (and the country table over all of them), and the ratio;
 *   6. a point lookup's p99 from another client while the country-wide aggregation runs;
 *   7. outbox delivery to a local SMTP sink (smtp-server, accepting and discarding) with 20,000 messages queued.
 * The bulk of the enrolments is loaded through the driver (insertMany) and counted by the rebuild job; the API and
 * driver phases then run against that full collection. The database is the embedded server in its own process
 * (in memory) unless MONGODB_URI is set, in which case a fresh database `rict_bench_<random>` is used and dropped.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { EJSON } from 'bson';
import { BSON, MongoClient } from 'mongodb';
import { concurrently } from './concurrent-load.js';
import mongoose, { Types } from 'mongoose';
import { startSmtpSink } from '../../jobs/smtp-sink.js';
import { deliverDue } from '../../jobs/deliver-outbox.js';
import { Campaign, type CampaignRecord } from '../../models/campaign.model.js';
import { Enrolment } from '../../models/enrolment.model.js';
import { Place, type PlaceRecord } from '../../models/place.model.js';
import { placeFields } from '../../models/plugins/place-scoped.js';
import { createApp } from '../app.js';
import { issueApiToken, toAuthUser } from '../auth/auth.service.js';
import type { AuthUser } from '../auth/scope.js';
import { loadConfig } from '../config.js';
import { inTransaction } from '../db/transaction.js';
import { logEnrolment } from '../enrolments/enrolments.service.js';
import { nationalIdCheckDigit } from '../enrolments/national-id.js';
import { queueMessages } from '../outbox/outbox.service.js';
import { placesByCodes } from '../places/cached-places.js';
import { configureLogger } from '../logger.js';
import { readCensusFile, SHIPPED_PLACE_FILES } from '../places/census-files.js';
import { importPlaces } from '../places/import.service.js';
import { formatJalaliDate, jalaliYearBounds, toJalali } from '../shared/jalali.js';
import { searchKey, toPersianDigits } from '../shared/persian-text.js';
import { createUser } from '../users/users.service.js';
import { progressOf } from './dashboard.service.js';
import { countEnrolment, rebuildCounters } from './progress.service.js';
import { findHolders, proposeAllocationFor, saveQuotas } from './quotas.service.js';
import { runAs } from '../audit/context.js';
import type { LoadJob, LoadResult } from './bench-load.js';

const { values: args } = parseArgs({
  options: {
    enrolments: { type: 'string', default: '1000000' },
    api: { type: 'string', default: '5000' },
    clients: { type: 'string', default: '50' },
    'villages-per-county': { type: 'string', default: '20' },
    burst: { type: 'string', default: '10000' },
    outbox: { type: 'string', default: '20000' },
    'trace-gc': { type: 'boolean', default: false },
  },
});
const BURST = Number(args.burst);
const OUTBOX = Number(args.outbox);
const TOTAL = Number(args.enrolments);
const API_COUNT = Math.min(Number(args.api), Math.floor(TOTAL / 4));
const DRIVER_COUNT = API_COUNT;
const CLIENTS = Number(args.clients);
const VILLAGES_PER_COUNTY = Number(args['villages-per-county']);
const SYNTHETIC_SOURCE = 'synthetic:bench (the census files list no villages for this county)';
/** The province the outbox figure's messages are queued for (every message belongs to one). */
const BENCH_PROVINCE = '02';

const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A small deterministic PRNG (mulberry32), so two runs build the same data set. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(1395);

let nextId = 100_000_000;
/** A fresh, valid national ID (check digit right), never the same twice in a run. */
function nationalId(): string {
  const nine = String(nextId++).padStart(9, '0');
  return nine + nationalIdCheckDigit(nine);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
}

/** The embedded server's memory after it collected all its garbage (server/db/embedded/bench-memory-probe.ts). */
type CollectedMemory = NodeJS.MemoryUsage & { snapshot?: string };
const memoryReports: Array<(m: CollectedMemory) => void> = [];
/** With --trace-gc: the embedded server's collections, stamped with this process's clock when their line arrived. */
const gcPauses: Array<{ at: number; kind: string; ms: number }> = [];
/** A --trace-gc line: `[pid:0x…]  1234 ms: Scavenge 300.1 (310.2) -> 290.0 (310.2) MB, 2.34 / 0.00 ms …`. */
const GC_LINE = /ms: ([A-Za-z-]+(?: \(reduce\))?)[^,]*MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms/;

function collectedMemory(child: ChildProcess): Promise<CollectedMemory> {
  const reported = new Promise<CollectedMemory>((resolve) => memoryReports.push(resolve));
  child.kill('SIGUSR2');
  return reported;
}

async function startDatabase(): Promise<{ uri: string; dbName?: string; child?: ChildProcess }> {
  if (process.env.MONGODB_URI) return { uri: process.env.MONGODB_URI, dbName: `rict_bench_${randomBytes(4).toString('hex')}` };
  // Its own process (and core), so the database and the application do not share one event loop.
  // BENCH_DB_CPU_PROF=<dir> profiles the database process too (node --cpu-prof)
  const profile = process.env.BENCH_DB_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_DB_CPU_PROF}`] : [];
  // The memory probe: on SIGUSR2 the server collects its garbage and reports its memory (BENCH_HEAP_SNAPSHOT_DIR=<dir>
  // makes it write a heap snapshot there too).
  const probe = ['--expose-gc', '--import', 'tsx', '--import', './server/db/embedded/bench-memory-probe.ts'];
  const child = spawn(process.execPath, [...profile, ...(args['trace-gc'] ? ['--trace-gc'] : []), '--max-old-space-size=12288', ...probe, 'server/db/embedded/cli.ts', '--inmemory', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const gc = GC_LINE.exec(line);
      if (gc) gcPauses.push({ at: performance.now(), kind: gc[1]!, ms: Number(gc[2]) });
      else if (line.startsWith('memory ')) memoryReports.shift()?.(JSON.parse(line.slice('memory '.length)) as CollectedMemory);
      else if (line.startsWith('mongodb://')) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`embedded server exited (${code})`)));
  });
  child.on('exit', (code, signal) => log(`embedded server exited: code ${code}, signal ${signal}`));
  return { uri: first.trim(), child };
}

/**
 * The load generator (./bench-load.ts) in its own process: the API's HTTP client and the raw insertOne client
 * both run there, so neither shares the measured application's thread and the ratio compares like with like.
 */
function startLoadGenerator(): { run(job: LoadJob): Promise<LoadResult>; stop(): void } {
  const child = fork(new URL('./bench-load.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    run: (job) =>
      new Promise((resolve, reject) => {
        child.once('message', (reply: { result?: LoadResult; error?: string }) => (reply.result ? resolve(reply.result) : reject(new Error(reply.error))));
        child.send(job);
      }),
    stop: () => void child.disconnect(),
  };
}

interface Province {
  code: string;
  name: string;
  campaign: CampaignRecord;
  manager: AuthUser;
  token: string;
  villages: PlaceRecord[];
  /** share of the enrolments: its rural population over the country's */
  weight: number;
}

async function buildPlaces(): Promise<{ census: number; synthetic: number }> {
  const files = SHIPPED_PLACE_FILES.map((file) => readCensusFile(file));
  await importPlaces(files);
  const places = await Place.find({ level: { $in: ['county', 'village'] } }).setOptions({ scope: 'system' }).select('code level ancestors province ruralPopulation').lean<PlaceRecord[]>();
  const withVillages = new Set(places.filter((p) => p.level === 'village').map((p) => p.ancestors[1]));
  const synthetic = [];
  for (const county of places.filter((p) => p.level === 'county' && !withVillages.has(p.code))) {
    const average = Math.max(200, Math.round((county.ruralPopulation ?? 20_000) / VILLAGES_PER_COUNTY));
    for (let n = 1; n <= VILLAGES_PER_COUNTY; n++) {
      // 16 digits like a census village, under a district code (…99) the census never uses
      const code = `${county.code}999999${String(n).padStart(6, '0')}`;
      const name = `روستای ساختگی ${toPersianDigits(n)}`;
      const population = Math.round(average * (0.5 + random()));
      synthetic.push({ code, level: 'village', name, nameKey: searchKey(name), parent: county.code, ancestors: [county.province, county.code], ...placeFields({ code, province: county.province, ancestors: [county.province, county.code] }), population, ruralPopulation: population, source: SYNTHETIC_SOURCE });
    }
  }
  await Place.insertMany(synthetic, { ordered: false });
  return { census: places.filter((p) => p.level === 'village').length, synthetic: synthetic.length };
}

async function setUpProvinces(): Promise<Province[]> {
  const config = loadConfig({ DATA_DIR: ':memory:' });
  const today = toJalali(new Date());
  const { start, end } = jalaliYearBounds(today.year);
  const provinces = await Place.find({ level: 'province' }).setOptions({ scope: 'system' }).lean<PlaceRecord[]>();
  const result: Province[] = [];
  let totalRural = 0;
  for (const province of provinces) {
    const account = await createUser('system', { username: `bench-fund-${province.code}`, displayName: `bench ${province.code}`, role: 'fund-manager', placeCode: province.code, password: 'bench-password', lang: 'fa' });
    const manager = toAuthUser(account);
    const campaign = (
      await Campaign.create({ name: `پویش ${toPersianDigits(today.year)} ${province.name}`, year: today.year, ...placeFields(province), startsAt: start, endsAt: end, townThreshold: config.smallTownThreshold, createdBy: account._id })
    ).toObject() as CampaignRecord;
    const counties = await proposeAllocationFor(manager, campaign, { level: 'county', total: Math.round((province.ruralPopulation ?? 100_000) / 10), basis: 'rural_population' });
    const holders = await findHolders(manager, campaign, counties.map((c) => c.place));
    const rows = counties.flatMap((c) => {
      const holder = holders.get(c.place);
      return holder && typeof holder !== 'string' ? [{ entry: { placeCode: c.place, target: c.target }, holder }] : [];
    });
    await saveQuotas(manager, campaign, rows, { source: 'allocation', reason: 'bench' });
    const villages = await Place.find({ level: 'village', province: province.code }).setOptions({ scope: 'system' }).lean<PlaceRecord[]>();
    const { token } = await issueApiToken(String(account._id), 1);
    totalRural += province.ruralPopulation ?? 0;
    result.push({ code: province.code, name: province.name, campaign, manager, token, villages, weight: province.ruralPopulation ?? 0 });
  }
  for (const p of result) p.weight /= totalRural;
  return result;
}

function pickProvince(provinces: Province[]): Province {
  let r = random();
  for (const p of provinces) {
    r -= p.weight;
    if (r <= 0) return p;
  }
  return provinces[provinces.length - 1]!;
}

const FIRST = ['علی', 'زهرا', 'محمد', 'فاطمه', 'حسین', 'مریم', 'رضا', 'سکینه'];
const LAST = ['رضایی', 'محمدی', 'حسینی', 'کریمی', 'احمدی', 'موسوی'];
const GROUPS = ['villagers', 'farmers', 'nomads', 'craftspeople', 'vocational-trainees'] as const;

/** The fields of an enrolment as a village head types them (the API body). */
function enrolmentBody(province: Province) {
  const village = province.villages[Math.floor(random() * province.villages.length)]!;
  const birthYear = toJalali(new Date()).year - 20 - Math.floor(random() * 28);
  return {
    campaign: String(province.campaign._id),
    village: village.code,
    nationalId: nationalId(),
    firstName: FIRST[Math.floor(random() * FIRST.length)]!,
    lastName: LAST[Math.floor(random() * LAST.length)]!,
    birthDate: formatJalaliDate({ year: birthYear, month: 1 + Math.floor(random() * 12), day: 1 + Math.floor(random() * 29) }),
    sex: random() < 0.5 ? 'male' : 'female',
    mobile: `0912${String(Math.floor(random() * 1e7)).padStart(7, '0')}`,
    targetGroup: GROUPS[Math.floor(random() * GROUPS.length)]!,
    ...(random() < 0.3 ? { channel: 'online' } : { channel: 'in-person', inPersonReason: 'asked' }),
    village_: village,
  };
}

/** The stored document of an enrolment, as the application writes it. */
function enrolmentDocument(province: Province, createdAt: Date, status: 'logged' | 'verified' | 'rejected') {
  const { village_: village, campaign, village: _code, birthDate, ...fields } = enrolmentBody(province);
  const [y, m, d] = birthDate.split('/').map(Number);
  return {
    ...fields,
    campaign: new Types.ObjectId(campaign),
    place: village.code,
    ...placeFields(village),
    birthDateJalali: birthDate,
    birthDate: new Date(Date.UTC(y!, m! - 1, d!)),
    status,
    createdBy: new Types.ObjectId(province.manager.id),
    createdAt,
    ...(status === 'verified' ? { verifiedAt: createdAt, verifiedBy: new Types.ObjectId(province.manager.id) } : {}),
    ...(status === 'rejected' ? { rejectedAt: createdAt, rejectedBy: new Types.ObjectId(province.manager.id), rejectionReason: 'bench' } : {}),
  };
}

async function bulkLoad(provinces: Province[], count: number): Promise<number> {
  const collection = mongoose.connection.collection('enrolments');
  const start = provinces[0]!.campaign.startsAt.getTime();
  const span = Date.now() - start;
  const BATCH = 10_000;
  const t = performance.now();
  for (let done = 0; done < count; done += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - done) }, () => {
      const r = random();
      return enrolmentDocument(pickProvince(provinces), new Date(start + random() * span), r < 0.15 ? 'verified' : r < 0.2 ? 'rejected' : 'logged');
    });
    await collection.insertMany(batch, { ordered: false });
    if ((done / BATCH) % 10 === 0) log(`bulk load: ${fmt(done + batch.length)} of ${fmt(count)}`);
  }
  return (performance.now() - t) / 1000;
}

async function main(): Promise<void> {
  configureLogger('silent');
  const db = await startDatabase();
  try {
    // a long aggregation on the single-threaded embedded server can hold up its heartbeats: be patient
    await mongoose.connect(db.uri, { serverSelectionTimeoutMS: 600_000, connectTimeoutMS: 600_000, socketTimeoutMS: 0, maxPoolSize: CLIENTS + 10, monitorCommands: true, ...(db.dbName ? { dbName: db.dbName } : {}) });
    const commands = commandCounter();
    await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
    log(`database: ${db.child ? 'embedded server (in memory, own process)' : 'MONGODB_URI'}`);

    const places = await buildPlaces();
    const provinces = await setUpProvinces();
    const counties = await Place.countDocuments({ level: 'county' }).setOptions({ scope: 'system' });
    log(`places: ${provinces.length} provinces, ${counties} counties, ${places.census} census villages, ${places.synthetic} synthetic villages`);

    const bulkCount = TOTAL - API_COUNT - DRIVER_COUNT;
    // Measured after the server collected all its garbage, so the figure is what the data set holds, not how far the
    // last collection lagged behind (an idle moment of 3 s left up to half of it uncollected).
    const settled = async () => (db.child ? await collectedMemory(db.child) : undefined);
    const before = await settled();
    // In two halves: the second half's growth is the cost of more enrolments, without the one-off growth
    // (compiled code, young generation, the shared-value tables filling up) that the first half also pays.
    const firstHalf = Math.floor(bulkCount / 2);
    let bulkSeconds = await bulkLoad(provinces, firstHalf);
    const half = await settled();
    bulkSeconds += await bulkLoad(provinces, bulkCount - firstHalf);
    const after = await settled();
    log(`bulk load done in ${fmt(bulkSeconds, 1)} s`);
    const rebuild = await timed(async () => {
      for (const p of provinces) await rebuildCounters(p.campaign._id);
    });
    log(`counters rebuilt in ${fmt(rebuild.ms / 1000, 1)} s`);

    const p50 = (x: number[]) => quantile(x, 0.5);
    const p99 = (x: number[]) => quantile(x, 0.99);
    // each figure is printed as soon as it is measured, so a long run that fails late still leaves its figures
    const report = (line: string) => console.log(line);
    report(`Data set: ${provinces.length} provinces, ${counties} counties, ${fmt(places.census)} census villages + ${fmt(places.synthetic)} synthetic villages (${VILLAGES_PER_COUNTY} per county without census villages); ${fmt(TOTAL)} enrolments (${fmt(bulkCount)} bulk-loaded, ${fmt(API_COUNT)} through the API, ${fmt(DRIVER_COUNT)} through the driver)`);
    report(`Database: ${db.child ? 'embedded server, in memory, own process' : 'MongoDB at MONGODB_URI'}; ${CLIENTS} concurrent clients`);
    report(`Bulk load (insertMany, 10,000 a batch): ${fmt(bulkCount / bulkSeconds)} enrolments/s; counter rebuild of all ${provinces.length} campaigns: ${fmt(rebuild.ms / 1000, 1)} s`);
    if (before && half && after) {
      const each = (from: NodeJS.MemoryUsage, to: NodeJS.MemoryUsage, count: number, field: 'rss' | 'heapUsed') => (to[field] - from[field]) / count;
      report(`Embedded server after a full GC (its whole process: V8 heap, code, buffers; the bulk-loaded enrolments only, written by insertMany with no audit events): RSS ${fmt(before.rss / 2 ** 20)} MB before the bulk load, ${fmt(after.rss / 2 ** 20)} MB after  →  ${fmt((each(before, after, bulkCount, 'rss') * 100_000) / 2 ** 20, 1)} MB per 100,000 enrolments (${fmt(each(before, after, bulkCount, 'rss'))} bytes each, V8 heap ${fmt(each(before, after, bulkCount, 'heapUsed'))}; the second half alone ${fmt(each(half, after, bulkCount - firstHalf, 'rss'))} bytes each, heap ${fmt(each(half, after, bulkCount - firstHalf, 'heapUsed'))})`);
    }

    // 1. through the API
    const config = loadConfig({ NODE_ENV: 'production', DATA_DIR: ':memory:', LOG_LEVEL: 'silent', SESSION_SECRET: 'bench-session-secret-of-enough-length' });
    const app = createApp({ config, sessionSecret: 'bench-session-secret-of-enough-length' });
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const url = `${base}/api/v1/enrolments`;
    const requests = (count: number) =>
      Array.from({ length: count }, () => {
        const province = pickProvince(provinces);
        const { village_: _, ...body } = enrolmentBody(province);
        return { token: province.token, body: JSON.stringify(body) };
      });
    // a server that has run a while has its provinces' villages in the place cache; the bench picks villages at random
    await placesByCodes(provinces.flatMap((p) => p.villages.map((v) => v.code)));
    const load = startLoadGenerator();
    log('API: warming the token, user, place and campaign caches');
    // the first request of each province reads its token, user, places and campaign: warm them before counting
    for (const province of provinces) {
      const { village_: _, ...body } = enrolmentBody(province);
      await load.run({ kind: 'http', url, clients: 1, requests: [{ token: province.token, body: JSON.stringify(body) }] });
    }
    const ONE_CLIENT = Math.max(100, Math.floor(API_COUNT / 10));
    log(`API: ${fmt(ONE_CLIENT)} enrolments, 1 client`);
    const oneRequests = requests(ONE_CLIENT);
    commands.reset();
    const oneRun = await load.run({ kind: 'http', url, clients: 1, requests: oneRequests });
    const oneTrips = commands.count() / oneRun.ok;
    report(`API  POST /api/v1/enrolments, 1 client: ${fmt(oneRun.ok / oneRun.seconds, 1)} accepted/s; p50 ${fmt(p50(oneRun.latencies), 1)} ms, p99 ${fmt(p99(oneRun.latencies), 1)} ms; ${fmt(oneTrips, 2)} round trips per enrolment (${commands.breakdown()})`);
    log(`API: ${fmt(API_COUNT)} enrolments, ${CLIENTS} clients`);
    const apiRequests = requests(API_COUNT);
    commands.reset();
    const cpuBefore = { app: process.cpuUsage(), db: await processCpuMs(db.child) };
    const apiRun = await profiled(process.env.BENCH_APP_CPU_PROF, () => load.run({ kind: 'http', url, clients: CLIENTS, requests: apiRequests }));
    const appCpu = process.cpuUsage(cpuBefore.app);
    const dbCpuMs = (await processCpuMs(db.child)) - cpuBefore.db;
    const refusals = Object.entries(apiRun.refusals);
    server.closeAllConnections();
    server.close();
    const apiRate = apiRun.ok / apiRun.seconds;
    const apiTrips = commands.count() / apiRun.ok;
    report(`API  POST /api/v1/enrolments, ${CLIENTS} clients: ${fmt(apiRate, 1)} accepted/s; p50 ${fmt(p50(apiRun.latencies), 1)} ms, p99 ${fmt(p99(apiRun.latencies), 1)} ms; ${fmt(apiTrips, 2)} round trips per enrolment (group commit); refused: ${refusals.length ? refusals.map(([s, n]) => `${n}×${s}`).join(', ') : 'none'}`);
    const busy = (cpuMs: number) => `${fmt(cpuMs / apiRun.ok, 2)} ms (${fmt((100 * cpuMs) / (apiRun.seconds * 1000))}% of one core)`;
    report(`  CPU per enrolment at ${CLIENTS} clients: application ${busy((appCpu.user + appCpu.system) / 1000)} (of which system ${fmt(appCpu.system / 1000 / apiRun.ok, 2)} ms), load generator ${busy(apiRun.cpuMs)}${db.child ? `, embedded server ${busy(dbCpuMs)}` : ''}; database commands ${commands.timing()}`);

    // 2. the same inserts through the driver: the document alone, then with its counters in a transaction
    log('driver inserts');
    const collection = mongoose.connection.collection('enrolments');
    const rawDocuments = Array.from({ length: DRIVER_COUNT / 2 }, () => enrolmentDocument(pickProvince(provinces), new Date(), 'logged'));
    const driverRun = await load.run({ kind: 'insertOne', uri: db.uri, db: mongoose.connection.name, collection: 'enrolments', clients: CLIENTS, documents: EJSON.stringify(rawDocuments, { relaxed: false }) });
    load.stop();
    const driverRate = driverRun.ok / driverRun.seconds;
    report(`Driver insertOne (from the load generator's process, as the API's requests): ${fmt(driverRate, 1)} inserts/s; p50 ${fmt(p50(driverRun.latencies), 1)} ms, p99 ${fmt(p99(driverRun.latencies), 1)} ms  →  API ÷ raw ${fmt(apiRate / driverRate, 3)} (driver/API ${fmt(driverRate / apiRate, 1)}×)`);
    const withCounters = await concurrently(DRIVER_COUNT / 2, CLIENTS, async () => {
      const province = pickProvince(provinces);
      const doc = enrolmentDocument(province, new Date(), 'logged');
      await inTransaction(
        async (session) => {
          await collection.insertOne(doc, { session });
          await countEnrolment({ campaignId: doc.campaign, place: { code: doc.place, province: doc.province, ancestors: doc.placePath.slice(0, -1), level: 'village' }, logged: 1, verified: 0, at: doc.createdAt }, session);
        },
        { queue: `counters:${String(doc.campaign)}` },
      );
      return true;
    });
    const countersRate = withCounters.ok / withCounters.seconds;
    report(`Driver insertOne + counters in a transaction: ${fmt(countersRate, 1)} /s; p50 ${fmt(p50(withCounters.latencies), 1)} ms, p99 ${fmt(p99(withCounters.latencies), 1)} ms  →  driver/API ${fmt(countersRate / apiRate, 1)}×`);
    // the plain inserts were not counted; the drift job puts that right before the dashboards are read
    log('rebuilding counters');
    for (const p of provinces) await rebuildCounters(p.campaign._id);

    // 4. a burst at once, one in ten a national ID sent just before, then the drift job on the counters it moved
    const burstProvince = [...provinces].sort((a, b) => b.weight - a.weight)[0]!;
    log(`burst: ${fmt(BURST)} enrolments at once in ${burstProvince.name}`);
    const burstBodies = Array.from({ length: BURST * 0.9 }, () => enrolmentBody(burstProvince));
    const burstSent = Array.from({ length: BURST }, (_, i) => burstBodies[i % 10 === 9 ? i - 1 - Math.floor(i / 10) : i - Math.floor(i / 10)]!);
    const burst = await timed(() => Promise.allSettled(burstSent.map(({ village_: _, ...body }) => logEnrolment(burstProvince.manager, body))));
    const burstRefused = burst.result.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason as { status?: number });
    const burstDrift = await rebuildCounters(burstProvince.campaign._id);
    report(`Burst of ${fmt(BURST)} enrolments at once (10% duplicates): ${fmt(BURST - burstRefused.length)} written, ${fmt(burstRefused.filter((e) => e.status === 409).length)} refused as duplicates, ${fmt(burstRefused.filter((e) => e.status !== 409).length)} other errors, in ${fmt(burst.ms / 1000, 1)} s (${fmt(BURST / (burst.ms / 1000))}/s); drift job afterwards: ${burstDrift.drifted.length} counters off`);

    // What an enrolment written by the application holds beside itself: its creation's audit event (server/audit/record.ts)
    if (db.child && after) {
      const enrolled = await collection.estimatedDocumentCount();
      const sinceBulk = await collectedMemory(db.child);
      const audit = mongoose.connection.collection('audit_events');
      const created = { subject: 'enrolments', action: 'create' };
      const events = await audit.countDocuments(created);
      const averageBson = async (docs: BSON.Document[]) => docs.reduce((sum, d) => sum + BSON.calculateObjectSize(d), 0) / Math.max(1, docs.length);
      const eventBson = await averageBson(await audit.find(created).limit(1000).toArray());
      const enrolmentBson = await averageBson(await collection.find({}).limit(1000).toArray());
      const written = enrolled - bulkCount;
      report(`Enrolments written through the application (API, driver, burst: ${fmt(written)}): RSS after a full GC grew ${fmt((sinceBulk.rss - after.rss) / written)} bytes each (heap ${fmt((sinceBulk.heapUsed - after.heapUsed) / written)}), with counters, sessions and ${fmt(events)} creation audit events of ${fmt(eventBson)} BSON bytes each beside enrolments of ${fmt(enrolmentBson)}`);
    }

    // 3. dashboards: counters against an aggregation over the enrolments
    log('dashboards');
    const total = await Enrolment.estimatedDocumentCount().setOptions({ scope: 'system' });
    const largest = [...provinces].sort((a, b) => b.weight - a.weight)[0]!;
    const inLargest = await Enrolment.countDocuments({ province: largest.code }).setOptions({ scope: 'system' });
    const repeat = async (times: number, work: () => Promise<unknown>) => {
      const ms: number[] = [];
      for (let i = 0; i < times; i++) ms.push((await timed(work)).ms);
      return ms.sort((a, b) => a - b);
    };
    const fromCounters = await repeat(20, () => progressOf(largest.manager, largest.campaign, largest.code));
    const byAggregation = await repeat(3, () => provinceTableByAggregation(largest));
    const check = await progressOf(largest.manager, largest.campaign, largest.code);
    const aggregated = await provinceTableByAggregation(largest);
    const same = check.children.every((c) => (aggregated.get(c.place)?.logged ?? 0) === c.logged && (aggregated.get(c.place)?.verified ?? 0) === c.verified);
    report(`Province dashboard, ${largest.name} (${fmt(inLargest)} enrolments, ${check.children.length} counties): counters p50 ${fmt(p50(fromCounters), 1)} ms; aggregation p50 ${fmt(p50(byAggregation), 1)} ms  →  ${fmt(p50(byAggregation) / p50(fromCounters), 1)}×; same figures: ${same ? 'yes' : 'NO'}`);
    const countryCounters = await repeat(20, () => mongoose.connection.collection('progress_counters').find({ placeCode: { $in: provinces.map((p) => p.code) } }).toArray());
    const countryAggregation = await repeat(1, () =>
      collection.aggregate([{ $match: { status: { $in: ['logged', 'verified'] } } }, { $group: { _id: '$province', logged: { $sum: 1 }, verified: { $sum: { $cond: [{ $eq: ['$status', 'verified'] }, 1, 0] } } } }]).toArray(),
    );
    report(`Country table (${provinces.length} provinces, ${fmt(total)} enrolments): counters p50 ${fmt(p50(countryCounters), 1)} ms; aggregation ${fmt(p50(countryAggregation), 1)} ms  →  ${fmt(p50(countryAggregation) / p50(countryCounters), 1)}×`);

    // 6. another client's point lookups while the country-wide aggregation runs
    log('point lookups during the country aggregation');
    const other = await MongoClient.connect(db.uri, { serverSelectionTimeoutMS: 600_000, socketTimeoutMS: 0 });
    try {
      const lookupIds = await collection.find({ province: largest.code }, { projection: { nationalId: 1 } }).limit(1000).toArray();
      const lookups = other.db(mongoose.connection.name).collection('enrolments');
      let aggregating = true;
      const lookupMs: number[] = [];
      const aggregation = collection
        .aggregate([{ $match: { status: { $in: ['logged', 'verified'] } } }, { $group: { _id: '$province', logged: { $sum: 1 } } }])
        .toArray()
        .finally(() => (aggregating = false));
      const looking = (async () => {
        for (let i = 0; aggregating; i++) {
          const t = performance.now();
          await lookups.findOne({ province: largest.code, nationalId: lookupIds[i % lookupIds.length]!.nationalId });
          lookupMs.push(performance.now() - t);
        }
      })();
      const aggregatingSince = performance.now();
      const aggregated = await timed(() => aggregation);
      await looking;
      lookupMs.sort((a, b) => a - b);
      report(`Point lookup (province + national ID) from another client during the country aggregation (${fmt(aggregated.ms / 1000, 1)} s): ${fmt(lookupMs.length)} lookups, p50 ${fmt(p50(lookupMs), 1)} ms, p99 ${fmt(p99(lookupMs), 1)} ms, worst ${fmt(lookupMs[lookupMs.length - 1] ?? 0, 1)} ms`);
      if (args['trace-gc']) {
        const kinds = new Map<string, number[]>();
        for (const pause of gcPauses.filter((p) => p.at >= aggregatingSince)) kinds.set(pause.kind, [...(kinds.get(pause.kind) ?? []), pause.ms]);
        report(`  the embedded server's collector meanwhile: ${[...kinds].map(([kind, ms]) => `${kind} ${ms.length}× (${fmt(ms.reduce((a, b) => a + b, 0), 0)} ms, longest ${fmt(Math.max(...ms), 1)} ms)`).join('; ') || 'no pauses'}`);
      }
    } finally {
      await other.close();
    }

    // 7. the outbox: OUTBOX messages queued, delivered to a local SMTP sink
    log(`outbox: queueing ${fmt(OUTBOX)} messages`);
    const sink = await startSmtpSink();
    try {
      for (let done = 0; done < OUTBOX; done += 1000) {
        await queueMessages(
          Array.from({ length: Math.min(1000, OUTBOX - done) }, (_, i) => ({ province: BENCH_PROVINCE, to: `bench-${done + i}@example.ir`, subject: 'یادآوری', html: '<p>یادآوری</p>', text: 'یادآوری', kind: 'bench', dedupeKey: `bench:${done + i}` })),
        );
      }
      const mailConfig = loadConfig({ NODE_ENV: 'test', DATA_DIR: ':memory:', SMTP_URL: sink.url, MAIL_FROM: 'bench@example.ir' });
      // a sample of the queue, not all of it: the rate at this depth is the figure
      const sample = Math.min(OUTBOX, 1000);
      const delivery = await timed(() => deliverDue({ config: mailConfig, limit: sample }));
      report(`Outbox with ${fmt(OUTBOX)} queued: ${fmt(delivery.result.sent)} delivered to a local SMTP sink in ${fmt(delivery.ms / 1000, 1)} s  →  ${fmt(delivery.result.sent / (delivery.ms / 1000), 1)} messages/s (sink received ${fmt(sink.received())})`);
    } finally {
      await sink.stop();
    }
  } finally {
    if (db.dbName) await mongoose.connection.dropDatabase().catch(() => undefined);
    await mongoose.disconnect();
    db.child?.kill('SIGTERM');
  }
}

/** The CPU time (user + system) a child process has used so far, from /proc (0 without one, or off Linux). */
async function processCpuMs(child: ChildProcess | undefined): Promise<number> {
  if (!child?.pid) return 0;
  const stat = await readFile(`/proc/${child.pid}/stat`, 'utf8').catch(() => '');
  // the fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS || 0;
}
/** USER_HZ: the unit of /proc's CPU times, 100 on every Linux the bench runs on. */
const CLOCK_TICKS = 100;

/** The province table computed the slow way: every enrolment of the campaign, grouped by county. */
async function provinceTableByAggregation(province: Province): Promise<Map<string, { logged: number; verified: number }>> {
  const rows = await Enrolment.aggregate<{ _id: string; logged: number; verified: number }>([
    { $match: { province: province.code, campaign: province.campaign._id, status: { $in: ['logged', 'verified'] } } },
    { $group: { _id: { $arrayElemAt: ['$placePath', 1] }, logged: { $sum: 1 }, verified: { $sum: { $cond: [{ $eq: ['$status', 'verified'] }, 1, 0] } } } },
  ]).option({ scope: 'system' });
  return new Map(rows.map((r) => [r._id, { logged: r.logged, verified: r.verified }]));
}

/** Counts the commands the application sends through Mongoose's client (its own heartbeats and handshakes aside), by command and collection. */
function commandCounter(): { reset(): void; count(): number; breakdown(): string; timing(): string } {
  let n = 0;
  let kinds = new Map<string, number>();
  let ms = new Map<string, number>();
  const own = new Set(['hello', 'ismaster', 'isMaster', 'ping', 'endSessions', 'saslStart', 'saslContinue', 'buildInfo']);
  mongoose.connection.getClient().on('commandStarted', (event: { commandName: string; command: Record<string, unknown> }) => {
    if (own.has(event.commandName)) return;
    n++;
    const collection = event.command[event.commandName];
    const kind = typeof collection === 'string' ? `${event.commandName} ${collection}` : event.commandName;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  });
  mongoose.connection.getClient().on('commandSucceeded', (event: { commandName: string; duration: number }) => {
    if (!own.has(event.commandName)) ms.set(event.commandName, (ms.get(event.commandName) ?? 0) + event.duration);
  });
  return {
    reset: () => void ((n = 0), (kinds = new Map()), (ms = new Map())),
    /** Mean time from sending each kind of command to its reply (the driver's measure: the wait, not the work). */
    timing: () => [...ms].map(([name, total]) => `${name} ${fmt(total / [...kinds].filter(([k]) => k.split(' ')[0] === name).reduce((sum, [, c]) => sum + c, 0), 1)} ms`).join(', '),
    count: () => n,
    breakdown: () => [...kinds].sort((a, b) => b[1] - a[1]).map(([kind, count]) => `${count} ${kind}`).join(', '),
  };
}

// the benchmark's writes are recorded in the audit trail as its own
await runAs({ kind: 'system', name: 'bench' }, main);

/**
 * Runs `work` under the CPU profiler when `file` is set (BENCH_APP_CPU_PROF=<file>.cpuprofile), so the application's
 * profile covers the concurrent API phase alone, not the data set's build before it.
 */
async function profiled<T>(file: string | undefined, work: () => Promise<T>): Promise<T> {
  if (!file) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  }
}
