/**
 * The load generator of `npm run bench` (server/quotas/bench.ts), in a process of its own: the HTTP client that
 * posts the API enrolments, and the raw driver client whose insertOne rate the API is compared with. Run in the
 * application's process, the client's own work (undici, JSON, streams: a fifth of that process's CPU at 50
 * clients) was counted against the application; here both figures pay the same price of a client outside the
 * measured process. The parent sends one job at a time over IPC and gets back the latencies; the requests and
 * documents are made by the parent (its seeded generator), so a run stays reproducible.
 */
import { Agent, request } from 'node:http';
import { EJSON } from 'bson';
import { MongoClient } from 'mongodb';
import { concurrently } from './concurrent-load.js';

export type LoadJob =
  | { kind: 'http'; url: string; clients: number; requests: { token: string; body: string }[] }
  | { kind: 'insertOne'; uri: string; db: string; collection: string; clients: number; documents: string };

export interface LoadResult {
  seconds: number;
  /** Every request's latency in ms, sorted. */
  latencies: number[];
  /** How many got the answer wanted (201, or an acknowledged insert). */
  ok: number;
  /** HTTP status → how many, for the answers that were not 201. */
  refusals: Record<number, number>;
  /** The CPU time (user + system) this process spent on the job. */
  cpuMs: number;
}

async function run(job: LoadJob): Promise<Omit<LoadResult, 'cpuMs'>> {
  const refusals: Record<number, number> = {};
  if (job.kind === 'http') {
    // node:http with kept-alive connections, one per client: fetch (undici) cost this process about as much CPU per
    // request as the application spent answering it, and on a 2-core machine that CPU is the application's too
    const agent = new Agent({ keepAlive: true, maxSockets: job.clients });
    try {
      const result = await concurrently(job.requests.length, job.clients, async (i) => {
        const { token, body } = job.requests[i]!;
        const status = await post(agent, job.url, token, body);
        if (status !== 201) refusals[status] = (refusals[status] ?? 0) + 1;
        return status === 201;
      });
      return { ...result, refusals };
    } finally {
      agent.destroy();
    }
  }
  const documents = EJSON.parse(job.documents, { relaxed: false }) as Record<string, unknown>[];
  // the pool's connections are open before the clock starts, as the application's pool is by the API's turn
  const client = new MongoClient(job.uri, { minPoolSize: job.clients, maxPoolSize: job.clients + 10, serverSelectionTimeoutMS: 600_000, socketTimeoutMS: 0 });
  let ready = 0;
  const poolOpen = new Promise<void>((resolve) => client.on('connectionReady', () => void (++ready >= job.clients && resolve())));
  await client.connect();
  try {
    await poolOpen;
    const collection = client.db(job.db).collection(job.collection);
    const result = await concurrently(documents.length, job.clients, async (i) => {
      await collection.insertOne(documents[i]!);
      return true;
    });
    return { ...result, refusals };
  } finally {
    await client.close();
  }
}

/** POSTs a JSON body; resolves with the status once the whole answer has arrived. */
function post(agent: Agent, url: string, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.on('error', reject);
      res.on('end', () => resolve(res.statusCode!));
      res.resume();
    });
    req.on('error', reject);
    req.end(body);
  });
}

process.on('message', (job: LoadJob) => {
  const cpu = process.cpuUsage();
  run(job).then(
    (result) => {
      const used = process.cpuUsage(cpu);
      process.send!({ result: { ...result, cpuMs: (used.user + used.system) / 1000 } });
    },
    (err: unknown) => process.send!({ error: String((err as Error)?.stack ?? err) }),
  );
});
process.on('disconnect', () => process.exit(0));
