/**
 * TA-Lib (npm `talib` 1.1.6) as a test oracle. It segfaults on typed arrays, so inputs go in as plain
 * arrays. Outputs come back aligned to the input: NaN before TA-Lib's begIndex.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-var-requires
const talib = require('talib') as {
  execute(args: Record<string, unknown>): { begIndex: number; nbElement: number; result: Record<string, number[]> };
};

/**
 * Runs TA-Lib function `name` (e.g. 'RSI') with inputs `{ inReal: x }` or `{ high, low, close, volume, open }`
 * and options `{ optInTimePeriod: 14 }`. Returns every output (outReal, outMACD, ...) as a Float64Array
 * the length of the input, NaN where TA-Lib gives no value.
 */
export function talibRun(
  name: string,
  inputs: Record<string, ArrayLike<number>>,
  options: Record<string, number> = {},
): Record<string, Float64Array> {
  const plain: Record<string, number[]> = {};
  let n = 0;
  for (const [k, v] of Object.entries(inputs)) {
    plain[k] = Array.from(v);
    n = v.length;
  }
  const r = talib.execute({ name, startIdx: 0, endIdx: n - 1, ...plain, ...options });
  if ((r as unknown as { error?: string }).error) throw new Error(`talib ${name}: ${(r as unknown as { error: string }).error}`);
  const out: Record<string, Float64Array> = {};
  for (const [k, vals] of Object.entries(r.result)) {
    const a = new Float64Array(n).fill(NaN);
    for (let i = 0; i < r.nbElement; i++) a[r.begIndex + i] = vals[i] as number;
    out[k] = a;
  }
  return out;
}

/** Largest relative difference |a-b| / max(|b|, 1e-12) over indices where b is finite; NaN positions must agree. */
export function maxRelDiff(a: Float64Array, b: Float64Array, from = 0): { max: number; at: number; nanMismatch: number } {
  let max = 0;
  let at = -1;
  let nanMismatch = -1;
  for (let i = from; i < b.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
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
