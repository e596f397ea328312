/**
 * One server per data directory: `mongod.lock` holds the owner's pid. A lock left by a process that
 * no longer exists (killed with SIGKILL) is taken over; a live owner makes start-up fail.
 */
import fs from 'node:fs';
import path from 'node:path';

const LOCK_FILE = 'mongod.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockDataDir(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  const owner = fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8').trim()) : NaN;
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
    throw new Error(`data directory ${dir} is in use by process ${owner} (${file})`);
  }
  fs.writeFileSync(file, String(process.pid));
  return () => {
    try {
      if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
    } catch {
      // Already gone: nothing to release.
    }
  };
}
