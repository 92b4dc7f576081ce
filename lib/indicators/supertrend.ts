import type { Bar, Series, Stream } from '../core';
import { atr, atrStream } from './atr';
import { checkLengths, checkNonNegative, checkPeriod } from './kernels/checks';
import { defineIndicator, floatParam, intParam } from './descriptor';

export interface SuperTrend {
  /** The trailing stop line: the lower band in an up-trend, the upper band in a down-trend. */
  line: Series;
  /** +1 up-trend (close above the line), -1 down-trend; NaN during warm-up. */
  direction: Series;
}

export interface SuperTrendPoint {
  line: number;
  direction: number;
}

/**
 * SuperTrend: bands hl2 ± mult × ATR(n) that only ratchet towards price (the lower band never falls
 * while close stays above it, the upper never rises while close stays below it); the trend flips when
 * close crosses the active band. First n values are NaN (the first ATR value is at index n).
 * ATR flavour: Wilder's ATR exactly as {@link atr} (TA-Lib: TR[0] undefined, seeded with the mean of
 * TR[1..n]). The flip rule is TradingView's `ta.supertrend`, with the opposite sign convention (there
 * direction -1 means up) and the same start (the first bar is a down-trend, line = upper band).
 * TradingView's ATR counts TR[0] = high - low, so it starts one bar earlier and its ATR differs
 * slightly at first; because the bands ratchet, early flips can differ until the ATRs converge.
 * NaN policy (recursive family): a bar whose ATR, high, low or close is NaN is skipped — NaN output,
 * state kept; the next bar compares against the last processed close.
 * @example
 * const h = Float64Array.of(10, 11, 12, 13, 11, 9), l = Float64Array.of(9, 10, 11, 12, 9, 7);
 * const c = Float64Array.of(9.5, 10.5, 11.8, 12.8, 9.2, 7.5);
 * supertrend(h, l, c, 1, 1) // ≈ { line: [NaN, 12, 12, 11.3, 13.8, 10.2], direction: [NaN, -1, -1, 1, -1, -1] }
 */
export function supertrend(high: Series, low: Series, close: Series, n = 10, mult = 3): SuperTrend {
  checkPeriod('supertrend', n);
  checkNonNegative('supertrend', 'mult', mult);
  checkLengths('supertrend', { high, low, close });
  const len = high.length;
  const line = atr(high, low, close, n); // ATR first, overwritten bar by bar
  const direction = new Float64Array(len);
  const st = newState();
  for (let i = 0; i < len; i++) {
    const a = line[i]!;
    if (stepSuperTrend(st, high[i]!, low[i]!, close[i]!, a, mult)) {
      line[i] = st.line;
      direction[i] = st.dir;
    } else {
      line[i] = NaN;
      direction[i] = NaN;
    }
  }
  return { line, direction };
}

interface State {
  started: boolean;
  upper: number;
  lower: number;
  prevClose: number;
  dir: number;
  line: number;
}

const newState = (): State => ({ started: false, upper: NaN, lower: NaN, prevClose: NaN, dir: NaN, line: NaN });

/** Advances the state by one bar; returns false (state untouched) when the bar is skipped. */
function stepSuperTrend(s: State, h: number, l: number, c: number, a: number, mult: number): boolean {
  if (a !== a || h !== h || l !== l || c !== c) return false;
  const mid = (h + l) / 2;
  let up = mid + mult * a;
  let lo = mid - mult * a;
  if (!s.started) {
    s.started = true;
    s.dir = -1;
  } else {
    const pu = s.upper;
    const pl = s.lower;
    const pc = s.prevClose;
    if (!(lo > pl || pc < pl)) lo = pl;
    if (!(up < pu || pc > pu)) up = pu;
    s.dir = s.dir < 0 ? (c > up ? 1 : -1) : c < lo ? -1 : 1;
  }
  s.upper = up;
  s.lower = lo;
  s.prevClose = c;
  s.line = s.dir > 0 ? lo : up;
  return true;
}

/** Streaming twin of {@link supertrend}: `update(bar)` returns `{ line, direction }` (fresh object). */
export function supertrendStream(n = 10, mult = 3): Stream<Bar, SuperTrendPoint> {
  checkPeriod('supertrendStream', n);
  checkNonNegative('supertrendStream', 'mult', mult);
  const a = atrStream(n);
  let st = newState();
  return {
    update(bar: Bar): SuperTrendPoint {
      const v = a.update(bar);
      return stepSuperTrend(st, bar.high, bar.low, bar.close, v, mult)
        ? { line: st.line, direction: st.dir }
        : { line: NaN, direction: NaN };
    },
    reset() {
      a.reset();
      st = newState();
    },
  };
}

/** Descriptor of {@link supertrend}. */
export const supertrendDescriptor = defineIndicator({
  name: 'supertrend',
  title: 'SuperTrend line and direction (+1/−1)',
  inputs: ['high', 'low', 'close'],
  params: { n: intParam(10, 1), mult: floatParam(3, 0) },
  outputs: ['line', 'direction'],
  warmup: (p) => p.n,
  whole: ([h, l, c], p) => supertrend(h!, l!, c!, p.n, p.mult),
  stream: (p) => supertrendStream(p.n, p.mult),
});
