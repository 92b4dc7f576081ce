/**
 * A small multi-layer perceptron in plain TypeScript (dense layers, ReLU or tanh, Adam, L2), for the
 * feature widths of bar data (tens of inputs, tens of units). Written here rather than through
 * @tensorflow/tfjs: the pure-JS tfjs backend is slower than these loops at this size, is not seeded
 * end to end, and would be a heavy dependency for one model.
 */
import { QuantlabError } from '../../core';
import { rng } from '../../optimizer/rng';
import { asMatrix, asTarget, checkBinary, type Matrix, type MatrixLike } from '../matrix';
import { applyScaler, checkJSON, finishModel, fitScaler, namesOf, nonNegative, positiveInt, type Model, type Scaler } from './model';

export interface MlpOptions {
  /** 'classification' (binary 0/1, sigmoid output, log-loss) or 'regression' (linear output, squared error). Default 'classification'. */
  task?: 'classification' | 'regression';
  /** Units per hidden layer. Default [16]. */
  hidden?: number[];
  activation?: 'relu' | 'tanh';
  /** Passes over the training rows. Default 30. */
  epochs?: number;
  /** Rows per Adam step. Default 64. */
  batchSize?: number;
  /** Adam step size. Default 0.003. */
  learningRate?: number;
  /** L2 penalty on the weights (not the biases), added to the mean loss as l2/2·‖W‖². Default 1e-4. */
  l2?: number;
  /** Standardise inputs on the training rows. Default true. */
  standardize?: boolean;
  seed?: number;
}

/** Layer l maps sizes[l] inputs to sizes[l+1] outputs: W[l] row-major (out × in), b[l]. */
export interface MlpWeights {
  sizes: number[];
  W: Float64Array[];
  b: Float64Array[];
}

const act = (a: 'relu' | 'tanh', z: number) => (a === 'relu' ? (z > 0 ? z : 0) : Math.tanh(z));
const dact = (a: 'relu' | 'tanh', h: number) => (a === 'relu' ? (h > 0 ? 1 : 0) : 1 - h * h);

/** Forward pass of one row: fills `hs[l]` with each layer's output; returns the output unit's pre-activation. */
function forward(w: MlpWeights, a: 'relu' | 'tanh', x: ArrayLike<number>, hs: Float64Array[]): number {
  let input: ArrayLike<number> = x;
  const L = w.W.length;
  for (let l = 0; l < L; l++) {
    const nin = w.sizes[l]!;
    const nout = w.sizes[l + 1]!;
    const W = w.W[l]!;
    const h = hs[l]!;
    for (let o = 0; o < nout; o++) {
      let z = w.b[l]![o]!;
      for (let i = 0; i < nin; i++) z += W[o * nin + i]! * input[i]!;
      h[o] = l === L - 1 ? z : act(a, z);
    }
    input = h;
  }
  return hs[L - 1]![0]!;
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/**
 * Mean loss (log-loss of the sigmoid output, or half squared error) plus l2/2·‖W‖² over `rows` of X, and its
 * gradient into gW / gb (overwritten). Exported for the gradient check.
 */
export function mlpLossAndGrad(w: MlpWeights, a: 'relu' | 'tanh', task: 'classification' | 'regression', l2: number, X: Matrix, y: Float64Array, rows: ArrayLike<number>, gW: Float64Array[], gb: Float64Array[]): number {
  const L = w.W.length;
  const hs = w.sizes.slice(1).map((s) => new Float64Array(s));
  const deltas = w.sizes.slice(1).map((s) => new Float64Array(s));
  for (const g of gW) g.fill(0);
  for (const g of gb) g.fill(0);
  let loss = 0;
  const m = rows.length;
  for (let k = 0; k < m; k++) {
    const r = rows[k]!;
    const x = X.data.subarray(r * X.cols, (r + 1) * X.cols);
    const z = forward(w, a, x, hs);
    let d: number;
    if (task === 'classification') {
      const p = sigmoid(z);
      loss += z > 0 ? z + Math.log1p(Math.exp(-z)) - y[r]! * z : Math.log1p(Math.exp(z)) - y[r]! * z;
      d = p - y[r]!;
    } else {
      d = z - y[r]!;
      loss += (d * d) / 2;
    }
    deltas[L - 1]![0] = d / m;
    for (let l = L - 1; l >= 0; l--) {
      const nin = w.sizes[l]!;
      const nout = w.sizes[l + 1]!;
      const input = l === 0 ? x : hs[l - 1]!;
      const W = w.W[l]!;
      const dl = deltas[l]!;
      for (let o = 0; o < nout; o++) {
        const g = dl[o]!;
        if (g === 0) continue;
        gb[l]![o]! += g;
        for (let i = 0; i < nin; i++) gW[l]![o * nin + i]! += g * input[i]!;
      }
      if (l > 0) {
        const prev = deltas[l - 1]!;
        const hp = hs[l - 1]!;
        for (let i = 0; i < nin; i++) {
          let s = 0;
          for (let o = 0; o < nout; o++) s += W[o * nin + i]! * dl[o]!;
          prev[i] = s * dact(a, hp[i]!);
        }
      }
    }
  }
  loss /= m;
  let pen = 0;
  for (let l = 0; l < L; l++) {
    const W = w.W[l]!;
    for (let j = 0; j < W.length; j++) {
      pen += W[j]! * W[j]!;
      gW[l]![j]! += l2 * W[j]!;
    }
  }
  return loss + (l2 / 2) * pen;
}

interface MlpState {
  task: 'classification' | 'regression';
  activation: 'relu' | 'tanh';
  weights: MlpWeights;
  scaler: Scaler | null;
  featureNames?: string[];
  options: Record<string, unknown>;
}

function mlpModel(st: MlpState): Model {
  const w = st.weights;
  const hs = w.sizes.slice(1).map((s) => new Float64Array(s));
  const p = w.sizes[0]!;
  const xs = new Float64Array(p);
  const raw = (x: ArrayLike<number>): number => {
    if (st.scaler) {
      for (let j = 0; j < p; j++) xs[j] = (x[j]! - st.scaler.mean[j]!) / st.scaler.scale[j]!;
      return forward(w, st.activation, xs, hs);
    }
    return forward(w, st.activation, x, hs);
  };
  const cls = st.task === 'classification';
  return finishModel({
    kind: 'mlp',
    task: st.task,
    nFeatures: p,
    featureNames: st.featureNames,
    classes: cls ? [0, 1] : undefined,
    predictRow: cls ? (x) => (sigmoid(raw(x)) > 0.5 ? 1 : 0) : raw,
    probaRow: cls ? (x) => sigmoid(raw(x)) : undefined,
    toJSON: () => ({
      kind: 'mlp', version: 1, task: st.task, activation: st.activation, sizes: [...w.sizes],
      W: w.W.map((a) => Array.from(a)), b: w.b.map((a) => Array.from(a)), scaler: st.scaler, featureNames: st.featureNames ?? null, options: st.options,
    }),
  });
}

/** Random weights: uniform ±√(6 / (in + out)) (Glorot), ×√2 for ReLU (He); biases 0. */
export function initMlp(sizes: number[], activation: 'relu' | 'tanh', seed: number): MlpWeights {
  const r = rng(seed, 0x6d6c70);
  const W: Float64Array[] = [];
  const b: Float64Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nin = sizes[l]!;
    const nout = sizes[l + 1]!;
    const lim = Math.sqrt(6 / (nin + nout)) * (activation === 'relu' && l + 2 < sizes.length ? Math.SQRT2 : 1);
    W.push(Float64Array.from({ length: nin * nout }, () => (2 * r.next() - 1) * lim));
    b.push(new Float64Array(nout));
  }
  return { sizes, W, b };
}

/**
 * Trains an MLP with Adam on shuffled mini-batches (seeded order and initial weights: deterministic).
 * @example
 * const X = Array.from({ length: 400 }, (_, i) => [((i * 37) % 100) / 50 - 1, ((i * 61) % 100) / 50 - 1]);
 * const y = X.map(([a, b]) => (a * b > 0 ? 1 : 0));
 * const m = trainMlp(X, y, { hidden: [16], epochs: 200, seed: 1 });
 * Array.from(m.predict([[0.7, 0.6], [-0.7, 0.6]])) // [1, 0]
 */
export function trainMlp(X: MatrixLike, y: ArrayLike<number>, options: MlpOptions = {}): Model {
  const where = 'train mlp';
  const M0 = asMatrix(X, `${where}: X`);
  const Y = asTarget(y, M0.rows, `${where}: y`);
  const task = options.task ?? 'classification';
  if (task !== 'classification' && task !== 'regression') throw new QuantlabError('BAD_ARGUMENT', `${where}: expected task 'classification' or 'regression', found ${JSON.stringify(task)}`);
  if (task === 'classification') checkBinary(Y, `${where}: y`);
  const hidden = options.hidden ?? [16];
  if (!Array.isArray(hidden) || hidden.some((h) => !(Number.isInteger(h) && h >= 1))) throw new QuantlabError('BAD_ARGUMENT', `${where}: expected hidden to be a list of layer sizes >= 1, found ${JSON.stringify(hidden)}`);
  const activation = options.activation ?? 'relu';
  if (activation !== 'relu' && activation !== 'tanh') throw new QuantlabError('BAD_ARGUMENT', `${where}: expected activation 'relu' or 'tanh', found ${JSON.stringify(activation)}`);
  const epochs = positiveInt(where, 'epochs', options.epochs ?? 30);
  const batch = positiveInt(where, 'batchSize', options.batchSize ?? 64);
  const lr = options.learningRate ?? 0.003;
  if (!(lr > 0)) throw new QuantlabError('BAD_ARGUMENT', `${where}: expected learningRate > 0, found ${lr}`);
  const l2 = nonNegative(where, 'l2', options.l2 ?? 1e-4);
  const seed = options.seed ?? 0;
  const scaler = options.standardize ?? true ? fitScaler(M0) : null;
  const M = scaler ? applyScaler(scaler, M0) : M0;
  const w = initMlp([M.cols, ...hidden, 1], activation, seed);
  const gW = w.W.map((a) => new Float64Array(a.length));
  const gb = w.b.map((a) => new Float64Array(a.length));
  const mW = w.W.map((a) => new Float64Array(a.length));
  const vW = w.W.map((a) => new Float64Array(a.length));
  const mb = w.b.map((a) => new Float64Array(a.length));
  const vb = w.b.map((a) => new Float64Array(a.length));
  const order = Int32Array.from({ length: M.rows }, (_, i) => i);
  const r = rng(seed, 0x6f7264);
  const b1 = 0.9;
  const b2 = 0.999;
  let step = 0;
  const adam = (p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array) => {
    const c1 = 1 - b1 ** step;
    const c2 = 1 - b2 ** step;
    for (let j = 0; j < p.length; j++) {
      m[j] = b1 * m[j]! + (1 - b1) * g[j]!;
      v[j] = b2 * v[j]! + (1 - b2) * g[j]! * g[j]!;
      p[j]! -= (lr * (m[j]! / c1)) / (Math.sqrt(v[j]! / c2) + 1e-8);
    }
  };
  for (let e = 0; e < epochs; e++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    for (let s = 0; s < order.length; s += batch) {
      mlpLossAndGrad(w, activation, task, l2, M, Y, order.subarray(s, Math.min(order.length, s + batch)), gW, gb);
      step++;
      for (let l = 0; l < w.W.length; l++) {
        adam(w.W[l]!, gW[l]!, mW[l]!, vW[l]!);
        adam(w.b[l]!, gb[l]!, mb[l]!, vb[l]!);
      }
    }
  }
  return mlpModel({ task, activation, weights: w, scaler, featureNames: namesOf(X), options: { hidden, epochs, batchSize: batch, learningRate: lr, l2, seed } });
}

export function mlpFromJSON(json: unknown): Model {
  const j = checkJSON(json, 'mlp', ['task', 'activation', 'sizes', 'W', 'b', 'scaler']);
  return mlpModel({
    task: j.task as 'classification' | 'regression',
    activation: j.activation as 'relu' | 'tanh',
    weights: { sizes: j.sizes as number[], W: (j.W as number[][]).map((a) => Float64Array.from(a)), b: (j.b as number[][]).map((a) => Float64Array.from(a)) },
    scaler: j.scaler as Scaler | null,
    featureNames: (j.featureNames as string[] | null) ?? undefined,
    options: (j.options as Record<string, unknown>) ?? {},
  });
}
