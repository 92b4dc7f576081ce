import { QuantlabError } from '../../core';
import { rng } from '../../optimizer/rng';
import { asMatrix, asTarget, type MatrixLike } from '../matrix';
import { checkJSON, encodeClasses, finishModel, namesOf, positiveInt, type Model, type ModelKind } from './model';
import { binFeatures, giniCriterion, growTree, leafOf, newtonCriterion, type Tree } from './tree';

export interface ForestOptions {
  /** 'classification' (Gini, class votes averaged as probabilities) or 'regression' (squared error). Default 'classification'. */
  task?: 'classification' | 'regression';
  /** Trees. Default 100 (1 for 'decision-tree'). */
  trees?: number;
  /** Default 8. */
  maxDepth?: number;
  /** Rows (bootstrap counts) at least in each leaf. Default 5. */
  minLeaf?: number;
  /** Features tried per split: a count, or 'sqrt' / 'all'. Default 'sqrt' for classification, 'all' for regression (scikit-learn's defaults). */
  maxFeatures?: number | 'sqrt' | 'all';
  /** Draw each tree's rows with replacement. Default true (false for 'decision-tree'). */
  bootstrap?: boolean;
  /** Histogram bins per feature, at most 255. Default 255. */
  maxBins?: number;
  seed?: number;
}

interface ForestState {
  kind: ModelKind;
  task: 'classification' | 'regression';
  trees: Tree[];
  classes?: number[];
  nFeatures: number;
  featureNames?: string[];
  options: Record<string, unknown>;
}

function forestModel(st: ForestState): Model {
  const { trees, classes } = st;
  const C = classes?.length ?? 1;
  const acc = new Float64Array(C);
  /** Mean of the trees' leaf outputs (class proportions, or values), in tree order. */
  const mean = (x: ArrayLike<number>): Float64Array => {
    acc.fill(0);
    for (const t of trees) {
      const o = leafOf(t, x) * t.outDim;
      for (let k = 0; k < C; k++) acc[k]! += t.value[o + k]!;
    }
    for (let k = 0; k < C; k++) acc[k] = acc[k]! / trees.length;
    return acc;
  };
  const binary = st.task === 'classification' && C === 2 && classes![0] === 0 && classes![1] === 1;
  return finishModel({
    kind: st.kind,
    task: st.task,
    nFeatures: st.nFeatures,
    featureNames: st.featureNames,
    classes,
    predictRow: (x) => {
      const m = mean(x);
      if (st.task === 'regression') return m[0]!;
      let best = 0;
      for (let k = 1; k < C; k++) if (m[k]! > m[best]!) best = k;
      return classes![best]!;
    },
    probaRow: binary ? (x) => mean(x)[1]! : undefined,
    toJSON: () => ({ kind: st.kind, version: 1, task: st.task, classes: classes ?? null, nFeatures: st.nFeatures, featureNames: st.featureNames ?? null, options: st.options, trees }),
  });
}

/**
 * A random forest (Breiman): trees grown on bootstrap samples with a random subset of features tried at
 * each split, histogram splits (`maxBins` per feature); classification averages the leaves' class
 * proportions (scikit-learn's predict_proba), regression their means. Deterministic for a seed.
 * @example
 * const X = Array.from({ length: 200 }, (_, i) => [i % 20, (i * 7) % 13]);
 * const y = X.map(([a]) => (a >= 10 ? 1 : 0));
 * const m = trainForest(X, y, { trees: 20, seed: 1 });
 * Array.from(m.predict([[3, 0], [15, 0]])) // [0, 1]
 */
export function trainForest(X: MatrixLike, y: ArrayLike<number>, options: ForestOptions = {}, kind: ModelKind = 'random-forest'): Model {
  const where = `train ${kind}`;
  const M = asMatrix(X, `${where}: X`);
  const Y = asTarget(y, M.rows, `${where}: y`);
  const task = options.task ?? 'classification';
  if (task !== 'classification' && task !== 'regression') throw new QuantlabError('BAD_ARGUMENT', `${where}: expected task 'classification' or 'regression', found ${JSON.stringify(task)}`);
  const single = kind === 'decision-tree';
  const nTrees = single ? 1 : positiveInt(where, 'trees', options.trees ?? 100);
  const maxDepth = positiveInt(where, 'maxDepth', options.maxDepth ?? 8);
  const minLeaf = positiveInt(where, 'minLeaf', options.minLeaf ?? 5);
  const maxBins = positiveInt(where, 'maxBins', options.maxBins ?? 255, 2);
  if (maxBins > 255) throw new QuantlabError('BAD_ARGUMENT', `${where}: expected maxBins <= 255, found ${maxBins}`);
  const bootstrap = options.bootstrap ?? !single;
  const mf = options.maxFeatures ?? (task === 'classification' && !single ? 'sqrt' : 'all');
  const maxFeatures = mf === 'sqrt' ? Math.max(1, Math.floor(Math.sqrt(M.cols))) : mf === 'all' ? M.cols : positiveInt(where, 'maxFeatures', mf);
  const seed = options.seed ?? 0;
  const n = M.rows;
  if (n < 2) throw new QuantlabError('BAD_ARGUMENT', `${where}: expected at least 2 rows, found ${n}`);
  const B = binFeatures(M, maxBins);
  let classes: number[] | undefined;
  let codes: Int32Array | undefined;
  if (task === 'classification') ({ classes, codes } = encodeClasses(Y));
  const crit = task === 'classification' ? giniCriterion(classes!.length) : newtonCriterion(0);
  const K = crit.K;
  const trees: Tree[] = [];
  const weight = new Float64Array(n);
  const stats = new Float64Array(n * K);
  for (let t = 0; t < nTrees; t++) {
    const r = rng(seed, t);
    if (bootstrap) {
      weight.fill(0);
      for (let i = 0; i < n; i++) weight[r.int(n)]! += 1;
    } else weight.fill(1);
    stats.fill(0);
    const rows: number[] = [];
    for (let i = 0; i < n; i++) {
      const w = weight[i]!;
      if (w === 0) continue;
      rows.push(i);
      if (task === 'classification') stats[i * K + codes![i]!] = w;
      else {
        stats[i * K] = -w * Y[i]!;
        stats[i * K + 1] = w;
      }
    }
    trees.push(growTree(B, stats, weight, Int32Array.from(rows), crit, { maxDepth, minLeaf, maxFeatures, rng: r }));
  }
  return forestModel({ kind, task, trees, classes, nFeatures: M.cols, featureNames: namesOf(X), options: { trees: nTrees, maxDepth, minLeaf, maxFeatures, bootstrap, maxBins, seed } });
}

export function forestFromJSON(json: unknown): Model {
  const j = checkJSON(json, (json as { kind?: ModelKind })?.kind === 'decision-tree' ? 'decision-tree' : 'random-forest', ['task', 'trees', 'nFeatures']);
  return forestModel({
    kind: j.kind as ModelKind,
    task: j.task as 'classification' | 'regression',
    trees: j.trees as Tree[],
    classes: (j.classes as number[] | null) ?? undefined,
    nFeatures: j.nFeatures as number,
    featureNames: (j.featureNames as string[] | null) ?? undefined,
    options: (j.options as Record<string, unknown>) ?? {},
  });
}
