import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { QuantlabError } from '../core';

/**
 * One runner per state file: a lock file created with O_EXCL beside it, holding who took it (pid, host,
 * process start time, when). A second runner is refused with the holder; a lock whose process is gone
 * (killed with -9, crashed, or its pid now belongs to another program) is taken over, and the caller is told.
 */

export interface LockHolder {
  pid: number;
  host: string;
  /** when the lock was taken (ISO time). */
  startedAt: string;
  /** the process's start time from /proc (clock ticks after boot), to tell a reused pid apart; '' when unknown. */
  procStart: string;
  /** what holds it, e.g. 'paper runner'. */
  what: string;
  /** identifies this lock (a process may hold several). */
  token: string;
}

export interface RunLock {
  path: string;
  holder: LockHolder;
  /** the dead holder whose stale lock was taken over, when there was one. */
  takenOver?: LockHolder & { why: string };
  release(): void;
}

/** A process's start time from /proc/<pid>/stat (Linux), '' where there is no /proc. */
function procStart(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

/** Whether the holder's process still runs on this host (a pid reused by a later process does not count). */
function alive(h: LockHolder): boolean {
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const now = procStart(h.pid);
  return !(h.procStart && now && now !== h.procStart);
}

const describe = (h: LockHolder): string => `${h.what || 'a runner'} (pid ${h.pid} on ${h.host}, since ${h.startedAt})`;

function parse(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text) as LockHolder;
    return Number.isInteger(h.pid) && h.pid > 0 && typeof h.host === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

/** Creates the lock file exclusively; false when it exists. */
function create(path: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Reads the holder, giving a writer that just created the file a moment to finish. */
function readHolder(path: string): { text: string; holder?: LockHolder } | undefined {
  let text = '';
  for (let i = 0; i < 20; i++) {
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const holder = parse(text);
    if (holder) return { text, holder };
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
  return { text };
}

const refuse = (path: string, h: LockHolder, what: string): QuantlabError =>
  new QuantlabError(
    'LOCKED',
    `${path}: ${what} is refused: ${describe(h)} runs on this state already; stop it first (Ctrl-C or kill ${h.pid}${h.host !== hostname() ? ` on ${h.host}` : ''})${h.host !== hostname() ? `, or delete the lock file if that runner is gone (its host cannot be checked from here)` : ''}`,
    { holder: h },
  );

/**
 * Takes the lock at `path` for `what` (e.g. 'paper runner'), or throws LOCKED naming the holder. A stale
 * lock (its process is gone) is taken over: `takenOver` says whose it was.
 */
export function acquireRunLock(path: string, what: string): RunLock {
  const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), procStart: procStart(process.pid), what, token: randomBytes(8).toString('hex') };
  let takenOver: RunLock['takenOver'];
  for (let attempt = 0; attempt < 3 && !create(path, holder); attempt++) {
    const seen = readHolder(path);
    if (!seen) continue; // released in the meantime: try again
    const old = seen.holder;
    let why: string;
    if (!old) {
      const ageMs = Date.now() - statSync(path).mtimeMs;
      if (ageMs < 10_000) throw new QuantlabError('LOCKED', `${path}: ${what} is refused: the lock file is being written or is unreadable (found ${JSON.stringify(seen.text.slice(0, 80))}); try again, or delete it if no runner is running`);
      why = `unreadable lock file (${JSON.stringify(seen.text.slice(0, 80))}, ${Math.round(ageMs / 1000)} s old)`;
    } else if (old.host !== holder.host || alive(old)) {
      throw refuse(path, old, what);
    } else {
      why = `pid ${old.pid} is no longer running`;
    }
    // take over: move the stale file aside atomically, and make sure it was the one judged stale
    const aside = `${path}.stale-${holder.token}`;
    try {
      renameSync(path, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const moved = readFileSync(aside, 'utf8');
    if (moved !== seen.text) {
      // another runner took the stale lock over a moment ago: put its lock back and refuse
      try {
        linkSync(aside, path);
      } catch {
        /* a third runner holds it now */
      }
      unlinkSync(aside);
      const now = parse(moved);
      if (now) throw refuse(path, now, what);
      continue;
    }
    unlinkSync(aside);
    takenOver = { ...(old ?? { pid: 0, host: '', startedAt: '', procStart: '', what: '', token: '' }), why };
  }
  if (!existsSync(path) || parse(readFileSync(path, 'utf8'))?.token !== holder.token) {
    const now = readHolder(path)?.holder;
    if (now) throw refuse(path, now, what);
    throw new QuantlabError('LOCKED', `${path}: ${what} is refused: could not take the lock (it kept changing hands)`);
  }
  const release = () => {
    process.off('exit', release);
    try {
      if (parse(readFileSync(path, 'utf8'))?.token === holder.token) unlinkSync(path);
    } catch {
      /* already gone */
    }
  };
  process.on('exit', release);
  return { path, holder, takenOver, release };
}
