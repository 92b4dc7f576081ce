import { describe, expect, it } from 'vitest';
import { makeBars, sliceBars, type Bars } from '../../lib/core';
import { resample } from '../../lib/data/resample';
import { ema } from '../../lib/indicators/ema';
import { keltner } from '../../lib/indicators/keltner';
import { zscore } from '../../lib/indicators/rolling';
import { rsi } from '../../lib/indicators/rsi';
import { sma } from '../../lib/indicators/sma';
import { sweep, walkForwardOptimize } from '../../lib/research';
import { TargetEvents } from '../../lib/backtest';
import { backtest, computeIndicators, getStrategy, higherTimeframeOverlay, ind, listStrategies, strategyEvents, strategyTargets, withInputs, type IndicatorSpecs } from '../../lib/strategy';
import { btc1h, sharedBars } from '../helpers/datasets';

const H = 3_600_000;
const D = 24 * H;
const NEW = ['daily-trend-cross', 'eth-btc-zscore', 'rsi-ema-cross', 'keltner-breakout'];

describe('the new built-ins', () => {
  it('are registered with their parameters', () => {
    const listed = new Set(listStrategies().map((s) => s.name));
    for (const name of NEW) {
      expect(listed.has(name)).toBe(true);
      expect(getStrategy(name).name).toBe(name);
    }
  });

  it('daily-trend-cross: the daily values are those of the last closed day, computed on resampled bars', () => {
    const bars = sliceBars(btc1h(), 10_000, 14_000);
    const s = getStrategy('daily-trend-cross');
    const p = s.resolveParams({ trend: 10 });
    const v = computeIndicators(s.indicators(p) as IndicatorSpecs, bars) as Record<string, Float64Array>;
    const daily = resample(bars, '1d');
    const trend = sma(daily.close, 10);
    for (let t = 0; t < bars.ts.length; t += 7) {
      // the latest day whose close (open + 1d) is at or before this bar's close
      let j = -1;
      while (j + 1 < daily.ts.length && daily.ts[j + 1]! + D <= bars.ts[t]! + H) j++;
      expect(Object.is(v.dayClose![t], j < 0 ? NaN : daily.close[j]!)).toBe(true);
      expect(Object.is(v.dayTrend![t], j < 0 ? NaN : trend[j]!)).toBe(true);
    }
  });

  it('daily-trend-cross: enters only on sma-cross up-crosses taken with the daily trend up, and the filter matters', () => {
    const bars = btc1h();
    const mtf = strategyTargets(getStrategy('daily-trend-cross'), bars, {});
    const plain = strategyTargets(getStrategy('sma-cross'), bars, {});
    const v = computeIndicators(getStrategy('daily-trend-cross').indicators(getStrategy('daily-trend-cross').resolveParams({})) as IndicatorSpecs, bars) as Record<string, Float64Array>;
    let entries = 0;
    let skipped = 0;
    for (let t = 0; t < bars.ts.length; t++) {
      if (mtf[t] === 1) {
        entries++;
        expect(plain[t]).toBe(1);
        expect(v.dayClose![t]! > v.dayTrend![t]!).toBe(true);
      }
      if (plain[t] === 1 && mtf[t] !== 1) skipped++;
    }
    expect(entries).toBeGreaterThan(100);
    expect(skipped).toBeGreaterThan(100);
    const a = backtest('daily-trend-cross', bars, {}, { fill: 'next-open', fee: 0.001 });
    expect(a.alignment?.timeframes?.['1d']?.closed).toBeGreaterThan(2700); // the report rides along with the result
    expect(a.stats.trades).toBeLessThan(backtest('sma-cross', bars, {}, { fill: 'next-open', fee: 0.001 }).stats.trades);
  });

  it('rsi-ema-cross: the line is EMA(smooth) of RSI(n) and the signal EMA(signal) of the line', () => {
    const bars = btc1h();
    const s = getStrategy('rsi-ema-cross');
    const v = computeIndicators(s.indicators(s.resolveParams({ n: 10, smooth: 4, signal: 7 })) as IndicatorSpecs, bars) as Record<string, Float64Array>;
    const line = ema(rsi(bars.close, 10), 4);
    expect(Array.from(v.line!)).toEqual(Array.from(line));
    expect(Array.from(v.signal!)).toEqual(Array.from(ema(line, 7)));
  });

  it('keltner-breakout: 1 above the upper band, 0 below the middle', () => {
    const bars = btc1h();
    const tg = strategyTargets(getStrategy('keltner-breakout'), bars, { n: 30, mult: 1.5, atr: 14 });
    const k = keltner(bars.high, bars.low, bars.close, 30, 1.5, 14);
    let ones = 0;
    for (let t = 0; t < tg.length; t++) {
      const c = bars.close[t]!;
      const want = c > k.upper[t]! ? 1 : c < k.middle[t]! ? 0 : NaN;
      expect(Object.is(tg[t], want)).toBe(true);
      if (want === 1) ones++;
    }
    expect(ones).toBeGreaterThan(100);
  });

  it('eth-btc-zscore: z is the z-score of ETH close / BTC close at the same time', () => {
    const eth = sharedBars('binance_ETHUSDT_1h.csv');
    const btc = btc1h();
    const s = getStrategy('eth-btc-zscore');
    const v = computeIndicators(s.indicators(s.resolveParams({ n: 100 })) as IndicatorSpecs, withInputs(eth, { btc })) as Record<string, Float64Array>;
    const at = new Map(Array.from(btc.ts, (t, i) => [t, i]));
    const ratio = Float64Array.from(eth.close, (c, t) => c / btc.close[at.get(eth.ts[t]!)!]!); // the datasets share their hours
    expect(Array.from(v.z!)).toEqual(Array.from(zscore(ratio, 100)));
    expect(() => backtest('eth-btc-zscore', eth, {})).toThrow(/needs input 'btc' \(BTCUSDT\)/);
    const r = backtest('eth-btc-zscore', eth, {}, { inputs: { btc }, fill: 'next-open', fee: 0.001 });
    expect(r.stats.trades).toBeGreaterThan(20);
  });
});

describe('the new built-ins are sweepable', () => {
  const bars = sliceBars(btc1h(), 40_000, 52_000);

  it('daily-trend-cross: sparse events equal dense targets over a grid, and sweep() runs it', async () => {
    const s = getStrategy('daily-trend-cross');
    const ev = new TargetEvents();
    for (const fast of [3, 8, 20]) {
      for (const slow of [30, 90]) {
        for (const trend of [2, 5, 30]) {
          const dense = strategyTargets(s, bars, { fast, slow, trend });
          const sparse = strategyEvents(s, bars, { fast, slow, trend }, { out: ev }).toDense(bars.ts.length);
          expect(Array.from(sparse)).toEqual(Array.from(dense));
        }
      }
    }
    const r = await sweep('daily-trend-cross', bars, { grid: { fast: [5, 10], slow: [50, 100], trend: [10, 30] }, objective: 'finalEquity', progress: false });
    expect(r.trials.length).toBe(8);
    expect(r.best).not.toBeNull();
  });

  it('eth-btc-zscore: sweep and walk-forward take the inputs (in this thread and in worker threads)', async () => {
    const eth = sliceBars(sharedBars('binance_ETHUSDT_1h.csv'), 40_000, 52_000);
    const btc = btc1h();
    await expect(sweep('eth-btc-zscore', eth, { grid: { n: [100] }, progress: false })).rejects.toThrow(/needs input 'btc'/);
    const grid = { n: [72, 168, 336], entry: [1.5, 2.5] };
    const one = await sweep('eth-btc-zscore', eth, { grid, inputs: { btc }, objective: 'finalEquity', progress: false, overfitting: false });
    const two = await sweep('eth-btc-zscore', eth, { grid, inputs: { btc }, objective: 'finalEquity', progress: false, overfitting: false, jobs: 2 });
    expect(one.trials.length).toBe(6);
    const values = (r: typeof one) => r.trials.map((t) => JSON.stringify([t.params, t.values])).sort();
    expect(values(two)).toEqual(values(one));
    const wf = await walkForwardOptimize('eth-btc-zscore', eth, { inputs: { btc }, sampler: 'grid', space: { n: { kind: 'choice', choices: [72, 168] } }, folds: 2, train: 4000, test: 2000, progress: false });
    expect(wf.folds.length).toBeGreaterThan(0);
  }, 120_000);
});

/** `bars` up to and including t, prices scaled by a random walk after it. */
function scrambleAfter(bars: Bars, t: number, seed: number): Bars {
  let s = seed >>> 0 || 7;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  let k = 1;
  const scale = Float64Array.from(bars.close, (_, i) => (i <= t ? 1 : (k *= 1 + (rnd() - 0.5) * 0.1)));
  const m = (x: Float64Array) => Float64Array.from(x, (v, i) => v * scale[i]!);
  return makeBars({ ts: bars.ts, open: m(bars.open), high: m(bars.high), low: m(bars.low), close: m(bars.close), volume: bars.volume }, bars.symbol, bars.timeframe);
}

describe('eth-btc-zscore cannot see the future of either symbol', () => {
  const eth = sliceBars(sharedBars('binance_ETHUSDT_1h.csv'), 30_000, 33_000);
  const btc = sliceBars(btc1h(), 29_000, 34_000);
  const s = getStrategy('eth-btc-zscore');
  it.each([[400, 1], [1234, 2], [2500, 3]])('changing ETH and BTC after bar %i never changes a target at or before it', (t, seed) => {
    const params = { n: 72, entry: 1.5, exit: 0.5 };
    const cutTs = eth.ts[t]!;
    const btcAfter = btc.ts.findIndex((x) => x > cutTs) - 1;
    const a = strategyTargets(s, withInputs(eth, { btc }), params);
    const b = strategyTargets(s, withInputs(scrambleAfter(eth, t, seed), { btc: scrambleAfter(btc, btcAfter, seed + 9) }), params);
    for (let i = 0; i <= t; i++) expect(Object.is(a[i], b[i])).toBe(true);
    expect(a.some((x, i) => i > t && !Object.is(x, b[i]))).toBe(true); // the scramble did change later targets
  });
});

describe('chart overlay of a higher-timeframe series', () => {
  it('gives the base bar times and the values as visible on them', () => {
    const bars = sliceBars(btc1h(), 0, 500);
    const o = higherTimeframeOverlay(ind.sma(3), bars, '1d');
    expect(o.name).toBe('sma(3,close)@1d');
    expect(o.x[0]).toBe(new Date(bars.ts[0]!).toISOString());
    expect(o.y).toEqual(Array.from(ind.sma(3).on!('1d').compute(bars)));
  });
});
