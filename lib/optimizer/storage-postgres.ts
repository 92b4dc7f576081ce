import { Pool, type PoolClient } from 'pg';
import { QuantlabError } from '../core';
import type { Params } from './space';
import { canonicalParams } from './storage-sqlite';
import { directionClash, noStudy, notRunning, redactUrl, zeroCounts, type NewStudy, type Refusal, type Storage, type TrialClaim, type TrialFilter } from './storage';
import { decodeNumbers, encodeNumbers, sortBest, TRIAL_STATES, type Direction, type StudyRecord, type StudySummary, type TrialRecord, type TrialRow, type TrialState, trialFromRow } from './trial';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS quantlab_studies (
  id SERIAL PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  directions TEXT NOT NULL,
  space TEXT,
  meta TEXT NOT NULL,
  created DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS quantlab_trials (
  study_id INTEGER NOT NULL REFERENCES quantlab_studies (id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  params TEXT NOT NULL,
  vals TEXT,
  state TEXT NOT NULL,
  intermediate TEXT NOT NULL,
  datetime_start DOUBLE PRECISION NOT NULL,
  datetime_complete DOUBLE PRECISION,
  heartbeat DOUBLE PRECISION NOT NULL,
  worker TEXT NOT NULL,
  PRIMARY KEY (study_id, number)
);
CREATE INDEX IF NOT EXISTS quantlab_trials_params ON quantlab_trials (study_id, params);
CREATE INDEX IF NOT EXISTS quantlab_trials_state ON quantlab_trials (study_id, state);
ALTER TABLE quantlab_trials ADD COLUMN IF NOT EXISTS infeasible TEXT;
`;


/**
 * Studies in PostgreSQL, so that workers on several machines share one study. Trial numbers are allocated
 * while holding a row lock on the study (SELECT … FOR UPDATE), which serialises claims across connections.
 */
export class PostgresStorage implements Storage {
  readonly url: string;
  private readonly pool: Pool;
  private ready: Promise<void> | null = null;

  constructor(connectionString: string, options: { max?: number } = {}) {
    this.url = redactUrl(connectionString);
    this.pool = new Pool({ connectionString, max: options.max ?? 4, connectionTimeoutMillis: 10_000 });
    this.pool.on('error', () => undefined); // idle client errors surface on the next query
  }

  private fail(e: unknown): never {
    if (e instanceof QuantlabError) throw e;
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ECONNREFUSED' ? 'cannot connect (connection refused)' : err.message;
    throw new QuantlabError('BAD_ARGUMENT', `storage ${this.url}: ${why}`);
  }

  private init(): Promise<void> {
    if (!this.ready) {
      this.ready = (async () => {
        const c = await this.pool.connect();
        try {
          await c.query('BEGIN');
          await c.query('SELECT pg_advisory_xact_lock(7243101)'); // two processes creating the schema at once
          await c.query(SCHEMA);
          await c.query('COMMIT');
        } catch (e) {
          await c.query('ROLLBACK').catch(() => undefined);
          throw e;
        } finally {
          c.release();
        }
      })();
      this.ready.catch(() => (this.ready = null));
    }
    return this.ready;
  }

  /** Runs fn in a transaction on one client; retried when PostgreSQL reports a deadlock or serialisation failure. */
  private async tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.init();
        const c = await this.pool.connect();
        try {
          await c.query('BEGIN');
          const out = await fn(c);
          await c.query('COMMIT');
          return out;
        } catch (e) {
          await c.query('ROLLBACK').catch(() => undefined);
          throw e;
        } finally {
          c.release();
        }
      } catch (e) {
        const code = (e as { code?: string }).code;
        if ((code === '40P01' || code === '40001') && attempt < 8) {
          await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
          continue;
        }
        return this.fail(e);
      }
    }
  }

  private async q<R extends object>(sql: string, args: unknown[] = []): Promise<R[]> {
    try {
      await this.init();
      return (await this.pool.query(sql, args)).rows as R[];
    } catch (e) {
      return this.fail(e);
    }
  }

  /** The study's id, locked for this transaction when `lock`. */
  private async studyId(c: PoolClient, name: string, lock = false): Promise<number> {
    const r = await c.query(`SELECT id FROM quantlab_studies WHERE name = $1${lock ? ' FOR UPDATE' : ''}`, [name]);
    if (!r.rows.length) throw noStudy(this.url, name);
    return r.rows[0].id as number;
  }

  private toStudy(r: { name: string; directions: string; space: string | null; meta: string; created: number }): StudyRecord {
    return { name: r.name, directions: JSON.parse(r.directions) as Direction[], space: r.space === null ? null : JSON.parse(r.space), meta: JSON.parse(r.meta), created: Number(r.created) };
  }

  async createStudy(study: NewStudy): Promise<StudyRecord> {
    return this.tx(async (c) => {
      await c.query(
        'INSERT INTO quantlab_studies (name, directions, space, meta, created) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING',
        [study.name, JSON.stringify(study.directions), study.space ? JSON.stringify(study.space) : null, JSON.stringify(study.meta ?? {}), Date.now()],
      );
      const r = await c.query('SELECT name, directions, space, meta, created FROM quantlab_studies WHERE name = $1', [study.name]);
      const rec = this.toStudy(r.rows[0]);
      if (rec.directions.join() !== study.directions.join()) throw directionClash(this.url, study.name, rec.directions, study.directions);
      return rec;
    });
  }

  async getStudy(name: string): Promise<StudyRecord | null> {
    const rows = await this.q<{ name: string; directions: string; space: string | null; meta: string; created: number }>(
      'SELECT name, directions, space, meta, created FROM quantlab_studies WHERE name = $1',
      [name],
    );
    return rows.length ? this.toStudy(rows[0]!) : null;
  }

  async listStudies(): Promise<StudySummary[]> {
    const studies = await this.q<{ id: number; name: string; directions: string; space: string | null; meta: string; created: number }>(
      'SELECT id, name, directions, space, meta, created FROM quantlab_studies ORDER BY created, name',
    );
    const out: StudySummary[] = [];
    for (const s of studies) {
      const rec = this.toStudy(s);
      const counts = zeroCounts();
      for (const r of await this.q<{ state: TrialState; n: string }>('SELECT state, COUNT(*) AS n FROM quantlab_trials WHERE study_id = $1 GROUP BY state', [s.id])) {
        if (TRIAL_STATES.includes(r.state)) counts[r.state] = Number(r.n);
      }
      const complete = (await this.q<TrialRow>("SELECT * FROM quantlab_trials WHERE study_id = $1 AND state = 'complete'", [s.id])).map(trialFromRow);
      const best = sortBest(complete, rec.directions[0]!)[0];
      out.push({ ...rec, counts, bestValue: best?.values?.[0] ?? NaN });
    }
    return out;
  }

  async deleteStudy(name: string): Promise<void> {
    await this.q('DELETE FROM quantlab_studies WHERE name = $1', [name]);
  }

  async claimTrial(name: string, claim: TrialClaim): Promise<TrialRecord | Refusal> {
    return this.tx(async (c) => {
      const id = await this.studyId(c, name, true);
      if (claim.limit !== undefined) {
        const r = await c.query("SELECT COUNT(*) AS n FROM quantlab_trials WHERE study_id = $1 AND state != 'fail'", [id]);
        if (Number(r.rows[0].n) >= claim.limit) return { refused: 'limit' } as Refusal;
      }
      const params = canonicalParams(claim.params);
      if (claim.unique) {
        const r = await c.query("SELECT 1 FROM quantlab_trials WHERE study_id = $1 AND params = $2 AND state != 'fail' LIMIT 1", [id, params]);
        if (r.rows.length) return { refused: 'duplicate' } as Refusal;
      }
      const r = await c.query(
        `INSERT INTO quantlab_trials (study_id, number, params, vals, state, intermediate, datetime_start, datetime_complete, heartbeat, worker)
         SELECT $1, COALESCE(MAX(number) + 1, 0), $2, NULL, 'running', '{}', $3, NULL, $3, $4 FROM quantlab_trials WHERE study_id = $1
         RETURNING *`,
        [id, params, claim.now, claim.worker],
      );
      return trialFromRow(r.rows[0] as TrialRow);
    });
  }

  private async running(c: PoolClient, name: string, number: number): Promise<{ id: number; row: TrialRow }> {
    const id = await this.studyId(c, name);
    const r = await c.query('SELECT * FROM quantlab_trials WHERE study_id = $1 AND number = $2 FOR UPDATE', [id, number]);
    if (!r.rows.length) throw notRunning(this.url, name, number, 'missing');
    const row = r.rows[0] as TrialRow;
    if (row.state !== 'running') throw notRunning(this.url, name, number, row.state);
    return { id, row };
  }

  async setParams(name: string, number: number, params: Params): Promise<void> {
    await this.tx(async (c) => {
      const { id } = await this.running(c, name, number);
      await c.query('UPDATE quantlab_trials SET params = $3 WHERE study_id = $1 AND number = $2', [id, number, canonicalParams(params)]);
    });
  }

  async reportIntermediate(name: string, number: number, step: number, value: number): Promise<void> {
    await this.tx(async (c) => {
      const { id, row } = await this.running(c, name, number);
      const im = decodeNumbers<Record<number, number>>(row.intermediate);
      im[step] = value;
      await c.query('UPDATE quantlab_trials SET intermediate = $3 WHERE study_id = $1 AND number = $2', [id, number, encodeNumbers(im)]);
    });
  }

  async heartbeat(name: string, numbers: readonly number[], now: number): Promise<void> {
    if (!numbers.length) return;
    await this.q(
      "UPDATE quantlab_trials SET heartbeat = $3 WHERE study_id = (SELECT id FROM quantlab_studies WHERE name = $1) AND number = ANY($2::int[]) AND state = 'running'",
      [name, numbers, now],
    );
  }

  async finishTrial(name: string, number: number, state: Exclude<TrialState, 'running'>, values: number[] | null, now: number, infeasible?: string | null): Promise<boolean> {
    return this.tx(async (c) => {
      const id = await this.studyId(c, name);
      const r = await c.query(
        "UPDATE quantlab_trials SET state = $3, vals = $4, datetime_complete = $5, infeasible = $6 WHERE study_id = $1 AND number = $2 AND state = 'running'",
        [id, number, state, values ? encodeNumbers(values) : null, now, state === 'complete' && infeasible ? infeasible : null],
      );
      if (r.rowCount === 0) {
        const e = await c.query('SELECT 1 FROM quantlab_trials WHERE study_id = $1 AND number = $2', [id, number]);
        if (!e.rows.length) throw notRunning(this.url, name, number, 'missing');
      }
      return r.rowCount === 1;
    });
  }

  async failStaleTrials(name: string, staleBefore: number, now: number): Promise<number[]> {
    return this.tx(async (c) => {
      const id = await this.studyId(c, name);
      const r = await c.query(
        "UPDATE quantlab_trials SET state = 'fail', datetime_complete = $3 WHERE study_id = $1 AND state = 'running' AND heartbeat < $2 RETURNING number",
        [id, staleBefore, now],
      );
      return (r.rows as { number: number }[]).map((x) => Number(x.number)).sort((a, b) => a - b);
    });
  }

  async getTrials(name: string, filter: TrialFilter = {}): Promise<TrialRecord[]> {
    const { states, from = 0 } = filter;
    const rows = await this.q<TrialRow & { missing?: boolean }>(
      `SELECT t.* FROM quantlab_studies s LEFT JOIN quantlab_trials t ON t.study_id = s.id AND t.number >= $2 ${states ? 'AND t.state = ANY($3::text[])' : ''}
       WHERE s.name = $1 ORDER BY t.number`,
      states ? [name, from, states] : [name, from],
    );
    if (!rows.length) throw noStudy(this.url, name);
    return rows.filter((r) => r.number !== null).map(trialFromRow);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
