import type { Bar, Series, Stream } from '../core';
import { BLOCK } from './kernels/blocks';
import { checkLengths } from './kernels/checks';
import { moneyFlowVolume } from './kernels/money-flow';
import { defineIndicator } from './descriptor';

/**
 * Chaikin accumulation/distribution line: the running sum of money-flow volume. No warm-up.
 * Matches TA-Lib AD (bit for bit: same operations). TradingView's `ta.accdist` is the same sum
 * (written with 2·close − low − high), also adding 0 for a bar with high == low.
 * NaN policy (cumulative family): a bar with a NaN input outputs NaN and adds nothing.
 * @example ad(Float64Array.of(10, 12), Float64Array.of(8, 10), Float64Array.of(9.5, 10.5), Float64Array.of(100, 50)) // [50, 25]
 */
export function ad(high: Series, low: Series, close: Series, volume: Series, out: Series = new Float64Array(high.length)): Series {
  checkLengths('ad', { high, low, close, volume });
  const len = high.length;
  const st = Float64Array.of(0); // the running sum; blocks: see kernels/blocks.ts
  for (let s = 0; s < len; s += BLOCK) adBlock(high, low, close, volume, s, s + BLOCK < len ? s + BLOCK : len, out, st);
  return out;
}

function adBlock(high: Series, low: Series, close: Series, volume: Series, s: number, e: number, out: Series, st: Float64Array): void {
  let acc = st[0]!;
  for (let i = s; i < e; i++) {
    const m = moneyFlowVolume(high[i]!, low[i]!, close[i]!, volume[i]!);
    if (m !== m) {
      out[i] = NaN;
      continue;
    }
    acc += m;
    out[i] = acc;
  }
  st[0] = acc;
}

/** Streaming twin of {@link ad}. */
export function adStream(): Stream<Bar, number> {
  let acc = 0;
  return {
    update(bar: Bar): number {
      const m = moneyFlowVolume(bar.high, bar.low, bar.close, bar.volume);
      if (m !== m) return NaN;
      acc += m;
      return acc;
    },
    reset() {
      acc = 0;
    },
  };
}

/** Descriptor of {@link ad}. */
export const adDescriptor = defineIndicator({
  name: 'ad',
  title: 'Chaikin accumulation/distribution line',
  inputs: ['high', 'low', 'close', 'volume'],
  params: {},
  warmup: () => 0,
  talib: { fn: 'AD' },
  whole: ([h, l, c, v]) => ad(h!, l!, c!, v!),
  stream: () => adStream(),
});
