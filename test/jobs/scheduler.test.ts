import { expect } from 'chai';
import { JobLock } from '../../models/job-lock.model.js';
import { JobRun, type JobRunRecord } from '../../models/job-run.model.js';
import { loadConfig } from '../../server/config.js';
import type { JobDefinition } from '../../jobs/runner.js';
import { Scheduler } from '../../jobs/scheduler.js';
import { resetDatabase } from '../support/database.js';

const config = loadConfig({ NODE_ENV: 'test' });

/** A job of two checkpointed phases that counts its calls; `gate` holds it between them. */
function countingJob(gate?: Promise<void>) {
  const calls = { first: 0, second: 0 };
  const job: JobDefinition = {
    name: 'counting',
    schedule: '* * * * * *',
    async run(ctx) {
      await ctx.phase('first', async () => {
        calls.first++;
        ctx.count('items', 3);
      });
      await gate;
      await ctx.phase('second', async () => {
        calls.second++;
        ctx.count('items', 2);
      });
    },
  };
  return { job, calls };
}

const runs = () => JobRun.find({}).sort({ scheduledFor: 1 }).lean<JobRunRecord[]>();

describe('The job scheduler', () => {
  beforeEach(resetDatabase);

  it('runs a tick fired by two instances at once exactly once', async () => {
    const { job, calls } = countingJob();
    const a = new Scheduler(config, [job]);
    const b = new Scheduler(config, [job]);
    const tick = new Date('2026-03-01T03:30:00.400Z');
    const results = await Promise.all([a.fire(job, tick), b.fire(job, tick)]);
    expect(results.flat().filter((r) => r.started)).to.have.length(1);
    expect(calls).to.deep.equal({ first: 1, second: 1 });
    const [run] = await runs();
    expect(run).to.include({ job: 'counting', status: 'succeeded', trigger: 'schedule', attempts: 1 });
    expect(run!.scheduledFor.toISOString()).to.equal('2026-03-01T03:30:00.000Z');
    expect(run!.counts).to.deep.equal({ items: 5 });
    expect(run!.phasesDone).to.deep.equal(['first', 'second']);
    expect(await JobLock.countDocuments({})).to.equal(0);

    // an instance that fires the same tick late finds it done
    const [late] = await b.fire(job, tick);
    expect(late).to.deep.include({ started: false, reason: 'alreadyRan' });
    expect(calls.first).to.equal(1);
  });

  it('refuses a run-now while a scheduled run is going, and accepts it afterwards', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { job, calls } = countingJob(gate);
    const instanceA = new Scheduler(config, [job]);
    const instanceB = new Scheduler(config, [job]);
    const scheduled = instanceA.fire(job, new Date('2026-03-01T03:30:00Z'));
    await new Promise((resolve) => setTimeout(resolve, 100));

    const refused = await instanceB.runNow(job, 'demo.governor');
    expect(refused.started).to.equal(false);
    const running = (await runs())[0]!;
    expect(refused).to.deep.equal({ started: false, reason: 'running', runId: String(running._id) });

    open();
    await scheduled;
    const accepted = await instanceB.runNow(job, 'demo.governor');
    expect(accepted.started).to.equal(true);
    if (accepted.started) await accepted.done;
    expect(calls).to.deep.equal({ first: 2, second: 2 });
    expect((await runs()).map((r) => [r.trigger, r.status, r.requestedBy ?? null])).to.deep.equal([
      ['schedule', 'succeeded', null],
      ['manual', 'succeeded', 'demo.governor'],
    ]);
  });

  it('picks up a run whose process died, skipping the phases it had finished', async () => {
    const { job, calls } = countingJob();
    const scheduledFor = new Date('2026-03-01T03:30:00Z');
    const past = new Date(Date.now() - 60_000);
    // what a process that died after the first phase leaves behind: its run record and its lock, both expired
    const dead = await JobRun.create({ job: 'counting', scheduledFor, trigger: 'schedule', status: 'running', startedAt: past, leaseUntil: past, owner: 'dead-host:1', counts: { items: 3 }, phasesDone: ['first'] });
    await JobLock.create({ _id: 'counting', owner: 'dead-host:1', runId: dead._id, leaseUntil: past });

    const survivor = new Scheduler(config, [job]);
    expect(await survivor.resumeAbandoned()).to.equal(1);
    expect(calls).to.deep.equal({ first: 0, second: 1 });
    const [run] = await runs();
    expect(String(run!._id)).to.equal(String(dead._id));
    expect(run).to.include({ status: 'succeeded', attempts: 2, owner: survivor.runner.owner });
    expect(run!.counts).to.deep.equal({ items: 5 });
    expect(await survivor.resumeAbandoned()).to.equal(0);
  });

  it('leaves a live run alone: its lease is not over', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { job, calls } = countingJob(gate);
    const owner = new Scheduler(config, [job]);
    const other = new Scheduler(config, [job]);
    const going = owner.fire(job, new Date('2026-03-01T03:30:00Z'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await other.resumeAbandoned()).to.equal(0);
    open();
    await going;
    expect(calls.first).to.equal(1);
  });

  it('records a failed run with its error, and frees the job', async () => {
    const job: JobDefinition = {
      name: 'broken',
      schedule: '0 7 * * *',
      async run() {
        throw new Error('the report could not be built');
      },
    };
    const scheduler = new Scheduler(config, [job]);
    await scheduler.fire(job, new Date('2026-03-01T03:30:00Z'));
    const [run] = await runs();
    expect(run).to.include({ status: 'failed', error: 'the report could not be built' });
    expect(run!.finishedAt).to.be.instanceOf(Date);
    expect(await JobLock.countDocuments({})).to.equal(0);
  });

  it('on node-cron, two instances started together run each second’s tick once between them', async function () {
    this.timeout(20_000);
    const { job, calls } = countingJob();
    const a = new Scheduler(config, [job]);
    const b = new Scheduler(config, [job]);
    a.start();
    b.start();
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    await Promise.all([a.stop(), b.stop()]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const recorded = await runs();
    expect(recorded.length).to.be.at.least(2);
    expect(new Set(recorded.map((r) => r.scheduledFor.getTime())).size).to.equal(recorded.length);
    expect(calls.first).to.equal(recorded.length);
    expect(recorded.every((r) => r.status === 'succeeded')).to.equal(true);
  });
});
