import { QuantlabError } from '../../core';
import { rng } from '../../optimizer/rng';
import { asMatrix, asTarget, checkBinary, type MatrixLike } from '../matrix';
import { checkJSON, finishModel, namesOf, nonNegative, positiveInt, type Model } from './model';
import { binFeatures, growTree, leafOf, leafOfRow, newtonCriterion, type Tree } from './tree';

export interface GbdtOptions {
  /** 'classification' (binary 0/1, log-loss) or 'regression' (squared error). Default 'classification'. */
  task?: 'classification' | 'regression';
  /** Boosting rounds. Default 100. */
  rounds?: number;
  /** Shrinkage per round. Default 0.1. */
  learningRate?: number;
  /** Default 3. */
  maxDepth?: number;
  /** Default 20 (scikit-learn HistGradientBoosting's). */
  minLeaf?: number;
  /** L2 penalty on leaf values. Default 0. */
  lambda?: number;
  /** Share of rows drawn (without replacement) per round; 1 = all. Default 1. */
  subsample?: number;
  maxBins?: number;
  seed?: number;
}

interface GbdtState {
  task: 'classification' | 'regression';
  init: number;
  learningRate: number;
  trees: Tree[];
  nFeatures: number;
  featureNames?: string[];
  options: Record<string, unknown>;
}

function gbdtModel(st: GbdtState): Model {
  const raw = (x: ArrayLike<number>): number => {
    let f = st.init;
    for (const t of st.trees) f += st.learningRate * t.value[leafOf(t, x)]!;
    return f;
  };
  const proba = (x: ArrayLike<number>) => {
    const z = raw(x);
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  };
  const cls = st.task === 'classification';
  return finishModel({
    kind: 'gbdt',
    task: st.task,
    nFeatures: st.nFeatures,
    featureNames: st.featureNames,
    classes: cls ? [0, 1] : undefined,
    predictRow: cls ? (x) => (proba(x) > 0.5 ? 1 : 0) : raw,
    probaRow: cls ? proba : undefined,
    toJSON: () => ({ kind: 'gbdt', version: 1, task: st.task, init: st.init, learningRate: st.learningRate, nFeatures: st.nFeatures, featureNames: st.featureNames ?? null, options: st.options, trees: st.trees }),
  });
}

/**
 * Gradient-boosted trees (Friedman; second-order leaves as XGBoost/LightGBM) on histogram splits: each round
 * fits a depth-limited tree to the gradient and hessian of the loss at the current prediction; leaves are
 * −G/(H + λ), shrunk by `learningRate`. Classification is binary log-loss starting from the log-odds of the
 * base rate; regression is squared error starting from the mean.
 * @example
 * const X = Array.from({ length: 300 }, (_, i) => [i % 30, (i * 7) % 11]);
 * const y = X.map(([a, b]) => (a > 15 && b > 3 ? 1 : 0));
 * const m = trainGbdt(X, y, { rounds: 50, minLeaf: 5 });
 * Array.from(m.predict([[5, 8], [25, 8]])) // [0, 1]
 */
export function trainGbdt(X: MatrixLike, y: ArrayLike<number>, options: GbdtOptions = {}): Model {
  const where = 'train gbdt';
  const M = asMatrix(X, `${where}: X`);
  const Y = asTarget(y, M.rows, `${where}: y`);
  const task = options.task ?? 'classification';
  if (task !== 'classification' && task !== 'regression') throw new QuantlabError('BAD_ARGUMENT', `${where}: expected task 'classification' or 'regression', found ${JSON.stringify(task)}`);
  if (task === 'classification') checkBinary(Y, `${where}: y`);
  const rounds = positiveInt(where, 'rounds', options.rounds ?? 100);
  const learningRate = options.learningRate ?? 0.1;
  if (!(learningRate > 0 && learningRate <= 1)) throw new QuantlabError('BAD_ARGUMENT', `${where}: expected learningRate in (0, 1], found ${learningRate}`);
  const maxDepth = positiveInt(where, 'maxDepth', options.maxDepth ?? 3);
  const minLeaf = positiveInt(where, 'minLeaf', options.minLeaf ?? 20);
  const lambda = nonNegative(where, 'lambda', options.lambda ?? 0);
  const subsample = options.subsample ?? 1;
  if (!(subsample > 0 && subsample <= 1)) throw new QuantlabError('BAD_ARGUMENT', `${where}: expected subsample in (0, 1], found ${subsample}`);
  const maxBins = positiveInt(where, 'maxBins', options.maxBins ?? 255, 2);
  if (maxBins > 255) throw new QuantlabError('BAD_ARGUMENT', `${where}: expected maxBins <= 255, found ${maxBins}`);
  const seed = options.seed ?? 0;
  const n = M.rows;
  if (n < 2) throw new QuantlabError('BAD_ARGUMENT', `${where}: expected at least 2 rows, found ${n}`);
  let init: number;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += Y[i]!;
  mean /= n;
  if (task === 'classification') {
    const p = Math.min(1 - 1e-12, Math.max(1e-12, mean));
    init = Math.log(p / (1 - p));
  } else init = mean;
  const B = binFeatures(M, maxBins);
  const crit = newtonCriterion(lambda);
  const F = new Float64Array(n).fill(init);
  const stats = new Float64Array(n * 2);
  const weight = new Float64Array(n).fill(1);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const trees: Tree[] = [];
  for (let t = 0; t < rounds; t++) {
    for (let i = 0; i < n; i++) {
      if (task === 'classification') {
        const z = F[i]!;
        const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
        stats[2 * i] = p - Y[i]!;
        stats[2 * i + 1] = p * (1 - p);
      } else {
        stats[2 * i] = F[i]! - Y[i]!;
        stats[2 * i + 1] = 1;
      }
    }
    let rows = all.slice();
    if (subsample < 1) {
      const r = rng(seed, t);
      for (let i = n - 1; i > 0; i--) {
        const j = r.int(i + 1);
        const v = rows[i]!;
        rows[i] = rows[j]!;
        rows[j] = v;
      }
      rows = rows.subarray(0, Math.max(2, Math.round(subsample * n))).sort();
    }
    const tree = growTree(B, stats, weight, rows, crit, { maxDepth, minLeaf, maxFeatures: M.cols });
    trees.push(tree);
    for (let i = 0; i < n; i++) F[i]! += learningRate * tree.value[leafOfRow(tree, M.data, M.cols, i)]!;
  }
  return gbdtModel({ task, init, learningRate, trees, nFeatures: M.cols, featureNames: namesOf(X), options: { rounds, maxDepth, minLeaf, lambda, subsample, maxBins, seed } });
}

export function gbdtFromJSON(json: unknown): Model {
  const j = checkJSON(json, 'gbdt', ['task', 'init', 'learningRate', 'trees', 'nFeatures']);
  return gbdtModel({
    task: j.task as 'classification' | 'regression',
    init: j.init as number,
    learningRate: j.learningRate as number,
    trees: j.trees as Tree[],
    nFeatures: j.nFeatures as number,
    featureNames: (j.featureNames as string[] | null) ?? undefined,
    options: (j.options as Record<string, unknown>) ?? {},
  });
}
