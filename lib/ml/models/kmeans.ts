import { QuantlabError } from '../../core';
import { rng } from '../../optimizer/rng';
import { asMatrix, type Matrix, type MatrixLike } from '../matrix';
import { applyScaler, checkJSON, finishModel, fitScaler, namesOf, positiveInt, type Model, type Scaler } from './model';

export interface KMeansOptions {
  /** Clusters. Default 3. */
  k?: number;
  /** Restarts from different k-means++ seeds; the lowest inertia wins. Default 4. */
  restarts?: number;
  /** Lloyd iterations per restart at most. Default 300. */
  maxIter?: number;
  /** Standardise features on the training rows first. Default true (regime features differ in scale). */
  standardize?: boolean;
  seed?: number;
}

/** Squared distance from row x (already scaled) to centroid c. */
function dist2(x: ArrayLike<number>, cs: Float64Array, c: number, p: number): number {
  let d = 0;
  for (let j = 0; j < p; j++) {
    const v = x[j]! - cs[c * p + j]!;
    d += v * v;
  }
  return d;
}

function nearest(x: ArrayLike<number>, cs: Float64Array, k: number, p: number): number {
  let best = 0;
  let bd = Infinity;
  for (let c = 0; c < k; c++) {
    const d = dist2(x, cs, c, p);
    if (d < bd) {
      bd = d;
      best = c;
    }
  }
  return best;
}

interface KMeansState {
  centroids: number[][];
  scaler: Scaler | null;
  inertia: number;
  featureNames?: string[];
}

function kmeansModel(st: KMeansState): Model {
  const k = st.centroids.length;
  const p = st.centroids[0]!.length;
  const cs = Float64Array.from(st.centroids.flat());
  const row = new Float64Array(p);
  return finishModel({
    kind: 'kmeans',
    task: 'clustering',
    nFeatures: p,
    featureNames: st.featureNames,
    predictRow: (x) => {
      if (!st.scaler) return nearest(x, cs, k, p);
      for (let j = 0; j < p; j++) row[j] = (x[j]! - st.scaler.mean[j]!) / st.scaler.scale[j]!;
      return nearest(row, cs, k, p);
    },
    toJSON: () => ({ kind: 'kmeans', version: 1, centroids: st.centroids.map((c) => [...c]), scaler: st.scaler, inertia: st.inertia, featureNames: st.featureNames ?? null }),
  });
}

/** One restart: k-means++ seeding, then Lloyd until assignments stop changing. */
function lloyd(M: Matrix, k: number, maxIter: number, seed: number, restart: number): { cs: Float64Array; inertia: number } {
  const { rows: n, cols: p, data } = M;
  const r = rng(seed, restart);
  const cs = new Float64Array(k * p);
  const d2 = new Float64Array(n).fill(Infinity);
  const row = (i: number) => data.subarray(i * p, (i + 1) * p);
  cs.set(row(r.int(n)), 0);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      d2[i] = Math.min(d2[i]!, dist2(row(i), cs, c - 1, p));
      total += d2[i]!;
    }
    let u = r.next() * total;
    let pick = n - 1;
    for (let i = 0; i < n; i++) {
      u -= d2[i]!;
      if (u < 0) {
        pick = i;
        break;
      }
    }
    cs.set(row(pick), c * p);
  }
  const assign = new Int32Array(n).fill(-1);
  const sums = new Float64Array(k * p);
  const counts = new Float64Array(k);
  for (let it = 0; it < maxIter; it++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const c = nearest(row(i), cs, k, p);
      if (c !== assign[i]) {
        assign[i] = c;
        changed++;
      }
    }
    if (changed === 0) break;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assign[i]!;
      counts[c]!++;
      for (let j = 0; j < p; j++) sums[c * p + j]! += data[i * p + j]!;
    }
    for (let c = 0; c < k; c++) if (counts[c]! > 0) for (let j = 0; j < p; j++) cs[c * p + j] = sums[c * p + j]! / counts[c]!;
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += dist2(row(i), cs, nearest(row(i), cs, k, p), p);
  return { cs, inertia };
}

/**
 * k-means (Lloyd's algorithm from k-means++ seeds, best of `restarts` by inertia); `predict` gives the
 * nearest centroid's index. Clusters are renumbered by their first feature's centroid (ascending), so that
 * cluster 0 of a volatility-first regime model is the calmest one, whatever the seed.
 * @example
 * const m = trainKMeans([[0], [0.1], [10], [10.2]], { k: 2, standardize: false });
 * Array.from(m.predict([[0.05], [9]])) // [0, 1]
 */
export function trainKMeans(X: MatrixLike, options: KMeansOptions = {}): Model {
  const where = 'train kmeans';
  const M0 = asMatrix(X, `${where}: X`);
  const k = positiveInt(where, 'k', options.k ?? 3);
  const restarts = positiveInt(where, 'restarts', options.restarts ?? 4);
  const maxIter = positiveInt(where, 'maxIter', options.maxIter ?? 300);
  if (M0.rows < k) throw new QuantlabError('BAD_ARGUMENT', `${where}: expected at least k = ${k} rows, found ${M0.rows}`);
  for (let i = 0; i < M0.data.length; i++) if (!Number.isFinite(M0.data[i]!)) throw new QuantlabError('BAD_ARGUMENT', `${where}: X row ${Math.floor(i / M0.cols)} column ${i % M0.cols} is ${M0.data[i]}`);
  const scaler = options.standardize ?? true ? fitScaler(M0) : null;
  const M = scaler ? applyScaler(scaler, M0) : M0;
  let best: { cs: Float64Array; inertia: number } | null = null;
  for (let s = 0; s < restarts; s++) {
    const r = lloyd(M, k, maxIter, options.seed ?? 0, s);
    if (!best || r.inertia < best.inertia) best = r;
  }
  const p = M.cols;
  const centroids = Array.from({ length: k }, (_, c) => Array.from(best!.cs.subarray(c * p, (c + 1) * p)));
  centroids.sort((a, b) => a[0]! - b[0]! || a.slice(1).join() .localeCompare(b.slice(1).join()));
  return kmeansModel({ centroids, scaler, inertia: best!.inertia, featureNames: namesOf(X) });
}

export function kmeansFromJSON(json: unknown): Model {
  const j = checkJSON(json, 'kmeans', ['centroids', 'scaler']);
  return kmeansModel({ centroids: j.centroids as number[][], scaler: j.scaler as Scaler | null, inertia: (j.inertia as number) ?? NaN, featureNames: (j.featureNames as string[] | null) ?? undefined });
}
