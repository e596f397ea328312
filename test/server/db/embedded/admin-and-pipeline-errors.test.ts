import { expect } from 'chai';
import { MongoServerError } from 'mongodb';
import { rejection, useTarget } from './target.js';

// MongoDB manual: "explain" (aggregate), "setParameter" (ttlMonitorEnabled, ttlMonitorSleepSecs),
// "Aggregation Pipeline Stages" (an unknown stage is refused), "Read Concern linearizable"
// (not allowed with $out or $merge).
describe('admin commands and pipeline errors answer as MongoDB does', () => {
  const t = useTarget('adminpipe');

  it('explains an aggregate with the query plan of its leading $match', async () => {
    const c = t.db.collection('explained');
    await c.insertMany([{ a: 1 }, { a: 2 }]);
    const plan = (await c.aggregate([{ $match: { a: 1 } }, { $project: { a: 1 } }]).explain()) as {
      ok?: number;
      queryPlanner?: { namespace: string };
      stages?: Array<{ $cursor?: { queryPlanner?: { namespace: string } } }>;
    };
    // The manual shows both shapes: a top-level queryPlanner when the whole pipeline runs in the
    // query layer, else "stages" whose first is $cursor.
    const planner = plan.queryPlanner ?? plan.stages?.[0]?.$cursor?.queryPlanner;
    expect(planner?.namespace).to.equal(`${t.dbName}.explained`);
  });

  it("accepts the TTL monitor's parameters and refuses an unknown one", async () => {
    const admin = t.client.db('admin');
    const disabled = await admin.command({ setParameter: 1, ttlMonitorEnabled: false });
    expect(disabled.ok).to.equal(1);
    expect((await admin.command({ getParameter: 1, ttlMonitorEnabled: 1 })).ttlMonitorEnabled).to.equal(false);
    await admin.command({ setParameter: 1, ttlMonitorEnabled: true });
    expect((await admin.command({ getParameter: 1, ttlMonitorEnabled: 1 })).ttlMonitorEnabled).to.equal(true);
    const unknown = await rejection(admin.command({ setParameter: 1, noSuchParameterAnywhere: 5 }));
    expect(unknown).to.be.instanceOf(MongoServerError);
  });

  it('refuses an unknown pipeline stage with 40324 and names it', async () => {
    const err = await rejection(t.db.collection('x').aggregate([{ $frobnicate: {} }]).toArray());
    expect(err?.code).to.equal(40324);
    expect(err?.message).to.equal("Unrecognized pipeline stage name: '$frobnicate'");
  });

  it('refuses an expression operator MongoDB does not have, even one named like the server\'s own internals', async () => {
    const c = t.db.collection('x');
    await c.insertOne({ a: 1 });
    for (const name of ['$embeddedPlainNumbers', '$embeddedDocuments']) {
      const err = await rejection(c.aggregate([{ $project: { b: { [name]: '$a' } } }]).toArray());
      expect(err?.code, name).to.equal(168);
      expect(err?.message).to.contain(`Unrecognized expression '${name}'`);
    }
  });

  it('refuses $out and $merge under readConcern linearizable', async () => {
    const c = t.db.collection('source');
    await c.insertOne({ a: 1 });
    const out = await rejection(c.aggregate([{ $out: 'target' }], { readConcern: { level: 'linearizable' } }).toArray());
    const merge = await rejection(c.aggregate([{ $merge: { into: 'target' } }], { readConcern: { level: 'linearizable' } }).toArray());
    expect(out).to.be.instanceOf(MongoServerError);
    expect(merge).to.be.instanceOf(MongoServerError);
    expect(await t.db.listCollections({ name: 'target' }).toArray()).to.deep.equal([]);
  });
});
