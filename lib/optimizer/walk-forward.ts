import { QuantlabError } from '../core';
import type { Params } from './space';

/** A half-open bar range [start, end). */
export interface BarRange {
  start: number;
  end: number;
}

/** One walk-forward fold: optimise on `train`, evaluate the winner on `test` (which follows it). */
export interface Fold {
  fold: number;
  train: BarRange;
  test: BarRange;
}

export interface SplitOptions {
  /** Bars in the (first) training window. */
  train: number;
  /** Bars in each test window. */
  test: number;
  /** 'rolling' (train window of fixed length slides) or 'anchored' (train window grows from bar 0). Default 'rolling'. */
  mode?: 'rolling' | 'anchored';
  /** Bars between successive folds. Default `test` (test windows tile without overlap). */
  step?: number;
  /** Bars skipped between train and test (embargo). Default 0. */
  gap?: number;
  /** At most this many folds (the last ones are kept). */
  folds?: number;
}

/**
 * Walk-forward folds over n bars: fold k tests on [train + gap + k·step, … + test), trained on the `train`
 * bars before the gap (rolling) or on every bar from 0 (anchored). Folds whose test window would run past
 * the end are dropped. Throws when not even one fold fits, saying how many bars are needed.
 * @example walkForwardSplits(1000, { train: 500, test: 100 }).length // 5
 */
export function walkForwardSplits(n: number, options: SplitOptions): Fold[] {
  const { train, test, mode = 'rolling', gap = 0 } = options;
  const step = options.step ?? test;
  const bad = (m: string) => new QuantlabError('BAD_ARGUMENT', `walkForwardSplits: ${m}`);
  for (const [k, v, min] of [
    ['train', train, 1],
    ['test', test, 1],
    ['step', step, 1],
    ['gap', gap, 0],
  ] as const) {
    if (!(Number.isInteger(v) && v >= min)) throw bad(`expected ${k} to be an integer >= ${min}, found ${v}`);
  }
  if (mode !== 'rolling' && mode !== 'anchored') throw bad(`expected mode 'rolling' or 'anchored', found ${JSON.stringify(mode)}`);
  if (train + gap + test > n) throw bad(`expected at least train + gap + test = ${train + gap + test} bars, found ${n}`);
  const out: Fold[] = [];
  for (let k = 0; ; k++) {
    const testStart = train + gap + k * step;
    const testEnd = testStart + test;
    if (testEnd > n) break;
    const trainEnd = testStart - gap;
    out.push({ fold: k, train: { start: mode === 'anchored' ? 0 : trainEnd - train, end: trainEnd }, test: { start: testStart, end: testEnd } });
  }
  const keep = options.folds === undefined ? out : out.slice(Math.max(0, out.length - options.folds));
  return keep.map((f, i) => ({ ...f, fold: i }));
}

/** What the caller's evaluation of parameters on a window returns. */
export interface WindowResult {
  /** The objective's value on the window. */
  value: number;
  /** Equity over the window's bars (first value = equity after the first bar). */
  equity: Float64Array;
  /** Equity before the window's first bar. */
  initial: number;
}

export interface WalkForwardSpec {
  folds: readonly Fold[];
  /** Optimises on the train window; returns the chosen parameters. */
  optimize(train: BarRange, fold: Fold): Promise<Params> | Params;
  /** Evaluates parameters on a window (train for the in-sample figure, test for the out-of-sample one). */
  evaluate(params: Params, window: BarRange, fold: Fold): Promise<WindowResult> | WindowResult;
  /** Bars per year, to annualise returns. */
  barsPerYear: number;
  /** Called after each fold. */
  onFold?: (f: FoldResult) => void;
}

export interface FoldResult extends Fold {
  params: Params;
  /** Objective on the train window (in-sample) and on the test window (out-of-sample). */
  inSample: number;
  outOfSample: number;
  /** Annualised returns: (final / initial)^(P / bars) − 1. */
  inSampleAnnualReturn: number;
  outOfSampleAnnualReturn: number;
}

export interface WalkForwardResult {
  folds: FoldResult[];
  /** Out-of-sample equity of every test window chained end to end, starting from 1 (one value per test bar). */
  oosEquity: Float64Array;
  /** Bar index (into the full bars) of each oosEquity value. */
  oosIndex: Int32Array;
  /** Annualised return of the stitched out-of-sample equity. */
  oosAnnualReturn: number;
  /**
   * Walk-forward efficiency (Pardo): annualised out-of-sample return of the stitched equity divided by the
   * mean annualised in-sample return of the chosen parameters. Near 1: the in-sample edge carries over;
   * near 0 or negative: it does not.
   */
  wfe: number;
  /** The same ratio on the objective: mean out-of-sample value / mean in-sample value. */
  wfeObjective: number;
}

const annualised = (initial: number, final: number, bars: number, P: number): number => (bars > 0 && initial > 0 && final > 0 ? (final / initial) ** (P / bars) - 1 : NaN);

/**
 * Runs a walk-forward analysis: for each fold, optimise on train, evaluate the winner in-sample and on the
 * following test window, then stitch the test windows' equity (each rebased to continue where the previous
 * ended) and report the walk-forward efficiency.
 */
export async function walkForward(spec: WalkForwardSpec): Promise<WalkForwardResult> {
  if (!spec.folds.length) throw new QuantlabError('BAD_ARGUMENT', 'walkForward: expected at least one fold, found none');
  const folds: FoldResult[] = [];
  const total = spec.folds.reduce((s, f) => s + (f.test.end - f.test.start), 0);
  const oosEquity = new Float64Array(total);
  const oosIndex = new Int32Array(total);
  let level = 1;
  let at = 0;
  for (const f of spec.folds) {
    const params = await spec.optimize(f.train, f);
    const is = await spec.evaluate(params, f.train, f);
    const oos = await spec.evaluate(params, f.test, f);
    const len = f.test.end - f.test.start;
    if (oos.equity.length !== len) {
      throw new QuantlabError('BAD_ARGUMENT', `walkForward fold ${f.fold}: evaluate() returned ${oos.equity.length} equity values for a test window of ${len} bars`);
    }
    const scale = level / oos.initial;
    for (let i = 0; i < len; i++) {
      oosEquity[at + i] = oos.equity[i]! * scale;
      oosIndex[at + i] = f.test.start + i;
    }
    at += len;
    level = oosEquity[at - 1]!;
    const r: FoldResult = {
      ...f,
      params,
      inSample: is.value,
      outOfSample: oos.value,
      inSampleAnnualReturn: annualised(is.initial, is.equity[is.equity.length - 1]!, is.equity.length, spec.barsPerYear),
      outOfSampleAnnualReturn: annualised(oos.initial, oos.equity[len - 1]!, len, spec.barsPerYear),
    };
    folds.push(r);
    spec.onFold?.(r);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const oosAnnualReturn = annualised(1, level, total, spec.barsPerYear);
  const isAnnual = mean(folds.map((f) => f.inSampleAnnualReturn));
  return {
    folds,
    oosEquity,
    oosIndex,
    oosAnnualReturn,
    wfe: oosAnnualReturn / isAnnual,
    wfeObjective: mean(folds.map((f) => f.outOfSample)) / mean(folds.map((f) => f.inSample)),
  };
}
