import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { QuantlabError } from '../core';

/**
 * The runner's state file as a file: refusing one that is empty, not a SQLite database, damaged, or from
 * something else (instead of silently starting a new session that forgets the history and the open
 * position), and moving a session aside when a new one is started deliberately (--new-session).
 */

/** The tables every state file has (created with the file). */
export const STATE_TABLES = ['meta', 'kv', 'bars', 'orders', 'fills', 'events'] as const;

const SQLITE_MAGIC = 'SQLite format 3\0';

/** How to recover, said in every refusal. */
export const RECOVER = 'restore the file from a backup, or start over deliberately with --new-session (moves it aside, nothing is deleted)';

/** STATE_DAMAGED naming the state file, what was found and how to recover. */
export const damaged = (path: string, found: string): QuantlabError =>
  new QuantlabError('STATE_DAMAGED', `${path}: expected the runner's state database, found ${found}; the session's history and open position are in it, so the runner will not start a new one silently: ${RECOVER}`);

/** Checks the bytes of an existing state file before SQLite opens it: not empty, a SQLite database. */
export function checkStateBytes(path: string): void {
  const size = statSync(path).size;
  if (size === 0) throw damaged(path, 'an empty file (0 bytes)');
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(16);
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1') !== SQLITE_MAGIC) {
    const shown = head.subarray(0, Math.min(16, size)).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
    throw damaged(path, `a file that is not a SQLite database (${size} bytes starting '${shown}')`);
  }
}

interface Db {
  pragma(sql: string, o?: { simple?: boolean }): unknown;
  prepare(sql: string): { all(...a: unknown[]): unknown[] };
}

/** Checks an opened state database: intact pages and the runner's tables. */
export function checkStateDb(db: Db, path: string): void {
  const check = db.pragma('quick_check(3)') as Array<{ quick_check: string }>;
  const problems = check.map((r) => r.quick_check).filter((x) => x !== 'ok');
  if (problems.length) throw damaged(path, `a damaged database (SQLite integrity check: ${problems.join('; ')})`);
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
  const missing = STATE_TABLES.filter((t) => !tables.includes(t));
  if (missing.length === STATE_TABLES.length) throw damaged(path, tables.length ? `a SQLite database of something else (tables: ${tables.slice(0, 8).join(', ')})` : 'an empty database (no tables)');
  if (missing.length) throw damaged(path, `a state database without its ${missing.join(', ')} table(s)`);
}

/** Refuses a state file with history (bars, orders, fills) but no session record: starting a new session would forget it. */
export function checkSessionRecord(path: string, session: string | undefined, history: Record<string, number>): void {
  if (session) return;
  const held = Object.entries(history).filter(([, n]) => n > 0);
  if (held.length) throw damaged(path, `history (${held.map(([t, n]) => `${n} ${t}`).join(', ')}) without its session record`);
}

/** A SQLite failure while opening or reading a state file, as a QuantlabError naming the file. */
export function stateError(path: string, e: unknown): QuantlabError {
  if (e instanceof QuantlabError) return e;
  const err = e as Error & { code?: string };
  const code = String(err.code ?? '');
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return new QuantlabError('LOCKED', `${path}: the state database is locked by another process (${err.message}); is another runner using it?`);
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_PERM') return new QuantlabError('IO_ERROR', `${path}: cannot open the state database (${code}: ${err.message}); check the folder exists and is writable`);
  if (code.startsWith('SQLITE_')) return damaged(path, `a database SQLite cannot read (${code}: ${err.message})`);
  return new QuantlabError('IO_ERROR', `${path}: ${err.message}`);
}

/**
 * The runner's log beside a missing state file records a session: the state was deleted or lost. Returns the
 * time of the last start in the log, or undefined when the log records none.
 */
export function lostSessionStart(logPath: string): string | undefined {
  if (!existsSync(logPath)) return undefined;
  let last: string | undefined;
  for (const line of readFileSync(logPath, 'utf8').split('\n')) {
    if (!line.includes('"event":"start"')) continue;
    try {
      last = String((JSON.parse(line) as { at?: string }).at ?? 'an unknown time');
    } catch {
      last = 'an unknown time';
    }
  }
  return last;
}

/** Refuses a start when the state file is missing but the log says a session ran here. */
export function checkNotLost(statePath: string, logPath: string): void {
  if (existsSync(statePath)) return;
  const at = lostSessionStart(logPath);
  if (at !== undefined) {
    throw new QuantlabError(
      'STATE_DAMAGED',
      `${statePath}: expected the runner's state database, found no file, but ${logPath} records a session here (last started ${at}); the history and open position were in that file: ${RECOVER}`,
    );
  }
}

/**
 * Moves a session's files aside for a deliberate new start: `paper.db` (and its -wal/-shm) to
 * `paper.replaced-<time>.db`, the log to `paper.replaced-<time>.log.jsonl`. Returns the new paths (none when
 * there was nothing to move).
 */
export function moveSessionAside(statePath: string, logPath: string, now = new Date()): string[] {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const dir = dirname(statePath);
  const stem = basename(statePath).replace(/\.db$/, '');
  const moves: Array<[string, string]> = [];
  const db = join(dir, `${stem}.replaced-${stamp}.db`);
  if (existsSync(statePath)) moves.push([statePath, db]);
  for (const s of ['-wal', '-shm']) if (existsSync(statePath + s)) moves.push([statePath + s, db + s]);
  if (existsSync(logPath)) moves.push([logPath, join(dir, `${basename(logPath).replace(/\.log\.jsonl$/, '')}.replaced-${stamp}.log.jsonl`)]);
  for (const [, to] of moves) if (existsSync(to)) throw new QuantlabError('IO_ERROR', `${to}: already exists; try --new-session again in a second`);
  for (const [from, to] of moves) renameSync(from, to);
  return moves.map(([, to]) => to);
}
