import { writeHeapSnapshot } from 'node:v8';

/**
 * Preloaded into a benchmarked server process (`node --expose-gc --import tsx --import <this file> …`): on
 * SIGUSR2 it collects all garbage, twice (the second pass frees what the first one's finalizers let go), and
 * prints one line `memory {"rss":…,"heapUsed":…,"external":…,"arrayBuffers":…}` to stdout. A bench reads it to
 * report what the data set holds rather than how far the collector lagged behind when it looked. With
 * BENCH_HEAP_SNAPSHOT_DIR set it also writes a heap snapshot there each time (its file name on the line as `snapshot`).
 */
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('bench-memory-probe needs node --expose-gc');

process.on('SIGUSR2', () => {
  collect();
  collect();
  const memory = process.memoryUsage();
  const dir = process.env.BENCH_HEAP_SNAPSHOT_DIR;
  const snapshot = dir ? writeHeapSnapshot(`${dir}/server-${process.pid}-${Date.now()}.heapsnapshot`) : undefined;
  process.stdout.write(`memory ${JSON.stringify({ ...memory, snapshot })}\n`);
});
