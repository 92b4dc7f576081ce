import { QuantlabError } from '../../core';
import { asMatrix, type MatrixLike } from '../matrix';
import { applyScaler, checkJSON, finishModel, fitScaler, namesOf, nonNegative, positiveInt, type Model, type Scaler } from './model';
import { trainKMeans } from './kmeans';

export interface GmmOptions {
  /** Components. Default 3. */
  k?: number;
  /** EM iterations at most. Default 200. */
  maxIter?: number;
  /** Stops when the mean log-likelihood gains less than this. Default 1e-9. */
  tol?: number;
  /** Added to every variance (numerical floor). Default 1e-6. */
  regVar?: number;
  /** Standardise features on the training rows first. Default true. */
  standardize?: boolean;
  seed?: number;
}

interface GmmState {
  weights: number[];
  means: number[][];
  vars: number[][];
  scaler: Scaler | null;
  logLikelihood: number;
  iterations: number;
  featureNames?: string[];
}

/** log N(x; m, diag v) + log w for each component into out; returns their log-sum-exp. */
function logJoint(st: { weights: number[]; means: number[][]; vars: number[][] }, x: ArrayLike<number>, out: Float64Array): number {
  const k = st.weights.length;
  const p = st.means[0]!.length;
  let max = -Infinity;
  for (let c = 0; c < k; c++) {
    const m = st.means[c]!;
    const v = st.vars[c]!;
    let s = Math.log(st.weights[c]!) - 0.5 * p * Math.log(2 * Math.PI);
    for (let j = 0; j < p; j++) s -= 0.5 * (Math.log(v[j]!) + (x[j]! - m[j]!) ** 2 / v[j]!);
    out[c] = s;
    if (s > max) max = s;
  }
  let t = 0;
  for (let c = 0; c < k; c++) t += Math.exp(out[c]! - max);
  return max + Math.log(t);
}

function gmmModel(st: GmmState): Model {
  const k = st.weights.length;
  const p = st.means[0]!.length;
  const lj = new Float64Array(k);
  const xs = new Float64Array(p);
  return finishModel({
    kind: 'gmm',
    task: 'clustering',
    nFeatures: p,
    featureNames: st.featureNames,
    predictRow: (x) => {
      let row: ArrayLike<number> = x;
      if (st.scaler) {
        for (let j = 0; j < p; j++) xs[j] = (x[j]! - st.scaler.mean[j]!) / st.scaler.scale[j]!;
        row = xs;
      }
      logJoint(st, row, lj);
      let best = 0;
      for (let c = 1; c < k; c++) if (lj[c]! > lj[best]!) best = c;
      return best;
    },
    toJSON: () => ({ kind: 'gmm', version: 1, weights: [...st.weights], means: st.means.map((m) => [...m]), vars: st.vars.map((v) => [...v]), scaler: st.scaler, logLikelihood: st.logLikelihood, iterations: st.iterations, featureNames: st.featureNames ?? null }),
  });
}

/**
 * A Gaussian mixture with diagonal covariances fitted by EM from k-means (same seed) starting points;
 * `predict` gives the most probable component. Components are numbered by their first feature's mean
 * (ascending), as k-means clusters are. `toJSON().logLikelihood` is the mean log-likelihood per row reached.
 * @example
 * const X = [[0], [0.2], [-0.1], [0.1], [10], [10.5], [9.5], [10.2]];
 * const m = trainGmm(X, { k: 2, standardize: false });
 * Array.from(m.predict([[0.3], [9.8]])) // [0, 1]
 */
export function trainGmm(X: MatrixLike, options: GmmOptions = {}): Model {
  const where = 'train gmm';
  const M0 = asMatrix(X, `${where}: X`);
  const k = positiveInt(where, 'k', options.k ?? 3);
  const maxIter = positiveInt(where, 'maxIter', options.maxIter ?? 200);
  const tol = nonNegative(where, 'tol', options.tol ?? 1e-9);
  const reg = nonNegative(where, 'regVar', options.regVar ?? 1e-6);
  if (M0.rows < 2 * k) throw new QuantlabError('BAD_ARGUMENT', `${where}: expected at least 2·k = ${2 * k} rows, found ${M0.rows}`);
  const scaler = options.standardize ?? true ? fitScaler(M0) : null;
  const M = scaler ? applyScaler(scaler, M0) : M0;
  const { rows: n, cols: p, data } = M;
  // start from k-means: means = centroids, variances and weights of its clusters
  const km = trainKMeans(M, { k, seed: options.seed ?? 0, standardize: false });
  const lab = km.predict(M);
  const st = { weights: new Array<number>(k).fill(0), means: (km.toJSON() as unknown as { centroids: number[][] }).centroids.map((c) => [...c]), vars: Array.from({ length: k }, () => new Array<number>(p).fill(0)) };
  for (let i = 0; i < n; i++) {
    const c = lab[i]!;
    st.weights[c]!++;
    for (let j = 0; j < p; j++) st.vars[c]![j]! += (data[i * p + j]! - st.means[c]![j]!) ** 2;
  }
  for (let c = 0; c < k; c++) {
    const w = Math.max(st.weights[c]!, 1);
    for (let j = 0; j < p; j++) st.vars[c]![j] = st.vars[c]![j]! / w + reg;
    st.weights[c] = Math.max(st.weights[c]!, 1) / n;
  }
  const resp = new Float64Array(n * k);
  const lj = new Float64Array(k);
  let ll = -Infinity;
  let it = 0;
  for (; it < maxIter; it++) {
    // E-step
    let total = 0;
    for (let i = 0; i < n; i++) {
      const lse = logJoint(st, data.subarray(i * p, (i + 1) * p), lj);
      total += lse;
      for (let c = 0; c < k; c++) resp[i * k + c] = Math.exp(lj[c]! - lse);
    }
    const mean = total / n;
    const gain = mean - ll;
    ll = mean;
    if (gain < tol) break;
    // M-step
    for (let c = 0; c < k; c++) {
      let nc = 0;
      const m = new Array<number>(p).fill(0);
      for (let i = 0; i < n; i++) {
        const r = resp[i * k + c]!;
        nc += r;
        for (let j = 0; j < p; j++) m[j]! += r * data[i * p + j]!;
      }
      if (nc < 1e-12) continue; // an empty component keeps its parameters
      for (let j = 0; j < p; j++) m[j] = m[j]! / nc;
      const v = new Array<number>(p).fill(0);
      for (let i = 0; i < n; i++) {
        const r = resp[i * k + c]!;
        for (let j = 0; j < p; j++) v[j]! += r * (data[i * p + j]! - m[j]!) ** 2;
      }
      st.means[c] = m;
      st.vars[c] = v.map((x) => x / nc + reg);
      st.weights[c] = nc / n;
    }
  }
  if (it === maxIter) {
    // stopped by maxIter after an M-step: the likelihood of the parameters returned
    let total = 0;
    for (let i = 0; i < n; i++) total += logJoint(st, data.subarray(i * p, (i + 1) * p), lj);
    ll = total / n;
  }
  const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => st.means[a]![0]! - st.means[b]![0]! || a - b);
  return gmmModel({
    weights: order.map((c) => st.weights[c]!),
    means: order.map((c) => st.means[c]!),
    vars: order.map((c) => st.vars[c]!),
    scaler,
    logLikelihood: ll,
    iterations: it,
    featureNames: namesOf(X),
  });
}

export function gmmFromJSON(json: unknown): Model {
  const j = checkJSON(json, 'gmm', ['weights', 'means', 'vars', 'scaler']);
  return gmmModel({ weights: j.weights as number[], means: j.means as number[][], vars: j.vars as number[][], scaler: j.scaler as Scaler | null, logLikelihood: (j.logLikelihood as number) ?? NaN, iterations: (j.iterations as number) ?? 0, featureNames: (j.featureNames as string[] | null) ?? undefined });
}
