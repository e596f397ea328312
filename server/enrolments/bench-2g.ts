/**
 * `npm run bench:2g`: the enrolment form on a simulated 2G connection (400 kbps both ways, 400 ms latency), through
 * Chromium's own network emulation (CDP `Network.emulateNetworkConditions`), from an empty cache and without the
 * service worker, as a phone that opens the form for the first time. Prints the time to the page's `load` event and
 * the bytes it took against the 3 s budget of issue 12; a figure, not a test (server/enrolments/OFFLINE.md).
 */
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { createApp } from '../app.js';
import { loadConfig } from '../config.js';
import { connectDatabase } from '../db/connect.js';
import { configureLogger } from '../logger.js';
import { readCensusFile, SHIPPED_PLACE_FILES } from '../places/census-files.js';
import { importPlaces } from '../places/import.service.js';
import { DEMO_PASSWORD, createDemoUsers } from '../users/demo.js';
import { createDemoEnrolments } from './demo.js';

const KBPS = 400;
const LATENCY_MS = 400;
const BUDGET_MS = 3000;
const RUNS = Number(process.env.RUNS ?? 3);

configureLogger('silent');
const config = loadConfig({ ...process.env, DATA_DIR: ':memory:', MONGODB_URI: '', NODE_ENV: 'test', PORT: '0', JOBS_ENABLED: 'no' });
const database = await connectDatabase(config);
// the demo accounts' two provinces, down to the villages
const places = SHIPPED_PLACE_FILES.flatMap((file) => readCensusFile(file).places).filter((p) => ['02', '03'].includes(p.province));
await importPlaces([{ places, problems: [], skipped: 0 }]);
await createDemoUsers();
await createDemoEnrolments(config);
const app = createApp({ config, sessionSecret: 'bench-session-secret-of-enough-length' });
const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
console.log(`2G: ${KBPS} kbps, ${LATENCY_MS} ms latency; the enrolment form of demo.village from an empty cache`);
const times: number[] = [];
for (let run = 1; run <= RUNS; run++) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill('#f-login', 'demo.village');
  await page.fill('#f-password', DEMO_PASSWORD);
  await Promise.all([page.waitForURL(/\/enrolments$/), page.click('form button')]);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.clearBrowserCache');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: LATENCY_MS, downloadThroughput: (KBPS * 1000) / 8, uploadThroughput: (KBPS * 1000) / 8 });
  let bytes = 0;
  let requests = 0;
  const urls = new Map<string, string>();
  const each: string[] = [];
  cdp.on('Network.requestWillBeSent', (event: { requestId: string; request: { url: string } }) => void urls.set(event.requestId, new URL(event.request.url).pathname));
  cdp.on('Network.loadingFinished', (event: { requestId: string; encodedDataLength: number }) => {
    bytes += event.encodedDataLength;
    requests += 1;
    each.push(`${urls.get(event.requestId)} ${(event.encodedDataLength / 1024).toFixed(1)} KB`);
  });
  const started = Date.now();
  await page.goto(`${base}/enrolments/new`, { waitUntil: 'load' });
  const ms = Date.now() - started;
  times.push(ms);
  console.log(`run ${run}: load in ${ms} ms, ${requests} requests, ${(bytes / 1024).toFixed(1)} KB on the wire, ${(ms / BUDGET_MS).toFixed(2)} of the 3 s budget`);
  if (run === 1) console.log(`  ${each.join(', ')}`);
  await context.close();
}
const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
console.log(`median: ${median} ms (${(median / BUDGET_MS).toFixed(2)} of the budget)`);
await browser.close();
server.close();
await database.close();
process.exit(0);
