import type { Bar, Series, Stream } from '../core';
import { BLOCK } from './kernels/blocks';
import { checkLengths } from './kernels/checks';
import { trueRange } from './kernels/true-range';
import { defineIndicator } from './descriptor';

/**
 * True range: max(high - low, |high - prevClose|, |low - prevClose|). First value is NaN (no previous
 * close). Matches TA-Lib TRANGE. (TradingView's `ta.tr` and technicalindicators give high - low on the
 * first bar instead.)
 * NaN policy: TR[t] is NaN when high[t], low[t] or close[t-1] is NaN (so a bad close spoils two bars).
 * @example trange(Float64Array.of(10, 12), Float64Array.of(8, 11), Float64Array.of(9, 11.5)) // [NaN, 3]
 */
export function trange(high: Series, low: Series, close: Series, out: Series = new Float64Array(high.length)): Series {
  checkLengths('trange', { high, low, close });
  const len = high.length;
  if (len === 0) return out;
  const st = Float64Array.of(close[0]!); // the previous close; blocks: see kernels/blocks.ts
  out[0] = NaN;
  for (let s = 1; s < len; s += BLOCK) trangeBlock(high, low, close, s, s + BLOCK < len ? s + BLOCK : len, out, st);
  return out;
}

function trangeBlock(high: Series, low: Series, close: Series, s: number, e: number, out: Series, st: Float64Array): void {
  let prevClose = st[0]!;
  for (let i = s; i < e; i++) {
    const c = close[i]!; // read before writing: `out` may alias `close`
    out[i] = trueRange(high[i]!, low[i]!, prevClose);
    prevClose = c;
  }
  st[0] = prevClose;
}

/** Streaming twin of {@link trange}: `update(bar)` returns the bar's true range (NaN on the first bar). */
export function trangeStream(): Stream<Bar, number> {
  let prevClose = NaN;
  return {
    update(bar: Bar): number {
      const tr = trueRange(bar.high, bar.low, prevClose);
      prevClose = bar.close;
      return tr;
    },
    reset() {
      prevClose = NaN;
    },
  };
}

/** Descriptor of {@link trange}. */
export const trangeDescriptor = defineIndicator({
  name: 'trange',
  title: 'True range',
  inputs: ['high', 'low', 'close'],
  params: {},
  warmup: () => 1,
  talib: { fn: 'TRANGE' },
  whole: ([h, l, c]) => trange(h!, l!, c!),
  stream: () => trangeStream(),
});
