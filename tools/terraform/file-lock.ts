/** A lock file across processes (jest workers), for the one command that writes the shared plugin cache. */
import * as fs from 'node:fs';

/**
 * Serializes `terraform init` across jest workers. The plugin cache is not safe for concurrent
 * writers (hashicorp/terraform#31964: "text file busy", half-written entries), and init is the
 * only command that writes it. Seeding each workdir with a `.terraform.lock.hcl` would also
 * keep init from writing, but needs every provider's hash computed ahead; a lock around init
 * (well under a second with a warm cache) is simpler. A lock left by a dead process is taken over.
 */
export async function withFileLock<T>(lockFile: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (!tryCreateLock(lockFile)) {
    if (lockHolderIsDead(lockFile)) fs.rmSync(lockFile, { force: true });
    else if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${lockFile}`);
    else await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 100));
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

/** `withFileLock`'s wait, for the synchronous probe: returns holding the lock; the caller removes it. */
export function withFileLockSync(lockFile: string, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (!tryCreateLock(lockFile)) {
    if (lockHolderIsDead(lockFile)) fs.rmSync(lockFile, { force: true });
    else if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${lockFile}`);
    else Atomics.wait(pause, 0, 0, 100 + Math.random() * 100);
  }
}

function tryCreateLock(lockFile: string): boolean {
  try {
    fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function lockHolderIsDead(lockFile: string): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(lockFile, 'utf8'));
  } catch {
    return false; // released meanwhile: the next attempt takes it
  }
  // An empty file is a holder between creating and writing the lock: alive.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
