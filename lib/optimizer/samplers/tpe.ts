import { QuantlabError } from '../../core';
import { normalCdf as metricsNormalCdf, normalInv as metricsNormalInv } from '../../metrics';
import type { Rng } from '../rng';
import {
  constraintError,
  declError,
  dimOf,
  fromInternal,
  isActive,
  sampleValid,
  toInternal,
  type Choice,
  type Dim,
  type Params,
  type SearchSpace,
} from '../space';
import { lastIntermediate, minimised, nonDominatedFronts, type Direction, type TrialRecord } from '../trial';
import type { SampleContext, Sampler } from './types';

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011), with the defaults optuna documents: 10 random
 * start-up trials, γ(n) = min(⌈0.1·n⌉, 25) trials in the "good" group, 24 candidates drawn from the good
 * density l(x) and the one maximising l(x)/g(x) kept, a prior kernel of weight 1 in each density, older
 * observations down-weighted beyond the newest 25, bandwidths from the gaps to neighbouring observations
 * clipped to [range / min(100, n + 1), range] ("magic clip"). Multivariate mode uses one joint product
 * kernel per observation (Falkner et al. 2018) with bandwidth 0.2·n^(−1/(d+4))·range.
 */
export interface TpeOptions {
  /** Random trials before the model is used. Default 10. */
  startupTrials?: number;
  /** Candidates drawn from l(x) per proposal. Default 24. */
  candidates?: number;
  /** Size of the good group for n observations. Default min(⌈0.1·n⌉, 25). */
  gamma?: (n: number) => number;
  /** Weights of n observations, oldest first. Default: flat for the newest 25, a linear ramp before. */
  weights?: (n: number) => Float64Array;
  /** Weight of the prior kernel. Default 1. */
  priorWeight?: number;
  /** Clip bandwidths below at range / min(100, n + 1). Default true. */
  magicClip?: boolean;
  /** Let the outermost observations' bandwidths reach the bounds. Default false. */
  endpoints?: boolean;
  /** Model the always-active parameters jointly. Default false. */
  multivariate?: boolean;
  /**
   * Score candidates with each continuous kernel weighted by its bandwidth: a kernel contributes
   * φ(z)/Z at distance z = (x − μ)/σ instead of the density φ(z)/(σ·Z). Candidates are still drawn from the
   * true density l(x). This is how Optuna 3.1's TPE evaluates l(x)/g(x) (checked value for value against its
   * estimator); it favours observations in sparse regions and samples markedly better on standard test
   * functions (bench/optimize.ts). Default true; false gives the textbook density ratio.
   */
  bandwidthWeighted?: boolean;
}

export const defaultGamma = (n: number): number => Math.min(Math.ceil(0.1 * n), 25);

export function defaultWeights(n: number): Float64Array {
  const w = new Float64Array(n);
  if (n < 25) return w.fill(1);
  const ramp = n - 25;
  for (let i = 0; i < ramp; i++) w[i] = ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1);
  for (let i = ramp; i < n; i++) w[i] = 1;
  return w;
}

// local bindings: a call through a module re-export is a property read each time
const normalCdf = metricsNormalCdf;
const normalInv = metricsNormalInv;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const EPS = 1e-12;

/** Φ(b) − Φ(a) for a < b, accurate in both tails. */
function massBetween(a: number, b: number): number {
  if (a < -9 && b > 9) return 1;
  return a > 0 ? normalCdf(-a) - normalCdf(-b) : normalCdf(b) - normalCdf(a);
}

/** One dimension of a Parzen density: K kernels (the last one the prior, when present). */
interface NumericKernels {
  kind: 'numeric';
  /** Bounds of the kernels' support (widened by q/2 each side when discrete). */
  lo: number;
  hi: number;
  q: number;
  mu: Float64Array;
  sigma: Float64Array;
  /** log of each kernel's mass inside [lo, hi]. */
  logZ: Float64Array;
  invS: Float64Array;
  /** Continuous: −log σ − log √(2π) − log Z, the log density at the kernel's centre. */
  base: Float64Array;
}
interface CategoricalKernels {
  kind: 'categorical';
  n: number;
  /** K × n probabilities, row per kernel. */
  p: Float64Array;
}
type DimKernels = NumericKernels | CategoricalKernels;

/** A Parzen density over one or more dimensions: product kernels sharing one set of mixture weights. */
interface Parzen {
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

function kernelsOf(lo: number, hi: number, q: number, mu: Float64Array, sigma: Float64Array, bandwidthWeighted: boolean): NumericKernels {
  const k = mu.length;
  const logZ = new Float64Array(k);
  const invS = new Float64Array(k);
  const base = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const s = sigma[i]! > 0 ? sigma[i]! : EPS;
    sigma[i] = s;
    invS[i] = 1 / s;
    logZ[i] = Math.log(Math.max(1e-300, massBetween((lo - mu[i]!) / s, (hi - mu[i]!) / s)));
    base[i] = (bandwidthWeighted ? 0 : -Math.log(s)) - LOG_SQRT_2PI - logZ[i]!;
  }
  return { kind: 'numeric', lo, hi, q, mu, sigma, logZ, invS, base };
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

function categoricalKernels(obs: Float64Array, n: number, priorWeight: number): CategoricalKernels {
  const k = obs.length + 1;
  const p = new Float64Array(k * n).fill(priorWeight / k);
  for (let i = 0; i < obs.length; i++) p[i * n + obs[i]!] += 1;
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let c = 0; c < n; c++) s += p[i * n + c]!;
    for (let c = 0; c < n; c++) p[i * n + c] = s > 0 ? p[i * n + c]! / s : 1 / n;
  }
  // the prior row is uniform
  for (let c = 0; c < n; c++) p[(k - 1) * n + c] = 1 / n;
  return { kind: 'categorical', n, p };
}

/** Adds each kernel's log density (log mass when discrete) at internal x of one dimension to `terms`. */
function addKernelLogPdf(d: DimKernels, x: number, terms: Float64Array, k: number): void {
  if (d.kind === 'categorical') {
    const p = d.p;
    const n = d.n;
    for (let i = 0; i < k; i++) terms[i]! += Math.log(p[i * n + x]!);
    return;
  }
  const mu = d.mu;
  const invS = d.invS;
  if (d.q > 0) {
    const lo = Math.max(d.lo, x - d.q / 2);
    const hi = Math.min(d.hi, x + d.q / 2);
    const logZ = d.logZ;
    for (let i = 0; i < k; i++) {
      if (terms[i] === -Infinity) continue;
      const a = (lo - mu[i]!) * invS[i]!;
      const b = (hi - mu[i]!) * invS[i]!;
      if (a > 9 || b < -9) terms[i] = -Infinity;
      else terms[i]! += Math.log(massBetween(a, b)) - logZ[i]!;
    }
    return;
  }
  const base = d.base;
  for (let i = 0; i < k; i++) {
    const z = (x - mu[i]!) * invS[i]!;
    terms[i]! += base[i]! - 0.5 * z * z;
  }
}

/** log density of the mixture at the internal point xs (one value per dimension). */
function logDensity(pz: Parzen, xs: ArrayLike<number>): number {
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

function pickKernel(pz: Parzen, rng: Rng): number {
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

/** Draws from kernel i of one dimension (internal units; snapped to the lattice when discrete). */
function drawFromKernel(d: DimKernels, i: number, rng: Rng): number {
  if (d.kind === 'categorical') {
    const u = rng.next();
    let acc = 0;
    for (let c = 0; c < d.n; c++) {
      acc += d.p[i * d.n + c]!;
      if (u < acc) return c;
    }
    return d.n - 1;
  }
  const m = d.mu[i]!;
  const s = d.sigma[i]!;
  const a = (d.lo - m) / s;
  const b = (d.hi - m) / s;
  // inverse-CDF draw from the normal truncated to [a, b], on the lower tail side for accuracy
  const flip = a > 0;
  const [aa, bb] = flip ? [-b, -a] : [a, b];
  const pa = normalCdf(aa);
  const pb = normalCdf(bb);
  let z = normalInv(pa + rng.next() * (pb - pa));
  if (!Number.isFinite(z)) z = aa + rng.next() * (bb - aa);
  z = Math.min(bb, Math.max(aa, z));
  let x = m + s * (flip ? -z : z);
  if (d.q > 0) {
    const lo = d.lo + d.q / 2;
    const hi = d.hi - d.q / 2;
    x = lo + Math.round((x - lo) / d.q) * d.q;
    x = Math.min(hi, Math.max(lo, x));
  }
  return x;
}

/** The observations of each trial group, split good/bad. */
interface Split {
  below: TrialRecord[];
  above: TrialRecord[];
}

/**
 * Ranks the finished trials and puts the best γ(n) in the good group. Single objective: complete by value,
 * then pruned by the step reached and the last value. Several objectives: non-dominated fronts, the last
 * front that fits cut by crowding distance; pruned trials rank last.
 */
function split(history: readonly TrialRecord[], directions: readonly Direction[], gamma: (n: number) => number): Split {
  const nBelow = Math.max(0, Math.min(history.length, gamma(history.length)));
  let ranked: TrialRecord[];
  if (directions.length === 1) return splitSingle(history, directions[0]!, nBelow);
  else {
    const done = history.filter((t) => t.state === 'complete');
    const rest = history.filter((t) => t.state !== 'complete');
    const pts = done.map((t) => minimised(t, directions));
    ranked = [];
    for (const front of nonDominatedFronts(pts)) {
      if (ranked.length + front.length <= nBelow) ranked.push(...front.map((i) => done[i]!));
      else {
        const cd = crowding(front.map((i) => pts[i]!));
        const order = front.map((i, j) => [i, cd[j]!] as const).sort((a, b) => b[1] - a[1] || done[a[0]]!.number - done[b[0]]!.number);
        ranked.push(...order.map(([i]) => done[i]!));
      }
    }
    ranked.push(...rest);
  }
  const byNumber = (a: TrialRecord, b: TrialRecord) => a.number - b.number;
  return { below: ranked.slice(0, nBelow).sort(byNumber), above: ranked.slice(nBelow).sort(byNumber) };
}

/**
 * Single objective: the best nBelow trials (same order as sortBest: complete by value, then pruned by step
 * reached and last value, ties by number) by one pass with a small sorted buffer; the rest stay in number order.
 */
function splitSingle(history: readonly TrialRecord[], direction: Direction, nBelow: number): Split {
  const sg = direction === 'minimize' ? 1 : -1;
  const n = history.length;
  const k1 = new Float64Array(n); // 0 complete, 1 pruned
  const k2 = new Float64Array(n); // −step for pruned
  const k3 = new Float64Array(n); // signed value (Infinity for NaN)
  for (let i = 0; i < n; i++) {
    const t = history[i]!;
    if (t.state === 'complete') {
      const v = t.values?.[0] ?? NaN;
      k3[i] = v === v ? sg * v : Infinity;
    } else {
      k1[i] = 1;
      const last = lastIntermediate(t);
      if (!last || last[1] !== last[1]) k3[i] = Infinity;
      else {
        k2[i] = -last[0];
        k3[i] = sg * last[1];
      }
    }
  }
  const less = (a: number, b: number): boolean =>
    k1[a]! !== k1[b]! ? k1[a]! < k1[b]! : k2[a]! !== k2[b]! ? k2[a]! < k2[b]! : k3[a]! !== k3[b]! ? k3[a]! < k3[b]! : history[a]!.number < history[b]!.number;
  const top: number[] = [];
  for (let i = 0; i < n && nBelow > 0; i++) {
    if (top.length === nBelow && !less(i, top[nBelow - 1]!)) continue;
    let j = top.length === nBelow ? nBelow - 1 : top.length;
    if (top.length < nBelow) top.push(i);
    while (j > 0 && less(i, top[j - 1]!)) {
      top[j] = top[j - 1]!;
      j--;
    }
    top[j] = i;
  }
  const inBelow = new Uint8Array(n);
  for (const i of top) inBelow[i] = 1;
  const below: TrialRecord[] = [];
  const above: TrialRecord[] = [];
  for (let i = 0; i < n; i++) (inBelow[i] ? below : above).push(history[i]!);
  return { below, above };
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

/** Builds the Parzen density of `names` over the trials of a group that have all of them (legal values only). */
function column(rows: readonly Float64Array[], j: number): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = rows[i]![j]!;
  return out;
}

/** Internal coordinates of a record's parameters, one slot per space parameter (NaN: absent or illegal), cached per record. */
type Coords = (t: TrialRecord) => Float64Array;

function coordsFor(space: SearchSpace): Coords {
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

function parzen(space: SearchSpace, names: readonly string[], trials: readonly TrialRecord[], opts: Resolved, multivariate: boolean, coords: Coords): Parzen {
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

type Resolved = Required<Omit<TpeOptions, 'gamma' | 'weights'>> & { gamma: (n: number) => number; weights: (n: number) => Float64Array };

/** TPE sampler; see {@link TpeOptions}. Falls back to uniform sampling for the first `startupTrials` trials. */
export function tpeSampler(options: TpeOptions = {}): Sampler {
  const opts: Resolved = {
    startupTrials: options.startupTrials ?? 10,
    candidates: options.candidates ?? 24,
    gamma: options.gamma ?? defaultGamma,
    weights: options.weights ?? defaultWeights,
    priorWeight: options.priorWeight ?? 1,
    magicClip: options.magicClip ?? true,
    endpoints: options.endpoints ?? false,
    multivariate: options.multivariate ?? false,
    bandwidthWeighted: options.bandwidthWeighted ?? true,
  };
  if (!(opts.candidates >= 1)) throw new QuantlabError('BAD_ARGUMENT', `tpeSampler: expected candidates >= 1, found ${opts.candidates}`);
  if (!(opts.priorWeight >= 0)) throw new QuantlabError('BAD_ARGUMENT', `tpeSampler: expected priorWeight >= 0, found ${opts.priorWeight}`);
  let coords: Coords | null = null;
  let coordsSpace: SearchSpace | null = null;
  return {
    name: opts.multivariate ? 'tpe-multivariate' : 'tpe',
    sample(ctx) {
      const owner = `study '${ctx.study}'`;
      const history = ctx.history.filter((t) => t.state === 'complete' || (t.state === 'pruned' && Object.keys(t.intermediate).length > 0));
      if (history.length < opts.startupTrials) return sampleValid(ctx.space, ctx.rng, ctx.constraint, 10_000, owner);
      const groups = split(history, ctx.directions, opts.gamma);
      if (!coords || coordsSpace !== ctx.space) {
        coords = coordsFor(ctx.space);
        coordsSpace = ctx.space;
      }
      const best = propose(ctx, groups, opts, ctx.constraint === undefined ? 1 : 8, coords);
      if (best) return best;
      return sampleValid(ctx.space, ctx.rng, ctx.constraint, 10_000, owner);
    },
  };
}

/**
 * Proposes parameters: the always-active parameters jointly (multivariate) or one by one, conditional ones
 * one by one in declaration order. With a constraint, whole candidate sets are scored (sum of per-group
 * log l/g) and invalid ones discarded; `rounds` batches of candidates are tried before giving up.
 */
function propose(ctx: SampleContext, groups: Split, opts: Resolved, rounds: number, coords: Coords): Params | null {
  const { space, rng, constraint } = ctx;
  const names = Object.keys(space);
  const jointNames = opts.multivariate ? names.filter((n) => !space[n]!.when) : [];
  const models = new Map<string, { l: Parzen; g: Parzen }>();
  const model = (key: string, ns: readonly string[], mv: boolean) => {
    let m = models.get(key);
    if (!m) models.set(key, (m = { l: parzen(space, ns, groups.below, opts, mv, coords), g: parzen(space, ns, groups.above, opts, mv, coords) }));
    return m;
  };
  // draw C candidates of one group, each with its score
  const candidatesOf = (ns: readonly string[], mv: boolean, count: number): { xs: Float64Array[]; score: Float64Array } => {
    const { l, g } = model(ns.join('\u0000'), ns, mv);
    const xs: Float64Array[] = [];
    const score = new Float64Array(count);
    // on a lattice, candidates repeat: score each distinct one once
    const discrete = l.dims.every((d) => d.kind === 'categorical' || d.q > 0);
    const cache = new Map<string, number>();
    const D = l.dims.length;
    for (let c = 0; c < count; c++) {
      const k = pickKernel(l, rng);
      const x = new Float64Array(D);
      for (let d = 0; d < D; d++) x[d] = drawFromKernel(l.dims[d]!, k, rng);
      let s: number | undefined;
      if (discrete) {
        const key = D === 1 ? String(x[0]) : x.join(',');
        s = cache.get(key);
        if (s === undefined) cache.set(key, (s = logDensity(l, x) - logDensity(g, x)));
      } else s = logDensity(l, x) - logDensity(g, x);
      xs.push(x);
      score[c] = s;
    }
    return { xs, score };
  };
  const toParams = (ns: readonly string[], x: Float64Array, into: Params) => ns.forEach((n, d) => (into[n] = fromInternal(space[n]!, x[d]!)));

  if (!constraint) {
    // independent argmax per group, as TPE does without constraints
    const out: Params = {};
    if (jointNames.length) {
      const { xs, score } = candidatesOf(jointNames, true, opts.candidates);
      toParams(jointNames, xs[argmax(score)]!, out);
    }
    for (const n of names) {
      if (jointNames.includes(n) || !isActive(space, n, out)) continue;
      const { xs, score } = candidatesOf([n], false, opts.candidates);
      toParams([n], xs[argmax(score)]!, out);
    }
    return out;
  }
  // with a constraint: score whole candidate sets, keep the best valid one
  for (let round = 0; round < rounds; round++) {
    const count = opts.candidates * (round + 1);
    const sets: Params[] = Array.from({ length: count }, () => ({}));
    const total = new Float64Array(count);
    if (jointNames.length) {
      const { xs, score } = candidatesOf(jointNames, true, count);
      for (let c = 0; c < count; c++) {
        toParams(jointNames, xs[c]!, sets[c]!);
        total[c]! += score[c]!;
      }
    }
    for (const n of names) {
      if (jointNames.includes(n)) continue;
      const { xs, score } = candidatesOf([n], false, count);
      for (let c = 0; c < count; c++) {
        if (!isActive(space, n, sets[c]!)) continue;
        toParams([n], xs[c]!, sets[c]!);
        total[c]! += score[c]!;
      }
    }
    let best = -1;
    for (let c = 0; c < count; c++) {
      if (constraintError(constraint, sets[c]!) !== null) continue;
      if (best < 0 || total[c]! > total[best]!) best = c;
    }
    if (best >= 0) return sets[best]!;
  }
  return null;
}

function argmax(x: Float64Array): number {
  let b = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[b]!) b = i;
  return b;
}

/**
 * The log density TPE builds over `names` from `trials` (all of them as one group), as a function of a
 * parameter set: for inspection and tests (it integrates to 1 over the space). With `bandwidthWeighted`,
 * the candidate score's version instead (not normalised).
 */
export function parzenLogDensity(space: SearchSpace, names: readonly string[], trials: readonly TrialRecord[], options: TpeOptions = {}): (p: Params) => number {
  const opts: Resolved = {
    startupTrials: 0,
    candidates: 24,
    gamma: options.gamma ?? defaultGamma,
    weights: options.weights ?? defaultWeights,
    priorWeight: options.priorWeight ?? 1,
    magicClip: options.magicClip ?? true,
    endpoints: options.endpoints ?? false,
    multivariate: options.multivariate ?? false,
    // a proper density unless asked for the candidate score
    bandwidthWeighted: options.bandwidthWeighted ?? false,
  };
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
