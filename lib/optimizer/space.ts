import { QuantlabError } from '../core';
import {
  activeNames,
  constraintError,
  gridPoints,
  gridSize,
  gridValues,
  isActive,
  paramsKey,
  stepValue,
  valueCount,
  type Choice,
  type Constraint,
  type Params,
  type ParamSpace,
  type ParamSpec,
} from '../params';
import type { Rng } from './rng';

/**
 * Search spaces are parameter spaces (lib/params): the same declarations strategies use (`int`, `float`,
 * `logFloat`, `choice`, `when`), re-exported here with the optimiser's names for them. A study may add a
 * constraint over whole parameter sets, and no trial is ever sampled outside it. This file adds what only
 * samplers need: internal coordinates, uniform sampling, neighbourhoods.
 */
export * from '../params';
/** A declaration, as the optimiser calls it (the same type as ParamSpec). */
export type ParamDecl = ParamSpec;
/** A declaration inside a space (may carry `when`). */
export type SpaceEntry = ParamSpec;
export type SearchSpace = ParamSpace;
/** Older names of paramError, describeParam, gridValues and valueCount. */
export { paramError as declError, describeParam as describeDecl, gridValues as gridValuesOf, valueCount as declSize } from '../params';

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
        const k = Math.max(0, Math.min(valueCount(s) - 1, Math.round((x - s.low) / s.step)));
        return stepValue(s, k);
      }
      return Math.min(s.high, Math.max(s.low, x));
    }
  }
}

/** A uniformly random legal value (log-uniform for logFloat). */
export function sampleDecl(s: ParamDecl, rng: Rng): Choice {
  const size = valueCount(s);
  if (s.kind === 'choice') return s.choices[rng.int(size)]!;
  if (s.kind !== 'logFloat' && s.step > 0) return stepValue(s, rng.int(size));
  if (size === 1) {
    rng.int(1); // one draw, as for every finite declaration, so seeded streams stay as they were
    return s.low;
  }
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
  const finite = Object.values(space).every((s) => Number.isFinite(valueCount(s)));
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
        fixed[n] = n in p ? p[n]! : gridValues(space[n]!, 2)[0]!;
      }
      const key = paramsKey(fixed);
      if (seen.has(key) || constraintError(constraint, fixed) !== null) continue;
      seen.add(key);
      out.push(fixed);
    }
  }
  return out;
}
