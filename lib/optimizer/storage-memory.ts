import type { Params } from './space';
import { directionClash, noStudy, notRunning, zeroCounts, type NewStudy, type Refusal, type Storage, type TrialClaim, type TrialFilter } from './storage';
import { paramsKey } from './space';
import { cloneTrial, sortBest, type StudyRecord, type StudySummary, type TrialRecord, type TrialState } from './trial';

interface MemStudy {
  record: StudyRecord;
  trials: TrialRecord[];
  /** trials that have not failed, by parameter key (for the unique check). */
  live: Map<string, number>;
  keys: string[];
  /** number of trials that have not failed. */
  alive: number;
}

function untrack(s: MemStudy, number: number): void {
  s.alive--;
  const k = s.keys[number]!;
  const c = (s.live.get(k) ?? 1) - 1;
  if (c > 0) s.live.set(k, c);
  else s.live.delete(k);
}

/** Studies kept in this process's memory (lost when it exits). */
export class MemoryStorage implements Storage {
  readonly url = 'memory:';
  private readonly studies = new Map<string, MemStudy>();

  private study(name: string): MemStudy {
    const s = this.studies.get(name);
    if (!s) throw noStudy(this.url, name);
    return s;
  }

  private running(name: string, number: number): TrialRecord {
    const t = this.study(name).trials[number];
    if (!t) throw notRunning(this.url, name, number, 'missing');
    return t;
  }

  async createStudy(study: NewStudy): Promise<StudyRecord> {
    const old = this.studies.get(study.name);
    if (old) {
      if (old.record.directions.join() !== study.directions.join()) throw directionClash(this.url, study.name, old.record.directions, study.directions);
      return structuredClone(old.record);
    }
    const record: StudyRecord = {
      name: study.name,
      directions: [...study.directions],
      space: study.space ? structuredClone(study.space) : null,
      meta: structuredClone(study.meta ?? {}),
      created: Date.now(),
    };
    this.studies.set(study.name, { record, trials: [], live: new Map(), keys: [], alive: 0 });
    return structuredClone(record);
  }

  async getStudy(name: string): Promise<StudyRecord | null> {
    const s = this.studies.get(name);
    return s ? structuredClone(s.record) : null;
  }

  async listStudies(): Promise<StudySummary[]> {
    return [...this.studies.values()].map((s) => {
      const counts = zeroCounts();
      for (const t of s.trials) counts[t.state]++;
      const best = sortBest(
        s.trials.filter((t) => t.state === 'complete'),
        s.record.directions[0]!,
      )[0];
      return { ...structuredClone(s.record), counts, bestValue: best?.values?.[0] ?? NaN };
    });
  }

  async deleteStudy(name: string): Promise<void> {
    this.studies.delete(name);
  }

  async claimTrial(name: string, claim: TrialClaim): Promise<TrialRecord | Refusal> {
    const s = this.study(name);
    if (claim.limit !== undefined) {
      if (s.alive >= claim.limit) return { refused: 'limit' };
    }
    const key = paramsKey(claim.params);
    if (claim.unique && s.live.has(key)) return { refused: 'duplicate' };
    const t: TrialRecord = {
      number: s.trials.length,
      params: { ...claim.params },
      values: null,
      state: 'running',
      intermediate: {},
      datetimeStart: claim.now,
      datetimeComplete: null,
      heartbeat: claim.now,
      worker: claim.worker,
    };
    s.trials.push(t);
    s.keys.push(key);
    s.alive++;
    s.live.set(key, (s.live.get(key) ?? 0) + 1);
    return cloneTrial(t);
  }

  async setParams(name: string, number: number, params: Params): Promise<void> {
    const t = this.running(name, number);
    if (t.state !== 'running') throw notRunning(this.url, name, number, t.state);
    const s = this.study(name);
    untrack(s, number);
    s.alive++;
    s.keys[number] = paramsKey(params);
    s.live.set(s.keys[number]!, (s.live.get(s.keys[number]!) ?? 0) + 1);
    t.params = { ...params };
  }

  async reportIntermediate(name: string, number: number, step: number, value: number): Promise<void> {
    const t = this.running(name, number);
    if (t.state !== 'running') throw notRunning(this.url, name, number, t.state);
    t.intermediate[step] = value;
  }

  async heartbeat(name: string, numbers: readonly number[], now: number): Promise<void> {
    const s = this.study(name);
    for (const n of numbers) {
      const t = s.trials[n];
      if (t && t.state === 'running') t.heartbeat = now;
    }
  }

  async finishTrial(name: string, number: number, state: Exclude<TrialState, 'running'>, values: number[] | null, now: number, infeasible?: string | null): Promise<boolean> {
    const t = this.running(name, number);
    if (t.state !== 'running') return false;
    if (state === 'fail') untrack(this.study(name), number);
    t.state = state;
    t.values = values ? [...values] : null;
    t.datetimeComplete = now;
    if (infeasible && state === 'complete') t.infeasible = infeasible;
    return true;
  }

  async failStaleTrials(name: string, staleBefore: number, now: number): Promise<number[]> {
    const out: number[] = [];
    const s = this.study(name);
    for (const t of s.trials) {
      if (t.state === 'running' && t.heartbeat < staleBefore) {
        untrack(s, t.number);
        t.state = 'fail';
        t.datetimeComplete = now;
        out.push(t.number);
      }
    }
    return out;
  }

  async getTrials(name: string, filter: TrialFilter = {}): Promise<TrialRecord[]> {
    const { states, from = 0 } = filter;
    const out: TrialRecord[] = [];
    const ts = this.study(name).trials;
    for (let i = Math.max(0, from); i < ts.length; i++) {
      const t = ts[i]!;
      if (!states || states.includes(t.state)) out.push(cloneTrial(t));
    }
    return out;
  }

  async close(): Promise<void> {}
}
