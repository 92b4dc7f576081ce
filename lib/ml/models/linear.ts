import { QuantlabError } from '../../core';
import { asMatrix, asTarget, checkBinary, type Matrix, type MatrixLike } from '../matrix';
import { applyScaler, checkJSON, finishModel, fitScaler, namesOf, nonNegative, positiveInt, type Model, type Scaler } from './model';

/** Solves A x = b for symmetric positive definite A (n×n row-major) by Cholesky; A and b are not modified. */
export function solveSpd(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) throw new QuantlabError('BAD_ARGUMENT', `solve: the normal equations are singular at column ${i} (a constant or duplicated feature with no penalty?)`);
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j]!;
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * z[k]!;
    z[i] = s / L[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * x[k]!;
    x[i] = s / L[i * n + i]!;
  }
  return x;
}

/** w·x + b with x scaled (when a scaler is given). The one linear score rule. */
function linearScore(w: readonly number[], b: number, s: Scaler | null, x: ArrayLike<number>): number {
  let z = b;
  if (s) for (let j = 0; j < w.length; j++) z += w[j]! * ((x[j]! - s.mean[j]!) / s.scale[j]!);
  else for (let j = 0; j < w.length; j++) z += w[j]! * x[j]!;
  return z;
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export interface LogisticOptions {
  /** Inverse penalty strength: minimises C·Σ log-loss + ½‖w‖² (scikit-learn's convention; the intercept is not penalised). Default 1. */
  C?: number;
  /** Standardise features on the training rows first (the penalty then applies to standardised weights). Default false. */
  standardize?: boolean;
  /** Newton iterations at most. Default 100. */
  maxIter?: number;
  /** Stops when the largest Newton step is below this. Default 1e-10. */
  tol?: number;
}

interface LinearState {
  weights: number[];
  intercept: number;
  scaler: Scaler | null;
  featureNames?: string[];
}

function logisticModel(st: LinearState & { C: number; iterations: number }): Model {
  const { weights, intercept, scaler } = st;
  const proba = (x: ArrayLike<number>) => sigmoid(linearScore(weights, intercept, scaler, x));
  return finishModel({
    kind: 'logistic',
    task: 'classification',
    nFeatures: weights.length,
    featureNames: st.featureNames,
    classes: [0, 1],
    predictRow: (x) => (proba(x) > 0.5 ? 1 : 0),
    probaRow: proba,
    toJSON: () => ({ kind: 'logistic', version: 1, weights: [...weights], intercept, scaler, C: st.C, iterations: st.iterations, featureNames: st.featureNames ?? null }),
  });
}

/**
 * Binary logistic regression with an L2 penalty, fitted by Newton's method (exact optimum to `tol`):
 * minimises C·Σᵢ [−yᵢ log pᵢ − (1 − yᵢ) log(1 − pᵢ)] + ½‖w‖², pᵢ = σ(w·xᵢ + b), b not penalised — the
 * objective of scikit-learn's `LogisticRegression(C=C)`. Labels must be 0/1; predict is P > 0.5.
 * @example
 * const m = trainLogistic([[0], [1], [2], [3]], [0, 0, 1, 1], { C: 100 });
 * Array.from(m.predict([[0.2], [2.8]])) // [0, 1]
 */
export function trainLogistic(X: MatrixLike, y: ArrayLike<number>, options: LogisticOptions = {}): Model {
  const where = 'train logistic';
  const M0 = asMatrix(X, `${where}: X`);
  const Y = asTarget(y, M0.rows, `${where}: y`);
  checkBinary(Y, `${where}: y`);
  const C = options.C ?? 1;
  if (!(C > 0 && Number.isFinite(C))) throw new QuantlabError('BAD_ARGUMENT', `${where}: expected C to be a number > 0, found ${C}`);
  const maxIter = positiveInt(where, 'maxIter', options.maxIter ?? 100);
  const tol = nonNegative(where, 'tol', options.tol ?? 1e-10);
  const scaler = options.standardize ? fitScaler(M0) : null;
  const M: Matrix = scaler ? applyScaler(scaler, M0) : M0;
  const p = M.cols;
  const d = p + 1; // weights then intercept
  const beta = new Float64Array(d);
  const objective = (b: Float64Array): number => {
    let s = 0;
    for (let r = 0; r < M.rows; r++) {
      let z = b[p]!;
      for (let j = 0; j < p; j++) z += b[j]! * M.data[r * p + j]!;
      // log(1 + e^z) − y z, computed stably
      s += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - Y[r]! * z;
    }
    let pen = 0;
    for (let j = 0; j < p; j++) pen += b[j]! * b[j]!;
    return C * s + pen / 2;
  };
  let f = objective(beta);
  let it = 0;
  for (; it < maxIter; it++) {
    const g = new Float64Array(d);
    const H = new Float64Array(d * d);
    for (let r = 0; r < M.rows; r++) {
      const row = M.data.subarray(r * p, (r + 1) * p);
      let z = beta[p]!;
      for (let j = 0; j < p; j++) z += beta[j]! * row[j]!;
      const pr = sigmoid(z);
      const e = C * (pr - Y[r]!);
      const w = C * pr * (1 - pr);
      for (let a = 0; a < d; a++) {
        const xa = a < p ? row[a]! : 1;
        g[a]! += e * xa;
        const wa = w * xa;
        for (let b = 0; b <= a; b++) H[a * d + b]! += wa * (b < p ? row[b]! : 1);
      }
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) H[b * d + a] = H[a * d + b]!;
    for (let j = 0; j < p; j++) {
      g[j]! += beta[j]!;
      H[j * d + j]! += 1;
    }
    if (!(H[p * d + p]! > 0)) H[p * d + p] = 1e-12; // every p(1−p) underflowed: a separable sample
    const step = solveSpd(H, g, d);
    let t = 1;
    let next = beta.map((v, i) => v - step[i]!);
    let fn = objective(next);
    while (fn > f + 1e-13 * Math.abs(f) && t > 1e-8) {
      t /= 2;
      next = beta.map((v, i) => v - t * step[i]!);
      fn = objective(next);
    }
    let maxStep = 0;
    for (let i = 0; i < d; i++) maxStep = Math.max(maxStep, Math.abs(next[i]! - beta[i]!));
    beta.set(next);
    f = fn;
    if (maxStep < tol) {
      it++;
      break;
    }
  }
  return logisticModel({ weights: Array.from(beta.subarray(0, p)), intercept: beta[p]!, scaler, C, iterations: it, featureNames: namesOf(X) });
}

export interface RidgeOptions {
  /** Penalty: minimises ‖y − Xw − b‖² + α‖w‖² (scikit-learn's `Ridge(alpha)`; b not penalised). Default 1. */
  alpha?: number;
  standardize?: boolean;
}

function ridgeModel(st: LinearState & { alpha: number }): Model {
  return finishModel({
    kind: 'ridge',
    task: 'regression',
    nFeatures: st.weights.length,
    featureNames: st.featureNames,
    predictRow: (x) => linearScore(st.weights, st.intercept, st.scaler, x),
    toJSON: () => ({ kind: 'ridge', version: 1, weights: [...st.weights], intercept: st.intercept, scaler: st.scaler, alpha: st.alpha, featureNames: st.featureNames ?? null }),
  });
}

/**
 * Ridge regression in closed form on centred data: (XcᵀXc + αI) w = Xcᵀyc, b = ȳ − x̄·w.
 * @example
 * const m = trainRidge([[0], [1], [2]], [1, 3, 5], { alpha: 0 });
 * m.predictRow([3]) // ≈ 7
 */
export function trainRidge(X: MatrixLike, y: ArrayLike<number>, options: RidgeOptions = {}): Model {
  const where = 'train ridge';
  const M0 = asMatrix(X, `${where}: X`);
  const Y = asTarget(y, M0.rows, `${where}: y`);
  const alpha = nonNegative(where, 'alpha', options.alpha ?? 1);
  const scaler = options.standardize ? fitScaler(M0) : null;
  const M = scaler ? applyScaler(scaler, M0) : M0;
  const p = M.cols;
  const n = M.rows;
  const mx = new Float64Array(p);
  let my = 0;
  for (let r = 0; r < n; r++) {
    my += Y[r]!;
    for (let j = 0; j < p; j++) mx[j]! += M.data[r * p + j]!;
  }
  my /= n;
  for (let j = 0; j < p; j++) mx[j] = mx[j]! / n;
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  const xc = new Float64Array(p);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < p; j++) xc[j] = M.data[r * p + j]! - mx[j]!;
    const yc = Y[r]! - my;
    for (let a = 0; a < p; a++) {
      b[a]! += xc[a]! * yc;
      for (let c = 0; c <= a; c++) A[a * p + c]! += xc[a]! * xc[c]!;
    }
  }
  for (let a = 0; a < p; a++) {
    for (let c = 0; c < a; c++) A[c * p + a] = A[a * p + c]!;
    A[a * p + a]! += alpha;
  }
  const w = solveSpd(A, b, p);
  let intercept = my;
  for (let j = 0; j < p; j++) intercept -= mx[j]! * w[j]!;
  return ridgeModel({ weights: Array.from(w), intercept, scaler, alpha, featureNames: namesOf(X) });
}

export function logisticFromJSON(json: unknown): Model {
  const j = checkJSON(json, 'logistic', ['weights', 'intercept', 'scaler', 'C']);
  return logisticModel({ weights: j.weights as number[], intercept: j.intercept as number, scaler: j.scaler as Scaler | null, C: j.C as number, iterations: (j.iterations as number) ?? 0, featureNames: (j.featureNames as string[] | null) ?? undefined });
}

export function ridgeFromJSON(json: unknown): Model {
  const j = checkJSON(json, 'ridge', ['weights', 'intercept', 'scaler', 'alpha']);
  return ridgeModel({ weights: j.weights as number[], intercept: j.intercept as number, scaler: j.scaler as Scaler | null, alpha: j.alpha as number, featureNames: (j.featureNames as string[] | null) ?? undefined });
}
