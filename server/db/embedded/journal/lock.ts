/**
 * One server per data directory. Node cannot take an fcntl/flock lock without a native addon, so
 * `mongod.lock` records the owner's pid and its start time (field 22 of /proc/<pid>/stat). The
 * directory counts as held only while that very process is still running: a pid that is gone, a
 * zombie (state Z or X: killed, not yet reaped by its parent) or a pid reused by a process that
 * started later all count as dead, so a restart right after SIGKILL takes the lock over at once.
 */
import fs from 'node:fs';
import path from 'node:path';

const LOCK_FILE = 'mongod.lock';
/** A process sent SIGKILL a moment ago may not have been scheduled to die yet: give it this long. */
const DYING_GRACE_MS = 500;

interface ProcessState {
  state: string;
  startTime: string;
}

/** The kernel's view of a process, or null when it has none (or there is no /proc). */
function processState(pid: number): ProcessState | null | 'unknown' {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fs.existsSync('/proc/self/stat') ? null : 'unknown';
    return 'unknown';
  }
  // The command name is in parentheses and may itself contain spaces or parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], startTime: fields[19] };
}

function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerRunning(pid: number, startTime: string | undefined): boolean {
  const st = processState(pid);
  if (st === 'unknown') return signalable(pid);
  if (st === null || st.state === 'Z' || st.state === 'X') return false;
  return startTime === undefined || st.startTime === startTime;
}

function stillRunningAfterGrace(pid: number, startTime: string | undefined): boolean {
  const deadline = Date.now() + DYING_GRACE_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (ownerRunning(pid, startTime)) {
    if (Date.now() >= deadline) return true;
    Atomics.wait(pause, 0, 0, 5);
  }
  return false;
}

function ownStamp(): string {
  const st = processState(process.pid);
  return typeof st === 'object' && st !== null ? `${process.pid} ${st.startTime}` : String(process.pid);
}

export function lockDataDir(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  const recorded = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split(/\s+/) : [];
  const owner = Number(recorded[0]);
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && stillRunningAfterGrace(owner, recorded[1])) {
    throw new Error(`data directory ${dir} is in use by process ${owner} (${file})`);
  }
  const stamp = ownStamp();
  fs.writeFileSync(file, stamp);
  return () => {
    try {
      if (fs.readFileSync(file, 'utf8').trim() === stamp) fs.unlinkSync(file);
    } catch {
      // Already gone: nothing to release.
    }
  };
}
