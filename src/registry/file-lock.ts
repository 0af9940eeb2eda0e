/**
 * A lock between processes on one machine (or one shared volume), for the registry file's writes.
 *
 * The lock is a file that names its holder, created complete: the holder writes a file of its
 * own, then hard-links it to the lock's name. `link` is atomic on local file systems and on NFS:
 * exactly one process creates the name, the others see `EEXIST` and wait. The holder touches the
 * lock while it holds it. A lock whose holder died (killed mid-write) is broken at once when the
 * holder was a process on this machine that no longer exists, otherwise when nobody touched it
 * for `staleMs`. Breaking renames the lock away first: only one waiter can win that rename.
 *
 * The one case this cannot rule out is a holder that stops for longer than `staleMs` without
 * dying (a process frozen by a debugger) and then writes after its lock was broken; the holder
 * checks its token before each write to shrink that window (see {@link HeldLock.assertHeld}).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../domain/errors.js';
import { describeFsError } from './secret-box.js';

export interface FileLockOptions {
  /** A lock untouched for this long belongs to a dead holder (default 30 s). */
  readonly staleMs?: number;
  /** Give up waiting after this long (default 60 s). */
  readonly timeoutMs?: number;
}

export interface HeldLock {
  /** Throws `AppError('storage')` when the lock was broken and taken by another process. */
  assertHeld(): Promise<void>;
  release(): Promise<void>;
}

interface Holder {
  readonly token: string;
  readonly pid: number;
  readonly host: string;
}

/** The file a waiter creates whole before linking it to the lock's name. */
function waiterFile(lockPath: string, token: string): string {
  // The name says whose it is: a waiter killed while writing it leaves it empty.
  const host = encodeURIComponent(hostname()).replaceAll('.', '%2E');
  return path.join(
    path.dirname(lockPath),
    `${waiterPrefix(lockPath)}${host}.${process.pid}.${token}.tmp`,
  );
}

/** Who left a waiter file, read from its name. */
function waiterOf(name: string, prefix: string): Holder | null {
  const [host, pid, token] = name.slice(prefix.length, -'.tmp'.length).split('.');
  if (host === undefined || pid === undefined || token === undefined) return null;
  try {
    return { host: decodeURIComponent(host), pid: Number(pid), token };
  } catch {
    return null;
  }
}

/** Unlike the registry's own temp files (`.registry.json.*.tmp`), which opening removes. */
function waiterPrefix(lockPath: string): string {
  return `.~${path.basename(lockPath)}.`;
}

/**
 * Deletes the files that waiters killed before they cleaned up left beside the lock (their
 * process no longer exists on this machine); returns how many.
 */
export async function removeDeadWaiterFiles(lockPath: string): Promise<number> {
  const dir = path.dirname(lockPath);
  const prefix = waiterPrefix(lockPath);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.startsWith(prefix) && n.endsWith('.tmp'));
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (isDeadHere(waiterOf(name, prefix))) {
      await unlink(path.join(dir, name)).catch(() => undefined);
      removed += 1;
    }
  }
  return removed;
}

/** Acquires the lock at `lockPath` (a file the lock creates), waiting for its holder. */
export async function acquireFileLock(
  lockPath: string,
  options: FileLockOptions = {},
): Promise<HeldLock> {
  const staleMs = options.staleMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const token = randomBytes(12).toString('hex');
  const started = Date.now();
  let wait = 2;
  const holder: Holder = { token, pid: process.pid, host: hostname() };
  const mine = waiterFile(lockPath, token);
  try {
    await writeFile(mine, JSON.stringify(holder), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    throw cannotLock(lockPath, e);
  }
  try {
    for (;;) {
      try {
        await link(mine, lockPath);
        return heldLock(lockPath, token, staleMs);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotLock(lockPath, e);
      }
      if (await breakIfStale(lockPath, staleMs)) continue;
      if (Date.now() - started > timeoutMs) {
        const other = await readHolder(lockPath);
        const who = other ? `process ${other.pid} on ${other.host}` : 'another process';
        throw new AppError(
          'storage',
          `The registry is locked by ${who} and stayed locked for over ${Math.round(timeoutMs / 1000)} s. If that process is gone, delete ${lockPath}.`,
          { file: lockPath },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(wait * 2, 50);
    }
  } finally {
    // The lock's name keeps the content alive; this name was only the way to create it whole.
    await unlink(mine).catch(() => undefined);
  }
}

function cannotLock(lockPath: string, e: unknown): AppError {
  return new AppError(
    'storage',
    `Cannot lock ${lockPath}: ${describeFsError(e)}. The app's user needs write access to the registry's folder.`,
    { file: lockPath },
    { cause: e },
  );
}

function heldLock(lockPath: string, token: string, staleMs: number): HeldLock {
  // Touch well inside the stale age, so a slow write never looks abandoned.
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      utimes(lockPath, now, now).catch(() => undefined);
    },
    Math.max(50, Math.floor(staleMs / 4)),
  );
  heartbeat.unref();
  let released = false;
  return {
    async assertHeld() {
      const holder = await readHolder(lockPath);
      if (holder?.token !== token) {
        throw new AppError(
          'storage',
          `The registry lock ${lockPath} was taken over by another process while this one held it. The change was not saved; try again.`,
          { file: lockPath },
        );
      }
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      const holder = await readHolder(lockPath);
      // Never remove a lock someone else took over.
      if (holder?.token === token) await unlink(lockPath).catch(() => undefined);
    },
  };
}

async function readHolder(lockPath: string): Promise<Holder | null> {
  try {
    const parsed = JSON.parse(await readFile(lockPath, 'utf8')) as unknown;
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof (parsed as Holder).token === 'string'
    ) {
      return parsed as Holder;
    }
    return null;
  } catch {
    return null;
  }
}

/** Removes a lock whose holder is gone; true when it is gone (by us or another waiter). */
async function breakIfStale(lockPath: string, staleMs: number): Promise<boolean> {
  let age: number;
  try {
    age = Date.now() - (await stat(lockPath)).mtimeMs;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
  const judged = await readHolder(lockPath);
  if (age <= staleMs && !isDeadHere(judged)) return false;
  const grave = waiterFile(lockPath, `stale-${randomBytes(6).toString('hex')}`);
  try {
    await rename(lockPath, grave);
  } catch {
    // Another waiter broke it first (or the holder released it): try to take it again.
    return true;
  }
  const buried = await readHolder(grave);
  if (judged !== null && buried?.token !== judged.token) {
    // Between looking and renaming, another waiter broke the stale lock and took a fresh one:
    // give that one back (if nobody else took the name meanwhile).
    await link(grave, lockPath).catch(() => undefined);
  }
  await unlink(grave).catch(() => undefined);
  return true;
}

/** A holder on this host whose process no longer exists (killed mid-write) left the lock. */
function isDeadHere(holder: Holder | null): boolean {
  if (!holder || holder.host !== hostname() || !Number.isInteger(holder.pid)) return false;
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
