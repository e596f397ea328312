/**
 * The throughput and memory part of `npm run bench:db`: enrolment-shaped documents with the app's
 * indexes, each engine in a child process of its own (so its RSS is its own), measured the same way:
 * load rate and RSS per document (3 s idle, and after a full collection through
 * bench-memory-probe.ts), point lookups, the outbox's sorted claim (findAndModify with a sort)
 * at 20,000 queued, point-lookup latency from a second client while a country-wide `$group` runs, and
 * (with a data directory) the restart that replays the journal. With `--baseline <folder>` (the
 * embedded server's folder of an earlier version, e.g. extracted with `git archive`) the same run
 * measures both and prints after ÷ before.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { calculateObjectSize, ObjectId } from 'bson';
import { MongoClient, type Collection, type Document } from 'mongodb';
import { APP_BATCH, prepareAppCollections, writeLikeTheApp } from './bench-app-writes.js';
import { personFields } from './bench-enrolments.js';

export interface ThroughputOptions {
  enrolments: number;
  baseline?: string;
  dbPath?: boolean;
  claimSeconds: number;
  /** Run each server with --trace-gc and report the collector's pauses during the country-wide $group. */
  traceGc?: boolean;
  /** After the load, this many more enrolments written in transactions as the app writes them (bench-app-writes.ts). */
  appWrites?: number;
}

/** One collection reported by --trace-gc, stamped with the bench's clock when its line arrived. */
interface GcPause {
  at: number;
  kind: string;
  pauseMs: number;
}

interface Child {
  proc: ChildProcess;
  uri: string;
  gc: GcPause[];
  /** Callers waiting for the memory probe's next report (see bench-memory-probe.ts). */
  memoryWaiters: Array<(m: NodeJS.MemoryUsage) => void>;
}

/** Preloaded into every server, from this folder (a baseline's too): SIGUSR2 collects garbage and reports memory. */
const MEMORY_PROBE = path.join(path.dirname(new URL(import.meta.url).pathname), 'bench-memory-probe.ts');

interface Figures {
  loadPerSec: number;
  loadMs: number;
  rssPerDoc: number;
  bsonPerDoc: number;
  lookupP50: number;
  lookupP99: number;
  claimsPerSec: number;
  claims: number;
  groupMs: number;
  groupLookupP50: number;
  groupLookupP99: number;
  groupLookups: number;
  restartMs?: number;
  restartRssPerDoc?: number;
  /** After a full collection (the memory probe): RSS and V8 heap in use per enrolment. */
  gcRssPerDoc: number;
  gcHeapPerDoc: number;
  restartGcRssPerDoc?: number;
  restartGcHeapPerDoc?: number;
  /** With appWrites, after a full collection: RSS and heap per app-written enrolment, all of them and the second half alone. */
  appRssPerDoc?: number;
  appHeapPerDoc?: number;
  appSecondHalfRssPerDoc?: number;
  appSecondHalfHeapPerDoc?: number;
  appWritesPerSec?: number;
  /** With traceGc: the pauses while the $group ran, per kind (count, total and longest, ms). */
  groupGc?: Map<string, { count: number; totalMs: number; maxMs: number }>;
}

const PROVINCES = 31;
const PATIENT = { connectTimeoutMS: 600_000, socketTimeoutMS: 0, serverSelectionTimeoutMS: 600_000, heartbeatFrequencyMS: 60_000 };

/** A --trace-gc line: `[pid:0x…]  1234 ms: Mark-Compact 3000.1 (3100.2) -> 2990.0 (3100.2) MB, 812.34 / 0.00 ms …`. */
const GC_LINE = /ms: ([A-Za-z-]+(?: \(reduce\))?)[^,]*MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms/;

function startChild(folder: string, args: string[], traceGc = false): Promise<Child> {
  const node = ['--max-old-space-size=20000', '--expose-gc', ...(traceGc ? ['--trace-gc'] : [])];
  const proc = spawn(process.execPath, [...node, '--import', 'tsx', '--import', MEMORY_PROBE, path.join(folder, 'cli.ts'), '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const gc: GcPause[] = [];
  const memoryWaiters: Child['memoryWaiters'] = [];
  return new Promise((resolve, reject) => {
    // The URI is the first line that is not the collector's (--trace-gc writes to stdout too) nor the probe's.
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (line.startsWith('mongodb://')) resolve({ proc, uri: line, gc, memoryWaiters });
      if (line.startsWith('memory ')) memoryWaiters.shift()?.(JSON.parse(line.slice('memory '.length)) as NodeJS.MemoryUsage);
      const m = GC_LINE.exec(line);
      if (m) gc.push({ at: performance.now(), kind: m[1], pauseMs: Number(m[2]) });
    });
    proc.once('exit', (code) => reject(new Error(`server in ${folder} exited with code ${code}`)));
  });
}

async function stopChild(child: Child): Promise<void> {
  const exited = new Promise((resolve) => child.proc.once('exit', resolve));
  child.proc.kill('SIGTERM');
  await exited;
}

function rssBytes(child: Child): number {
  const status = fs.readFileSync(`/proc/${child.proc.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** The server's RSS and heap after it collected all its garbage (the probe reads RSS itself, after the collection). */
function collectedMemory(child: Child): Promise<NodeJS.MemoryUsage> {
  const reported = new Promise<NodeJS.MemoryUsage>((resolve) => child.memoryWaiters.push(resolve));
  child.proc.kill('SIGUSR2');
  return reported;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** An enrolment as the app writes it (models/enrolment.model.ts), province from the place-scoped plugin. */
function enrolment(i: number, campaigns: ObjectId[], users: ObjectId[], rand: () => number): Document {
  const p = i % PROVINCES;
  return {
    _id: new ObjectId(),
    campaign: campaigns[p],
    place: `${String(p).padStart(2, '0')}${String(Math.floor(rand() * 900)).padStart(4, '0')}`,
    ...personFields(i, String(1_000_000_000 + Math.floor(i / PROVINCES))),
    createdBy: users[p],
    province: String(p).padStart(2, '0'),
    // province, county, district, village: what the place-scoped plugin stores
    placePath: [String(p).padStart(2, '0'), `${String(p).padStart(2, '0')}${i % 7}`, `${String(p).padStart(2, '0')}${i % 7}${i % 3}`, `${String(p).padStart(2, '0')}${String(Math.floor(rand() * 900)).padStart(4, '0')}`],
    createdAt: new Date(Date.UTC(2026, 0, 1) + i * 1000),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function measure(folder: string, opts: ThroughputOptions, label: string): Promise<Figures> {
  const dir = opts.dbPath ? fs.mkdtempSync(path.join(os.tmpdir(), 'bench-db-')) : undefined;
  const args = dir ? ['--dbpath', dir, '--journal', 'none'] : ['--inmemory'];
  let child = await startChild(folder, args, opts.traceGc);
  // Journal compaction of a large data set holds the server for a while: the driver's monitor must wait.
  const client = await MongoClient.connect(child.uri, PATIENT);
  const log = (msg: string) => process.stderr.write(`  [${label}] ${msg}\n`);
  try {
    const db = client.db('bench_throughput');
    const enrolments = db.collection('enrolments');
    await enrolments.createIndex({ province: 1, nationalId: 1 }, { unique: true });
    await enrolments.createIndex({ province: 1, place: 1, createdAt: -1 });
    await enrolments.createIndex({ province: 1, status: 1, createdAt: -1 });
    const rssBefore = rssBytes(child);
    const collectedBefore = await collectedMemory(child);
    const rand = rng(5);
    const campaigns = Array.from({ length: PROVINCES }, () => new ObjectId());
    const users = Array.from({ length: PROVINCES }, () => new ObjectId());
    const n = opts.enrolments;
    const bsonPerDoc = calculateObjectSize(enrolment(1, campaigns, users, rng(1)));
    let t0 = performance.now();
    for (let start = 0; start < n; start += 1000) {
      const batch: Document[] = [];
      for (let i = start; i < Math.min(n, start + 1000); i++) batch.push(enrolment(i, campaigns, users, rand));
      await enrolments.insertMany(batch, { ordered: false });
      if (start % 500_000 === 0 && start > 0) log(`loaded ${start.toLocaleString('en-US')}`);
    }
    const loadMs = performance.now() - t0;
    // An idle moment lets V8's memory reducer give back what the load left as garbage.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const rssPerDoc = (rssBytes(child) - rssBefore) / n;
    const collected = await collectedMemory(child);
    const gcRssPerDoc = (collected.rss - collectedBefore.rss) / n;
    const gcHeapPerDoc = (collected.heapUsed - collectedBefore.heapUsed) / n;
    log(`loaded ${n.toLocaleString('en-US')} in ${Math.round(loadMs)} ms`);

    const app: Partial<Figures> = {};
    if (opts.appWrites) {
      // In two halves: the first pays the new collections' one-off costs (their tables, compiled code).
      await prepareAppCollections(db);
      const m = opts.appWrites;
      const firstHalf = Math.floor(m / 2);
      const make = (i: number) => enrolment(i, campaigns, users, rand);
      const start = await collectedMemory(child);
      t0 = performance.now();
      await writeLikeTheApp(client, db, n, firstHalf, make);
      const half = await collectedMemory(child);
      const t1 = performance.now();
      await writeLikeTheApp(client, db, n + firstHalf, m - firstHalf, make);
      app.appWritesPerSec = (m / (t1 - t0 + performance.now() - t1)) * 1000;
      const end = await collectedMemory(child);
      app.appRssPerDoc = (end.rss - start.rss) / m;
      app.appHeapPerDoc = (end.heapUsed - start.heapUsed) / m;
      app.appSecondHalfRssPerDoc = (end.rss - half.rss) / (m - firstHalf);
      app.appSecondHalfHeapPerDoc = (end.heapUsed - half.heapUsed) / (m - firstHalf);
      const grew = (field: 'rss' | 'heapTotal' | 'heapUsed' | 'external') => Math.round((end[field] - start[field]) / m);
      log(`wrote ${m.toLocaleString('en-US')} as the app does; per enrolment after a full GC: RSS ${grew('rss')} B, V8 heap committed ${grew('heapTotal')} B, in use ${grew('heapUsed')} B, outside the heap (buffers) ${grew('external')} B`);
    }

    const perProvince = Math.ceil(n / PROVINCES);
    const lookup = (r: () => number) => {
      const p = Math.floor(r() * PROVINCES);
      const k = Math.floor(r() * Math.floor((n - p - 1) / PROVINCES + 1));
      return { province: String(p).padStart(2, '0'), nationalId: String(1_000_000_000 + Math.min(k, perProvince - 1)) };
    };
    const pick = rng(9);
    for (let i = 0; i < 50; i++) await enrolments.findOne(lookup(pick));
    const lat: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const s = performance.now();
      await enrolments.findOne(lookup(pick));
      lat.push(performance.now() - s);
    }
    lat.sort((a, b) => a - b);

    // The outbox's claim: the pending message due longest, 20,000 queued.
    const outbox = db.collection('outbox');
    await outbox.createIndex({ status: 1, nextAttemptAt: 1 });
    const base = Date.UTC(2026, 0, 1);
    for (let start = 0; start < 20_000; start += 1000) {
      await outbox.insertMany(Array.from({ length: 1000 }, (_, j) => ({ status: 'pending', nextAttemptAt: new Date(base + Math.floor(rand() * 86_400_000)), attempts: 0, recipient: `p${start + j}@example.org`, subject: 'یادآوری', html: '<p>'.padEnd(400, 'x') })));
    }
    const now = new Date(base + 86_400_000);
    let claims = 0;
    t0 = performance.now();
    while (performance.now() - t0 < opts.claimSeconds * 1000 && claims < 20_000) {
      const claimed = await outbox.findOneAndUpdate({ status: 'pending', nextAttemptAt: { $lte: now } }, { $set: { status: 'sending', leaseUntil: now }, $inc: { attempts: 1 } }, { sort: { status: 1, nextAttemptAt: 1 }, returnDocument: 'after' });
      if (!claimed) break;
      claims++;
    }
    const claimsPerSec = (claims / (performance.now() - t0)) * 1000;
    log(`claimed ${claims} in ${Math.round(performance.now() - t0)} ms`);

    // A country-wide $group, and point lookups from another client meanwhile.
    const other = await MongoClient.connect(child.uri, PATIENT);
    const otherColl: Collection = other.db('bench_throughput').collection('enrolments');
    await otherColl.findOne(lookup(pick));
    let running = true;
    t0 = performance.now();
    const group = enrolments
      .aggregate([{ $group: { _id: { province: '$province', status: '$status' }, enrolled: { $sum: 1 } } }, { $sort: { _id: 1 } }], { maxTimeMS: 600_000 })
      .toArray()
      .finally(() => (running = false));
    const during: number[] = [];
    while (running) {
      const s = performance.now();
      await otherColl.findOne(lookup(pick));
      during.push(performance.now() - s);
    }
    await group;
    const groupEnd = performance.now();
    const groupMs = groupEnd - t0;
    let groupGc: Figures['groupGc'];
    if (opts.traceGc) {
      groupGc = new Map();
      for (const p of child.gc) {
        if (p.at < t0 || p.at > groupEnd) continue;
        const k = groupGc.get(p.kind) ?? { count: 0, totalMs: 0, maxMs: 0 };
        k.count++;
        k.totalMs += p.pauseMs;
        k.maxMs = Math.max(k.maxMs, p.pauseMs);
        groupGc.set(p.kind, k);
      }
    }
    await other.close();
    during.sort((a, b) => a - b);
    log(`$group in ${Math.round(groupMs)} ms, ${during.length} lookups meanwhile`);

    let restartMs: number | undefined;
    let restartRssPerDoc: number | undefined;
    let restartGcRssPerDoc: number | undefined;
    let restartGcHeapPerDoc: number | undefined;
    if (dir) {
      await client.close();
      await stopChild(child);
      t0 = performance.now();
      child = await startChild(folder, args);
      restartMs = performance.now() - t0;
      await new Promise((resolve) => setTimeout(resolve, 3000));
      restartRssPerDoc = (rssBytes(child) - rssBefore) / n;
      const collectedAfterRestart = await collectedMemory(child);
      restartGcRssPerDoc = (collectedAfterRestart.rss - collectedBefore.rss) / n;
      restartGcHeapPerDoc = (collectedAfterRestart.heapUsed - collectedBefore.heapUsed) / n;
      const again = await MongoClient.connect(child.uri, PATIENT);
      const found = await again.db('bench_throughput').collection('enrolments').findOne(lookup(pick));
      if (!found) throw new Error('a lookup after the restart found nothing');
      await again.close();
      log(`restarted in ${Math.round(restartMs)} ms`);
    }
    return {
      loadPerSec: (n / loadMs) * 1000,
      loadMs,
      rssPerDoc,
      bsonPerDoc,
      lookupP50: percentile(lat, 50),
      lookupP99: percentile(lat, 99),
      claimsPerSec,
      claims,
      groupMs,
      groupLookupP50: percentile(during, 50),
      groupLookupP99: percentile(during, 99),
      groupLookups: during.length,
      restartMs,
      restartRssPerDoc,
      gcRssPerDoc,
      gcHeapPerDoc,
      restartGcRssPerDoc,
      restartGcHeapPerDoc,
      groupGc,
      ...app,
    };
  } finally {
    await client.close().catch(() => undefined);
    await stopChild(child).catch(() => undefined);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (v: number): string => (v >= 100 ? `${int(v)} ms` : `${v.toFixed(2)} ms`);

export async function throughputBench(opts: ThroughputOptions): Promise<void> {
  const here = path.dirname(new URL(import.meta.url).pathname);
  console.log(`\nThroughput and memory: ${int(opts.enrolments)} enrolments (3 app indexes), each engine in its own process${opts.dbPath ? ', with a data directory (journal not fsynced)' : ', in memory'}.`);
  const after = await measure(here, opts, 'this version');
  const before = opts.baseline ? await measure(path.resolve(opts.baseline), opts, 'baseline') : undefined;
  const rows: string[][] = [];
  const row = (name: string, a: number | undefined, b: number | undefined, fmt: (v: number) => string, better: 'higher' | 'lower') => {
    if (a === undefined) return;
    const ratio = b === undefined || !(b > 0) ? '' : `${(a / b).toFixed(2)}× (${better === 'higher' ? (a >= b ? 'better' : 'worse') : a <= b ? 'better' : 'worse'})`;
    rows.push([name, fmt(a), b === undefined ? '' : fmt(b), ratio]);
  };
  row('load, insertMany of 1,000 (enrolments/s)', after.loadPerSec, before?.loadPerSec, int, 'higher');
  row('RSS per enrolment, 3 s idle (bytes)', after.rssPerDoc, before?.rssPerDoc, int, 'lower');
  row('  ÷ BSON size of one enrolment', after.rssPerDoc / after.bsonPerDoc, before ? before.rssPerDoc / before.bsonPerDoc : undefined, (v) => `${v.toFixed(2)}×`, 'lower');
  row('RSS per enrolment after a full GC (bytes)', after.gcRssPerDoc, before?.gcRssPerDoc, int, 'lower');
  row('  V8 heap in use per enrolment after it', after.gcHeapPerDoc, before?.gcHeapPerDoc, int, 'lower');
  row(`app-written enrolments (transactions of ${APP_BATCH}: enrolments, audit events, counters), /s`, after.appWritesPerSec, before?.appWritesPerSec, int, 'higher');
  row('  RSS per app-written enrolment after a full GC (bytes)', after.appRssPerDoc, before?.appRssPerDoc, int, 'lower');
  row('  V8 heap in use per app-written enrolment', after.appHeapPerDoc, before?.appHeapPerDoc, int, 'lower');
  row('  RSS per app-written enrolment, second half (bytes)', after.appSecondHalfRssPerDoc, before?.appSecondHalfRssPerDoc, int, 'lower');
  row('  V8 heap per app-written enrolment, second half', after.appSecondHalfHeapPerDoc, before?.appSecondHalfHeapPerDoc, int, 'lower');
  row('point lookup {province, nationalId} p50', after.lookupP50, before?.lookupP50, ms, 'lower');
  row('point lookup p99', after.lookupP99, before?.lookupP99, ms, 'lower');
  row('findAndModify with sort, 20,000 queued (claims/s)', after.claimsPerSec, before?.claimsPerSec, (v) => v.toFixed(1), 'higher');
  row('country-wide $group (31 provinces × status)', after.groupMs, before?.groupMs, ms, 'lower');
  row('point lookup p50 from another client during it', after.groupLookupP50, before?.groupLookupP50, ms, 'lower');
  row('point lookup p99 from another client during it', after.groupLookupP99, before?.groupLookupP99, ms, 'lower');
  row('  lookups answered during the $group', after.groupLookups, before?.groupLookups, int, 'higher');
  row('restart: journal replay and index build', after.restartMs, before?.restartMs, ms, 'lower');
  row('RSS per enrolment after the restart, 3 s idle (bytes, with the outbox)', after.restartRssPerDoc, before?.restartRssPerDoc, int, 'lower');
  row('  after a full GC (bytes, with the outbox)', after.restartGcRssPerDoc, before?.restartGcRssPerDoc, int, 'lower');
  row('  V8 heap in use per enrolment after it', after.restartGcHeapPerDoc, before?.restartGcHeapPerDoc, int, 'lower');
  const header = ['measure', 'this version', before ? 'baseline' : '', before ? 'this ÷ baseline' : ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  for (const [label, f] of [['this version', after], ['baseline', before]] as const) {
    if (!f?.groupGc) continue;
    const kinds = [...f.groupGc].map(([kind, k]) => `${kind} ${k.count}× (total ${int(k.totalMs)} ms, longest ${k.maxMs.toFixed(1)} ms)`);
    console.log(`GC pauses during the $group (${label}): ${kinds.join('; ') || 'none'}.`);
  }
  const projected = (after.restartRssPerDoc ?? after.rssPerDoc) * 5_000_000;
  console.log(`\nProjected RSS of 5,000,000 enrolments in this version: ${(projected / 2 ** 30).toFixed(1)} GiB.`);
}
