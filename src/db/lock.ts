// Exclusive lock on the embedded data directory. PGlite has no inter-process lock: two processes
// on one directory silently lose committed rows (shared/domain/notes/stack-probe.md §0.3), so the
// second opener must fail at once with a message that tells the user what to do.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
}

interface LockInfo {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

const LOCK_FILE = 'sesshu.lock';

export function acquireDataDirLock(dataDir: string, command = process.argv.slice(2).join(' ')): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, LOCK_FILE);
  const info: LockInfo = { pid: process.pid, host: os.hostname(), command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, JSON.stringify(info), { flag: 'wx', mode: 0o600 });
      return holdLock(lockPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readLock(lockPath);
      if (holder && holderIsAlive(holder)) throw lockedError(dataDir, holder);
      removeStaleLock(lockPath, holder);
    }
  }
  throw new DataDirLockedError(`could not lock data directory ${dataDir}: another process keeps taking it`);
}

function holdLock(lockPath: string): DataDirLock {
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    const current = readLock(lockPath);
    if (current?.pid === process.pid) fs.rmSync(lockPath, { force: true });
  };
  process.on('exit', release);
  return { path: lockPath, release };
}

function readLock(lockPath: string): LockInfo | null {
  try {
    return JSON.parse(fs.readFileSync(lockPath, 'utf8')) as LockInfo;
  } catch {
    return null; // unreadable or half-written: treated as stale
  }
}

function holderIsAlive(holder: LockInfo): boolean {
  if (holder.host !== os.hostname()) return true; // cannot probe another host: assume alive
  if (holder.pid === process.pid) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A holder that died (kill -9, power loss) leaves its file behind; moving it aside is atomic. */
function removeStaleLock(lockPath: string, holder: LockInfo | null): void {
  const aside = `${lockPath}.stale-${process.pid}`;
  try {
    fs.renameSync(lockPath, aside);
  } catch {
    return; // someone else moved it first; retry the exclusive create
  }
  const moved = readLock(aside);
  if (moved && holder && moved.pid !== holder.pid && holderIsAlive(moved)) {
    fs.renameSync(aside, lockPath); // we raced a fresh holder: put its lock back
    throw lockedError(path.dirname(lockPath), moved);
  }
  fs.rmSync(aside, { force: true });
}

function lockedError(dataDir: string, holder: LockInfo): DataDirLockedError {
  return new DataDirLockedError(
    `data directory ${dataDir} is in use by process ${holder.pid} on ${holder.host}` +
      ` ("sesshu ${holder.command}", since ${holder.since}). ` +
      'Only one process may open the embedded database: stop that process first, or set DATABASE_URL to use PostgreSQL.',
  );
}
