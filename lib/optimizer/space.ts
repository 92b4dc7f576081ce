import { QuantlabError } from '../core';
import type { Rng } from './rng';

/**
 * Search spaces. A space is a record of parameter declarations with the same shape as the strategy
 * declarations (`int`, `float`, `logFloat`, `choice` from the strategy layer): any object with these fields
 * works, so this folder does not import the strategy layer. A declaration may carry `when` (a conditional
 * parameter, active only while another parameter takes one of the listed values); a study may add a
 * constraint over whole parameter sets, and no trial is ever sampled outside it.
 */

export type Choice = string | number | boolean;

export interface IntDecl {
  readonly kind: 'int';
  readonly low: number;
  readonly high: number;
  readonly step: number;
}
export interface FloatDecl {
  readonly kind: 'float';
  readonly low: number;
  readonly high: number;
  /** grid spacing; 0 = continuous. */
  readonly step: number;
}
export interface LogFloatDecl {
  readonly kind: 'logFloat';
  readonly low: number;
  readonly high: number;
}
export interface ChoiceDecl {
  readonly kind: 'choice';
  readonly choices: readonly Choice[];
}
export type ParamDecl = IntDecl | FloatDecl | LogFloatDecl | ChoiceDecl;

/** A conditional parameter is active only while `param` is active and takes one of `in`. */
export interface Condition {
  readonly param: string;
  readonly in: readonly Choice[];
}
export type SpaceEntry = ParamDecl & { readonly when?: Condition };
export type SearchSpace = Readonly<Record<string, SpaceEntry>>;

/** One trial's parameter values: the active parameters only. */
export type Params = Record<string, Choice>;

/** True when the parameter set is allowed; false or a message (the reason) when not. */
export type Constraint = (params: Params) => boolean | string;

const fail = (msg: string, details?: unknown): never => {
  throw new QuantlabError('BAD_ARGUMENT', msg, details);
};

/** Returns `spec` made conditional: active only while `param` takes one of `values`. */
export function when<P extends ParamDecl>(param: string, values: readonly Choice[], spec: P): P & { when: Condition } {
  return { ...spec, when: { param, in: [...values] } };
}

/** Checks every declaration and condition; throws BAD_ARGUMENT naming the parameter, expected and found. */
export function checkSpace(space: SearchSpace, owner = 'search space'): void {
  const names = Object.keys(space);
  if (!names.length) fail(`${owner}: expected at least one parameter, found none`);
  names.forEach((name, i) => {
    const s = space[name]!;
    const where = `${owner} parameter '${name}'`;
    if (!s || typeof s !== 'object') fail(`${where}: expected a declaration (int, float, logFloat, choice), found ${String(s)}`);
    switch (s.kind) {
      case 'int':
      case 'float':
      case 'logFloat': {
        if (!(Number.isFinite(s.low) && Number.isFinite(s.high) && s.low <= s.high)) fail(`${where}: expected finite low <= high, found ${s.low}, ${s.high}`);
        if (s.kind === 'int') {
          if (!Number.isInteger(s.low) || !Number.isInteger(s.high) || !Number.isInteger(s.step) || !(s.step >= 1)) {
            fail(`${where}: expected integer low, high and step >= 1, found ${s.low}, ${s.high}, step ${s.step}`);
          }
        } else if (s.kind === 'float') {
          if (!(s.step >= 0)) fail(`${where}: expected step >= 0, found ${s.step}`);
        } else if (!(s.low > 0)) fail(`${where}: log-uniform needs low > 0, found ${s.low}`);
        break;
      }
      case 'choice':
        if (!Array.isArray(s.choices) || !s.choices.length) fail(`${where}: expected at least one choice, found none`);
        break;
      default:
        fail(`${where}: expected kind int, float, logFloat or choice, found ${JSON.stringify((s as { kind?: unknown }).kind)}`);
    }
    if (s.when) {
      const p = s.when.param;
      const j = names.indexOf(p);
      if (j < 0) fail(`${where}: condition on unknown parameter '${p}'; expected one of ${names.filter((n) => n !== name).join(', ') || '(none)'}`);
      if (j >= i) fail(`${where}: condition on '${p}', which is declared after it; declare '${p}' first`);
      const parent = space[p]!;
      for (const v of s.when.in) {
        const err = declError(parent, v);
        if (err) fail(`${where}: condition value for '${p}' ${err}`);
      }
    }
  });
}

/** What a declaration accepts, in words. */
export function describeDecl(s: ParamDecl): string {
  switch (s.kind) {
    case 'int':
      return `an integer in [${s.low}, ${s.high}]${s.step > 1 ? ` on a step of ${s.step}` : ''}`;
    case 'float':
      return `a number in [${s.low}, ${s.high}]${s.step > 0 ? ` on a step of ${s.step}` : ''}`;
    case 'logFloat':
      return `a number in [${s.low}, ${s.high}] (log-uniform)`;
    case 'choice':
      return `one of ${s.choices.map((c) => JSON.stringify(c)).join(', ')}`;
  }
}

/** Null when `v` is legal for `s`, else 'expected …, found …'. */
export function declError(s: ParamDecl, v: unknown): string | null {
  let ok: boolean;
  if (s.kind === 'choice') ok = s.choices.includes(v as Choice);
  else if (typeof v !== 'number' || !(v >= s.low && v <= s.high)) ok = false;
  else if (s.kind === 'int') ok = Number.isInteger(v) && (v - s.low) % s.step === 0;
  else if (s.kind === 'float' && s.step > 0) {
    const k = (v - s.low) / s.step;
    ok = Math.abs(k - Math.round(k)) < 1e-9;
  } else ok = true;
  return ok ? null : `expected ${describeDecl(s)}, found ${JSON.stringify(v) ?? String(v)}`;
}

/** Whether `name` is active given the values already chosen for the parameters declared before it. */
export function isActive(space: SearchSpace, name: string, params: Params): boolean {
  const w = space[name]?.when;
  if (!w) return true;
  if (!(w.param in params)) return false;
  return w.in.includes(params[w.param]!);
}

/** Names of the parameters active for `params`, in declaration order. */
export function activeNames(space: SearchSpace, params: Params): string[] {
  const out: string[] = [];
  const seen: Params = {};
  for (const name of Object.keys(space)) {
    if (!isActive(space, name, seen)) continue;
    out.push(name);
    if (name in params) seen[name] = params[name]!;
  }
  return out;
}

/** Null when `params` is a complete, legal point of `space` (active parameters only), else the first problem. */
export function paramsError(space: SearchSpace, params: Params): string | null {
  const active = activeNames(space, params);
  for (const name of active) {
    if (!(name in params)) return `parameter '${name}' is missing; expected ${describeDecl(space[name]!)}`;
    const err = declError(space[name]!, params[name]);
    if (err) return `parameter '${name}': ${err}`;
  }
  for (const name of Object.keys(params)) {
    if (!(name in space)) return `unknown parameter '${name}'; expected one of ${Object.keys(space).join(', ')}`;
    if (!active.includes(name)) return `parameter '${name}' is inactive here (condition ${JSON.stringify(space[name]!.when)}) but was given`;
  }
  return null;
}

/** Runs the constraint; returns null when allowed, else the reason. */
export function constraintError(constraint: Constraint | undefined, params: Params): string | null {
  if (!constraint) return null;
  const r = constraint(params);
  if (r === true) return null;
  return typeof r === 'string' ? r : `${JSON.stringify(params)} fails the constraint`;
}

/** Canonical text of a parameter set (keys sorted): equal sets give equal keys. */
export function paramsKey(params: Params): string {
  const keys = Object.keys(params).sort();
  return JSON.stringify(keys.map((k) => [k, params[k]]));
}

// ---------------------------------------------------------------------------------------------------------
// Internal coordinates used by the samplers: numbers live on a line [lo, hi] (log scale for logFloat) with a
// quantum q (the step; 0 when continuous); choices are indices.

export interface NumericDim {
  readonly kind: 'numeric';
  readonly lo: number;
  readonly hi: number;
  /** grid step in internal units; 0 = continuous. */
  readonly q: number;
  readonly log: boolean;
}
export interface CategoricalDim {
  readonly kind: 'categorical';
  readonly n: number;
}
export type Dim = NumericDim | CategoricalDim;

/** The internal coordinate system of one declaration. */
export function dimOf(s: ParamDecl): Dim {
  switch (s.kind) {
    case 'int':
      return { kind: 'numeric', lo: s.low, hi: s.high, q: s.step, log: false };
    case 'float':
      return { kind: 'numeric', lo: s.low, hi: s.high, q: s.step, log: false };
    case 'logFloat':
      return { kind: 'numeric', lo: Math.log(s.low), hi: Math.log(s.high), q: 0, log: true };
    case 'choice':
      return { kind: 'categorical', n: s.choices.length };
  }
}

/** Internal coordinate of a value (log for logFloat, index for choices). */
export function toInternal(s: ParamDecl, v: Choice): number {
  if (s.kind === 'choice') return s.choices.indexOf(v);
  return s.kind === 'logFloat' ? Math.log(v as number) : (v as number);
}

/** The legal value nearest to internal coordinate x (snapped to the step, clipped to the bounds). */
export function fromInternal(s: ParamDecl, x: number): Choice {
  switch (s.kind) {
    case 'choice':
      return s.choices[Math.max(0, Math.min(s.choices.length - 1, Math.round(x)))]!;
    case 'logFloat':
      return Math.min(s.high, Math.max(s.low, Math.exp(x)));
    case 'int':
    case 'float': {
      if (s.step > 0) {
        const m = Math.floor((s.high - s.low) / s.step + 1e-9);
        const k = Math.max(0, Math.min(m, Math.round((x - s.low) / s.step)));
        const v = s.low + k * s.step;
        return s.kind === 'int' ? Math.round(v) : roundTo(v, s.step);
      }
      return Math.min(s.high, Math.max(s.low, x));
    }
  }
}

/** Removes float noise from low + k·step so that 0.1 + 2·0.1 prints as 0.3. */
function roundTo(v: number, step: number): number {
  const decimals = Math.min(15, Math.max(0, -Math.floor(Math.log10(step)) + 6));
  return Number(v.toFixed(decimals));
}

/** Number of distinct values of a declaration (Infinity for continuous ones). */
export function declSize(s: ParamDecl): number {
  switch (s.kind) {
    case 'choice':
      return s.choices.length;
    case 'int':
      return Math.floor((s.high - s.low) / s.step) + 1;
    case 'float':
      return s.step > 0 ? Math.floor((s.high - s.low) / s.step + 1e-9) + 1 : s.low === s.high ? 1 : Infinity;
    case 'logFloat':
      return s.low === s.high ? 1 : Infinity;
  }
}

/** A uniformly random legal value (log-uniform for logFloat). */
export function sampleDecl(s: ParamDecl, rng: Rng): Choice {
  const size = declSize(s);
  if (s.kind === 'choice') return s.choices[rng.int(size)]!;
  if (Number.isFinite(size)) return fromInternal(s, s.low + rng.int(size) * (s as IntDecl | FloatDecl).step);
  const d = dimOf(s) as NumericDim;
  return fromInternal(s, d.lo + rng.next() * (d.hi - d.lo));
}

/** Samples every active parameter uniformly, in declaration order (conditions see their parents). */
export function sampleSpace(space: SearchSpace, rng: Rng, fixed: Params = {}): Params {
  const out: Params = {};
  for (const name of Object.keys(space)) {
    if (!isActive(space, name, out)) continue;
    out[name] = name in fixed ? fixed[name]! : sampleDecl(space[name]!, rng);
  }
  return out;
}

/** Values a grid visits for one declaration: every value when discrete, else `points` evenly spaced (log-spaced for logFloat). */
export function gridValuesOf(s: ParamDecl, points = 10): Choice[] {
  const size = declSize(s);
  if (s.kind === 'choice') return [...s.choices];
  if (Number.isFinite(size)) return Array.from({ length: size }, (_, k) => fromInternal(s, s.low + k * (s as IntDecl | FloatDecl).step));
  const d = dimOf(s) as NumericDim;
  const m = Math.max(2, points);
  return Array.from({ length: m }, (_, k) => fromInternal(s, d.lo + ((d.hi - d.lo) * k) / (m - 1)));
}

/** Number of points of the full grid (conditional branches counted exactly), before the constraint. */
export function gridSize(space: SearchSpace, points = 10): number {
  let count = 0;
  forEachGridPoint(space, points, () => {
    count++;
    return count < 1e7;
  });
  return count;
}

/**
 * Calls `visit` on every grid point in a fixed order (the first parameter varies slowest), conditional
 * parameters expanded only where active. `visit` returns false to stop.
 */
export function forEachGridPoint(space: SearchSpace, points: number, visit: (p: Params) => boolean | void): void {
  const names = Object.keys(space);
  const values = names.map((n) => gridValuesOf(space[n]!, points));
  const cur: Params = {};
  let stop = false;
  const rec = (i: number): void => {
    if (stop) return;
    if (i === names.length) {
      if (visit({ ...cur }) === false) stop = true;
      return;
    }
    const name = names[i]!;
    if (!isActive(space, name, cur)) {
      rec(i + 1);
      return;
    }
    for (const v of values[i]!) {
      cur[name] = v;
      rec(i + 1);
      if (stop) break;
    }
    delete cur[name];
  };
  rec(0);
}

/** Every grid point that satisfies the constraint, in grid order. */
export function gridPoints(space: SearchSpace, constraint?: Constraint, points = 10): Params[] {
  const out: Params[] = [];
  forEachGridPoint(space, points, (p) => {
    if (constraintError(constraint, p) === null) out.push(p);
  });
  return out;
}

/**
 * Draws uniform points until one satisfies the constraint. Throws (naming the space and the last reason)
 * when the space is finite and has no valid point, or when `attempts` draws all fail.
 */
export function sampleValid(space: SearchSpace, rng: Rng, constraint: Constraint | undefined, attempts = 10_000, owner = 'search space'): Params {
  let reason = '';
  for (let k = 0; k < attempts; k++) {
    const p = sampleSpace(space, rng);
    const err = constraintError(constraint, p);
    if (err === null) return p;
    reason = err;
  }
  throw emptySpaceError(space, constraint, owner, attempts, reason);
}

/** The error for a constraint that leaves no valid point (exact when the grid is small enough to enumerate). */
export function emptySpaceError(space: SearchSpace, constraint: Constraint | undefined, owner: string, attempts: number, reason: string): QuantlabError {
  const size = gridSize(space);
  const finite = Object.values(space).every((s) => Number.isFinite(declSize(s)));
  if (finite && size < 1e6 && gridPoints(space, constraint).length === 0) {
    return new QuantlabError(
      'BAD_ARGUMENT',
      `${owner}: the constraint makes the space empty: none of its ${size} points is allowed (e.g. ${reason})`,
      { reason: 'EMPTY_SPACE' },
    );
  }
  return new QuantlabError(
    'BAD_ARGUMENT',
    `${owner}: expected the constraint to allow some points, found none in ${attempts} random draws (last: ${reason}); the constraint may make the space empty`,
    { reason: 'EMPTY_SPACE' },
  );
}

/**
 * Neighbours of `params`: each numeric parameter moved by ±1..±radius grid steps (±radius·5% of the range for
 * continuous ones, in internal units), one at a time; choices switched to each other value. Constraint-valid only.
 */
export function neighbours(space: SearchSpace, params: Params, constraint?: Constraint, radius = 1): Params[] {
  const out: Params[] = [];
  const seen = new Set([paramsKey(params)]);
  for (const name of activeNames(space, params)) {
    const s = space[name]!;
    const cands: Choice[] = [];
    if (s.kind === 'choice') cands.push(...s.choices.filter((c) => c !== params[name]));
    else {
      const d = dimOf(s) as NumericDim;
      const stepIn = d.q > 0 ? d.q : (d.hi - d.lo) * 0.05;
      const x = toInternal(s, params[name]!);
      for (let r = 1; r <= radius; r++) cands.push(fromInternal(s, x - r * stepIn), fromInternal(s, x + r * stepIn));
    }
    for (const v of cands) {
      const p: Params = { ...params, [name]: v };
      // a changed parent may switch conditional children on or off: keep what remains active, fill the rest with the low end
      const fixed: Params = {};
      for (const n of Object.keys(space)) {
        if (!isActive(space, n, fixed)) continue;
        fixed[n] = n in p ? p[n]! : gridValuesOf(space[n]!, 2)[0]!;
      }
      const key = paramsKey(fixed);
      if (seen.has(key) || constraintError(constraint, fixed) !== null) continue;
      seen.add(key);
      out.push(fixed);
    }
  }
  return out;
}
