/**
 * Cooperative time slicing. The server runs every connection on one thread; a long scan, sort or
 * aggregation that never awaited would hold up every other client for its whole length. Loops that
 * may run long call `tick()` and await it when it returns a promise: about every 5 ms of work they
 * give the event loop a turn, so other connections' commands (a point lookup) run in between.
 */
import { performance } from 'node:perf_hooks';

export const SLICE_MS = 5;

/** How many steps pass between clock reads (reading the clock costs more than a step). */
const STEPS_PER_CHECK = 64;

export class Slicer {
  private deadline = performance.now() + SLICE_MS;
  private steps = 0;
  /** Turns given to other work so far. */
  pauses = 0;

  /** A promise to await when this slice is used up, else undefined (no await: no cost). */
  tick(): Promise<void> | undefined {
    if (++this.steps < STEPS_PER_CHECK) return undefined;
    this.steps = 0;
    if (performance.now() < this.deadline) return undefined;
    return this.pause();
  }

  async pause(): Promise<void> {
    this.pauses++;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.deadline = performance.now() + SLICE_MS;
  }
}
