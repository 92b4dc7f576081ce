import type { Bar, Series, Stream } from '../core';
import { rollingSuffix } from './kernels/block-extremes';
import { BLOCK } from './kernels/blocks';
import { checkLengths, checkPeriod } from './kernels/checks';
import { forEachFiniteRun } from './kernels/finite-runs';
import { MonotonicWindow } from './kernels/monotonic-window';
import { defineIndicator, intParam } from './descriptor';

/**
 * Williams %R: −100·(highest high − close)/(highest high − lowest low) over n bars, in [−100, 0] (0 when
 * the range is 0). First n-1 values are NaN. Matches TA-Lib WILLR. (technicalindicators' WilliamsR
 * returns a shorter array.)
 * NaN policy: an output whose window contains a bar with a NaN high, low or close is NaN.
 * @example willr(Float64Array.of(2, 4), Float64Array.of(0, 1), Float64Array.of(1, 3), 2) // [NaN, -25]
 */
export function willr(
  high: Series,
  low: Series,
  close: Series,
  n = 14,
  out: Series = new Float64Array(close.length),
): Series {
  checkPeriod('willr', n, 2);
  const len = checkLengths('willr', { high, low, close });
  const sufH = new Float64Array(n);
  const sufL = new Float64Array(n);
  const st = new Float64Array(3); // [position in the n-bar block, block's highest high, lowest low]
  forEachFiniteRun([high, low, close], len, [out], (s, e) => {
    st[0] = 0;
    for (let b = s; b < e; b += BLOCK) willrBlock(high, low, close, n, s, b, b + BLOCK < e ? b + BLOCK : e, out, sufH, sufL, st);
  });
  return out;
}

/**
 * Williams %R over [b, e) of the NaN-free run that starts at s: the rolling extremes as (suffix of the
 * previous n-bar block) ∪ (prefix of this one), as stochRun does. Blocks of BLOCK bars: see kernels/blocks.ts.
 */
function willrBlock(
  high: Series,
  low: Series,
  close: Series,
  n: number,
  s: number,
  b: number,
  e: number,
  out: Series,
  sufH: Float64Array,
  sufL: Float64Array,
  st: Float64Array,
): void {
  let pos = st[0]!; // position of i in its block of n bars; window = suffix of the previous block + prefix of this
  let ph = st[1]!;
  let pl = st[2]!;
  for (let i = b; i < e; i++) {
    if (pos === 0 && i > s) rollingSuffix(high, low, i - n, n, sufH, sufL);
    const h = high[i]!;
    const l = low[i]!;
    if (pos === 0) {
      ph = h;
      pl = l;
    } else {
      if (h > ph) ph = h;
      if (l < pl) pl = l;
    }
    let hi = ph;
    let lo = pl;
    if (pos !== n - 1) {
      const a = sufH[pos + 1]!;
      const c = sufL[pos + 1]!;
      if (a > hi) hi = a;
      if (c < lo) lo = c;
    }
    pos = pos + 1 === n ? 0 : pos + 1;
    if (i - s < n - 1) {
      out[i] = NaN;
      continue;
    }
    const diff = (hi - lo) / -100.0;
    out[i] = diff !== 0.0 ? (hi - close[i]!) / diff : 0.0;
  }
  st[0] = pos;
  st[1] = ph;
  st[2] = pl;
}

/** Streaming twin of {@link willr}. A bar with a NaN high, low or close returns NaN and restarts the warm-up. */
export function willrStream(n = 14): Stream<Bar, number> {
  checkPeriod('willrStream', n, 2);
  const hw = new MonotonicWindow(n, 'max');
  const lw = new MonotonicWindow(n, 'min');
  const reset = (): void => {
    hw.reset();
    lw.reset();
  };
  return {
    update(b: Bar): number {
      const h = b.high;
      const l = b.low;
      const c = b.close;
      if (h !== h || l !== l || c !== c) {
        reset();
        return NaN;
      }
      hw.push(h);
      lw.push(l);
      if (hw.length < n) return NaN;
      const hi = hw.value;
      const diff = (hi - lw.value) / -100.0;
      return diff !== 0.0 ? (hi - c) / diff : 0.0;
    },
    reset,
  };
}

/** Descriptor of {@link willr}. */
export const willrDescriptor = defineIndicator({
  name: 'willr',
  title: "Williams' %R",
  inputs: ['high', 'low', 'close'],
  params: { n: intParam(14, 2) },
  warmup: (p) => p.n - 1,
  talib: { fn: 'WILLR', options: { n: 'optInTimePeriod' } },
  whole: ([h, l, c], p) => willr(h!, l!, c!, p.n),
  stream: (p) => willrStream(p.n),
});
