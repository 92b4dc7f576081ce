import { QuantlabError } from '../core';
import type { FeatureMatrix } from './features';

/** Row-major dense matrix, what the models work on. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** What models accept as X: a feature matrix, plain rows, or a row-major Matrix. */
export type MatrixLike = FeatureMatrix | readonly (readonly number[])[] | Matrix;

const isMatrix = (x: unknown): x is Matrix => !!x && (x as Matrix).data instanceof Float64Array && typeof (x as Matrix).cols === 'number';

/** X as a row-major Matrix (copied, except a Matrix which is returned as is). Checks the shape. */
export function asMatrix(X: MatrixLike, where = 'X'): Matrix {
  if (isMatrix(X)) return X;
  if (Array.isArray(X)) {
    const rows = X.length;
    const cols = rows ? (X[0] as number[]).length : 0;
    const data = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      const row = X[r] as number[];
      if (!row || row.length !== cols) throw new QuantlabError('BAD_ARGUMENT', `${where}: expected every row to have ${cols} values, row ${r} has ${row?.length}`);
      for (let j = 0; j < cols; j++) data[r * cols + j] = row[j]!;
    }
    return { rows, cols, data };
  }
  const m = X as FeatureMatrix;
  if (!m || !Array.isArray(m.columns)) throw new QuantlabError('BAD_ARGUMENT', `${where}: expected a feature matrix, number[][] or Matrix, found ${typeof X}`);
  const rows = m.rows;
  const cols = m.columns.length;
  const data = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    const c = m.columns[j]!;
    for (let r = 0; r < rows; r++) data[r * cols + j] = c[r]!;
  }
  return { rows, cols, data };
}

/** The rows of `m` listed in `idx`, as a new Matrix. */
export function takeRows(m: Matrix, idx: ArrayLike<number>): Matrix {
  const out = new Float64Array(idx.length * m.cols);
  for (let i = 0; i < idx.length; i++) out.set(m.data.subarray(idx[i]! * m.cols, (idx[i]! + 1) * m.cols), i * m.cols);
  return { rows: idx.length, cols: m.cols, data: out };
}

/** `y[idx]` as a Float64Array. */
export function take(y: ArrayLike<number>, idx: ArrayLike<number>): Float64Array {
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = y[idx[i]!]!;
  return out;
}

/** y as a Float64Array of `rows` finite values. */
export function asTarget(y: ArrayLike<number>, rows: number, where = 'y'): Float64Array {
  if (!y || typeof (y as ArrayLike<number>).length !== 'number') throw new QuantlabError('BAD_ARGUMENT', `${where}: expected number[] or Float64Array, found ${typeof y}`);
  if (y.length !== rows) throw new QuantlabError('BAD_ARGUMENT', `${where}: expected ${rows} labels (one per row of X), found ${y.length}`);
  const out = Float64Array.from(y as ArrayLike<number>);
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i]!)) throw new QuantlabError('BAD_ARGUMENT', `${where}: row ${i} is ${out[i]}, expected a finite label`);
  return out;
}

/** Checks that y holds only 0 and 1. */
export function checkBinary(y: Float64Array, where: string): void {
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new QuantlabError('BAD_ARGUMENT', `${where}: expected binary labels 0/1, row ${i} is ${y[i]}`);
  }
}
