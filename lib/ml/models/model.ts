import { QuantlabError } from '../../core';
import { asMatrix, type Matrix, type MatrixLike } from '../matrix';

export type ModelKind = 'logistic' | 'ridge' | 'decision-tree' | 'random-forest' | 'gbdt' | 'kmeans' | 'gmm' | 'mlp';

/** The saved form of a model: plain JSON, exact round trip (numbers are doubles printed in full). */
export interface ModelJSON {
  readonly kind: ModelKind;
  readonly version: 1;
  readonly [k: string]: unknown;
}

/**
 * A trained model. `predictRow` is the one prediction rule; `predict`, `predictProba` apply it row by row,
 * so a prediction made bar by bar in the runner equals the batch prediction bit for bit.
 */
export interface Model {
  readonly kind: ModelKind;
  readonly task: 'classification' | 'regression' | 'clustering';
  readonly nFeatures: number;
  /** Feature names the model was trained on, when X was a feature matrix. */
  readonly featureNames?: string[];
  /** The class labels in index order (classification). */
  readonly classes?: number[];
  /** The prediction for one row: the class label, the value, or the cluster index. */
  predictRow(x: ArrayLike<number>): number;
  /** P(y = 1) for one row (binary classification only). */
  probaRow?(x: ArrayLike<number>): number;
  predict(X: MatrixLike): Float64Array;
  /** P(y = 1) per row, for binary labels 0/1. */
  predictProba(X: MatrixLike): Float64Array;
  toJSON(): ModelJSON;
}

/** Fills predict / predictProba from the row rules. */
export function finishModel(m: Omit<Model, 'predict' | 'predictProba'>): Model {
  const rows = (X: MatrixLike, f: (x: Float64Array) => number, fn: string): Float64Array => {
    const M: Matrix = asMatrix(X, `${m.kind}.${fn}: X`);
    if (M.cols !== m.nFeatures) throw new QuantlabError('BAD_ARGUMENT', `${m.kind}.${fn}: expected ${m.nFeatures} features per row (the training width), found ${M.cols}`);
    const out = new Float64Array(M.rows);
    for (let r = 0; r < M.rows; r++) out[r] = f(M.data.subarray(r * M.cols, (r + 1) * M.cols));
    return out;
  };
  return {
    ...m,
    predict: (X) => rows(X, (x) => m.predictRow(x), 'predict'),
    predictProba: (X) => {
      const p = m.probaRow;
      if (!p) throw new QuantlabError('BAD_ARGUMENT', `${m.kind}.predictProba: this model gives no P(y = 1) (${m.task}${m.classes ? `, classes ${m.classes.join(', ')}` : ''}); binary 0/1 classification models do`);
      return rows(X, p, 'predictProba');
    },
  };
}

/** Feature names from X when it is a feature matrix. */
export const namesOf = (X: MatrixLike): string[] | undefined => ((X as { names?: string[] }).names ? [...(X as { names: string[] }).names] : undefined);

/** Per-feature standardisation fitted on training rows (mean, population standard deviation; 1 when constant). */
export interface Scaler {
  mean: number[];
  scale: number[];
}

export function fitScaler(M: Matrix): Scaler {
  const mean = new Array<number>(M.cols).fill(0);
  const scale = new Array<number>(M.cols).fill(0);
  for (let r = 0; r < M.rows; r++) for (let j = 0; j < M.cols; j++) mean[j]! += M.data[r * M.cols + j]!;
  for (let j = 0; j < M.cols; j++) mean[j] = mean[j]! / M.rows;
  for (let r = 0; r < M.rows; r++) for (let j = 0; j < M.cols; j++) scale[j]! += (M.data[r * M.cols + j]! - mean[j]!) ** 2;
  for (let j = 0; j < M.cols; j++) scale[j] = Math.sqrt(scale[j]! / M.rows) || 1;
  return { mean, scale };
}

/** A scaled copy of M. */
export function applyScaler(s: Scaler, M: Matrix): Matrix {
  const data = new Float64Array(M.data.length);
  for (let r = 0; r < M.rows; r++) for (let j = 0; j < M.cols; j++) data[r * M.cols + j] = (M.data[r * M.cols + j]! - s.mean[j]!) / s.scale[j]!;
  return { rows: M.rows, cols: M.cols, data };
}

export function checkJSON(json: unknown, kind: ModelKind, fields: string[]): Record<string, unknown> {
  const j = json as Record<string, unknown>;
  if (!j || j.kind !== kind || j.version !== 1) throw new QuantlabError('BAD_ARGUMENT', `fromJSON: expected a ${kind} model (version 1), found kind ${JSON.stringify(j?.kind)} version ${JSON.stringify(j?.version)}`);
  for (const f of fields) if (!(f in j)) throw new QuantlabError('BAD_ARGUMENT', `fromJSON: ${kind} model is missing '${f}'`);
  return j;
}

/** Classes of y in ascending order, and each row's class index. */
export function encodeClasses(y: Float64Array): { classes: number[]; codes: Int32Array } {
  const classes = [...new Set(y)].sort((a, b) => a - b);
  const at = new Map(classes.map((c, i) => [c, i]));
  return { classes, codes: Int32Array.from(y, (v) => at.get(v)!) };
}

export function positiveInt(where: string, name: string, v: unknown, min = 1): number {
  if (!(Number.isInteger(v) && (v as number) >= min)) throw new QuantlabError('BAD_ARGUMENT', `${where}: expected ${name} to be an integer >= ${min}, found ${String(v)}`);
  return v as number;
}

export function nonNegative(where: string, name: string, v: unknown): number {
  if (!(typeof v === 'number' && v >= 0 && Number.isFinite(v))) throw new QuantlabError('BAD_ARGUMENT', `${where}: expected ${name} to be a number >= 0, found ${String(v)}`);
  return v;
}
