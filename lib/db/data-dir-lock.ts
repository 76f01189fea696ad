/**
 * PGlite has no lock across processes: two processes opening the same folder
 * silently diverge (one serves stale data) and can corrupt it. We guard the
 * folder with a lock file that names its holder and refuse clearly.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
    readonly holderCommand: string,
  ) {
    super(
      `The embedded database in ${dataDir} is open in another process (pid ${holderPid}: ${holderCommand}). ` +
        'PGlite can be used by one process at a time: stop that process (usually the running app) and retry, ' +
        'or set DATABASE_URL to use a PostgreSQL server. Nothing was changed.',
    );
    this.name = 'DataDirLockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'pglite.lock');
  const me = JSON.stringify({ pid: process.pid, command: process.argv.slice(1).join(' ').slice(0, 200) });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, me);
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          const holder = JSON.parse(readFileSync(file, 'utf8')) as { pid: number };
          if (holder.pid === process.pid) unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder: { pid: number; command?: string } = { pid: 0 };
      try {
        holder = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        /* unreadable: treat as stale */
      }
      if (holder.pid && holder.pid !== process.pid && isAlive(holder.pid)) {
        throw new DataDirLockedError(dataDir, holder.pid, holder.command ?? 'unknown');
      }
      // The holder died without cleaning up: take the folder over.
      unlinkSync(file);
    }
  }
  throw new Error(`Could not lock ${file}`);
}
