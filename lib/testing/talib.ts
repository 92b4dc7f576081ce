/**
 * TA-Lib (npm `talib` 1.1.6, a dev dependency) as an oracle for quantlab's indicators: tests and the
 * indicators notebook compare against it. It segfaults on typed arrays, so inputs go in as plain arrays.
 * Outputs come back aligned to the input: NaN before TA-Lib's begIndex. Nothing in lib/ computes with it.
 */
import { QuantlabError } from '../core';

interface Talib {
  execute(args: Record<string, unknown>): { begIndex: number; nbElement: number; result: Record<string, number[]>; error?: string };
}
let talib: Talib | undefined;

function load(): Talib {
  if (!talib) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      talib = require('talib') as Talib;
    } catch (e) {
      throw new QuantlabError('OPTIONAL_DEPENDENCY', `the TA-Lib oracle needs the dev dependency 'talib' (npm install): ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return talib;
}

/**
 * Runs TA-Lib function `name` (e.g. 'RSI') with inputs `{ inReal: x }` or `{ high, low, close, volume, open }`
 * and options `{ optInTimePeriod: 14 }`. Returns every output (outReal, outMACD, ...) as a Float64Array the
 * length of the input, NaN where TA-Lib gives no value.
 */
export function talibRun(name: string, inputs: Record<string, ArrayLike<number>>, options: Record<string, number> = {}): Record<string, Float64Array> {
  const plain: Record<string, number[]> = {};
  let n = 0;
  for (const [k, v] of Object.entries(inputs)) {
    plain[k] = Array.from(v);
    n = v.length;
  }
  const r = load().execute({ name, startIdx: 0, endIdx: n - 1, ...plain, ...options });
  if (r.error) throw new QuantlabError('BAD_ARGUMENT', `talib ${name}: ${r.error}`);
  const out: Record<string, Float64Array> = {};
  for (const [k, vals] of Object.entries(r.result)) {
    const a = new Float64Array(n).fill(NaN);
    for (let i = 0; i < r.nbElement; i++) a[r.begIndex + i] = vals[i]!;
    out[k] = a;
  }
  return out;
}

/** Largest relative difference |a-b| / max(|b|, 1e-12) where b is finite, its index, and the first index where exactly one is NaN (-1 if none). */
export function maxRelDiff(a: Float64Array, b: Float64Array, from = 0): { max: number; at: number; nanMismatch: number } {
  let max = 0;
  let at = -1;
  let nanMismatch = -1;
  for (let i = from; i < b.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(y) || Number.isNaN(x)) {
      if (Number.isNaN(x) !== Number.isNaN(y) && nanMismatch < 0) nanMismatch = i;
      continue;
    }
    const d = Math.abs(x - y) / Math.max(Math.abs(y), 1e-12);
    if (d > max) {
      max = d;
      at = i;
    }
  }
  return { max, at, nanMismatch };
}

/** One row per comparison: indicator, TA-Lib function, largest relative difference, whether warm-up NaNs match. */
export interface AgreementRow {
  indicator: string;
  talib: string;
  values: number;
  max_rel_diff: number;
  same_warmup: boolean;
}

/** Compares quantlab outputs with TA-Lib outputs, named pairs at a time. */
export function agreementRow(indicator: string, talibName: string, ours: Float64Array, theirs: Float64Array): AgreementRow {
  const d = maxRelDiff(ours, theirs);
  let values = 0;
  for (let i = 0; i < theirs.length; i++) if (theirs[i] === theirs[i]) values++;
  return { indicator, talib: talibName, values, max_rel_diff: d.max, same_warmup: d.nanMismatch < 0 };
}
