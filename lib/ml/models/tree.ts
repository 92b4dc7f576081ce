/**
 * Histogram decision trees on typed arrays, shared by the random forest and gradient boosting. Written here
 * rather than taken from a package: the ml.js trees split on every distinct value (quadratic on 60k-row
 * feature sets) and serialise through class instances; histogram splits (as LightGBM and scikit-learn's
 * HistGradientBoosting) make a level O(rows × features) and the fitted tree is five flat arrays.
 */
import type { Matrix } from '../matrix';
import type { Rng } from '../../optimizer/rng';

/** Split thresholds per feature: x <= edges[f][b] goes to bins 0…b. At most `maxBins` bins per feature. */
export interface Binned {
  edges: Float64Array[];
  /** bins[f * rows + r] */
  bins: Uint8Array;
  rows: number;
  cols: number;
}

/**
 * Bins each feature: when it has at most `maxBins` distinct values the edges are the midpoints between them
 * (every split a exact tree could make); otherwise the values at ranks k·n/maxBins of the sorted column.
 */
export function binFeatures(M: Matrix, maxBins = 255): Binned {
  const { rows, cols } = M;
  const bins = new Uint8Array(rows * cols);
  const edges: Float64Array[] = [];
  const col = new Float64Array(rows);
  for (let f = 0; f < cols; f++) {
    for (let r = 0; r < rows; r++) col[r] = M.data[r * cols + f]!;
    const sorted = col.slice().sort();
    const distinct: number[] = [];
    for (let i = 0; i < rows; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
    let e: number[];
    if (distinct.length <= maxBins) e = distinct.slice(1).map((v, i) => distinct[i]! + (v - distinct[i]!) / 2);
    else {
      e = [];
      for (let k = 1; k < maxBins; k++) {
        const v = sorted[Math.floor((k * rows) / maxBins)]!;
        if (e.length === 0 || v > e[e.length - 1]!) e.push(v);
      }
      if (e.length && e[e.length - 1]! >= sorted[rows - 1]!) e.pop(); // an edge at the maximum splits nothing off
    }
    const ef = Float64Array.from(e);
    edges.push(ef);
    for (let r = 0; r < rows; r++) bins[f * rows + r] = binOf(ef, col[r]!);
  }
  return { edges, bins, rows, cols };
}

/** Number of edges below x (binary search): x <= edges[b] ⟺ bin <= b. */
export function binOf(edges: Float64Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A fitted tree: node arrays; a leaf has feature −1 and its output at value[node·outDim …]. */
export interface Tree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
  outDim: number;
}

/** The leaf node of row x. NaN goes right (x <= t is false). */
export function leafOf(tree: Tree, x: ArrayLike<number>): number {
  let n = 0;
  while (tree.feature[n]! >= 0) n = x[tree.feature[n]!]! <= tree.threshold[n]! ? tree.left[n]! : tree.right[n]!;
  return n;
}

/** leafOf for row r of a row-major matrix (no subarray per row). */
export function leafOfRow(tree: Tree, data: Float64Array, cols: number, r: number): number {
  let n = 0;
  const o = r * cols;
  while (tree.feature[n]! >= 0) n = data[o + tree.feature[n]!]! <= tree.threshold[n]! ? tree.left[n]! : tree.right[n]!;
  return n;
}

/**
 * How a tree scores nodes: per-row statistics in K channels (class one-hots, or gradient and hessian) summed
 * per bin; `score(sum)` of a node is what a split maximises (children's scores − the parent's); `leaf(sum)`
 * its output.
 */
export interface Criterion {
  K: number;
  outDim: number;
  score(s: Float64Array, o: number): number;
  leaf(s: Float64Array, o: number, out: number[]): void;
}

/** Σc² / Σc: minimising weighted Gini impurity is maximising this over the children. */
export const giniCriterion = (classes: number): Criterion => ({
  K: classes,
  outDim: classes,
  score(s, o) {
    let t = 0;
    let q = 0;
    for (let k = 0; k < classes; k++) {
      t += s[o + k]!;
      q += s[o + k]! * s[o + k]!;
    }
    return t > 0 ? q / t : 0;
  },
  leaf(s, o, out) {
    let t = 0;
    for (let k = 0; k < classes; k++) t += s[o + k]!;
    for (let k = 0; k < classes; k++) out.push(s[o + k]! / t);
  },
});

/** Channels (g, h): gain G²/(H + λ), leaf −G/(H + λ) (Newton step; for g = −y, h = 1, λ = 0: the mean, MSE splits). */
export const newtonCriterion = (lambda: number): Criterion => ({
  K: 2,
  outDim: 1,
  score: (s, o) => (s[o]! * s[o]!) / Math.max(s[o + 1]! + lambda, 1e-12),
  leaf: (s, o, out) => void out.push(-s[o]! / Math.max(s[o + 1]! + lambda, 1e-12)),
});

export interface GrowOptions {
  maxDepth: number;
  minLeaf: number;
  /** Features tried per split (all when >= cols). */
  maxFeatures: number;
  rng?: Rng;
}

/**
 * Grows one tree depth first on the rows in `rows` (repeats allowed through `weight`). `stats[r·K + k]` is row
 * r's channel k (already weighted); `weight[r]` counts toward `minLeaf`. When every feature is tried at every
 * split (boosting, single trees) a node's histograms are built once for all features and a child's are the
 * parent's minus its sibling's, built on the smaller side only (LightGBM's subtraction trick).
 */
export function growTree(B: Binned, stats: Float64Array, weight: Float64Array, rows: Int32Array, crit: Criterion, o: GrowOptions): Tree {
  const K = crit.K;
  const W = K + 1;
  const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [], outDim: crit.outDim };
  const maxBins = Math.max(1, ...B.edges.map((e) => e.length + 1));
  const all = o.maxFeatures >= B.cols;
  // all-features mode: one histogram block per node, feature f at offset off[f]
  const off = new Int32Array(B.cols + 1);
  for (let f = 0; f < B.cols; f++) off[f + 1] = off[f]! + B.edges[f]!.length + 1;
  const block = off[B.cols]! * W;
  const single = new Float64Array(maxBins * W);
  const cum = new Float64Array(W);
  const rest = new Float64Array(W);
  const bestLeft = new Float64Array(W);
  const featOrder = Int32Array.from({ length: B.cols }, (_, i) => i);
  const tmp = new Int32Array(rows.length);
  const bins = B.bins;
  const n = B.rows;

  /** Adds rows[lo, hi) of feature f into h at offset base (in bins). */
  const accumulate = (f: number, lo: number, hi: number, h: Float64Array, base: number): void => {
    const col = f * n;
    if (K === 2) {
      for (let i = lo; i < hi; i++) {
        const r = rows[i]!;
        const j = (base + bins[col + r]!) * 3;
        h[j]! += stats[2 * r]!;
        h[j + 1]! += stats[2 * r + 1]!;
        h[j + 2]! += weight[r]!;
      }
    } else {
      for (let i = lo; i < hi; i++) {
        const r = rows[i]!;
        const j = (base + bins[col + r]!) * W;
        for (let k = 0; k < K; k++) h[j + k]! += stats[r * K + k]!;
        h[j + K]! += weight[r]!;
      }
    }
  };
  const nodeHist = (lo: number, hi: number): Float64Array => {
    const h = new Float64Array(block);
    for (let f = 0; f < B.cols; f++) accumulate(f, lo, hi, h, off[f]!);
    return h;
  };
  const splittable = (depth: number, count: number) => depth < o.maxDepth && count >= 2 * o.minLeaf;

  const grow = (lo: number, hi: number, depth: number, sum: Float64Array, hist: Float64Array | null): number => {
    const node = tree.feature.length;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    const makeLeaf = () => {
      crit.leaf(sum, 0, tree.value);
      return node;
    };
    if (!splittable(depth, sum[K]!)) return makeLeaf();
    const parent = crit.score(sum, 0);
    let bestGain = 1e-12 * Math.max(1, Math.abs(parent));
    let bestF = -1;
    let bestB = -1;
    // candidate features: a partial Fisher–Yates shuffle when sampling
    const m = Math.min(o.maxFeatures, B.cols);
    if (m < B.cols && o.rng) {
      for (let i = 0; i < m; i++) {
        const j = i + o.rng.int(B.cols - i);
        const t = featOrder[i]!;
        featOrder[i] = featOrder[j]!;
        featOrder[j] = t;
      }
    }
    for (let fi = 0; fi < m; fi++) {
      const f = m < B.cols ? featOrder[fi]! : fi;
      const nb = B.edges[f]!.length + 1;
      if (nb < 2) continue;
      let h: Float64Array;
      let base: number;
      if (hist) {
        h = hist;
        base = off[f]! * W;
      } else {
        single.fill(0, 0, nb * W);
        accumulate(f, lo, hi, single, 0);
        h = single;
        base = 0;
      }
      cum.fill(0);
      for (let b = 0; b < nb - 1; b++) {
        for (let k = 0; k < W; k++) cum[k]! += h[base + b * W + k]!;
        if (cum[K]! < o.minLeaf) continue;
        for (let k = 0; k < W; k++) rest[k] = sum[k]! - cum[k]!;
        if (rest[K]! < o.minLeaf) break;
        const gain = crit.score(cum, 0) + crit.score(rest, 0) - parent;
        if (gain > bestGain) {
          bestGain = gain;
          bestF = f;
          bestB = b;
          bestLeft.set(cum);
        }
      }
    }
    if (bestF < 0) return makeLeaf();
    // partition rows[lo, hi) stably: bins <= bestB first
    const col = bestF * n;
    let a = lo;
    let z = 0;
    for (let i = lo; i < hi; i++) {
      const r = rows[i]!;
      if (bins[col + r]! <= bestB) rows[a++] = r;
      else tmp[z++] = r;
    }
    rows.set(tmp.subarray(0, z), a);
    tree.feature[node] = bestF;
    tree.threshold[node] = B.edges[bestF]![bestB]!;
    tree.value.push(...new Array<number>(crit.outDim).fill(0)); // inner nodes keep a placeholder output
    const leftSum = bestLeft.slice();
    const rightSum = sum.map((v, k) => v - leftSum[k]!);
    let lh: Float64Array | null = null;
    let rh: Float64Array | null = null;
    if (hist && (splittable(depth + 1, leftSum[K]!) || splittable(depth + 1, rightSum[K]!))) {
      const leftSmaller = a - lo <= hi - a;
      const small = leftSmaller ? nodeHist(lo, a) : nodeHist(a, hi);
      for (let j = 0; j < block; j++) hist[j] = hist[j]! - small[j]!; // the parent's block becomes the larger child's
      if (leftSmaller) (lh = small), (rh = hist);
      else (lh = hist), (rh = small);
    }
    tree.left[node] = grow(lo, a, depth + 1, leftSum, lh);
    tree.right[node] = grow(a, hi, depth + 1, rightSum, rh);
    return node;
  };

  const total = new Float64Array(W);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    for (let k = 0; k < K; k++) total[k]! += stats[r * K + k]!;
    total[K]! += weight[r]!;
  }
  grow(0, rows.length, 0, total, all && splittable(0, total[K]!) ? nodeHist(0, rows.length) : null);
  return tree;
}
