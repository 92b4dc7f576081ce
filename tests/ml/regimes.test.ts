import { describe, expect, it } from 'vitest';
import { simulate } from '../../lib/backtest';
import { sliceBars } from '../../lib/core';
import { strategyTargets, smaCross } from '../../lib/strategy';
import { features, realizedVolatility, regimeFigure, regimeStats, regimes, summarizeRegimes, trend } from '../../lib/ml';
import { btc1h, sharedBars } from '../helpers/datasets';

function streamed(spec: ReturnType<typeof trend>, bars: ReturnType<typeof btc1h>): Float64Array {
  const s = spec.stream();
  return Float64Array.from(bars.close, (_, t) => s.update({ ts: bars.ts[t]!, open: bars.open[t]!, high: bars.high[t]!, low: bars.low[t]!, close: bars.close[t]!, volume: bars.volume[t]! }));
}

describe('regime features', () => {
  const bars = btc1h();
  it('realised volatility and trend equal a naive window computation, and their streams equal the arrays', () => {
    const v = realizedVolatility(24).compute(bars);
    const tr = trend(100).compute(bars);
    for (const t of [24, 25, 1000, bars.close.length - 1]) {
      const rets = Array.from({ length: 24 }, (_, k) => bars.close[t - 23 + k]! / bars.close[t - 24 + k]! - 1);
      const m = rets.reduce((a, b) => a + b, 0) / 24;
      expect(v[t]).toBeCloseTo(Math.sqrt(rets.reduce((a, b) => a + (b - m) ** 2, 0) / 24), 14);
      if (t >= 99) {
        const avg = Array.from({ length: 100 }, (_, k) => bars.close[t - k]!).reduce((a, b) => a + b, 0) / 100;
        expect(tr[t]).toBeCloseTo(bars.close[t]! / avg - 1, 12);
      }
    }
    expect(Number.isNaN(v[23]!) && !Number.isNaN(v[24]!)).toBe(true);
    for (const [a, b] of [[streamed(realizedVolatility(24), bars), v], [streamed(trend(100), bars), tr]] as const) {
      for (let t = 0; t < a.length; t++) if (!Object.is(a[t], b[t])) throw new Error(`bar ${t}: ${a[t]} vs ${b[t]}`);
    }
  });
});

describe('regimes', () => {
  const bars = btc1h();
  const r = regimes(bars, { k: 3, seed: 1 });

  it('labels every bar after the warm-up; regime 0 is the calmest; statistics add up', () => {
    const warm = features(bars, r.features).dropped.warmup;
    expect(r.bars.reduce((a, b) => a + b, 0)).toBe(bars.close.length - warm);
    const vol = realizedVolatility(24).compute(bars);
    const meanVol = [0, 1, 2].map((k) => {
      let s = 0;
      let c = 0;
      for (let t = 0; t < vol.length; t++) if (r.regime[t] === k) (s += vol[t]!), c++;
      return s / c;
    });
    expect(meanVol[0]!).toBeLessThan(meanVol[1]!);
    expect(meanVol[1]!).toBeLessThan(meanVol[2]!);
    for (const row of r.transitions) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(r.meanDuration.every((d) => d > 3)).toBe(true); // regimes persist: not bar-to-bar noise
  });

  it("method 'gmm': a Gaussian mixture labels the same bars, volatility-ordered, streaming = whole-array", () => {
    const part = sliceBars(bars, 0, 15000);
    const g = regimes(part, { k: 3, seed: 1, method: 'gmm' });
    expect(g.model.kind).toBe('gmm');
    expect(g.bars.reduce((a, b) => a + b, 0)).toBe(part.close.length - features(part, g.features).dropped.warmup);
    const vol = realizedVolatility(24).compute(part);
    const meanVol = [0, 1, 2].map((k) => {
      let sum = 0;
      let c = 0;
      for (let t = 0; t < vol.length; t++) if (g.regime[t] === k) (sum += vol[t]!), c++;
      return sum / c;
    });
    expect(meanVol[0]!).toBeLessThan(meanVol[2]!);
    const s = g.spec.stream();
    for (let t = 0; t < part.close.length; t += 1) {
      const v = s.update({ ts: part.ts[t]!, open: part.open[t]!, high: part.high[t]!, low: part.low[t]!, close: part.close[t]!, volume: part.volume[t]! });
      if (!Object.is(v, g.regime[t])) throw new Error(`bar ${t}: ${v} vs ${g.regime[t]}`);
    }
    expect(() => regimes(bars, { method: 'hmm' as never })).toThrow(/method 'kmeans' or 'gmm'/);
  });

  it('summarizeRegimes against a hand-counted series', () => {
    const s = summarizeRegimes(Float64Array.from([NaN, 0, 0, 1, 1, 1, 0, NaN, 1]), 2);
    expect(s.bars).toEqual([3, 4]);
    expect(s.meanDuration).toEqual([1.5, 2]);
    expect(s.transitions).toEqual([[1 / 2, 1 / 2], [1 / 3, 2 / 3]]);
    expect(() => summarizeRegimes(Float64Array.from([0, 5]), 2)).toThrow(/bar 1 has regime 5/);
  });

  it('the regime spec streams bar by bar exactly as its whole-array form', () => {
    const s = r.spec.stream();
    for (let t = 0; t < bars.close.length; t++) {
      const v = s.update({ ts: bars.ts[t]!, open: bars.open[t]!, high: bars.high[t]!, low: bars.low[t]!, close: bars.close[t]!, volume: bars.volume[t]! });
      if (!Object.is(v, r.regime[t])) throw new Error(`bar ${t}: ${v} vs ${r.regime[t]}`);
    }
  });

  it('trainEnd fits on the past only: later bars do not move the clusters', () => {
    const d = sharedBars('binance_BTCUSDT_1d.csv');
    const a = regimes(d, { seed: 2, trainEnd: 1500 });
    const changed = { ...d, close: d.close.slice() };
    for (let t = 1600; t < changed.close.length; t++) changed.close[t] = changed.close[t]! * (1 + 0.1 * Math.sin(t));
    const b = regimes(changed, { seed: 2, trainEnd: 1500 });
    expect(JSON.stringify(b.model.toJSON())).toBe(JSON.stringify(a.model.toJSON()));
  });

  it('regimeStats of a backtest against a naive split of its per-bar returns', () => {
    const sim = simulate(bars, strategyTargets(smaCross, bars, {}), { fill: 'next-open' });
    const st = regimeStats(r.regime, sim.equity);
    for (const s of st) {
      const rets: number[] = [];
      for (let t = 1; t < bars.close.length; t++) if (r.regime[t - 1] === s.regime) rets.push(sim.equity[t]! / sim.equity[t - 1]! - 1);
      expect(s.bars).toBe(rets.length);
      expect(s.meanReturn).toBeCloseTo(rets.reduce((a, b) => a + b, 0) / rets.length, 14);
      expect(s.logGrowth).toBeCloseTo(rets.reduce((a, b) => a + Math.log1p(b), 0), 9);
    }
    expect(st.reduce((a, s) => a + s.share, 0)).toBeCloseTo(1, 12);
    expect(() => regimeStats(r.regime, sim.equity.subarray(1))).toThrow(/equity curve/);
  });

  it('regimeFigure: one trace per regime, thinned, prices only where the regime holds', () => {
    const fig = regimeFigure(bars, r.regime, { maxPoints: 2000 });
    expect(fig.data.length).toBe(3);
    const ys = fig.data.map((d) => d.y as (number | null)[]);
    expect(ys[0]!.length).toBeLessThanOrEqual(2000);
    expect(ys.every((y) => y.some((v) => v !== null) && y.some((v) => v === null))).toBe(true);
  });
});
