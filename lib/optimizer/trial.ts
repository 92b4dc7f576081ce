import { QuantlabError } from '../core';
import type { Params, SearchSpace } from './space';

/**
 * Plain trial records: the only thing samplers, pruners and storages share. Storages persist exactly these
 * fields; samplers read only complete and pruned records; pruners read the records of the study.
 */
export type TrialState = 'running' | 'complete' | 'pruned' | 'fail';
export const TRIAL_STATES: readonly TrialState[] = ['running', 'complete', 'pruned', 'fail'];

export type Direction = 'minimize' | 'maximize';

export interface TrialRecord {
  /** 0, 1, 2 … in order of creation within the study; unique. */
  number: number;
  /** The active parameters' values. */
  params: Params;
  /** One value per objective once complete; null otherwise. */
  values: number[] | null;
  state: TrialState;
  /** Intermediate values reported while running, by step (fold, epoch …). */
  intermediate: Record<number, number>;
  /** Epoch ms. */
  datetimeStart: number;
  /** Epoch ms when the trial left the running state; null while running. */
  datetimeComplete: number | null;
  /** Epoch ms of the owner's last sign of life; a running trial whose heartbeat is stale is marked failed. */
  heartbeat: number;
  /** Which process / thread ran it: 'host:pid:tag'. */
  worker: string;
  /**
   * Set on a complete trial whose result breaks a constraint: the reason ('trades 3 < minTrades 30'). Its
   * values are kept, but it is never the best and samplers see it as the worst.
   */
  infeasible?: string;
}

/** What a storage keeps about a study. */
export interface StudyRecord {
  name: string;
  directions: Direction[];
  /** The search space as declared (plain JSON), for display and for resuming from the CLI. */
  space: SearchSpace | null;
  /** Free-form description: sampler, seed, strategy, objective, data … */
  meta: Record<string, unknown>;
  /** Epoch ms. */
  created: number;
}

export interface StudySummary extends StudyRecord {
  counts: Record<TrialState, number>;
  /** Best value of the first objective among complete trials (NaN when none). */
  bestValue: number;
}

export function checkDirections(directions: readonly string[], owner: string): Direction[] {
  if (!directions.length) throw new QuantlabError('BAD_ARGUMENT', `${owner}: expected at least one direction, found none`);
  for (const d of directions) {
    if (d !== 'minimize' && d !== 'maximize') {
      throw new QuantlabError('BAD_ARGUMENT', `${owner}: expected direction 'minimize' or 'maximize', found ${JSON.stringify(d)}`);
    }
  }
  return [...directions] as Direction[];
}

/** False for a trial marked infeasible (its result breaks a constraint). */
export const feasible = (t: TrialRecord): boolean => !t.infeasible;

/** Value of a trial for ranking on one objective: complete → its value; pruned → its last intermediate value. */
export function rankValue(t: TrialRecord, objective = 0): number {
  if (t.state === 'complete' && t.values) return t.values[objective]!;
  if (t.state === 'pruned') {
    const last = lastIntermediate(t);
    return last === undefined ? NaN : last[1];
  }
  return NaN;
}

/** The [step, value] with the largest step, or undefined when nothing was reported. */
export function lastIntermediate(t: TrialRecord): [number, number] | undefined {
  let best: [number, number] | undefined;
  for (const k of Object.keys(t.intermediate)) {
    const s = Number(k);
    if (!best || s > best[0]) best = [s, t.intermediate[s]!];
  }
  return best;
}

/** Sign that turns "better" into "smaller" for a direction. */
export const sign = (d: Direction): number => (d === 'minimize' ? 1 : -1);

/**
 * Orders single-objective trials best first: complete trials by value, then pruned trials by the step they
 * reached (later first) and their last intermediate value; NaN values last; ties by trial number.
 */
export function sortBest(trials: readonly TrialRecord[], direction: Direction): TrialRecord[] {
  trials = trials.filter(feasible);
  const s = sign(direction);
  const key = (t: TrialRecord): [number, number, number] => {
    if (t.state === 'complete') {
      const v = t.values?.[0] ?? NaN;
      return [0, 0, v === v ? s * v : Infinity];
    }
    const last = lastIntermediate(t);
    if (!last || last[1] !== last[1]) return [1, 0, Infinity];
    return [1, -last[0], s * last[1]];
  };
  const keyed = trials.map((t) => ({ t, k: key(t) }));
  keyed.sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || cmp(a.k[2], b.k[2]) || a.t.number - b.t.number);
  return keyed.map((x) => x.t);
}

const cmp = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);

/** True when a dominates b (no worse on every objective, better on one), values already sign-adjusted to minimise. */
export function dominates(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]! > b[i]!) return false;
    if (a[i]! < b[i]!) better = true;
  }
  return better;
}

/** Objective vectors turned into "minimise everything" form. */
export function minimised(t: TrialRecord, directions: readonly Direction[]): number[] {
  return directions.map((d, i) => {
    const v = t.values?.[i] ?? NaN;
    return v === v ? sign(d) * v : Infinity;
  });
}

/**
 * Fast non-dominated sort (Deb et al. 2002): returns the fronts as arrays of indices into `points`
 * (points already in minimise-everything form).
 */
export function nonDominatedFronts(points: readonly (readonly number[])[]): number[][] {
  const n = points.length;
  const dominatedBy: number[][] = Array.from({ length: n }, () => []);
  const count = new Int32Array(n);
  const fronts: number[][] = [[]];
  for (let p = 0; p < n; p++) {
    for (let q = p + 1; q < n; q++) {
      if (dominates(points[p]!, points[q]!)) {
        dominatedBy[p]!.push(q);
        count[q]!++;
      } else if (dominates(points[q]!, points[p]!)) {
        dominatedBy[q]!.push(p);
        count[p]!++;
      }
    }
  }
  for (let p = 0; p < n; p++) if (count[p] === 0) fronts[0]!.push(p);
  let i = 0;
  while (fronts[i]!.length) {
    const next: number[] = [];
    for (const p of fronts[i]!) {
      for (const q of dominatedBy[p]!) {
        if (--count[q]! === 0) next.push(q);
      }
    }
    next.sort((a, b) => a - b);
    fronts.push(next);
    i++;
  }
  fronts.pop();
  return fronts;
}

/** Crowding distance of points on one front (Deb et al. 2002); the boundary points get Infinity. */
export function crowding(points: readonly (readonly number[])[]): Float64Array {
  const n = points.length;
  const out = new Float64Array(n);
  if (n <= 2) return out.fill(Infinity);
  const m = points[0]!.length;
  for (let j = 0; j < m; j++) {
    const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => points[a]![j]! - points[b]![j]!);
    const lo = points[idx[0]!]![j]!;
    const hi = points[idx[n - 1]!]![j]!;
    out[idx[0]!] = Infinity;
    out[idx[n - 1]!] = Infinity;
    if (!(hi > lo)) continue;
    for (let k = 1; k < n - 1; k++) out[idx[k]!]! += (points[idx[k + 1]!]![j]! - points[idx[k - 1]!]![j]!) / (hi - lo);
  }
  return out;
}

/** Complete trials on the Pareto front (not dominated by any other complete trial), by trial number. */
export function paretoFront(trials: readonly TrialRecord[], directions: readonly Direction[]): TrialRecord[] {
  const done = trials.filter((t) => t.state === 'complete' && !t.infeasible && t.values && t.values.every((v) => v === v));
  if (!done.length) return [];
  const pts = done.map((t) => minimised(t, directions));
  return nonDominatedFronts(pts)[0]!.map((i) => done[i]!).sort((a, b) => a.number - b.number);
}

// JSON with non-finite numbers (NaN, ±Infinity) kept: used by the storages for values and intermediate values.
export function encodeNumbers(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? `__${String(v)}` : v));
}
export function decodeNumbers<T>(text: string): T {
  return JSON.parse(text, (_k, v) => (typeof v === 'string' && v.startsWith('__') ? Number(v.slice(2)) : v)) as T;
}

/** A copy safe to hand out (storages never share their internal objects). */
export function cloneTrial(t: TrialRecord): TrialRecord {
  return {
    ...t,
    params: { ...t.params },
    values: t.values ? [...t.values] : null,
    intermediate: { ...t.intermediate },
  };
}

/** A trial as the SQL storages (SQLite, PostgreSQL) keep it: JSON text columns and epoch-ms numbers. */
export interface TrialRow {
  number: number;
  params: string;
  vals: string | null;
  state: string;
  intermediate: string;
  datetime_start: number;
  datetime_complete: number | null;
  heartbeat: number;
  worker: string;
  infeasible?: string | null;
}

/** The plain record of a stored trial row (numbers coerced: PostgreSQL drivers may return them as text). */
export const trialFromRow = (r: TrialRow): TrialRecord => ({
  number: Number(r.number),
  params: JSON.parse(r.params) as Params,
  values: r.vals === null ? null : decodeNumbers<number[]>(r.vals),
  state: r.state as TrialState,
  intermediate: decodeNumbers<Record<number, number>>(r.intermediate),
  datetimeStart: Number(r.datetime_start),
  datetimeComplete: r.datetime_complete === null ? null : Number(r.datetime_complete),
  heartbeat: Number(r.heartbeat),
  worker: r.worker,
  ...(r.infeasible ? { infeasible: r.infeasible } : {}),
});
