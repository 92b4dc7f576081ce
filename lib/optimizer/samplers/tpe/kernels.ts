import { normalCdf as metricsNormalCdf, normalInv as metricsNormalInv } from '../../../metrics';
import type { Rng } from '../../rng';

/**
 * The kernels of one dimension of a Parzen density: normals truncated to the parameter's bounds (their mass
 * over a lattice cell when discrete) and categorical rows; their log densities and draws, in internal units.
 */

// local bindings: a call through a module re-export is a property read each time
const normalCdf = metricsNormalCdf;
const normalInv = metricsNormalInv;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
export const EPS = 1e-12;

/** Φ(b) − Φ(a) for a < b, accurate in both tails. */
export function massBetween(a: number, b: number): number {
  if (a < -9 && b > 9) return 1;
  return a > 0 ? normalCdf(-a) - normalCdf(-b) : normalCdf(b) - normalCdf(a);
}

/** One dimension of a Parzen density: K kernels (the last one the prior, when present). */
export interface NumericKernels {
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
export interface CategoricalKernels {
  kind: 'categorical';
  n: number;
  /** K × n probabilities, row per kernel. */
  p: Float64Array;
}
export type DimKernels = NumericKernels | CategoricalKernels;

export function kernelsOf(lo: number, hi: number, q: number, mu: Float64Array, sigma: Float64Array, bandwidthWeighted: boolean): NumericKernels {
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

export function categoricalKernels(obs: Float64Array, n: number, priorWeight: number): CategoricalKernels {
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
export function addKernelLogPdf(d: DimKernels, x: number, terms: Float64Array, k: number): void {
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

/** Draws from kernel i of one dimension (internal units; snapped to the lattice when discrete). */
export function drawFromKernel(d: DimKernels, i: number, rng: Rng): number {
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
