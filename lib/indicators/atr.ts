import type { Bar, Series, Stream } from '../core';
import { BLOCK } from './kernels/blocks';
import { checkLengths, checkPeriod } from './kernels/checks';
import { trueRange } from './kernels/true-range';
import { wilderState } from './kernels/wilder';
import { defineIndicator, intParam } from './descriptor';

/**
 * Average true range, Wilder smoothing (atr = (prev*(n-1) + tr) / n) seeded with the mean of the first
 * n true ranges. First n values are NaN (TR[0] is NaN). Matches TA-Lib ATR (to ~1e-15 relative: 1/n is multiplied where TA-Lib divides).
 * TradingView's `ta.atr` uses the same RMA but counts TR[0] = high - low, so it starts one bar earlier
 * and differs slightly for the first few hundred bars; technicalindicators' ATR behaves like TradingView.
 * NaN policy (recursive family): a NaN true range is skipped — that bar's output is NaN and the average
 * carries on from its last state; the warm-up needs n finite true ranges.
 * @example
 * const h = Float64Array.of(10, 12, 13, 12), l = Float64Array.of(8, 11, 11, 10), c = Float64Array.of(9, 11.5, 12, 11);
 * atr(h, l, c, 2) // [NaN, NaN, 2.5, 2.25]  (TR = [NaN, 3, 2, 2])
 */
export function atr(high: Series, low: Series, close: Series, n = 14, out: Series = new Float64Array(high.length)): Series {
  checkPeriod('atr', n);
  checkLengths('atr', { high, low, close });
  const len = high.length;
  if (len === 0) return out;
  // one fused pass: true range (as trueRange) and Wilder smoothing (as wilderInPlace), same arithmetic,
  // in blocks (see kernels/blocks.ts); state = [prevClose, finite TRs seen (up to n), seed sum, atr]
  const st = Float64Array.of(close[0]!, 0, 0, NaN);
  out[0] = NaN;
  for (let s = 1; s < len; s += BLOCK) atrBlock(high, low, close, n, s, s + BLOCK < len ? s + BLOCK : len, out, st);
  return out;
}

function atrBlock(high: Series, low: Series, close: Series, n: number, s: number, e: number, out: Series, st: Float64Array): void {
  const nm1 = n - 1;
  const inv = 1 / n;
  let prevClose = st[0]!;
  let count = st[1]!;
  let sum = st[2]!;
  let prev = st[3]!;
  for (let i = s; i < e; i++) {
    const h = high[i]!;
    const l = low[i]!;
    // TA-Lib's order of comparisons (as trueRange); NaN high or low stays NaN
    let tr = h - l;
    const up = Math.abs(prevClose - h);
    if (up > tr) tr = up;
    const down = Math.abs(prevClose - l);
    if (down > tr) tr = down;
    if (prevClose !== prevClose) tr = NaN;
    prevClose = close[i]!; // read before writing: `out` may alias `close`
    if (tr !== tr) {
      out[i] = NaN; // skipped: state kept
      continue;
    }
    if (count < n) {
      sum += tr;
      count++;
      if (count < n) {
        out[i] = NaN;
        continue;
      }
      prev = sum * inv;
    } else {
      prev = (prev * nm1 + tr) * inv;
    }
    out[i] = prev;
  }
  st[0] = prevClose;
  st[1] = count;
  st[2] = sum;
  st[3] = prev;
}

/** Streaming twin of {@link atr}: `update(bar)` returns the ATR after that bar. */
export function atrStream(n = 14): Stream<Bar, number> {
  checkPeriod('atrStream', n);
  const w = wilderState(n);
  let prevClose = NaN;
  return {
    update(bar: Bar): number {
      const tr = trueRange(bar.high, bar.low, prevClose);
      prevClose = bar.close;
      return w.next(tr);
    },
    reset() {
      w.reset();
      prevClose = NaN;
    },
  };
}

/** Descriptor of {@link atr}. */
export const atrDescriptor = defineIndicator({
  name: 'atr',
  title: "Average true range (Wilder)",
  inputs: ['high', 'low', 'close'],
  params: { n: intParam(14, 1) },
  warmup: (p) => p.n,
  talib: { fn: 'ATR', options: { n: 'optInTimePeriod' } },
  whole: ([h, l, c], p) => atr(h!, l!, c!, p.n),
  stream: (p) => atrStream(p.n),
});
