// One process at a time owns DATA_DIR (and the embedded Redis in it): a second `npm start`, or a
// CLI command that would start its own Redis, must fail clearly instead of sharing the files.
import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { AlreadyRunningError } from '../errors.js';

export type LockHolder = 'server' | 'cli';

export interface LockInfo {
  pid: number;
  holder: LockHolder;
}

export interface DataLock {
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockPath(dataDir: string): string {
  return join(dataDir, 'mektep.lock');
}

/** The live process holding DATA_DIR, if any (a lock left by a dead process counts as none). */
export function readLock(dataDir: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(lockPath(dataDir), 'utf8')) as LockInfo;
    return Number.isInteger(info.pid) && isAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

export function acquireDataLock(dataDir: string, holder: LockHolder): DataLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = lockPath(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, holder } satisfies LockInfo));
      closeSync(fd);
      return {
        release() {
          const current = readLock(dataDir);
          if (current?.pid === process.pid) unlinkSync(path);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readLock(dataDir);
      if (owner) {
        const what = owner.holder === 'server' ? 'Mektep is already running' : 'a mektep command is using the data';
        throw new AlreadyRunningError(`${what} (pid ${owner.pid}) with data in ${dataDir}; stop it first or use another DATA_DIR`);
      }
      // Left behind by a process that died: take it over.
      unlinkSync(path);
    }
  }
  throw new AlreadyRunningError(`could not take the lock ${path}`);
}
