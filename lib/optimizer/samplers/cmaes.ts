import { QuantlabError } from '../../core';
import { constraintError, declError, dimOf, fromInternal, isActive, sampleDecl, sampleValid, toInternal, type Params, type SearchSpace } from '../space';
import type { TrialRecord } from '../trial';
import type { Sampler } from './types';

/**
 * CMA-ES (Hansen's (μ/μ_w, λ) form, as in "The CMA Evolution Strategy: A Tutorial", 2016) over the
 * continuous and integer parameters, each mapped to [0, 1] (log scale for logFloat); integers are rounded
 * after sampling. Choice and conditional parameters are drawn uniformly (CMA-ES has no model for them).
 *
 * The state is rebuilt from the records alone: complete trials in number order form the generations,
 * λ at a time, and each generation's update uses the trials' actual parameters. A study can therefore
 * resume in another process, or mix workers, without any sampler state in the storage.
 */
export interface CmaEsOptions {
  /** Population size λ. Default 4 + ⌊3 ln n⌋. */
  popsize?: number;
  /** Initial step size in the unit cube. Default 1/6. */
  sigma0?: number;
  /** Initial mean (parameter values); default the centre of each range. */
  x0?: Params;
}

interface State {
  m: Float64Array;
  sigma: number;
  C: Float64Array; // n × n, row-major
  pc: Float64Array;
  ps: Float64Array;
  B: Float64Array; // eigenvectors in columns
  D: Float64Array; // sqrt of eigenvalues
  gen: number;
}

/** Strategy constants for dimension n and population λ. */
function constants(n: number, lambda: number) {
  const mu = Math.floor(lambda / 2);
  const raw = Array.from({ length: mu }, (_, i) => Math.log(mu + 0.5) - Math.log(i + 1));
  const sum = raw.reduce((a, b) => a + b, 0);
  const w = Float64Array.from(raw, (x) => x / sum);
  const muEff = 1 / w.reduce((a, b) => a + b * b, 0);
  const cs = (muEff + 2) / (n + muEff + 5);
  const ds = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + cs;
  const cc = (4 + muEff / n) / (n + 4 + (2 * muEff) / n);
  const c1 = 2 / ((n + 1.3) ** 2 + muEff);
  const cmu = Math.min(1 - c1, (2 * (muEff - 2 + 1 / muEff)) / ((n + 2) ** 2 + muEff));
  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
  return { mu, w, muEff, cs, ds, cc, c1, cmu, chiN };
}

/** Eigen-decomposition of a symmetric n × n matrix by cyclic Jacobi rotations: A = V diag(values) Vᵀ. */
export function symmetricEigen(A: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(A);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => a[i * n + i]!), vectors: v };
}

function decompose(st: State, n: number): void {
  const { values, vectors } = symmetricEigen(st.C, n);
  st.B = vectors;
  st.D = Float64Array.from(values, (x) => Math.sqrt(Math.max(x, 1e-20)));
}

/** One generation's update from its solutions (unit-cube coordinates), best first. */
function update(st: State, n: number, lambda: number, xs: Float64Array[]): void {
  const k = constants(n, lambda);
  const { m, sigma } = st;
  const ys = xs.slice(0, k.mu).map((x) => Float64Array.from(x, (xi, i) => (xi - m[i]!) / sigma));
  const yw = new Float64Array(n);
  ys.forEach((y, i) => {
    for (let d = 0; d < n; d++) yw[d]! += k.w[i]! * y[d]!;
  });
  for (let d = 0; d < n; d++) m[d]! += sigma * yw[d]!;
  // C^(-1/2) yw = B D^-1 Bᵀ yw
  const bty = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += st.B[i * n + j]! * yw[i]!;
    bty[j] = s / st.D[j]!;
  }
  const cInvHalfY = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += st.B[i * n + j]! * bty[j]!;
    cInvHalfY[i] = s;
  }
  const csFactor = Math.sqrt(k.cs * (2 - k.cs) * k.muEff);
  let psNorm = 0;
  for (let d = 0; d < n; d++) {
    st.ps[d] = (1 - k.cs) * st.ps[d]! + csFactor * cInvHalfY[d]!;
    psNorm += st.ps[d]! ** 2;
  }
  psNorm = Math.sqrt(psNorm);
  const hs = psNorm / Math.sqrt(1 - (1 - k.cs) ** (2 * (st.gen + 1))) < (1.4 + 2 / (n + 1)) * k.chiN ? 1 : 0;
  const ccFactor = Math.sqrt(k.cc * (2 - k.cc) * k.muEff);
  for (let d = 0; d < n; d++) st.pc[d] = (1 - k.cc) * st.pc[d]! + hs * ccFactor * yw[d]!;
  const dh = (1 - hs) * k.cc * (2 - k.cc);
  const wsum = k.w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let rankMu = 0;
      for (let r = 0; r < ys.length; r++) rankMu += k.w[r]! * ys[r]![i]! * ys[r]![j]!;
      const cij = st.C[i * n + j]!;
      st.C[i * n + j] = (1 - k.c1 - k.cmu * wsum) * cij + k.c1 * (st.pc[i]! * st.pc[j]! + dh * cij) + k.cmu * rankMu;
    }
  }
  st.sigma = sigma * Math.exp((k.cs / k.ds) * (psNorm / k.chiN - 1));
  st.sigma = Math.min(st.sigma, 1e3);
  st.gen++;
  decompose(st, n);
}

/** CMA-ES sampler; see {@link CmaEsOptions}. One objective only. */
export function cmaEsSampler(options: CmaEsOptions = {}): Sampler {
  let cache: { key: string; space: SearchSpace; states: State[]; members: TrialRecord[][] } | null = null;
  return {
    name: 'cmaes',
    sample(ctx) {
      if (ctx.directions.length !== 1) {
        throw new QuantlabError('BAD_ARGUMENT', `study '${ctx.study}': sampler 'cmaes' optimises one objective, found ${ctx.directions.length}; use 'nsga2' for several`);
      }
      const { space } = ctx;
      const names = Object.keys(space).filter((k) => !space[k]!.when && space[k]!.kind !== 'choice');
      if (!names.length) return sampleValid(space, ctx.rng, ctx.constraint, 10_000, `study '${ctx.study}'`);
      const n = names.length;
      const lambda = options.popsize ?? 4 + Math.floor(3 * Math.log(n));
      if (!(Number.isInteger(lambda) && lambda >= 2)) throw new QuantlabError('BAD_ARGUMENT', `cmaEsSampler: expected popsize >= 2, found ${lambda}`);
      const dims = names.map((k) => dimOf(space[k]!) as { lo: number; hi: number; q: number });
      const toUnit = (t: TrialRecord) => Float64Array.from(names, (k, i) => {
        const d = dims[i]!;
        return d.hi > d.lo ? (toInternal(space[k]!, t.params[k]!) - d.lo) / (d.hi - d.lo) : 0.5;
      });
      const fromUnit = (u: number, i: number) => fromInternal(space[names[i]!]!, dims[i]!.lo + Math.min(1, Math.max(0, u)) * (dims[i]!.hi - dims[i]!.lo));
      const s = ctx.directions[0] === 'minimize' ? 1 : -1;

      // complete trials with every modelled parameter legal, in number order, chunked into generations
      const usable = ctx.history.filter((t) => t.state === 'complete' && t.values && t.values[0] === t.values[0] && names.every((k) => declError(space[k]!, t.params[k]) === null));
      const key = JSON.stringify([names, lambda, options.sigma0 ?? null, options.x0 ?? null, ctx.study]);
      if (!cache || cache.key !== key || cache.space !== space) {
        const m = Float64Array.from(names, (k, i) => {
          const x0 = options.x0?.[k];
          const d = dims[i]!;
          return x0 === undefined || d.hi === d.lo ? 0.5 : (toInternal(space[k]!, x0) - d.lo) / (d.hi - d.lo);
        });
        const C = new Float64Array(n * n);
        const B = new Float64Array(n * n);
        for (let i = 0; i < n; i++) {
          C[i * n + i] = 1;
          B[i * n + i] = 1;
        }
        const init: State = { m, sigma: options.sigma0 ?? 1 / 6, C, pc: new Float64Array(n), ps: new Float64Array(n), B, D: new Float64Array(n).fill(1), gen: 0 };
        cache = { key, space, states: [init], members: [] };
      }
      const gens = Math.floor(usable.length / lambda);
      // keep the cached generations whose members are still the same records
      let valid = 0;
      while (valid < cache.members.length && valid < gens && cache.members[valid]!.every((t, i) => usable[valid * lambda + i] === t)) valid++;
      cache.members.length = valid;
      cache.states.length = valid + 1;
      for (let g = valid; g < gens; g++) {
        const members = usable.slice(g * lambda, (g + 1) * lambda);
        const ranked = [...members].sort((a, b) => s * a.values![0]! - s * b.values![0]! || a.number - b.number);
        const st = cloneState(cache.states[g]!);
        update(st, n, lambda, ranked.map(toUnit));
        cache.states.push(st);
        cache.members.push(members);
      }
      const st = cache.states[gens]!;
      // draw x = m + σ B D z until inside the unit cube (at most 100 tries, then clip) and the constraint holds
      for (let attempt = 0; attempt < 1000; attempt++) {
        let x: Float64Array | null = null;
        for (let tries = 0; tries < 100 && x === null; tries++) {
          const z = Float64Array.from({ length: n }, () => ctx.rng.normal());
          const cand = new Float64Array(n);
          for (let i = 0; i < n; i++) {
            let v = 0;
            for (let j = 0; j < n; j++) v += st.B[i * n + j]! * st.D[j]! * z[j]!;
            cand[i] = st.m[i]! + st.sigma * v;
          }
          if (cand.every((u) => u >= 0 && u <= 1) || tries === 99) x = cand;
        }
        const out: Params = {};
        for (const k of Object.keys(space)) {
          if (!isActive(space, k, out)) continue;
          const i = names.indexOf(k);
          out[k] = i >= 0 ? fromUnit(x![i]!, i) : sampleDecl(space[k]!, ctx.rng);
        }
        if (constraintError(ctx.constraint, out) === null) return out;
      }
      return sampleValid(space, ctx.rng, ctx.constraint, 10_000, `study '${ctx.study}'`);
    },
  };
}

function cloneState(s: State): State {
  return { m: Float64Array.from(s.m), sigma: s.sigma, C: Float64Array.from(s.C), pc: Float64Array.from(s.pc), ps: Float64Array.from(s.ps), B: Float64Array.from(s.B), D: Float64Array.from(s.D), gen: s.gen };
}
