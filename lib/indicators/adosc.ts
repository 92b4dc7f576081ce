import type { Bar, Series, Stream } from '../core';
import { checkLengths, checkPeriod } from './kernels/checks';
import { moneyFlowVolume } from './kernels/money-flow';
import { defineIndicator, intParam } from './descriptor';

/**
 * Chaikin A/D oscillator: EMA(AD, fast) - EMA(AD, slow), both EMAs seeded with the first AD value
 * (not an SMA) and run from the first bar. First max(fast, slow) - 1 values are NaN. Matches TA-Lib
 * ADOSC bit for bit. TradingView's `ta.ema` is SMA-seeded, so its Chaikin oscillator differs for the
 * first few dozen bars, then agrees up to rounding.
 * NaN policy (recursive family): a bar with a NaN input is skipped (NaN output, state kept); the
 * warm-up counts finite bars.
 * @example
 * const h = Float64Array.of(10, 12), l = Float64Array.of(8, 10), c = Float64Array.of(9.5, 10.5), v = Float64Array.of(100, 50);
 * adosc(h, l, c, v, 1, 2) // [NaN, -8.333…]: AD = [50, 25] → 25 − (2/3 · 25 + 1/3 · 50)
 */
export function adosc(
  high: Series,
  low: Series,
  close: Series,
  volume: Series,
  fast = 3,
  slow = 10,
  out: Series = new Float64Array(high.length),
): Series {
  checkPeriod('adosc', fast);
  checkPeriod('adosc', slow);
  checkLengths('adosc', { high, low, close, volume });
  const len = high.length;
  const st = newState(fast, slow);
  for (let i = 0; i < len; i++) out[i] = step(st, moneyFlowVolume(high[i]!, low[i]!, close[i]!, volume[i]!));
  return out;
}

interface State {
  fk: number;
  fk1: number;
  sk: number;
  sk1: number;
  slowest: number;
  count: number;
  acc: number;
  fastE: number;
  slowE: number;
}

function newState(fast: number, slow: number): State {
  const fk = 2 / (fast + 1);
  const sk = 2 / (slow + 1);
  return { fk, fk1: 1 - fk, sk, sk1: 1 - sk, slowest: Math.max(fast, slow), count: 0, acc: 0, fastE: 0, slowE: 0 };
}

function step(s: State, m: number): number {
  if (m !== m) return NaN;
  s.acc += m;
  const a = s.acc;
  if (s.count === 0) {
    s.fastE = a;
    s.slowE = a;
  } else {
    s.fastE = s.fk * a + s.fk1 * s.fastE;
    s.slowE = s.sk * a + s.sk1 * s.slowE;
  }
  s.count++;
  return s.count >= s.slowest ? s.fastE - s.slowE : NaN;
}

/** Streaming twin of {@link adosc}. */
export function adoscStream(fast = 3, slow = 10): Stream<Bar, number> {
  checkPeriod('adoscStream', fast);
  checkPeriod('adoscStream', slow);
  let st = newState(fast, slow);
  return {
    update(bar: Bar): number {
      return step(st, moneyFlowVolume(bar.high, bar.low, bar.close, bar.volume));
    },
    reset() {
      st = newState(fast, slow);
    },
  };
}

/** Descriptor of {@link adosc}. */
export const adoscDescriptor = defineIndicator({
  name: 'adosc',
  title: 'Chaikin A/D oscillator',
  inputs: ['high', 'low', 'close', 'volume'],
  params: { fast: intParam(3, 1), slow: intParam(10, 1) },
  warmup: (p) => Math.max(p.fast, p.slow) - 1,
  talib: { fn: 'ADOSC', options: { fast: 'optInFastPeriod', slow: 'optInSlowPeriod' } },
  whole: ([h, l, c, v], p) => adosc(h!, l!, c!, v!, p.fast, p.slow),
  stream: (p) => adoscStream(p.fast, p.slow),
});
