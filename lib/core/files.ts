import { existsSync, mkdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { QuantlabError } from './errors';

/** A file-system failure as an IO_ERROR naming what was being written and where. */
function ioError(what: string, path: string, e: unknown): QuantlabError {
  const err = e as NodeJS.ErrnoException;
  const why = err.code ? `${err.code}: ${err.message.replace(/^[A-Z]+:\s*/, '').split('\n')[0]}` : String(e);
  return new QuantlabError('IO_ERROR', `${what}: cannot write ${path} (${why})`);
}

/**
 * Creates `dir` and its missing parents one level at a time — a recursive mkdir spins forever on some special
 * file systems (/proc) — and returns its absolute path. Refuses a path whose existing part is a file.
 * @example ensureDir(require('node:os').tmpdir(), 'a report') === require('node:path').resolve(require('node:os').tmpdir()) // true
 */
export function ensureDir(dir: string, what = 'output'): string {
  const abs = resolve(dir);
  const missing: string[] = [];
  let d = abs;
  while (!existsSync(d) && dirname(d) !== d) {
    missing.push(d);
    d = dirname(d);
  }
  let isDir: boolean;
  try {
    isDir = statSync(d).isDirectory();
  } catch (e) {
    throw ioError(what, abs, e);
  }
  if (!isDir) throw new QuantlabError('BAD_ARGUMENT', `${what}: expected a folder at ${d}, found a file`);
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(what, m, e);
    }
  }
  return abs;
}

/**
 * Writes `data` to `path` through a temporary file and a rename (a reader never sees half a file; a crash
 * leaves the old file), creating the folder first. Returns the absolute path.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, what = 'output', mode?: number): string {
  const abs = resolve(path);
  if (existsSync(abs) && statSync(abs).isDirectory()) throw new QuantlabError('BAD_ARGUMENT', `${what}: expected a file path, found a folder at ${abs}`);
  ensureDir(dirname(abs), what);
  const tmp = `${abs}.tmp-${process.pid}`;
  try {
    // `mode` (e.g. 0o600 for a secret) is set at creation, so the file is never readable by others, even briefly
    writeFileSync(tmp, data, mode === undefined ? undefined : { mode });
    renameSync(tmp, abs);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    throw ioError(what, abs, e);
  }
  return abs;
}
