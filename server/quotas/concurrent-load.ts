/** The bench's load loop, shared by the bench itself and its forked load generator (bench-load.ts). */

/** `clients` concurrent loops, each taking the next item until `count` are done; every item's latency kept. */
export async function concurrently(count: number, clients: number, work: (index: number) => Promise<boolean>): Promise<{ seconds: number; latencies: number[]; ok: number }> {
  let next = 0;
  let ok = 0;
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < count) {
        const index = next++;
        const t = performance.now();
        if (await work(index)) ok++;
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { seconds: (performance.now() - start) / 1000, latencies: latencies.sort((a, b) => a - b), ok };
}
