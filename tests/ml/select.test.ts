import { describe, expect, it } from 'vitest';
import { simulate } from '../../lib/backtest';
import { sliceBars } from '../../lib/core';
import { defineStrategy, donchianBreakout, rsiReversion, smaCross, strategyTargets, streamTargets } from '../../lib/strategy';
import { regimes, regimeSwitch, selectByRegime, strategySignal, thompsonChoice, thompsonSwitch } from '../../lib/ml';
import { btc1h } from '../helpers/datasets';

function firstDiff(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('strategy selection by regime', () => {
  const bars = sliceBars(btc1h(), 20000, 50000);
  const trainEnd = 20000;
  const r = regimes(bars, { k: 3, seed: 1, trainEnd });
  const candidates = [{ strategy: smaCross, params: { fast: 20, slow: 100 } }, { strategy: rsiReversion }, { strategy: donchianBreakout }];

  it('strategySignal holds the last finite target (0 before the first), streamed = whole-array', () => {
    const s = strategySignal(candidates[0]!);
    const raw = strategyTargets(smaCross, bars, { fast: 20, slow: 100 });
    const v = s.compute(bars);
    let last = 0;
    for (let t = 0; t < raw.length; t++) {
      if (!Number.isNaN(raw[t]!)) last = raw[t]!;
      expect(v[t]).toBe(last);
    }
    const st = s.stream();
    const w = Float64Array.from(bars.close, (_, t) => st.update({ ts: bars.ts[t]!, open: bars.open[t]!, high: bars.high[t]!, low: bars.low[t]!, close: bars.close[t]!, volume: bars.volume[t]! }));
    expect(firstDiff(w, v)).toBe(-1);
  });

  it('regimeSwitch passes the three-form parity check and follows the chosen candidate in each regime', () => {
    const sw = regimeSwitch({ regime: r.spec, choices: [candidates[1]!, candidates[0]!, candidates[2]!] });
    const vector = strategyTargets(sw, bars, {});
    expect(firstDiff(strategyTargets(sw, bars, {}, { useDecide: true }), vector)).toBe(-1);
    expect(firstDiff(streamTargets(sw, bars, {}), vector)).toBe(-1);
    const sig = [candidates[1]!, candidates[0]!, candidates[2]!].map((c) => strategySignal(c).compute(bars));
    for (let t = 0; t < bars.close.length; t += 7) {
      const k = r.regime[t]!;
      expect(vector[t]).toBe(Number.isNaN(k) ? NaN : sig[k]![t]);
    }
    const a = simulate(bars, vector, { fill: 'next-open' });
    const b = simulate(bars, streamTargets(sw, bars, {}), { fill: 'next-open' });
    expect(b.finalEquity).toBe(a.finalEquity);
    expect(a.trades.length).toBeGreaterThan(10);
  });

  it('selectByRegime: per regime the in-sample best mean return; out-of-sample figures reproduce by hand', () => {
    const s = selectByRegime(bars, { regime: r.spec, candidates, trainEnd });
    expect(s.choices.length).toBe(3);
    for (let k = 0; k < 3; k++) {
      const col = s.inSample.map((row) => row[k]!);
      expect(s.choices[k]).toBe(col.indexOf(Math.max(...col)));
    }
    // naive in-sample mean return of candidate 0 in regime 2: returns of bars whose previous bar was in regime 2
    const eq = simulate(bars, strategySignal(candidates[0]!).compute(bars), { fill: 'next-open' }).equity;
    const rets: number[] = [];
    for (let t = 1; t < trainEnd; t++) if (r.regime[t - 1] === 2) rets.push(eq[t]! / eq[t - 1]! - 1);
    expect(s.inSample[0]![2]).toBeCloseTo(rets.reduce((a, b) => a + b, 0) / rets.length, 14);
    const o = s.outOfSample!;
    const tail = sliceBars(bars, trainEnd);
    const switched = strategyTargets(s.strategy, bars, {}).slice(trainEnd);
    const sim = simulate(tail, switched, { fill: 'next-open' });
    expect(o.regimeSwitch).toBe(sim.finalEquity / sim.initialCash);
    expect(o.buyAndHold).toBe(bars.close[bars.close.length - 1]! / bars.close[trainEnd]!);
    for (const v of Object.values(o)) expect(v).toBeGreaterThan(0);
  });

  it('refuses what it cannot use', () => {
    expect(() => regimeSwitch({ regime: r.spec, choices: [] })).toThrow(/expected \{ regime/);
    expect(() => selectByRegime(bars, { regime: r.spec, candidates, trainEnd: 0 })).toThrow(/trainEnd to be a bar index/);
  });
});

describe('online selection: Thompson sampling over strategies', () => {
  const bars = sliceBars(btc1h(), 30000, 45000);
  const candidates = [{ strategy: smaCross, params: { fast: 20, slow: 100 } }, { strategy: rsiReversion }, { strategy: donchianBreakout }];

  it('choices stream bar by bar exactly as computed, and the switch passes the three-form parity check', () => {
    const spec = thompsonChoice(candidates, { seed: 3 });
    const c = spec.compute(bars);
    const st = spec.stream();
    const s = Float64Array.from(bars.close, (_, t) => st.update({ ts: bars.ts[t]!, open: bars.open[t]!, high: bars.high[t]!, low: bars.low[t]!, close: bars.close[t]!, volume: bars.volume[t]! }));
    expect(firstDiff(s, c)).toBe(-1);
    expect(new Set(c).size).toBe(3); // every candidate gets picked at some point
    const sw = thompsonSwitch(candidates, { seed: 3 });
    const vector = strategyTargets(sw, bars, {});
    expect(firstDiff(strategyTargets(sw, bars, {}, { useDecide: true }), vector)).toBe(-1);
    expect(firstDiff(streamTargets(sw, bars, {}), vector)).toBe(-1);
  });

  it('learns: with one candidate always long in a rising market and one always flat, it ends up choosing the long one', () => {
    const up = sliceBars(btc1h(), 0, 3000);
    const rising = { ...up, close: Float64Array.from(up.close, (_, t) => 100 * 1.0005 ** t * (1 + 0.003 * Math.sin(t))) };
    const long = defineStrategy({ name: 'always-long', params: {}, indicators: () => ({}), decide: () => 1 });
    const flat = defineStrategy({ name: 'always-flat', params: {}, indicators: () => ({}), decide: () => 0 });
    const c = thompsonChoice([{ strategy: flat }, { strategy: long }], { seed: 1, decay: 1 }).compute(rising);
    const late = Array.from(c.subarray(2000));
    expect(late.filter((v) => v === 1).length / late.length).toBeGreaterThan(0.95);
    // the choice at bar t does not depend on bars after t
    const cut = { ...rising, close: rising.close.slice() };
    for (let t = 2500; t < cut.close.length; t++) cut.close[t] = cut.close[t]! * 0.5;
    const c2 = thompsonChoice([{ strategy: flat }, { strategy: long }], { seed: 1, decay: 1 }).compute(cut);
    expect(firstDiff(c2.subarray(0, 2500), c.subarray(0, 2500))).toBe(-1);
  });

  it('refuses a single candidate or a bad decay', () => {
    expect(() => thompsonChoice([candidates[0]!])).toThrow(/at least two candidates/);
    expect(() => thompsonChoice(candidates, { decay: 0 })).toThrow(/decay in \(0, 1\]/);
  });
});
