/** Executes unified-format test files against a server and records each test's result. */
import { basename } from 'node:path';
import { MongoClient, type Document } from 'mongodb';
import { EntityMap } from './entities.js';
import { assertEvents } from './events.js';
import { assertExpectedError, errorSummary } from './expect-error.js';
import { loadSpecFile } from './loader.js';
import { assertMatches, describe, MatchError, type MatchContext } from './matcher.js';
import { executeOperation, UnsupportedError, type OpEnv } from './operations.js';
import { parseVersion, requirementsUnmet, schemaSupported } from './requirements.js';
import { unsupportedFeature } from './skips.js';
import { knownDriverFailure } from './driver-deviations.js';
import type { CollectionData, Operation, ServerInfo, TestCase, TestFile } from './types.js';

export type Status = 'passed' | 'failed' | 'skipped';

export interface TestResult {
  file: string;
  test: string;
  status: Status;
  reason?: string;
  ms?: number;
}

export interface RunnerOptions {
  uri: string;
  /** Called once per finished test (progress output). */
  onResult?: (r: TestResult) => void;
  /** Per-test time limit, ms. */
  testTimeoutMs?: number;
}

const CLIENT_OPTIONS = { serverSelectionTimeoutMS: 10_000, socketTimeoutMS: 30_000 } as const;

/** Operations that depend on the installed driver offering a method; absent → the test is skipped. */
const DRIVER_METHODS: Record<string, () => boolean> = {
  clientBulkWrite: () => typeof (MongoClient.prototype as { bulkWrite?: unknown }).bulkWrite === 'function',
};

function allOperations(ops: Operation[] | undefined): Operation[] {
  const out: Operation[] = [];
  for (const op of ops ?? []) {
    out.push(op);
    const a = op.arguments ?? {};
    if (Array.isArray(a.callback)) out.push(...allOperations(a.callback as Operation[]));
    if (a.operation && typeof a.operation === 'object') out.push(...allOperations([a.operation as Operation]));
  }
  return out;
}

function usesFailPoints(test: TestCase): boolean {
  return allOperations(test.operations).some(op => op.name === 'failPoint' || op.name === 'targetedFailPoint');
}

function driverLacks(test: TestCase): string | undefined {
  for (const op of allOperations(test.operations)) {
    const has = DRIVER_METHODS[op.name];
    if (has && !has()) return `the installed mongodb driver does not offer "${op.name}"`;
  }
  return undefined;
}

/** Asks the server what it is, for runOnRequirements. */
export async function discoverServer(internal: MongoClient, uri: string): Promise<ServerInfo> {
  const admin = internal.db('admin');
  const build = await admin.command({ buildInfo: 1 });
  const va = build.versionArray as unknown[] | undefined;
  const version: [number, number, number] = Array.isArray(va) && va.length >= 3
    ? [Number(va[0]), Number(va[1]), Number(va[2])]
    : parseVersion(String(build.version));
  const hello = await admin.command({ hello: 1 });
  let topology = 'single';
  if (hello.msg === 'isdbgrid') topology = 'sharded';
  else if (hello.setName) topology = 'replicaset';
  if (hello.serviceId || /[?&]loadBalanced=true/i.test(uri)) topology = 'load-balanced';
  const auth = /^mongodb(\+srv)?:\/\/[^/@]+@/.test(uri);
  return { version, topology, serverless: process.env.SERVERLESS === '1', auth, csfle: false };
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export class SpecRunner {
  private internal!: MongoClient;
  server!: ServerInfo;
  private killWarned = false;

  constructor(private readonly opts: RunnerOptions) {}

  async open(): Promise<void> {
    this.internal = new MongoClient(this.opts.uri, CLIENT_OPTIONS);
    await this.internal.connect();
    this.server = await discoverServer(this.internal, this.opts.uri);
    try {
      const { ok: _ok, ...params } = await this.internal.db('admin').command({ getParameter: '*' });
      this.server.parameters = params;
    } catch {
      this.server.parameters = {};
    }
    this.server.failPoints = await this.acceptsFailPoints();
    await this.killAllSessions();
  }

  /** Whether configureFailPoint is there: turning failCommand off is harmless and answers CommandNotFound without test commands. */
  private async acceptsFailPoints(): Promise<boolean> {
    try {
      await this.internal.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.internal?.close();
  }

  /** Terminates open transactions (spec: "Terminating Open Transactions"). */
  private async killAllSessions(): Promise<void> {
    try {
      await this.internal.db('admin').command({ killAllSessions: [] });
    } catch (e) {
      const code = (e as { code?: number }).code;
      if (code !== 11601 && code !== 13 && code !== 59 && !this.killWarned) {
        this.killWarned = true;
        process.stderr.write(`warning: killAllSessions failed: ${errorSummary(e)}\n`);
      }
    }
  }

  async runFile(path: string): Promise<TestResult[]> {
    const fileName = basename(path);
    const loaded = loadSpecFile(path);
    const results: TestResult[] = [];
    const emit = (r: TestResult): void => {
      results.push(r);
      this.opts.onResult?.(r);
    };
    if (!loaded.file) {
      emit({ file: fileName, test: '(file)', status: 'failed', reason: loaded.loadError });
      return results;
    }
    const file = loaded.file;
    const fileBase = fileName.replace(/\.json$/, '');
    if (file.tests.some(t => !this.skipReason(file, t, fileBase))) {
      try {
        await this.dropFileDatabases(file);
      } catch (e) {
        for (const test of file.tests) {
          emit({ file: fileName, test: test.description, status: 'failed', reason: `dropping the file's databases failed: ${errorSummary(e)}` });
        }
        return results;
      }
    }
    for (const test of file.tests) {
      const skip = this.skipReason(file, test, fileBase);
      if (skip) {
        emit({ file: fileName, test: test.description, status: 'skipped', reason: skip });
        continue;
      }
      if (!schemaSupported(file.schemaVersion)) {
        emit({ file: fileName, test: test.description, status: 'failed', reason: `unsupported schemaVersion ${file.schemaVersion}` });
        continue;
      }
      const started = Date.now();
      // Decided before the run: the driver adds an _id to the very documents the test gives it.
      const driver = knownDriverFailure(test.operations);
      try {
        await withTimeout(this.runTest(file, test), this.opts.testTimeoutMs ?? 60_000, 'test');
        emit({ file: fileName, test: test.description, status: 'passed', ms: Date.now() - started });
      } catch (e) {
        if (e instanceof UnsupportedError) {
          emit({ file: fileName, test: test.description, status: 'skipped', reason: e.message });
        } else {
          const reason = driver ? `${failureText(e)}\n       known driver deviation: ${driver}` : failureText(e);
          emit({ file: fileName, test: test.description, status: 'failed', reason, ms: Date.now() - started });
        }
      }
      // The spec asks for it after a test that started a transaction; after every test is as cheap and leaves no
      // transaction open (e.g. one whose abortTransaction a fail point failed) to block the next test's drops.
      await this.killAllSessions();
    }
    return results;
  }

  /** Skip decisions without running anything (needs `server` set): [test, reason-or-undefined]. */
  plan(path: string): { file: string; test: string; skip?: string }[] {
    const loaded = loadSpecFile(path);
    const fileName = basename(path);
    if (!loaded.file) return [{ file: fileName, test: '(file)', skip: `cannot load: ${loaded.loadError}` }];
    const file = loaded.file;
    return file.tests.map(t => ({ file: fileName, test: t.description, skip: this.skipReason(file, t, fileName.replace(/\.json$/, '')) }));
  }

  private skipReason(file: TestFile, test: TestCase, fileBase: string): string | undefined {
    if (test.skipReason) return `skipReason in file: ${test.skipReason}`;
    const fileUnmet = requirementsUnmet(file.runOnRequirements, this.server);
    if (fileUnmet) return `runOnRequirements (file): ${fileUnmet}`;
    const testUnmet = requirementsUnmet(test.runOnRequirements, this.server);
    if (testUnmet) return `runOnRequirements: ${testUnmet}`;
    const feature = unsupportedFeature(file, test);
    if (feature) return `unsupported feature: ${feature}`;
    if (this.server.failPoints === false && usesFailPoints(test)) {
      return 'unsupported feature: uses fail points, and the server does not accept configureFailPoint (test commands are not enabled)';
    }
    return driverLacks(test);
  }

  /**
   * Files are isolated from one another: before a file runs, the databases it names (database entities and
   * initialData) are dropped, so data left by an earlier file (e.g. a test without initialData inserting into
   * a collection another file also uses) cannot collide with it.
   */
  private async dropFileDatabases(file: TestFile): Promise<void> {
    const names = new Set<string>();
    for (const cd of file.initialData ?? []) names.add(cd.databaseName);
    for (const def of file.createEntities ?? []) {
      const db = (def as { database?: { databaseName?: string } }).database;
      if (db?.databaseName) names.add(db.databaseName);
    }
    for (const name of names) {
      if (name === 'admin' || name === 'config' || name === 'local') continue;
      await this.internal.db(name).dropDatabase({ writeConcern: { w: 'majority' } });
    }
  }

  private async setUpData(data: CollectionData[]): Promise<void> {
    const wc = { writeConcern: { w: 'majority' as const } };
    for (const cd of data) {
      const db = this.internal.db(cd.databaseName);
      for (const name of [cd.collectionName, `enxcol_.${cd.collectionName}.esc`, `enxcol_.${cd.collectionName}.ecoc`]) {
        try {
          await db.dropCollection(name, wc);
        } catch (e) {
          if ((e as { code?: number }).code !== 26) throw e;
        }
      }
    }
    for (const cd of data) {
      const db = this.internal.db(cd.databaseName);
      if (cd.createOptions || cd.documents.length === 0) {
        await db.createCollection(cd.collectionName, { ...(cd.createOptions ?? {}), ...wc } as Document);
      }
      if (cd.documents.length > 0) await db.collection(cd.collectionName).insertMany(cd.documents, wc);
    }
  }

  private async checkOutcome(data: CollectionData[]): Promise<void> {
    for (const cd of data) {
      const docs = await this.internal
        .db(cd.databaseName)
        .collection(cd.collectionName)
        .find({}, { sort: { _id: 1 }, readPreference: 'primary', readConcern: { level: 'local' } })
        .toArray();
      const where = `outcome ${cd.databaseName}.${cd.collectionName}`;
      if (docs.length !== cd.documents.length) {
        throw new MatchError(where, `expected ${cd.documents.length} document(s) ${describe(cd.documents)}, found ${docs.length} ${describe(docs)}`);
      }
      cd.documents.forEach((exp, i) => {
        try {
          assertMatches(exp, docs[i], {}, { exact: true });
        } catch (e) {
          if (e instanceof MatchError) throw new MatchError(`${where}[${i}]${e.path.slice(1)}`, e.detail);
          throw e;
        }
      });
    }
  }

  private async runTest(file: TestFile, test: TestCase): Promise<void> {
    // Assertions this runner cannot make fail the test rather than pass it silently.
    if (test.expectLogMessages?.length) throw new Error('expectLogMessages is not implemented by this runner');
    if (test.expectTracingMessages) throw new Error('expectTracingMessages is not implemented by this runner');
    if (file.initialData) await this.setUpData(file.initialData);
    const entities = new EntityMap(this.opts.uri);
    const failPoints: OpEnv['failPoints'] = [];
    const ctx: MatchContext = {
      entity: name => entities.get(name, 'value'),
      sessionLsid: name => entities.get(name, 'session').lsid,
    };
    const env: OpEnv = {
      entities,
      internal: this.internal,
      failPoints,
      runNested: op => runChecked(env, ctx, op, 'callback', true),
    };
    try {
      await entities.create(file.createEntities ?? []);
      for (const [i, op] of test.operations.entries()) {
        await runChecked(env, ctx, op, `operations[${i}]`, false);
      }
      entities.stopCapturing();
      for (const ee of test.expectEvents ?? []) {
        const client = entities.get(ee.client, 'client');
        if (!client.recorder) throw new Error(`expectEvents: client ${ee.client} observes no events`);
        assertEvents(ee, client.recorder, ctx);
      }
      if (test.outcome) await this.checkOutcome(test.outcome);
    } finally {
      // Through the internal client: the test may have closed the client that set it (one server, so the same one).
      for (const name of failPoints) {
        await this.internal.db('admin').command({ configureFailPoint: name, mode: 'off' }).catch(() => undefined);
      }
      await withTimeout(entities.close(), 15_000, 'closing entities').catch(() => undefined);
    }
  }
}

/** One operation with its expectResult / expectError / saveResultAsEntity handling. */
async function runChecked(env: OpEnv, ctx: MatchContext, op: Operation, where: string, propagate: boolean): Promise<void> {
  const label = `${where} ${op.name} on ${op.object}`;
  let outcome: Awaited<ReturnType<typeof executeOperation>> | undefined;
  let error: unknown;
  try {
    outcome = await executeOperation(env, op);
  } catch (e) {
    if (e instanceof UnsupportedError) throw e;
    error = e;
  }
  const rethrow = (): void => {
    if (propagate && error !== undefined) throw error;
  };
  if (op.ignoreResultAndError) return rethrow();
  if (op.expectError) {
    if (error === undefined) {
      throw new OpFailure(label, `expected an error (${describe(op.expectError)}), got result ${describe(outcome?.result)}`);
    }
    try {
      assertExpectedError(op.expectError, error, ctx);
    } catch (e) {
      throw new OpFailure(label, e instanceof MatchError ? e.message : String(e));
    }
    return rethrow();
  }
  if (error !== undefined) {
    if (error instanceof OpFailure) throw error;
    throw new OpFailure(label, `unexpected error: ${errorSummary(error)}`);
  }
  if (op.expectResult !== undefined) {
    try {
      assertMatches(op.expectResult, outcome?.result, ctx, { isRoot: true, rootElements: outcome?.rootElements });
    } catch (e) {
      if (e instanceof MatchError) throw new OpFailure(label, `expectResult ${e.message}`);
      throw e;
    }
  }
  if (op.saveResultAsEntity) env.entities.save(op.saveResultAsEntity, outcome?.result);
}

export class OpFailure extends Error {
  constructor(label: string, detail: string) {
    super(`${label}: ${detail}`);
    this.name = 'OpFailure';
  }
}

function failureText(e: unknown): string {
  if (e instanceof OpFailure || e instanceof MatchError) return e.message;
  return `error outside an operation (setup, entities, events or outcome): ${errorSummary(e)}`;
}

