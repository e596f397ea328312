/**
 * npm run test:spec -- <dir|file> [<dir|file>...]
 *
 * Runs unified-format spec tests through the official driver against the embedded server (started here,
 * in memory, on an ephemeral port) or against MONGODB_URI when set. Lists each failure and skip, prints a
 * summary per argument, and ends with "N passed, M failed, K skipped". Exits non-zero when fewer than 95%
 * of the tests that ran passed, or on a crash.
 */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { listSpecFiles } from './loader.js';
import { SpecRunner, type TestResult } from './runner.js';

const PASS_GOAL = 0.95;

interface EmbeddedHandle {
  uri: string;
  port: number;
  stop(): Promise<void>;
}
interface EmbeddedModule {
  startEmbeddedMongo(opts: { dbPath?: string; inMemory?: boolean; port?: number; host?: string; enableTestCommands?: boolean }): Promise<EmbeddedHandle>;
}

function usage(): never {
  process.stderr.write('usage: npm run test:spec -- [--verbose] [--dry-run] [--json <file>] <dir|file> [<dir|file>...]\n');
  process.exit(2);
}

function count(rs: TestResult[]): { passed: number; failed: number; skipped: number } {
  return {
    passed: rs.filter(r => r.status === 'passed').length,
    failed: rs.filter(r => r.status === 'failed').length,
    skipped: rs.filter(r => r.status === 'skipped').length,
  };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  let verbose = false;
  let jsonOut: string | undefined;
  let dryRun = false;
  const targets: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--verbose' || args[i] === '-v') verbose = true;
    else if (args[i] === '--json') jsonOut = args[++i];
    else if (args[i] === '--dry-run') dryRun = true;
    else if (args[i] === '--help' || args[i] === '-h') usage();
    else targets.push(args[i]);
  }
  if (targets.length === 0) usage();
  if (dryRun) return plan(targets);

  let server: EmbeddedHandle | undefined;
  let uri = process.env.MONGODB_URI;
  if (uri) {
    console.log(`Server: ${uri} (from MONGODB_URI)`);
  } else {
    const specifier = '../index.js';
    const mod = (await import(specifier)) as EmbeddedModule;
    // Test commands on, as the unified format asks of the servers it runs against (for its fail points).
    server = await mod.startEmbeddedMongo({ inMemory: true, port: 0, host: '127.0.0.1', enableTestCommands: true });
    uri = server.uri;
    console.log(`Server: embedded, in memory, test commands enabled, ${uri}`);
  }

  const runner = new SpecRunner({
    uri,
    onResult: r => {
      if (verbose) console.log(`${r.status.toUpperCase().padEnd(7)} ${r.file} :: ${r.test}${r.ms !== undefined ? ` (${r.ms} ms)` : ''}`);
    },
  });
  const perTarget: { target: string; results: TestResult[] }[] = [];
  try {
    await runner.open();
    const s = runner.server;
    console.log(`Server reports version ${s.version.join('.')}, topology ${s.topology}, auth ${s.auth}, csfle ${s.csfle}`);
    for (const target of targets) {
      const results: TestResult[] = [];
      for (const path of listSpecFiles([target])) results.push(...(await runner.runFile(path)));
      perTarget.push({ target, results });
    }
  } finally {
    await runner.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
  }

  const all = perTarget.flatMap(t => t.results);
  const skipped = all.filter(r => r.status === 'skipped');
  const failed = all.filter(r => r.status === 'failed');
  if (skipped.length > 0) {
    console.log(`\nSkipped (${skipped.length}):`);
    for (const r of skipped) console.log(`  SKIP ${r.file} :: ${r.test}\n       ${r.reason}`);
  }
  if (failed.length > 0) {
    console.log(`\nFailed (${failed.length}):`);
    for (const r of failed) console.log(`  FAIL ${r.file} :: ${r.test}\n       ${r.reason}`);
  }
  console.log('\nPer directory:');
  for (const t of perTarget) {
    const c = count(t.results);
    console.log(`  ${relative(process.cwd(), t.target) || t.target}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  }
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(perTarget, null, 2));
  const c = count(all);
  const ran = c.passed + c.failed;
  const rate = ran === 0 ? 1 : c.passed / ran;
  console.log(`Pass rate of tests that ran: ${(rate * 100).toFixed(1)}% (goal ${PASS_GOAL * 100}%)`);
  console.log(`${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  return rate < PASS_GOAL ? 1 : 0;
}

/** --dry-run: the skip decisions for the server the embedded one claims to be, without running anything. */
function plan(targets: string[]): number {
  const runner = new SpecRunner({ uri: 'mongodb://unused' });
  runner.server = { version: [7, 0, 0], topology: 'replicaset', serverless: false, auth: false, csfle: false };
  let run = 0;
  let skipped = 0;
  for (const target of targets) {
    let tRun = 0;
    let tSkip = 0;
    for (const path of listSpecFiles([target])) {
      for (const p of runner.plan(path)) {
        if (p.skip) {
          tSkip++;
          console.log(`  SKIP ${p.file} :: ${p.test}\n       ${p.skip}`);
        } else tRun++;
      }
    }
    console.log(`${target}: ${tRun} would run, ${tSkip} skipped`);
    run += tRun;
    skipped += tSkip;
  }
  console.log(`${run} would run, ${skipped} skipped (dry run, server assumed 7.0.0 replicaset)`);
  return 0;
}

main().then(
  code => process.exit(code),
  err => {
    process.stderr.write(`spec runner crashed: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(3);
  },
);
