/**
 * npm run bench:db [-- --docs N]
 *
 * A rough benchmark of the embedded MongoDB-compatible server, through the official driver, each figure beside
 * the same work done by mingo on a plain in-process array. The server runs in this process, in memory (no disk),
 * on an ephemeral port, unless MONGODB_URI is set; driver-side BSON encoding and the loopback socket are part of
 * the embedded figures. No assertions: it prints a table.
 *
 * Options: --docs N (default 1,000,000), --batch N (insertMany batch, 1,000), --lookups N (2,000),
 * --range N (documents per range scan, 1,000), --mingo-lookup-seconds S (time budget for mingo's unindexed
 * point lookups, 15).
 *
 * Then the throughput and memory table (bench-throughput.ts): --enrolments N (default 200,000),
 * --baseline <folder> (an earlier version's embedded folder: measured in the same run, ratios printed),
 * --dbpath-restart (load into a data directory and time the restart), --claim-seconds S (10),
 * --only-throughput (skip the table above),
 * --trace-gc (run each server with node's --trace-gc and print its collector pauses during the $group),
 * --app-writes N (after the load, N more enrolments written in transactions with audit events and counters, as
 * the app writes them: bench-app-writes.ts).
 */
import { performance } from 'node:perf_hooks';
import { MongoClient } from 'mongodb';
import { aggregate as mingoAggregate, find as mingoFind } from 'mingo';
import { throughputBench } from './bench-throughput.js';

interface EmbeddedHandle {
  uri: string;
  stop(): Promise<void>;
}

interface BenchDoc {
  _id: number;
  k: number;
  g: number;
  v: number;
  s: string;
}

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const n = Number(process.argv[i + 1]?.replace(/[_,]/g, ''));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number`);
  return n;
}

/** Deterministic pseudo-random numbers (the same documents every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function makeDoc(i: number, rand: () => number): BenchDoc {
  return { _id: i, k: i, g: i % 1000, v: Math.round(rand() * 1e6) / 100, s: `name-${i}` };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const median = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 50);
const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmtMs = (ms: number): string => (ms >= 100 ? `${fmtInt(ms)} ms` : ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(0)} µs`);
const fmtRatio = (embedded: number, plain: number): string => {
  if (!(plain > 0)) return 'n/a';
  const r = embedded / plain;
  if (r >= 10) return `${fmtInt(r)}× (slower)`;
  if (r >= 1) return `${r.toFixed(2)}× (slower)`;
  return `${r.toPrecision(2)}× (${fmtInt(1 / r)}× faster)`;
};

function stringOption(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  if (!process.argv.includes('--only-throughput')) await mingoComparison();
  if (!process.env.MONGODB_URI) {
    await throughputBench({
      enrolments: Math.floor(option('enrolments', 200_000)),
      baseline: stringOption('baseline'),
      dbPath: process.argv.includes('--dbpath-restart'),
      claimSeconds: option('claim-seconds', 10),
      traceGc: process.argv.includes('--trace-gc'),
      appWrites: process.argv.includes('--app-writes') ? Math.floor(option('app-writes', 0)) : undefined,
    });
  }
}

async function mingoComparison(): Promise<void> {
  const docs = Math.floor(option('docs', 1_000_000));
  const batch = Math.floor(option('batch', 1000));
  const lookups = Math.floor(option('lookups', 2000));
  const rangeSize = Math.min(docs, Math.floor(option('range', 1000)));
  const mingoLookupBudgetMs = option('mingo-lookup-seconds', 15) * 1000;

  let server: EmbeddedHandle | undefined;
  let uri = process.env.MONGODB_URI;
  let where: string;
  if (uri) {
    where = `server at MONGODB_URI (${uri})`;
  } else {
    const specifier = './index.js';
    const mod = (await import(specifier)) as { startEmbeddedMongo(o: { inMemory?: boolean; port?: number; host?: string }): Promise<EmbeddedHandle> };
    server = await mod.startEmbeddedMongo({ inMemory: true, port: 0, host: '127.0.0.1' });
    uri = server.uri;
    where = `embedded server, IN MEMORY (no disk), in this process, at ${uri}`;
  }
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  const rows: [string, string, string, string][] = [];
  const notes: string[] = [];
  try {
    await client.connect();
    const db = client.db('bench');
    await db.dropDatabase();
    const coll = db.collection<BenchDoc>('docs');
    await coll.createIndex({ k: 1 }, { unique: true });

    console.log(`Benchmark: ${fmtInt(docs)} documents like ${JSON.stringify(makeDoc(7, rng(1)))}`);
    console.log(`Against: ${where}; unique index on k created before loading.`);
    console.log(`Baseline ("plain"): a JS array in this process, queried with mingo (no indexes).\n`);

    // 1. Insert.
    let rand = rng(42);
    let t0 = performance.now();
    for (let start = 0; start < docs; start += batch) {
      const chunk: BenchDoc[] = [];
      for (let i = start; i < Math.min(docs, start + batch); i++) chunk.push(makeDoc(i, rand));
      await coll.insertMany(chunk, { ordered: false });
      if (docs >= 200_000 && start % 100_000 === 0 && start > 0) process.stderr.write(`  inserted ${fmtInt(start)}\r`);
    }
    const insertMs = performance.now() - t0;
    rand = rng(42);
    const plain: BenchDoc[] = [];
    t0 = performance.now();
    for (let start = 0; start < docs; start += batch) {
      for (let i = start; i < Math.min(docs, start + batch); i++) plain.push(makeDoc(i, rand));
    }
    const plainInsertMs = performance.now() - t0;
    const count = await coll.estimatedDocumentCount();
    if (count !== docs) notes.push(`the collection holds ${fmtInt(count)} documents, not ${fmtInt(docs)}`);
    rows.push([
      `insert (insertMany, batches of ${fmtInt(batch)})`,
      `${fmtInt((docs / insertMs) * 1000)} docs/s (${fmtMs(insertMs)})`,
      `${fmtInt((docs / plainInsertMs) * 1000)} docs/s (${fmtMs(plainInsertMs)}, array push)`,
      fmtRatio(insertMs, plainInsertMs),
    ]);

    // 2. Point lookups on the unique index.
    const pick = rng(7);
    const keys = Array.from({ length: lookups }, () => Math.floor(pick() * docs));
    for (const k of keys.slice(0, 50)) await coll.findOne({ k }); // warm-up
    const lat: number[] = [];
    let misses = 0;
    for (const k of keys) {
      const s = performance.now();
      const d = await coll.findOne({ k });
      lat.push(performance.now() - s);
      if (!d || d.k !== k) misses++;
    }
    lat.sort((a, b) => a - b);
    const plainLat: number[] = [];
    const budgetStart = performance.now();
    for (const k of keys) {
      const s = performance.now();
      const d = mingoFind(plain, { k }).next() as unknown as BenchDoc | undefined;
      plainLat.push(performance.now() - s);
      if (!d || d.k !== k) misses++;
      if (performance.now() - budgetStart > mingoLookupBudgetMs) break;
    }
    plainLat.sort((a, b) => a - b);
    if (misses) notes.push(`${misses} point lookup(s) did not find their document`);
    if (plainLat.length < lookups) {
      notes.push(`mingo point lookups scan the array (no index): only ${fmtInt(plainLat.length)} of ${fmtInt(lookups)} ran within the ${mingoLookupBudgetMs / 1000} s budget`);
    }
    rows.push([
      `point lookup findOne({k}) p50 (${fmtInt(lookups)} random)`,
      fmtMs(percentile(lat, 50)),
      `${fmtMs(percentile(plainLat, 50))} (n=${fmtInt(plainLat.length)})`,
      fmtRatio(percentile(lat, 50), percentile(plainLat, 50)),
    ]);
    rows.push([
      'point lookup p99',
      fmtMs(percentile(lat, 99)),
      fmtMs(percentile(plainLat, 99)),
      fmtRatio(percentile(lat, 99), percentile(plainLat, 99)),
    ]);

    // 3. Indexed range scan of rangeSize documents (median of several).
    const reps = docs > 200_000 ? 5 : 10;
    const starts = Array.from({ length: reps }, () => Math.floor(pick() * Math.max(1, docs - rangeSize)));
    const rangeMs: number[] = [];
    const plainRangeMs: number[] = [];
    for (const a of starts) {
      const q = { k: { $gte: a, $lt: a + rangeSize } };
      let s = performance.now();
      const got = await coll.find(q).toArray();
      rangeMs.push(performance.now() - s);
      s = performance.now();
      const want = mingoFind(plain, q).all();
      plainRangeMs.push(performance.now() - s);
      if (got.length !== want.length) notes.push(`range scan at ${a}: embedded returned ${got.length}, mingo ${want.length}`);
    }
    const rMs = median(rangeMs);
    const pMs = median(plainRangeMs);
    rows.push([
      `range scan find({k: {$gte, $lt}}), ${fmtInt(rangeSize)} docs (median of ${reps})`,
      `${fmtMs(rMs)}, ${fmtInt((rangeSize / rMs) * 1000)} docs/s`,
      `${fmtMs(pMs)}, ${fmtInt((rangeSize / pMs) * 1000)} docs/s`,
      fmtRatio(rMs, pMs),
    ]);

    // 4. $group over the whole collection.
    const pipeline = [{ $group: { _id: '$g', n: { $sum: 1 }, total: { $sum: '$v' } } }];
    const greps = docs > 200_000 ? 1 : 3;
    const gMs: number[] = [];
    const pgMs: number[] = [];
    let groups = 0;
    let plainGroups = 0;
    for (let i = 0; i < greps; i++) {
      let s = performance.now();
      groups = (await coll.aggregate(pipeline, { allowDiskUse: true }).toArray()).length;
      gMs.push(performance.now() - s);
      s = performance.now();
      plainGroups = mingoAggregate(plain, pipeline).length;
      pgMs.push(performance.now() - s);
    }
    if (groups !== plainGroups) notes.push(`$group: embedded returned ${groups} groups, mingo ${plainGroups}`);
    const g = median(gMs);
    const pg = median(pgMs);
    rows.push([
      `$group by g (${fmtInt(groups)} groups) over all docs${greps > 1 ? ` (median of ${greps})` : ''}`,
      `${fmtMs(g)}, ${fmtInt((docs / g) * 1000)} docs/s`,
      `${fmtMs(pg)}, ${fmtInt((docs / pg) * 1000)} docs/s`,
      fmtRatio(g, pg),
    ]);
  } finally {
    await client.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
  }

  const header: [string, string, string, string] = ['measure', 'embedded (driver → server)', 'plain (mingo on an array)', 'embedded / plain (time)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  if (notes.length) console.log(`\nNotes:\n${notes.map(n => `- ${n}`).join('\n')}`);
}

main().catch(err => {
  process.stderr.write(`bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
