import type { Bar, Series, Stream } from '../core';
import { checkLengths, checkPeriod } from './kernels/checks';
import { forEachFiniteRun } from './kernels/finite-runs';
import { stochRun, stochScratch, StochState } from './kernels/stoch-run';
import { defineIndicator, intParam } from './descriptor';

/** %K and %D lines of a stochastic oscillator, in [0, 100]. */
export interface StochResult {
  k: Float64Array;
  d: Float64Array;
}

/** One stochastic reading. */
export interface StochValue {
  k: number;
  d: number;
}

/**
 * Slow stochastic (TA-Lib STOCH with SMA slowing): fast %K = 100·(close − lowest low)/(highest high −
 * lowest low) over fastK bars (0 when the range is 0); k = SMA(fast %K, slowK); d = SMA(k, slowD).
 * First fastK+slowK+slowD−3 values of both lines are NaN (TA-Lib starts %K with %D although it could
 * start slowD−1 bars earlier). Matches TA-Lib STOCH with matype 0. technicalindicators' Stochastic is
 * the fast %K with a %D signal (no slowing) and returns shorter arrays.
 * NaN policy: an output whose window contains a bar with a NaN high, low or close is NaN.
 * @example
 * const { high, low, close } = await ql.loadDataset('BTCUSDT', '1h');
 * stoch(high, low, close, 5, 3, 3).k.findIndex(Number.isFinite) // 8 (NaN for the first 8 bars)
 */
export function stoch(
  high: Series,
  low: Series,
  close: Series,
  fastK = 5,
  slowK = 3,
  slowD = 3,
): StochResult {
  checkPeriod('stoch', fastK);
  checkPeriod('stoch', slowK);
  checkPeriod('stoch', slowD);
  const len = checkLengths('stoch', { high, low, close });
  const k = new Float64Array(len);
  const d = new Float64Array(len);
  const sc = stochScratch(fastK, slowK, slowD);
  forEachFiniteRun([high, low, close], len, [k, d], (s, e) => stochRun(high, low, close, fastK, slowK, slowD, s, e, k, d, sc.sufH, sc.sufL, sc.kRing, sc.dRing));
  return { k, d };
}

/**
 * Fast stochastic (TA-Lib STOCHF): k = fast %K over fastK bars, d = SMA(k, fastD). First fastK+fastD−2
 * values of both lines are NaN (as TA-Lib, %K starts with %D). Matches TA-Lib STOCHF with matype 0, and
 * is technicalindicators' Stochastic (period = fastK, signalPeriod = fastD) apart from alignment.
 * NaN policy: an output whose window contains a bar with a NaN high, low or close is NaN.
 * @example stochFast(Float64Array.of(2, 4, 4), Float64Array.of(0, 1, 2), Float64Array.of(1, 3, 4), 2, 1) // { k: [NaN, 75, 100], d: [NaN, 75, 100] }
 */
export function stochFast(high: Series, low: Series, close: Series, fastK = 5, fastD = 3): StochResult {
  checkPeriod('stochFast', fastK);
  checkPeriod('stochFast', fastD);
  const len = checkLengths('stochFast', { high, low, close });
  const k = new Float64Array(len);
  const d = new Float64Array(len);
  const sc = stochScratch(fastK, 1, fastD);
  forEachFiniteRun([high, low, close], len, [k, d], (s, e) => stochRun(high, low, close, fastK, 1, fastD, s, e, k, d, sc.sufH, sc.sufL, sc.kRing, sc.dRing));
  return { k, d };
}

/**
 * Streaming twin of {@link stoch}: returns a fresh `{ k, d }` per bar. A bar with a NaN high, low or
 * close returns NaNs and restarts the warm-up.
 */
export function stochStream(fastK = 5, slowK = 3, slowD = 3): Stream<Bar, StochValue> {
  checkPeriod('stochStream', fastK);
  checkPeriod('stochStream', slowK);
  checkPeriod('stochStream', slowD);
  const st = new StochState(fastK, slowK, slowD);
  return {
    update(b: Bar): StochValue {
      st.update(b.high, b.low, b.close);
      return { k: st.k, d: st.d };
    },
    reset: () => st.reset(),
  };
}

/** Streaming twin of {@link stochFast}: returns a fresh `{ k, d }` per bar. */
export function stochFastStream(fastK = 5, fastD = 3): Stream<Bar, StochValue> {
  checkPeriod('stochFastStream', fastK);
  checkPeriod('stochFastStream', fastD);
  const st = new StochState(fastK, 1, fastD);
  return {
    update(b: Bar): StochValue {
      st.update(b.high, b.low, b.close);
      return { k: st.k, d: st.d };
    },
    reset: () => st.reset(),
  };
}

/** Descriptor of {@link stoch}. */
export const stochDescriptor = defineIndicator({
  name: 'stoch',
  title: 'Slow stochastic %K, %D (SMA slowing)',
  inputs: ['high', 'low', 'close'],
  params: { fastK: intParam(5, 1), slowK: intParam(3, 1), slowD: intParam(3, 1) },
  outputs: ['k', 'd'],
  warmup: (p) => p.fastK + p.slowK + p.slowD - 3,
  talib: {
    fn: 'STOCH',
    options: { fastK: 'optInFastK_Period', slowK: 'optInSlowK_Period', slowD: 'optInSlowD_Period' },
    fixed: { optInSlowK_MAType: 0, optInSlowD_MAType: 0 },
    outputs: { k: 'outSlowK', d: 'outSlowD' },
  },
  whole: ([h, l, c], p) => stoch(h!, l!, c!, p.fastK, p.slowK, p.slowD),
  stream: (p) => stochStream(p.fastK, p.slowK, p.slowD),
});

/** Descriptor of {@link stochFast}. */
export const stochFastDescriptor = defineIndicator({
  name: 'stochFast',
  title: 'Fast stochastic %K, %D',
  inputs: ['high', 'low', 'close'],
  params: { fastK: intParam(5, 1), fastD: intParam(3, 1) },
  outputs: ['k', 'd'],
  warmup: (p) => p.fastK + p.fastD - 2,
  talib: {
    fn: 'STOCHF',
    options: { fastK: 'optInFastK_Period', fastD: 'optInFastD_Period' },
    fixed: { optInFastD_MAType: 0 },
    outputs: { k: 'outFastK', d: 'outFastD' },
  },
  whole: ([h, l, c], p) => stochFast(h!, l!, c!, p.fastK, p.fastD),
  stream: (p) => stochFastStream(p.fastK, p.fastD),
});
