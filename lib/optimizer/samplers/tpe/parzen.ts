import { declError, dimOf, toInternal, type Choice, type Dim, type Params, type SearchSpace } from '../../space';
import type { Rng } from '../../rng';
import type { TrialRecord } from '../../trial';
import { addKernelLogPdf, categoricalKernels, EPS, kernelsOf, type DimKernels, type NumericKernels } from './kernels';
import { resolveOptions, type Resolved, type TpeOptions } from './options';

/** A Parzen density over one or more dimensions: product kernels sharing one set of mixture weights. */
export interface Parzen {
  k: number;
  logW: Float64Array;
  cumW: Float64Array;
  dims: DimKernels[];
  /** Scratch for the per-kernel terms of logDensity. */
  terms: Float64Array;
}

function mixtureWeights(obsWeights: Float64Array, priorWeight: number, prior: boolean): { logW: Float64Array; cumW: Float64Array } {
  const k = obsWeights.length + (prior ? 1 : 0);
  const w = new Float64Array(k);
  w.set(obsWeights);
  if (prior) w[k - 1] = priorWeight;
  let sum = 0;
  for (let i = 0; i < k; i++) sum += w[i]!;
  const logW = new Float64Array(k);
  const cumW = new Float64Array(k);
  let acc = 0;
  for (let i = 0; i < k; i++) {
    logW[i] = Math.log(w[i]! / sum);
    acc += w[i]! / sum;
    cumW[i] = acc;
  }
  cumW[k - 1] = 1;
  return { logW, cumW };
}

/** Kernels of one dimension of a multivariate density: one per observation with a common bandwidth, plus the prior. */
function numericKernels(obs: Float64Array, dim: Dim & { kind: 'numeric' }, opts: Resolved, jointSigma: number): NumericKernels {
  const q = dim.q;
  const lo = q > 0 ? dim.lo - q / 2 : dim.lo;
  const hi = q > 0 ? dim.hi + q / 2 : dim.hi;
  const range = hi - lo;
  const n = obs.length;
  const mu = new Float64Array(n + 1);
  const sigma = new Float64Array(n + 1);
  mu.set(obs);
  // magic clip counts the prior among the points, as in the univariate case
  const minS = opts.magicClip ? range / Math.min(100, 2 + n) : EPS;
  sigma.fill(Math.min(range, Math.max(minS, jointSigma)), 0, n);
  mu[n] = 0.5 * (lo + hi);
  sigma[n] = range;
  return kernelsOf(lo, hi, q, mu, sigma, opts.bandwidthWeighted);
}

/**
 * The one-dimensional density built directly with identical kernels merged (weights summed): on an integer
 * lattice many trials share a value and a bandwidth, so the kernel count drops from n to the number of
 * distinct (centre, bandwidth) pairs, which keeps proposals fast at thousands of trials. Same density as the
 * unmerged mixture.
 */
function univariate(obs: Float64Array, w: Float64Array, dim: Dim, opts: Resolved): Parzen {
  const n = obs.length;
  const ow = new Float64Array(n + 1);
  let total = opts.priorWeight;
  for (let i = 0; i < n; i++) total += w[i]!;
  if (dim.kind === 'categorical') {
    const c = dim.n;
    const perChoice = new Float64Array(c);
    for (let i = 0; i < n; i++) perChoice[obs[i]!]! += w[i]!;
    const used: number[] = [];
    for (let j = 0; j < c; j++) if (perChoice[j]! > 0) used.push(j);
    const k = used.length + 1;
    const p = new Float64Array(k * c);
    const flat = opts.priorWeight / (n + 1);
    used.forEach((j, r) => {
      const sum = 1 + flat * c;
      for (let x = 0; x < c; x++) p[r * c + x] = (flat + (x === j ? 1 : 0)) / sum;
    });
    for (let x = 0; x < c; x++) p[(k - 1) * c + x] = 1 / c;
    const weights = Float64Array.from([...used.map((j) => perChoice[j]!), opts.priorWeight]);
    return finish(weights, total, [{ kind: 'categorical', n: c, p }]);
  }
  const q = dim.q;
  const lo = q > 0 ? dim.lo - q / 2 : dim.lo;
  const hi = q > 0 ? dim.hi + q / 2 : dim.hi;
  const range = hi - lo;
  // sorted observations, and the weight of the observation at each sorted position (ties keep trial order)
  const sorted = new Float64Array(n);
  const m = q > 0 ? Math.round((dim.hi - dim.lo) / q) + 1 : 0;
  if (q > 0 && m <= 4 * n + 64) {
    // lattice values: counting sort
    const start = new Int32Array(m + 1);
    const cell = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = Math.min(m - 1, Math.max(0, Math.round((obs[i]! - dim.lo) / q)));
      cell[i] = c;
      start[c + 1]!++;
    }
    for (let c = 0; c < m; c++) start[c + 1]! += start[c]!;
    for (let i = 0; i < n; i++) {
      const p = start[cell[i]!]!++;
      sorted[p] = obs[i]!;
      ow[p] = w[i]!;
    }
  } else {
    sorted.set(obs);
    sorted.sort();
    const count = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const p = lowerBound(sorted, obs[i]!);
      ow[p + count[p]!] = w[i]!;
      count[p]!++;
    }
  }
  // bandwidths from the gaps between neighbours, the prior's centre counted as one of the points
  const mid = 0.5 * (lo + hi);
  const withPrior = opts.priorWeight > 0;
  const N = n + (withPrior ? 1 : 0);
  const pts = new Float64Array(N);
  const isPrior = new Uint8Array(N);
  const pw = new Float64Array(N);
  {
    let j = 0;
    let placed = !withPrior;
    for (let i = 0; i < n; i++) {
      if (!placed && sorted[i]! > mid) {
        pts[j] = mid;
        isPrior[j++] = 1;
        placed = true;
      }
      pts[j] = sorted[i]!;
      pw[j++] = ow[i]!;
    }
    if (!placed) {
      pts[j] = mid;
      isPrior[j] = 1;
    }
  }
  const minS = opts.magicClip ? range / Math.min(100, 1 + N) : EPS;
  const mu = new Float64Array(N + 1);
  const sg = new Float64Array(N + 1);
  const wt = new Float64Array(N + 1);
  let k = 0;
  for (let i = 0; i < N; i++) {
    if (isPrior[i]) continue;
    let s: number;
    if (!opts.endpoints && N >= 2 && i === 0) s = pts[1]! - pts[0]!;
    else if (!opts.endpoints && N >= 2 && i === N - 1) s = pts[N - 1]! - pts[N - 2]!;
    else s = Math.max(pts[i]! - (i === 0 ? lo : pts[i - 1]!), (i === N - 1 ? hi : pts[i + 1]!) - pts[i]!);
    s = Math.min(range, Math.max(minS, s));
    if (k > 0 && mu[k - 1] === pts[i] && sg[k - 1] === s) wt[k - 1]! += pw[i]!;
    else {
      mu[k] = pts[i]!;
      sg[k] = s;
      wt[k++] = pw[i]!;
    }
  }
  mu[k] = mid;
  sg[k] = range;
  wt[k++] = opts.priorWeight;
  return finish(wt.subarray(0, k), total, [kernelsOf(lo, hi, q, mu.subarray(0, k), sg.subarray(0, k), opts.bandwidthWeighted)]);
}

function finish(weights: Float64Array, total: number, dims: DimKernels[]): Parzen {
  const k = weights.length;
  const logW = new Float64Array(k);
  const cumW = new Float64Array(k);
  let acc = 0;
  for (let i = 0; i < k; i++) {
    logW[i] = Math.log(weights[i]! / total);
    acc += weights[i]! / total;
    cumW[i] = acc;
  }
  cumW[k - 1] = 1;
  return { k, logW, cumW, dims, terms: new Float64Array(k) };
}

function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** log density of the mixture at the internal point xs (one value per dimension). */
export function logDensity(pz: Parzen, xs: ArrayLike<number>): number {
  const k = pz.k;
  const terms = pz.terms;
  terms.set(pz.logW);
  for (let d = 0; d < pz.dims.length; d++) addKernelLogPdf(pz.dims[d]!, xs[d]!, terms, k);
  let max = -Infinity;
  for (let i = 0; i < k; i++) if (terms[i]! > max) max = terms[i]!;
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  const floor = max - 40; // terms below contribute less than e^-40 relative: skip the exp
  for (let i = 0; i < k; i++) {
    const t = terms[i]!;
    if (t > floor) sum += Math.exp(t - max);
  }
  return max + Math.log(sum);
}

export function pickKernel(pz: Parzen, rng: Rng): number {
  const u = rng.next();
  let lo = 0;
  let hi = pz.k - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pz.cumW[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Builds the Parzen density of `names` over the trials of a group that have all of them (legal values only). */
function column(rows: readonly Float64Array[], j: number): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = rows[i]![j]!;
  return out;
}

/** Internal coordinates of a record's parameters, one slot per space parameter (NaN: absent or illegal), cached per record. */
export type Coords = (t: TrialRecord) => Float64Array;

export function coordsFor(space: SearchSpace): Coords {
  const names = Object.keys(space);
  // by trial number, with the record itself to check that the slot is this record's (records are immutable once final)
  const recs: (TrialRecord | undefined)[] = [];
  const vecs: Float64Array[] = [];
  return (t) => {
    let v = recs[t.number] === t ? vecs[t.number] : undefined;
    if (!v) {
      v = new Float64Array(names.length);
      names.forEach((n, j) => {
        const decl = space[n]!;
        v![j] = n in t.params && declError(decl, t.params[n]) === null ? toInternal(decl, t.params[n] as Choice) : NaN;
      });
      recs[t.number] = t;
      vecs[t.number] = v;
    }
    return v;
  };
}

export function parzen(space: SearchSpace, names: readonly string[], trials: readonly TrialRecord[], opts: Resolved, multivariate: boolean, coords: Coords): Parzen {
  const all = Object.keys(space);
  const slots = names.map((n) => all.indexOf(n));
  const usable: Float64Array[] = [];
  for (let i = 0; i < trials.length; i++) {
    const c = coords(trials[i]!);
    let ok = true;
    for (let j = 0; j < slots.length; j++) if (c[slots[j]!] !== c[slots[j]!]) ok = false;
    if (ok) usable.push(c);
  }
  const w = opts.weights(usable.length);
  if (names.length === 1 && !multivariate) {
    const j = slots[0]!;
    return univariate(column(usable, j), w, dimOf(space[names[0]!]!), opts);
  }
  const { logW, cumW } = mixtureWeights(w, opts.priorWeight, true);
  const d = names.length;
  const dims = names.map((name) => {
    const decl = space[name]!;
    const dim = dimOf(decl);
    const j = slots[names.indexOf(name)]!;
    const obs = column(usable, j);
    if (dim.kind === 'categorical') return categoricalKernels(obs, dim.n, opts.priorWeight);
    const range = dim.hi - dim.lo + (dim.q > 0 ? dim.q : 0);
    const joint = 0.2 * Math.max(usable.length, 1) ** (-1 / (d + 4)) * range;
    return numericKernels(obs, dim, opts, joint);
  });
  return { k: usable.length + 1, logW, cumW, dims, terms: new Float64Array(usable.length + 1) };
}

/**
 * The log density TPE builds over `names` from `trials` (all of them as one group), as a function of a
 * parameter set: for inspection and tests (it integrates to 1 over the space). With `bandwidthWeighted`,
 * the candidate score's version instead (not normalised).
 */
export function parzenLogDensity(space: SearchSpace, names: readonly string[], trials: readonly TrialRecord[], options: TpeOptions = {}): (p: Params) => number {
  // a proper density unless asked for the candidate score
  const opts: Resolved = { ...resolveOptions(options), startupTrials: 0, candidates: 24, bandwidthWeighted: options.bandwidthWeighted ?? false };
  const pz = parzen(space, names, trials, opts, opts.multivariate, coordsFor(space));
  return (p) => {
    const xs = names.map((n) => toInternal(space[n]!, p[n]!));
    // density per unit of the parameter (not of its log) for logFloat
    let jac = 0;
    names.forEach((n) => {
      if (space[n]!.kind === 'logFloat') jac -= Math.log(p[n] as number);
    });
    return logDensity(pz, xs) + jac;
  };
}
