import { describe, expect, it } from 'vitest';
import { ind } from '../../lib/strategy';
import { rng } from '../../lib/optimizer/rng';
import { asMatrix, dataset, features, fromJSON, labels, logLoss, pastReturn, permutationImportance, rocAuc, accuracy, train, MODEL_KINDS, type Model } from '../../lib/ml';
import { sharedBars, btc1h } from '../helpers/datasets';
import { sliceBars } from '../../lib/core';
import { initMlp, mlpLossAndGrad } from '../../lib/ml/models/mlp';

/** Real features and a binary label: BTCUSDT 1d, standardised by hand where a test needs it. */
function realData() {
  const bars = sharedBars('binance_BTCUSDT_1d.csv');
  const d = dataset(features(bars, { rsi: ind.rsi(14), r5: pastReturn(5), r20: pastReturn(20) }), labels.forwardReturn(bars, 5, { kind: 'sign' }));
  const X = asMatrix(d.X);
  return { X, y: d.y, d };
}

const sig = (z: number) => 1 / (1 + Math.exp(-z));

describe('logistic regression (L2, C·Σ log-loss + ½‖w‖², intercept free)', () => {
  const { X: raw, y } = realData();
  const p = raw.cols;
  // standardised by hand (population std), so plain gradient descent converges in a few thousand steps
  const mean = Array.from({ length: p }, (_, k) => { let s = 0; for (let r = 0; r < raw.rows; r++) s += raw.data[r * p + k]!; return s / raw.rows; });
  const sd = mean.map((m, k) => { let s = 0; for (let r = 0; r < raw.rows; r++) s += (raw.data[r * p + k]! - m) ** 2; return Math.sqrt(s / raw.rows); });
  const Z = Array.from({ length: raw.rows }, (_, r) => Array.from({ length: p }, (_, k) => (raw.data[r * p + k]! - mean[k]!) / sd[k]!));
  const X = asMatrix(Z);

  /** Reference: plain gradient descent on the same objective, many small steps, from zero. */
  function gradientDescent(C: number, iters: number, lr: number): number[] {
    const b = new Array<number>(p + 1).fill(0);
    for (let it = 0; it < iters; it++) {
      const g = new Array<number>(p + 1).fill(0);
      for (let r = 0; r < X.rows; r++) {
        let z = b[p]!;
        for (let j = 0; j < p; j++) z += b[j]! * X.data[r * p + j]!;
        const e = C * (sig(z) - y[r]!);
        for (let j = 0; j < p; j++) g[j]! += e * X.data[r * p + j]!;
        g[p]! += e;
      }
      for (let j = 0; j < p; j++) g[j]! += b[j]!;
      for (let j = 0; j <= p; j++) b[j]! -= (lr * g[j]!) / X.rows;
    }
    return b;
  }

  it('Newton reaches the optimum gradient descent converges to (C = 1)', () => {
    const m = train('logistic', X, y, { C: 1 });
    const j = m.toJSON() as unknown as { weights: number[]; intercept: number };
    const gd = gradientDescent(1, 4000, 2);
    for (let k = 0; k < p; k++) expect(Math.abs(j.weights[k]! - gd[k]!)).toBeLessThan(1e-4);
    expect(Math.abs(j.intercept - gd[p]!)).toBeLessThan(1e-4);
    // first-order optimality: the gradient of the objective vanishes
    const g = new Array<number>(p + 1).fill(0);
    for (let r = 0; r < X.rows; r++) {
      const x = X.data.subarray(r * p, (r + 1) * p);
      const e = m.probaRow!(x) - y[r]!;
      for (let k = 0; k < p; k++) g[k]! += e * x[k]!;
      g[p]! += e;
    }
    for (let k = 0; k < p; k++) expect(Math.abs(g[k]! + j.weights[k]!)).toBeLessThan(1e-7);
    expect(Math.abs(g[p]!)).toBeLessThan(1e-7);
  }, 60_000);

  it('golden: two points, C = 1 — the symmetric optimum solves w = 2σ(−w) (bisection)', () => {
    // X = [[−1], [1]], y = [0, 1]: by symmetry b = 0 and the stationarity condition is w = 2σ(−w)
    let lo = 0;
    let hi = 2;
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (mid - 2 * sig(-mid) < 0) lo = mid;
      else hi = mid;
    }
    const m = train('logistic', [[-1], [1]], [0, 1]);
    const j = m.toJSON() as unknown as { weights: number[]; intercept: number };
    expect(Math.abs(j.weights[0]! - lo)).toBeLessThan(1e-14);
    expect(Math.abs(j.intercept)).toBeLessThan(1e-12);
  });

  it('standardize = fitting on standardised columns (population std)', () => {
    const a = train('logistic', raw, y, { standardize: true, C: 0.5 }).predictProba(raw);
    const b = train('logistic', Z, y, { C: 0.5 }).predictProba(Z);
    for (let r = 0; r < raw.rows; r++) expect(Math.abs(a[r]! - b[r]!)).toBeLessThan(1e-12);
  });

  it('refuses non-binary labels and bad C', () => {
    expect(() => train('logistic', [[0], [1]], [0, 2])).toThrow(/binary labels 0\/1, row 1 is 2/);
    expect(() => train('logistic', [[0], [1]], [0, 1], { C: 0 })).toThrow(/C to be a number > 0/);
    expect(() => train('logistic', [[0], [1]], [0])).toThrow(/expected 2 labels/);
  });
});

describe('ridge regression', () => {
  it('equals the (p+1)×(p+1) normal equations with an unpenalised intercept, solved by Gaussian elimination', () => {
    const { X } = realData();
    const bars = sharedBars('binance_BTCUSDT_1d.csv');
    const ret = labels.forwardReturn(bars, 5).ret;
    const d = realData().d;
    const y = Float64Array.from(d.start, (t) => ret[t]!);
    const p = X.cols;
    const alpha = 0.3;
    const m = train('ridge', X, y, { alpha });
    const q = p + 1;
    const A = Array.from({ length: q }, () => new Array<number>(q + 1).fill(0));
    for (let r = 0; r < X.rows; r++) {
      const x = [...X.data.subarray(r * p, (r + 1) * p), 1];
      for (let a = 0; a < q; a++) {
        for (let b = 0; b < q; b++) A[a]![b]! += x[a]! * x[b]!;
        A[a]![q]! += x[a]! * y[r]!;
      }
    }
    for (let a = 0; a < p; a++) A[a]![a]! += alpha;
    for (let c = 0; c < q; c++) {
      let piv = c;
      for (let r = c + 1; r < q; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[piv]![c]!)) piv = r;
      [A[c], A[piv]] = [A[piv]!, A[c]!];
      for (let r = 0; r < q; r++) {
        if (r === c) continue;
        const f = A[r]![c]! / A[c]![c]!;
        for (let k = c; k <= q; k++) A[r]![k]! -= f * A[c]![k]!;
      }
    }
    const sol = A.map((row, i) => row[q]! / row[i]!);
    const j = m.toJSON() as unknown as { weights: number[]; intercept: number };
    for (let k = 0; k < p; k++) expect(Math.abs(j.weights[k]! - sol[k]!) / Math.max(1e-12, Math.abs(sol[k]!))).toBeLessThan(1e-6);
    expect(Math.abs(j.intercept - sol[p]!)).toBeLessThan(1e-9);
  });
});

/** Exact CART reference: every midpoint of every feature, weighted Gini (or squared error), first best wins. */
function naiveTree(X: number[][], y: number[], maxDepth: number, minLeaf: number, task: 'gini' | 'mse') {
  type Node = { leaf: number[] } | { f: number; t: number; l: Node; r: Node };
  const classes = [...new Set(y)].sort((a, b) => a - b);
  const impurity = (idx: number[]) => {
    if (task === 'mse') {
      const m = idx.reduce((s, i) => s + y[i]!, 0) / idx.length;
      return idx.reduce((s, i) => s + (y[i]! - m) ** 2, 0);
    }
    const counts = classes.map((c) => idx.filter((i) => y[i] === c).length);
    return idx.length - counts.reduce((s, c) => s + c * c, 0) / idx.length; // n·Gini
  };
  const leaf = (idx: number[]) => (task === 'mse' ? [idx.reduce((s, i) => s + y[i]!, 0) / idx.length] : classes.map((c) => idx.filter((i) => y[i] === c).length / idx.length));
  const grow = (idx: number[], depth: number): Node => {
    if (depth >= maxDepth || idx.length < 2 * minLeaf) return { leaf: leaf(idx) };
    const parent = impurity(idx);
    let best = { gain: 1e-9, f: -1, t: 0 };
    for (let f = 0; f < X[0]!.length; f++) {
      const vals = [...new Set(idx.map((i) => X[i]![f]!))].sort((a, b) => a - b);
      for (let k = 0; k + 1 < vals.length; k++) {
        const t = vals[k]! + (vals[k + 1]! - vals[k]!) / 2;
        const L = idx.filter((i) => X[i]![f]! <= t);
        const R = idx.filter((i) => X[i]![f]! > t);
        if (L.length < minLeaf || R.length < minLeaf) continue;
        const gain = parent - impurity(L) - impurity(R);
        if (gain > best.gain + 1e-9) best = { gain, f, t };
      }
    }
    if (best.f < 0) return { leaf: leaf(idx) };
    return { f: best.f, t: best.t, l: grow(idx.filter((i) => X[i]![best.f]! <= best.t), depth + 1), r: grow(idx.filter((i) => X[i]![best.f]! > best.t), depth + 1) };
  };
  const root = grow(y.map((_, i) => i), 0);
  return (x: number[]): number[] => {
    let n = root;
    while (!('leaf' in n)) n = x[n.f]! <= n.t ? n.l : n.r;
    return n.leaf;
  };
}

describe('decision trees (histogram splits)', () => {
  const r = rng(5);
  // 400 rows, values on a grid of 50 so the 255 bins hold every distinct value: histogram = exact splits
  const X = Array.from({ length: 400 }, () => [r.int(50) / 7, r.int(40) / 3, r.int(30)]);
  const yc = X.map(([a, b, c]) => ((a! > 3 && b! < 8) || c! > 25 ? 1 : 0) ^ (r.next() < 0.1 ? 1 : 0));
  const yr = X.map(([a, b]) => Math.sin(a!) + b! / 10 + r.normal() * 0.1);

  it('classification tree = exact CART (Gini) on every row', () => {
    const m = train('decision-tree', X, yc, { maxDepth: 4, minLeaf: 3 });
    const ref = naiveTree(X, yc, 4, 3, 'gini');
    const p = m.predictProba(X);
    for (let i = 0; i < X.length; i++) expect(p[i]).toBeCloseTo(ref(X[i]!)[1]!, 12);
  });

  it('regression tree = exact CART (squared error) on every row', () => {
    const m = train('decision-tree', X, yr, { task: 'regression', maxDepth: 3, minLeaf: 5 });
    const ref = naiveTree(X, yr, 3, 5, 'mse');
    const p = m.predict(X);
    for (let i = 0; i < X.length; i++) expect(p[i]).toBeCloseTo(ref(X[i]!)[0]!, 10);
  });
});

describe('random forest, gradient boosting', () => {
  const r = rng(9);
  const X = Array.from({ length: 1500 }, () => [r.next() * 2 - 1, r.next() * 2 - 1, r.next()]);
  const y = X.map(([a, b]) => (a! * b! > 0 ? 1 : 0)); // XOR: no linear model separates it
  const Xt = Array.from({ length: 500 }, () => [r.next() * 2 - 1, r.next() * 2 - 1, r.next()]);
  const yt = Xt.map(([a, b]) => (a! * b! > 0 ? 1 : 0));

  it('learn XOR out of sample where logistic regression cannot', () => {
    const lin = accuracy(yt, train('logistic', X, y).predict(Xt));
    const rf = accuracy(yt, train('random-forest', X, y, { trees: 30, seed: 2 }).predict(Xt));
    const gb = accuracy(yt, train('gbdt', X, y, { rounds: 100, maxDepth: 3, minLeaf: 5 }).predict(Xt));
    expect(lin).toBeLessThan(0.65);
    expect(rf).toBeGreaterThan(0.93);
    expect(gb).toBeGreaterThan(0.93);
  });

  it('seeded: the same seed gives the same forest, another seed another', () => {
    const a = JSON.stringify(train('random-forest', X, y, { trees: 5, seed: 1 }).toJSON());
    expect(JSON.stringify(train('random-forest', X, y, { trees: 5, seed: 1 }).toJSON())).toBe(a);
    expect(JSON.stringify(train('random-forest', X, y, { trees: 5, seed: 2 }).toJSON())).not.toBe(a);
  });

  it('gbdt, one round of depth 1 and learning rate 1: the best squared-error stump on the residuals from the mean', () => {
    const yr = X.map(([a, , c]) => 3 * a! + (c! > 0.7 ? 2 : 0));
    const m = train('gbdt', X, yr, { task: 'regression', rounds: 1, maxDepth: 1, minLeaf: 1, learningRate: 1 });
    const ref = naiveTree(X.slice(0, 300), yr.slice(0, 300), 1, 1, 'mse'); // a stump on the first 300 rows
    const m300 = train('gbdt', X.slice(0, 300), yr.slice(0, 300), { task: 'regression', rounds: 1, maxDepth: 1, minLeaf: 1, learningRate: 1 });
    for (const x of X.slice(0, 300)) expect(m300.predictRow(x)).toBeCloseTo(ref(x)[0]!, 9);
    expect(m.predict(X).length).toBe(X.length);
  });

  it('gbdt classification: training log-loss falls with the rounds; init is the base-rate log-odds', () => {
    const losses = [1, 10, 50].map((rounds) => logLoss(y, train('gbdt', X, y, { rounds }).predictProba(X)));
    expect(losses[0]!).toBeGreaterThan(losses[1]!);
    expect(losses[1]!).toBeGreaterThan(losses[2]!);
    const j = train('gbdt', X, y, { rounds: 1 }).toJSON() as unknown as { init: number };
    const rate = y.reduce((s: number, v) => s + v, 0) / y.length;
    expect(j.init).toBeCloseTo(Math.log(rate / (1 - rate)), 12);
  });

  it('random-forest regression predicts the mean of leaf means (a smooth target is fitted)', () => {
    const yr = X.map(([a, b]) => a! + 2 * b!);
    const m = train('random-forest', X, yr, { task: 'regression', trees: 20, seed: 3 });
    const pred = m.predict(Xt);
    const err = Xt.reduce((s, [a, b], i) => s + (pred[i]! - (a! + 2 * b!)) ** 2, 0) / Xt.length;
    expect(err).toBeLessThan(0.02);
  });
});

describe('k-means', () => {
  const r = rng(4);
  const centres = [[0, 0], [5, 5], [0, 8]];
  const X = Array.from({ length: 600 }, (_, i) => centres[i % 3]!.map((c) => c + r.normal() * 0.5));

  it('recovers well-separated clusters; centroids are the means of their members (a Lloyd fixed point)', () => {
    const m = train('kmeans', X, undefined, { k: 3, standardize: false, seed: 1 });
    const lab = m.predict(X);
    for (let c = 0; c < 3; c++) {
      const members = X.filter((_, i) => i % 3 === c).map((_, k) => lab[3 * k + c]);
      expect(new Set(members).size).toBe(1); // every member of a true cluster gets one label
    }
    const j = m.toJSON() as unknown as { centroids: number[][]; inertia: number };
    let inertia = 0;
    for (let k = 0; k < 3; k++) {
      const mine = X.filter((_, i) => lab[i] === k);
      const mean = [0, 1].map((d) => mine.reduce((s, x) => s + x[d]!, 0) / mine.length);
      expect(j.centroids[k]![0]).toBeCloseTo(mean[0]!, 10);
      expect(j.centroids[k]![1]).toBeCloseTo(mean[1]!, 10);
      inertia += mine.reduce((s, x) => s + (x[0]! - mean[0]!) ** 2 + (x[1]! - mean[1]!) ** 2, 0);
    }
    expect(j.inertia).toBeCloseTo(inertia, 8);
    expect(j.centroids.map((c) => c[0]!)).toEqual([...j.centroids.map((c) => c[0]!)].sort((a, b) => a - b)); // numbered by first coordinate
  });
});

describe('every model kind: exact JSON round trip on real features', () => {
  const bars = sliceBars(btc1h(), 40000, 46000);
  const d = dataset(features(bars, { rsi: ind.rsi(14), bb: ind.bbands(20), r1: pastReturn(1), r24: pastReturn(24) }), labels.forwardReturn(bars, 12, { kind: 'sign' }));
  const ret = labels.forwardReturn(bars, 12).ret;
  const yv = Float64Array.from(d.start, (t) => ret[t]!);
  const fits: [string, () => Model][] = [
    ['logistic', () => train('logistic', d.X, d.y, { standardize: true })],
    ['ridge', () => train('ridge', d.X, yv, { standardize: true })],
    ['decision-tree', () => train('decision-tree', d.X, d.y, { maxDepth: 6 })],
    ['random-forest', () => train('random-forest', d.X, d.y, { trees: 10, seed: 4 })],
    ['random-forest (regression)', () => train('random-forest', d.X, yv, { task: 'regression', trees: 5, seed: 4 })],
    ['gbdt', () => train('gbdt', d.X, d.y, { rounds: 30 })],
    ['gbdt (regression)', () => train('gbdt', d.X, yv, { task: 'regression', rounds: 20 })],
    ['kmeans', () => train('kmeans', d.X, undefined, { k: 4, seed: 2 })],
    ['mlp', () => train('mlp', d.X, d.y, { hidden: [8, 4], epochs: 2, seed: 1 })],
    ['gmm', () => train('gmm', d.X, undefined, { k: 3, seed: 2, maxIter: 30 })],
  ];
  it('covers every kind', () => {
    expect(new Set(fits.map(([n]) => n.split(' ')[0]))).toEqual(new Set(MODEL_KINDS));
  });
  it.each(fits)('%s: fromJSON(parse(stringify(toJSON()))) predicts bit for bit the same', (_n, fit) => {
    const m = fit();
    const back = fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back.kind).toBe(m.kind);
    expect(back.featureNames).toEqual(['rsi', 'bb.upper', 'bb.middle', 'bb.lower', 'r1', 'r24']);
    const a = m.predict(d.X);
    const b = back.predict(d.X);
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`row ${i}: ${a[i]} vs ${b[i]}`);
    if (m.probaRow) {
      const pa = m.predictProba(d.X);
      const pb = back.predictProba(d.X);
      for (let i = 0; i < pa.length; i++) if (!Object.is(pa[i], pb[i])) throw new Error(`proba row ${i}`);
      expect(pa.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
    expect(JSON.stringify(back.toJSON())).toBe(JSON.stringify(m.toJSON()));
  });
  it('refuses a wrong width, a wrong kind, probabilities from a regressor', () => {
    const m = train('logistic', d.X, d.y);
    expect(() => m.predict([[1, 2]])).toThrow(/expected 6 features per row/);
    expect(() => fromJSON({ kind: 'svm', version: 1 })).toThrow(/expected a model with kind/);
    expect(() => fromJSON({ kind: 'gbdt', version: 1 })).toThrow(/missing 'task'/);
    expect(() => train('ridge', d.X, yv).predictProba(d.X)).toThrow(/gives no P\(y = 1\)/);
    expect(() => train('svm' as never, d.X, d.y)).toThrow(/expected kind/);
  });
});

describe('metrics and importance', () => {
  it('AUC equals the pairwise count (ties half) on random scores with ties', () => {
    const r = rng(1);
    const y = Array.from({ length: 300 }, () => (r.next() < 0.4 ? 1 : 0));
    const s = Array.from({ length: 300 }, () => Math.round(r.next() * 20) / 20);
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < 300; i++) for (let j = 0; j < 300; j++) if (y[i] === 1 && y[j] === 0) {
      pairs++;
      wins += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
    expect(rocAuc(y, s)).toBeCloseTo(wins / pairs, 12);
    expect(() => rocAuc([1, 1], [0.2, 0.3])).toThrow(/both classes/);
  });

  it('log-loss clips like scikit-learn (1e-15)', () => {
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(1e-15), 9);
  });

  it('permutation importance: the feature the label depends on matters, noise does not', () => {
    const r = rng(2);
    const X = Array.from({ length: 2000 }, () => [r.next(), r.next(), r.next()]);
    const y = X.map(([a]) => (a! > 0.5 ? 1 : 0));
    const m = train('gbdt', X.slice(0, 1500), y.slice(0, 1500), { rounds: 20 });
    const imp = permutationImportance(m, X.slice(1500), y.slice(1500), { repeats: 3, seed: 1 });
    expect(imp.map((i) => i.name)).toEqual(['x0', 'x1', 'x2']);
    expect(imp[0]!.importance).toBeGreaterThan(0.3);
    expect(Math.abs(imp[1]!.importance)).toBeLessThan(0.02);
    expect(Math.abs(imp[2]!.importance)).toBeLessThan(0.02);
  });
});

describe('mlp', () => {
  it('back-propagation equals the finite-difference gradient of the loss (both tasks, both activations)', () => {
    const r = rng(3);
    const X = asMatrix(Array.from({ length: 30 }, () => [r.normal(), r.normal(), r.normal()]));
    for (const [task, activation] of [['classification', 'tanh'], ['regression', 'relu'], ['classification', 'relu']] as const) {
      const y = Float64Array.from({ length: 30 }, (_, i) => (task === 'classification' ? i % 2 : r.normal()));
      const w = initMlp([3, 5, 4, 1], activation, 7);
      // random biases: with zero biases a row whose previous ReLU layer is all off sits exactly on the kink
      for (const bl of w.b) for (let j = 0; j < bl.length; j++) bl[j] = 0.1 + 0.2 * r.normal();
      const gW = w.W.map((a) => new Float64Array(a.length));
      const gb = w.b.map((a) => new Float64Array(a.length));
      const rows = Int32Array.from({ length: 30 }, (_, i) => i);
      mlpLossAndGrad(w, activation, task, 0.01, X, y, rows, gW, gb);
      const sink = { W: w.W.map((a) => new Float64Array(a.length)), b: w.b.map((a) => new Float64Array(a.length)) };
      const loss = () => mlpLossAndGrad(w, activation, task, 0.01, X, y, rows, sink.W, sink.b);
      const h = 1e-6;
      for (const [params, grads] of [[w.W, gW], [w.b, gb]] as const) {
        for (let l = 0; l < params.length; l++) {
          for (let j = 0; j < params[l]!.length; j++) {
            const v = params[l]![j]!;
            params[l]![j] = v + h;
            const up = loss();
            params[l]![j] = v - h;
            const dn = loss();
            params[l]![j] = v;
            expect(Math.abs((up - dn) / (2 * h) - grads[l]![j]!)).toBeLessThan(1e-6);
          }
        }
      }
    }
  });

  it('learns XOR out of sample, deterministically for a seed; regression fits a smooth target', () => {
    const r = rng(9);
    const X = Array.from({ length: 1500 }, () => [r.next() * 2 - 1, r.next() * 2 - 1]);
    const y = X.map(([a, b]) => (a! * b! > 0 ? 1 : 0));
    const Xt = Array.from({ length: 500 }, () => [r.next() * 2 - 1, r.next() * 2 - 1]);
    const yt = Xt.map(([a, b]) => (a! * b! > 0 ? 1 : 0));
    const m = train('mlp', X, y, { hidden: [16], epochs: 60, seed: 1 });
    expect(accuracy(yt, m.predict(Xt))).toBeGreaterThan(0.93);
    expect(JSON.stringify(train('mlp', X, y, { hidden: [16], epochs: 3, seed: 1 }).toJSON())).toBe(JSON.stringify(train('mlp', X, y, { hidden: [16], epochs: 3, seed: 1 }).toJSON()));
    const yr = X.map(([a, b]) => Math.sin(3 * a!) + b!);
    const reg = train('mlp', X, yr, { task: 'regression', hidden: [32], activation: 'tanh', epochs: 80, seed: 2 });
    const pred = reg.predict(Xt);
    const mse = Xt.reduce((s, [a, b], i) => s + (pred[i]! - (Math.sin(3 * a!) + b!)) ** 2, 0) / Xt.length;
    expect(mse).toBeLessThan(0.02);
  }, 60_000);

  it('refuses bad layer sizes', () => {
    expect(() => train('mlp', [[0], [1]], [0, 1], { hidden: [0] })).toThrow(/hidden to be a list of layer sizes/);
    expect(() => train('mlp', [[0], [1]], [0, 1], { activation: 'sigmoid' as never })).toThrow(/activation 'relu' or 'tanh'/);
  });
});

describe('gaussian mixture', () => {
  const r = rng(6);
  // two components of different spread: k-means splits them by distance, the mixture by likelihood
  const X = [...Array.from({ length: 600 }, () => [r.normal() * 0.3, r.normal() * 0.3]), ...Array.from({ length: 300 }, () => [3 + r.normal() * 1.5, r.normal() * 1.5])];
  it('recovers the components (weights, means, variances) and never lowers the likelihood', () => {
    const m = train('gmm', X, undefined, { k: 2, standardize: false, seed: 1 });
    const j = m.toJSON() as unknown as { weights: number[]; means: number[][]; vars: number[][]; logLikelihood: number };
    expect(j.weights[0]).toBeCloseTo(2 / 3, 1);
    expect(Math.abs(j.means[0]![0]!)).toBeLessThan(0.1);
    expect(Math.abs(j.means[1]![0]! - 3)).toBeLessThan(0.3);
    expect(Math.sqrt(j.vars[0]![0]!)).toBeCloseTo(0.3, 1);
    expect(Math.abs(Math.sqrt(j.vars[1]![1]!) - 1.5)).toBeLessThan(0.2);
    const lls = [1, 2, 4, 8, 30].map((maxIter) => (train('gmm', X, undefined, { k: 2, standardize: false, seed: 1, maxIter }).toJSON() as unknown as { logLikelihood: number }).logLikelihood);
    for (let i = 1; i < lls.length; i++) expect(lls[i]!).toBeGreaterThanOrEqual(lls[i - 1]! - 1e-12);
    // mean log-likelihood equals a direct computation with the fitted parameters
    let ll = 0;
    for (const x of X) {
      let s = 0;
      for (let c = 0; c < 2; c++) s += j.weights[c]! * [0, 1].reduce((p, d) => p * Math.exp(-((x[d]! - j.means[c]![d]!) ** 2) / (2 * j.vars[c]![d]!)) / Math.sqrt(2 * Math.PI * j.vars[c]![d]!), 1);
      ll += Math.log(s);
    }
    expect(j.logLikelihood).toBeCloseTo(ll / X.length, 9);
    const short = train('gmm', X, undefined, { k: 2, standardize: false, seed: 1, maxIter: 2 }).toJSON() as unknown as { weights: number[]; means: number[][]; vars: number[][]; logLikelihood: number };
    let ll2 = 0;
    for (const x of X) {
      let s = 0;
      for (let c = 0; c < 2; c++) s += short.weights[c]! * [0, 1].reduce((p, d) => p * Math.exp(-((x[d]! - short.means[c]![d]!) ** 2) / (2 * short.vars[c]![d]!)) / Math.sqrt(2 * Math.PI * short.vars[c]![d]!), 1);
      ll2 += Math.log(s);
    }
    expect(short.logLikelihood).toBeCloseTo(ll2 / X.length, 9); // the likelihood reported is the returned parameters'
  });
});
