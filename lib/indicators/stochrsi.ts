import type { Series, Stream } from '../core';
import { rsi, rsiStream } from './rsi';
import { type StochResult, type StochValue } from './stoch';
import { checkPeriod } from './kernels/checks';
import { forEachFiniteRun } from './kernels/finite-runs';
import { stochRun, stochScratch, StochState } from './kernels/stoch-run';
import { defineIndicator, intParam, series } from './descriptor';

/**
 * Stochastic RSI as TA-Lib STOCHRSI computes it: the fast stochastic (STOCHF, SMA %D) of RSI(n), with
 * the RSI standing in for high, low and close: k = 100·(rsi − min rsi)/(max rsi − min rsi) over fastK
 * bars (0 when flat), d = SMA(k, fastD). First n+fastK+fastD−2 values of both lines are NaN. Matches
 * TA-Lib STOCHRSI(timeperiod n, fastk_period, fastd_period, matype 0). TradingView's `ta.stoch`-based
 * Stoch RSI smooths %K with an SMA first (like {@link stoch}); technicalindicators' StochasticRSI takes
 * separate rsiPeriod/stochasticPeriod/kPeriod/dPeriod and smooths %K too.
 * NaN policy: the RSI skips a NaN bar (as {@link rsi}); the stochastic windows containing it are NaN.
 * @example
 * const { close } = await ql.loadDataset('BTCUSDT', '1h');
 * stochRsi(close, 14, 5, 3).d.findIndex(Number.isFinite) // 20 (NaN for the first 20 bars)
 */
export function stochRsi(x: Series, n = 14, fastK = 5, fastD = 3): StochResult {
  checkPeriod('stochRsi', n, 2);
  checkPeriod('stochRsi', fastK);
  checkPeriod('stochRsi', fastD);
  const len = x.length;
  const r = rsi(x, n);
  const k = new Float64Array(len);
  const d = new Float64Array(len);
  const sc = stochScratch(fastK, 1, fastD);
  forEachFiniteRun([r], len, [k, d], (s, e) => stochRun(r, r, r, fastK, 1, fastD, s, e, k, d, sc.sufH, sc.sufL, sc.kRing, sc.dRing));
  return { k, d };
}

/** Streaming twin of {@link stochRsi}: returns a fresh `{ k, d }` per value. */
export function stochRsiStream(n = 14, fastK = 5, fastD = 3): Stream<number, StochValue> {
  checkPeriod('stochRsiStream', n, 2);
  checkPeriod('stochRsiStream', fastK);
  checkPeriod('stochRsiStream', fastD);
  const rs = rsiStream(n);
  const st = new StochState(fastK, 1, fastD);
  return {
    update(v: number): StochValue {
      const r = rs.update(v);
      st.update(r, r, r);
      return { k: st.k, d: st.d };
    },
    reset() {
      rs.reset();
      st.reset();
    },
  };
}

/** Descriptor of {@link stochRsi}. */
export const stochRsiDescriptor = defineIndicator({
  name: 'stochRsi',
  title: 'Stochastic RSI (fast %K, %D)',
  inputs: [series('x', 'close')],
  params: { n: intParam(14, 2), fastK: intParam(5, 1), fastD: intParam(3, 1) },
  outputs: ['k', 'd'],
  warmup: (p) => p.n + p.fastK + p.fastD - 2,
  talib: {
    fn: 'STOCHRSI',
    options: { n: 'optInTimePeriod', fastK: 'optInFastK_Period', fastD: 'optInFastD_Period' },
    fixed: { optInFastD_MAType: 0 },
    outputs: { k: 'outFastK', d: 'outFastD' },
  },
  whole: ([x], p) => stochRsi(x!, p.n, p.fastK, p.fastD),
  stream: (p) => stochRsiStream(p.n, p.fastK, p.fastD),
});
