import { existsSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ensureDir, QuantlabError, writeFileAtomic, type Bars } from '../core';
import { experimentsRoot } from '../data';
import { canonicalJson, kernelLineDisplay, openStorage, type LineDisplay, type Storage, type TrialRecord } from '../optimizer';
import type { AnyStrategy } from '../strategy';
import { functionHash, sha256 } from './hash';
import type { OverfittingReport } from './result';

/**
 * Studies persist by default in notebooks: inside the notebook kernel, `optimize`, `sweep` and
 * `walkForwardOptimize` called without `storage` keep their study in `<experiments>/studies.db` under a name
 * derived from what defines it, so re-running a cell resumes the finished study (no new trial) and returns the
 * same result; any change to the call is another name, so another study. Elsewhere studies stay in memory.
 */

/** Whether this process is the notebook kernel: QUANTLAB_NOTEBOOK=1 / 0 says so, else tslab's display is probed. */
export function inNotebook(): boolean {
  const forced = process.env.QUANTLAB_NOTEBOOK;
  if (forced === '1' || forced === 'true') return true;
  if (forced === '0' || forced === 'false') return false;
  try {
    // tslab's output channel is set only while the kernel executes a cell (see lib/optimizer/progress.ts)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jupyter = require('tslab/dist/jupyter') as { lastWriteDisplayData?: unknown };
    return typeof jupyter.lastWriteDisplayData === 'function';
  } catch {
    return false;
  }
}


/** The storage of studies made in notebooks: <experiments>/studies.db. */
export const notebookStudiesPath = (): string => join(experimentsRoot(), 'studies.db');

/** What the `storage` option resolves to: a storage (or URL), and whether it is the notebook default. */
export interface StudyStorageChoice {
  storage: string | Storage;
  /** True when no storage was given and this is a notebook: the study persists under a derived name. */
  notebook: boolean;
}

/** `storage` as given: false or 'memory' mean 'memory:'; none means the notebook default inside the kernel, else 'memory:'. */
export function studyStorage(given: string | Storage | false | undefined): StudyStorageChoice {
  if (given === false || given === 'memory') return { storage: 'memory:', notebook: false };
  if (given !== undefined) return { storage: given, notebook: false };
  if (!inNotebook()) return { storage: 'memory:', notebook: false };
  return { storage: `sqlite:${notebookStudiesPath()}`, notebook: true };
}

/** Opens a resolved storage choice; `owns` says whether the caller closes it. */
export function openStudyStorage(choice: StudyStorageChoice): { storage: Storage; owns: boolean } {
  if (typeof choice.storage === 'object') return { storage: choice.storage, owns: false };
  try {
    return { storage: openStorage(choice.storage), owns: true };
  } catch (e) {
    if (!choice.notebook || !(e instanceof QuantlabError)) throw e;
    throw new QuantlabError(e.code, `${e.message} — studies made in a notebook persist there by default; pass storage: false to keep this one in memory, or set QUANTLAB_EXPERIMENTS to a writable folder`, e.details);
  }
}

const slug = (name: string): string => name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48) || 'strategy';

/** Plain JSON of a value for hashing: functions by their source hash, typed arrays and bars by their content. */
export function identityValue(v: unknown, seen = new Set<unknown>()): unknown {
  if (typeof v === 'function') return { function: functionHash(v) };
  if (ArrayBuffer.isView(v)) return { length: (v as unknown as ArrayLike<number>).length, sha256: sha256(v) };
  if (!v || typeof v !== 'object') return v;
  if (seen.has(v)) return '[circular]';
  seen.add(v);
  const b = v as Partial<Bars>;
  if (b.ts instanceof Float64Array && b.close instanceof Float64Array && b.open && b.high && b.low && b.volume) {
    return { symbol: b.symbol, timeframe: b.timeframe, bars: sha256(b.ts, b.open, b.high, b.low, b.close, b.volume) };
  }
  if (Array.isArray(v)) return v.map((x) => identityValue(x, seen));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, identityValue(x, seen)]));
}

/** The 8 hex digits naming a study defined by `parts` (canonical JSON, SHA-256). */
export const identityHash = (parts: unknown): string => sha256(canonicalJson(identityValue(parts))).slice(0, 8);

/** 'nb-<strategy>-<hash8>': the default name of a notebook study (`kind` 'wf' for walk-forward prefixes). */
export function notebookStudyName(strategy: AnyStrategy, parts: unknown, kind?: string): string {
  return `nb-${slug(strategy.name)}${kind ? `-${kind}` : ''}-${identityHash(parts)}`;
}

/** A path as the user reads it: relative to the working folder when under it. */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !rel.startsWith(sep) ? rel : path;
}

/** Where a notebook study lives, in one line. */
export function studyNotice(what: string, resumed: string | null, them = false): string {
  const it = them ? 'them' : 'it';
  return `${what} in ${shownPath(notebookStudiesPath())}${resumed ? ` (${resumed})` : ''}: re-running this cell resumes ${it} (storage: false keeps ${it} in memory only)`;
}

/**
 * Where notebook lines go: inside the kernel one display entry (its last line kept below what the progress
 * bar writes into the same entry), elsewhere stderr.
 */
export interface NoticeOutput {
  /** Shows the notice (alone, or under `progressLine`). */
  show(progressLine?: string): void;
  /** The display the progress bar writes into (the notice stays under it), or undefined outside the kernel. */
  display?: LineDisplay;
}

export function noticeOutput(notice: string): NoticeOutput {
  const kernel = kernelLineDisplay();
  if (!kernel) {
    let shown = false;
    return {
      show: (line) => {
        if (line !== undefined) process.stderr.write(`${line}\n`);
        if (!shown) process.stderr.write(`${notice}\n`);
        shown = true;
      },
    };
  }
  const show = (line?: string) => kernel.text(line === undefined ? notice : `${line}\n${notice}`);
  return { show, display: { text: (s) => show(s) } };
}

// ---- the overfitting statistics of a finished notebook study, kept beside the study ----

/** What the statistics depend on besides the study's identity: its finished trials, the seed, the options. */
export function overfittingKey(trials: readonly TrialRecord[], seed: number, options: unknown): string {
  const finished = trials.filter((t) => t.state === 'complete' || t.state === 'pruned').map((t) => [t.number, t.state, t.params, t.values, t.infeasible ?? null]);
  return sha256(canonicalJson({ finished, seed, options: identityValue(options ?? null) }));
}

const cacheFile = (study: string): string => join(experimentsRoot(), 'studies-cache', `${slug(study)}-${sha256(study).slice(0, 8)}.json`);

/** JSON with NaN, ±Infinity and Float64Arrays kept. */
const encode = (_k: string, v: unknown): unknown =>
  typeof v === 'number' && !Number.isFinite(v) ? { $number: String(v) } : v instanceof Float64Array ? { $float64: Array.from(v, (x) => (Number.isFinite(x) ? x : String(x))) } : v;
const decode = (_k: string, v: unknown): unknown => {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.$number === 'string') return Number(o.$number);
    if (Array.isArray(o.$float64)) return Float64Array.from(o.$float64 as (number | string)[], Number);
  }
  return v;
};

/** The stored overfitting statistics of a study when they were computed from the same trials, seed and options. */
export function cachedOverfitting(study: string, key: string): OverfittingReport | null {
  const file = cacheFile(study);
  if (!existsSync(file)) return null;
  try {
    const got = JSON.parse(readFileSync(file, 'utf8'), decode) as { study?: string; key?: string; overfitting?: OverfittingReport };
    return got.study === study && got.key === key && got.overfitting ? got.overfitting : null;
  } catch {
    return null; // an unreadable cache is recomputed and rewritten
  }
}

/** Keeps the overfitting statistics of a study for the next run of the same cell. */
export function saveOverfitting(study: string, key: string, overfitting: OverfittingReport): void {
  const file = cacheFile(study);
  ensureDir(experimentsRoot(), 'experiments folder');
  ensureDir(join(experimentsRoot(), 'studies-cache'), 'study cache');
  writeFileAtomic(file, JSON.stringify({ study, key, overfitting }, encode), 'study cache');
}
