/**
 * How the insert rate of one engine changes as a collection grows: enrolment-shaped documents (the app's fields,
 * its nine enrolment indexes) inserted straight into the storage engine, no wire, no driver, in batches of 10,000;
 * prints the rate, the V8 heap and the collector's share of each batch, and with `--profile-from N` writes a CPU
 * profile of the batches from document N on (`--profile-out <file>`, default ./load.cpuprofile).
 *
 *   node --expose-gc --max-old-space-size=20000 --import tsx server/db/embedded/bench-load-profile.ts --docs 1200000 --profile-from 1000000
 */
import fs from 'node:fs';
import { Session } from 'node:inspector';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { ObjectId } from 'bson';
import { personFields } from './bench-enrolments.js';
import type { Doc } from './bson-values.js';
import { Engine } from './storage/engine.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

const DOCS = Number(option('docs') ?? 1_000_000);
const PROFILE_FROM = option('profile-from') === undefined ? undefined : Number(option('profile-from'));
const PROFILE_OUT = option('profile-out') ?? 'load.cpuprofile';
const BATCH = 10_000;
const PROVINCES = 31;

/** The enrolment collection's indexes (models/enrolment.model.ts with the place-scoped plugin's two). */
const INDEXES: Array<{ key: Doc; name: string; unique?: boolean; partialFilterExpression?: Doc }> = [
  { key: { placePath: 1 }, name: 'placePath_1' },
  { key: { province: 1 }, name: 'province_1' },
  { key: { province: 1, nationalId: 1 }, name: 'province_1_nationalId_1', unique: true },
  { key: { province: 1, place: 1, createdAt: -1 }, name: 'province_1_place_1_createdAt_-1' },
  { key: { province: 1, status: 1, createdAt: -1 }, name: 'province_1_status_1_createdAt_-1' },
  { key: { province: 1, idempotencyKey: 1 }, name: 'province_1_idempotencyKey_1', unique: true, partialFilterExpression: { idempotencyKey: { $type: 'string' } } },
  { key: { province: 1, place: 1, personKey: 1 }, name: 'province_1_place_1_personKey_1' },
  { key: { province: 1, place: 1, firstOfPerson: 1 }, name: 'first_of_person', unique: true, partialFilterExpression: { firstOfPerson: { $type: 'string' } } },
  { key: { province: 1, duplicateCheck: 1, createdAt: 1 }, name: 'province_1_duplicateCheck_1_createdAt_1', partialFilterExpression: { duplicateCheck: { $type: 'string' } } },
];

const campaigns = Array.from({ length: PROVINCES }, () => new ObjectId());
const users = Array.from({ length: PROVINCES }, () => new ObjectId());

/** A fresh decoded enrolment (new objects, as the wire decoder gives them). */
function enrolment(i: number): Doc {
  const p = i % PROVINCES;
  const province = String(p).padStart(2, '0');
  const village = `${province}${(i * 7919) % 700}`.padEnd(13, '0');
  const nationalId = String(1_000_000_000 + Math.floor(i / PROVINCES));
  const person = personFields(i, nationalId);
  return {
    _id: new ObjectId(),
    campaign: new ObjectId(campaigns[p].toHexString()),
    place: village,
    ...person,
    personKey: `${person.firstName}|${person.lastName}|${nationalId.slice(-4)}`,
    firstOfPerson: `${person.firstName}|${person.lastName}|${nationalId}`,
    createdBy: new ObjectId(users[p].toHexString()),
    province,
    placePath: [province, village.slice(0, 4), village.slice(0, 6), village],
    createdAt: new Date(Date.UTC(2026, 0, 1) + i * 1000),
  };
}

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

const session = new Session();
session.connect();
const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));

const engine = new Engine();
const coll = engine.createCollection('bench', 'enrolments', {});
for (const spec of INDEXES) engine.createIndex(coll, { v: 2, ...spec });

let profiling = false;
console.log('documents   batch/s   heap MB   GC share of the batch');
for (let start = 0; start < DOCS; start += BATCH) {
  if (PROFILE_FROM !== undefined && !profiling && start >= PROFILE_FROM) {
    await post('Profiler.enable');
    await post('Profiler.start');
    profiling = true;
  }
  const docs = Array.from({ length: Math.min(BATCH, DOCS - start) }, (_, j) => enrolment(start + j));
  await new Promise((resolve) => setTimeout(resolve, 0));
  const gcBefore = gcMs;
  const t0 = performance.now();
  for (const doc of docs) engine.insertDoc(coll, doc);
  const ms = performance.now() - t0;
  // the collector's entries arrive on a later turn of the event loop
  await new Promise((resolve) => setTimeout(resolve, 0));
  if ((start + BATCH) % 100_000 === 0 || start + BATCH >= DOCS) {
    const heap = process.memoryUsage().heapUsed / 2 ** 20;
    console.log(`${String(start + docs.length).padStart(9)} ${String(Math.round((docs.length / ms) * 1000)).padStart(9)} ${heap.toFixed(0).padStart(9)}   ${(((gcMs - gcBefore) / ms) * 100).toFixed(0)}%`);
  }
}
if (profiling) {
  const { profile } = (await post('Profiler.stop')) as { profile: object };
  fs.writeFileSync(PROFILE_OUT, JSON.stringify(profile));
  console.log(`profile written to ${PROFILE_OUT}`);
}
session.disconnect();
