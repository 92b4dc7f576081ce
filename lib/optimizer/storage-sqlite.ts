import Database from 'better-sqlite3';
import { dirname, resolve } from 'node:path';
import { ensureDir, QuantlabError } from '../core';
import type { Params } from './space';
import { directionClash, noStudy, notRunning, zeroCounts, type NewStudy, type Refusal, type Storage, type TrialClaim, type TrialFilter } from './storage';
import { decodeNumbers, encodeNumbers, sortBest, TRIAL_STATES, type Direction, type StudyRecord, type StudySummary, type TrialRecord, type TrialRow, type TrialState, trialFromRow } from './trial';

/** Parameters as JSON with sorted keys, so that equal sets are equal text (the unique check compares text). */
export const canonicalParams = (p: Params): string => JSON.stringify(Object.fromEntries(Object.keys(p).sort().map((k) => [k, p[k]])));

const SCHEMA = `
CREATE TABLE IF NOT EXISTS studies (
  name TEXT PRIMARY KEY,
  directions TEXT NOT NULL,
  space TEXT,
  meta TEXT NOT NULL,
  created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS trials (
  study TEXT NOT NULL,
  number INTEGER NOT NULL,
  params TEXT NOT NULL,
  vals TEXT,
  state TEXT NOT NULL,
  intermediate TEXT NOT NULL,
  datetime_start REAL NOT NULL,
  datetime_complete REAL,
  heartbeat REAL NOT NULL,
  worker TEXT NOT NULL,
  infeasible TEXT,
  PRIMARY KEY (study, number)
);
CREATE INDEX IF NOT EXISTS trials_params ON trials (study, params);
CREATE INDEX IF NOT EXISTS trials_state ON trials (study, state);
`;


/**
 * Studies in an SQLite file (WAL mode): the embedded default, shared safely by several processes on one
 * machine. Every write runs in an IMMEDIATE transaction, so claims from different processes serialise.
 */
export class SqliteStorage implements Storage {
  readonly url: string;
  readonly path: string;
  private readonly db: Database.Database;

  constructor(path: string) {
    this.path = path === ':memory:' ? path : resolve(path);
    this.url = `sqlite:${path}`;
    try {
      if (this.path !== ':memory:') ensureDir(dirname(this.path), `storage ${this.url}`);
      this.db = new Database(this.path, { timeout: 30_000 });
      // a new file opened by several processes at once: its switch to WAL can be refused at once (SQLITE_BUSY
      // from SQLite's deadlock avoidance, which skips the busy timeout), so the switch is tried again for as
      // long as that timeout
      const until = Date.now() + 30_000;
      for (;;) {
        try {
          this.db.pragma('journal_mode = WAL');
          break;
        } catch (e) {
          if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > until) throw e;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        }
      }
      this.db.pragma('synchronous = NORMAL');
      // one IMMEDIATE transaction: processes opening a new file at once create it once, and the column check
      // below cannot race (two processes both seeing it missing and both adding it)
      this.tx(() => {
        this.db.exec(SCHEMA);
        // files written before trials could be infeasible: add the column
        const cols = this.db.prepare('PRAGMA table_info(trials)').all() as { name: string }[];
        if (!cols.some((c) => c.name === 'infeasible')) this.db.exec('ALTER TABLE trials ADD COLUMN infeasible TEXT');
      });
    } catch (e) {
      if (e instanceof QuantlabError) throw e;
      throw new QuantlabError('BAD_ARGUMENT', `storage ${this.url}: cannot open the database (${(e as Error).message})`);
    }
  }

  private tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private studyRow(name: string): StudyRecord | null {
    const r = this.db.prepare('SELECT name, directions, space, meta, created FROM studies WHERE name = ?').get(name) as
      | { name: string; directions: string; space: string | null; meta: string; created: number }
      | undefined;
    if (!r) return null;
    return { name: r.name, directions: JSON.parse(r.directions) as Direction[], space: r.space === null ? null : JSON.parse(r.space), meta: JSON.parse(r.meta), created: r.created };
  }

  private need(name: string): void {
    if (!this.db.prepare('SELECT 1 FROM studies WHERE name = ?').get(name)) throw noStudy(this.url, name);
  }

  async createStudy(study: NewStudy): Promise<StudyRecord> {
    return this.tx(() => {
      const old = this.studyRow(study.name);
      if (old) {
        if (old.directions.join() !== study.directions.join()) throw directionClash(this.url, study.name, old.directions, study.directions);
        return old;
      }
      const created = Date.now();
      this.db
        .prepare('INSERT INTO studies (name, directions, space, meta, created) VALUES (?, ?, ?, ?, ?)')
        .run(study.name, JSON.stringify(study.directions), study.space ? JSON.stringify(study.space) : null, JSON.stringify(study.meta ?? {}), created);
      return this.studyRow(study.name)!;
    });
  }

  async getStudy(name: string): Promise<StudyRecord | null> {
    return this.studyRow(name);
  }

  async listStudies(): Promise<StudySummary[]> {
    const names = (this.db.prepare('SELECT name FROM studies ORDER BY created, name').all() as { name: string }[]).map((r) => r.name);
    return names.map((name) => {
      const rec = this.studyRow(name)!;
      const counts = zeroCounts();
      for (const r of this.db.prepare('SELECT state, COUNT(*) AS n FROM trials WHERE study = ? GROUP BY state').all(name) as { state: TrialState; n: number }[]) {
        if (TRIAL_STATES.includes(r.state)) counts[r.state] = r.n;
      }
      const complete = (this.db.prepare("SELECT * FROM trials WHERE study = ? AND state = 'complete'").all(name) as TrialRow[]).map(trialFromRow);
      const best = sortBest(complete, rec.directions[0]!)[0];
      return { ...rec, counts, bestValue: best?.values?.[0] ?? NaN };
    });
  }

  async deleteStudy(name: string): Promise<void> {
    this.tx(() => {
      this.db.prepare('DELETE FROM trials WHERE study = ?').run(name);
      this.db.prepare('DELETE FROM studies WHERE name = ?').run(name);
    });
  }

  async claimTrial(name: string, claim: TrialClaim): Promise<TrialRecord | Refusal> {
    return this.tx(() => {
      this.need(name);
      if (claim.limit !== undefined) {
        const { n } = this.db.prepare("SELECT COUNT(*) AS n FROM trials WHERE study = ? AND state != 'fail'").get(name) as { n: number };
        if (n >= claim.limit) return { refused: 'limit' } as Refusal;
      }
      const params = canonicalParams(claim.params);
      if (claim.unique && this.db.prepare("SELECT 1 FROM trials WHERE study = ? AND params = ? AND state != 'fail'").get(name, params)) {
        return { refused: 'duplicate' } as Refusal;
      }
      const { next } = this.db.prepare('SELECT COALESCE(MAX(number) + 1, 0) AS next FROM trials WHERE study = ?').get(name) as { next: number };
      this.db
        .prepare("INSERT INTO trials (study, number, params, vals, state, intermediate, datetime_start, datetime_complete, heartbeat, worker) VALUES (?, ?, ?, NULL, 'running', '{}', ?, NULL, ?, ?)")
        .run(name, next, params, claim.now, claim.now, claim.worker);
      return trialFromRow(this.db.prepare('SELECT * FROM trials WHERE study = ? AND number = ?').get(name, next) as TrialRow);
    });
  }

  private runningRow(name: string, number: number): TrialRow {
    const r = this.db.prepare('SELECT * FROM trials WHERE study = ? AND number = ?').get(name, number) as TrialRow | undefined;
    if (!r) {
      this.need(name);
      throw notRunning(this.url, name, number, 'missing');
    }
    if (r.state !== 'running') throw notRunning(this.url, name, number, r.state);
    return r;
  }

  async setParams(name: string, number: number, params: Params): Promise<void> {
    this.tx(() => {
      this.runningRow(name, number);
      this.db.prepare('UPDATE trials SET params = ? WHERE study = ? AND number = ?').run(canonicalParams(params), name, number);
    });
  }

  async reportIntermediate(name: string, number: number, step: number, value: number): Promise<void> {
    this.tx(() => {
      const r = this.runningRow(name, number);
      const im = decodeNumbers<Record<number, number>>(r.intermediate);
      im[step] = value;
      this.db.prepare('UPDATE trials SET intermediate = ? WHERE study = ? AND number = ?').run(encodeNumbers(im), name, number);
    });
  }

  async heartbeat(name: string, numbers: readonly number[], now: number): Promise<void> {
    if (!numbers.length) return;
    this.tx(() => {
      const st = this.db.prepare("UPDATE trials SET heartbeat = ? WHERE study = ? AND number = ? AND state = 'running'");
      for (const n of numbers) st.run(now, name, n);
    });
  }

  async finishTrial(name: string, number: number, state: Exclude<TrialState, 'running'>, values: number[] | null, now: number, infeasible?: string | null): Promise<boolean> {
    return this.tx(() => {
      const r = this.db
        .prepare("UPDATE trials SET state = ?, vals = ?, datetime_complete = ?, infeasible = ? WHERE study = ? AND number = ? AND state = 'running'")
        .run(state, values ? encodeNumbers(values) : null, now, state === 'complete' && infeasible ? infeasible : null, name, number);
      if (r.changes === 0) {
        this.need(name);
        if (!this.db.prepare('SELECT 1 FROM trials WHERE study = ? AND number = ?').get(name, number)) throw notRunning(this.url, name, number, 'missing');
      }
      return r.changes === 1;
    });
  }

  async failStaleTrials(name: string, staleBefore: number, now: number): Promise<number[]> {
    return this.tx(() => {
      this.need(name);
      const rows = this.db.prepare("SELECT number FROM trials WHERE study = ? AND state = 'running' AND heartbeat < ? ORDER BY number").all(name, staleBefore) as { number: number }[];
      const st = this.db.prepare("UPDATE trials SET state = 'fail', datetime_complete = ? WHERE study = ? AND number = ? AND state = 'running'");
      for (const r of rows) st.run(now, name, r.number);
      return rows.map((r) => r.number);
    });
  }

  async getTrials(name: string, filter: TrialFilter = {}): Promise<TrialRecord[]> {
    this.need(name);
    const { states, from = 0 } = filter;
    let sql = 'SELECT * FROM trials WHERE study = ? AND number >= ?';
    const args: unknown[] = [name, from];
    if (states) {
      sql += ` AND state IN (${states.map(() => '?').join(', ') || "''"})`;
      args.push(...states);
    }
    return (this.db.prepare(`${sql} ORDER BY number`).all(...args) as TrialRow[]).map(trialFromRow);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
