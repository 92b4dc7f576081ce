import { describe, expect, it } from 'vitest';
import { simulate, TargetEvents } from '../../lib/backtest';
import { BUILTIN_STRATEGIES, createDecider, MULTI_INPUT_STRATEGIES, strategyEvents, strategyTargets, streamTargets, withInputs } from '../../lib/strategy';
import { btc1h, sharedBars } from '../helpers/datasets';

/** Index of the first difference (NaN equals NaN), or -1. */
function firstDiff(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

const datasets = [
  ['BTCUSDT 1h', btc1h()],
  ['ETHUSDT 1d', sharedBars('binance_ETHUSDT_1d.csv')],
] as const;

describe.each(BUILTIN_STRATEGIES.map((s) => [s.name, s] as const))('%s: one strategy, three forms', (_name, strategy) => {
  it.each(datasets)('vector targets() == decide() loop == streaming twins + decide(), bit for bit on %s', (_d, bars) => {
    const vector = strategyTargets(strategy, bars, {});
    const looped = strategyTargets(strategy, bars, {}, { useDecide: true });
    const streamed = streamTargets(strategy, bars, {});
    expect(firstDiff(looped, vector)).toBe(-1);
    expect(firstDiff(streamed, vector)).toBe(-1);
    const signals = vector.filter((x) => !Number.isNaN(x)).length;
    expect(signals).toBeGreaterThan(10); // the comparison is not vacuous
  });

  it('sparse targetEvents() (when defined) equals the dense targets', () => {
    const bars = btc1h();
    const dense = strategyTargets(strategy, bars, {});
    const ev = strategyEvents(strategy, bars, {}, { out: new TargetEvents() });
    expect(firstDiff(ev.toDense(bars.close.length), dense)).toBe(-1);
  });

  it('the vector and bar-by-bar forms give identical trades', () => {
    const bars = btc1h();
    const a = simulate(bars, strategyTargets(strategy, bars, {}), { fill: 'next-open' });
    const b = simulate(bars, streamTargets(strategy, bars, {}), { fill: 'next-open' });
    expect(b.trades.length).toBe(a.trades.length);
    expect(Array.from(b.trades.entryBar)).toEqual(Array.from(a.trades.entryBar));
    expect(Array.from(b.trades.pnl)).toEqual(Array.from(a.trades.pnl));
    expect(b.finalEquity).toBe(a.finalEquity);
  });

  it('a decider can be reset and replayed', () => {
    const bars = sharedBars('binance_BTCUSDT_1d.csv');
    const d = createDecider(strategy, {});
    const run = () => Float64Array.from(bars.close, (_, t) => d.update({ ts: bars.ts[t]!, open: bars.open[t]!, high: bars.high[t]!, low: bars.low[t]!, close: bars.close[t]!, volume: bars.volume[t]! }));
    const first = run();
    d.reset();
    expect(firstDiff(run(), first)).toBe(-1);
  });
});

// built-ins reading other symbols: the same three forms, on ETHUSDT with BTCUSDT as the input `btc`
describe.each(MULTI_INPUT_STRATEGIES.map((s) => [s.name, s] as const))('%s (with inputs): one strategy, three forms', (_name, strategy) => {
  it.each([
    ['ETHUSDT 1h + BTCUSDT 1h', withInputs(sharedBars('binance_ETHUSDT_1h.csv'), { btc: btc1h() })],
    ['ETHUSDT 1d + BTCUSDT 1d', withInputs(sharedBars('binance_ETHUSDT_1d.csv'), { btc: sharedBars('binance_BTCUSDT_1d.csv') }, { gaps: 'nan' })],
  ] as const)('vector == decide() loop == streaming twins, bit for bit, and the same trades on %s', (_d, bars) => {
    const vector = strategyTargets(strategy, bars, {});
    expect(firstDiff(strategyTargets(strategy, bars, {}, { useDecide: true }), vector)).toBe(-1);
    expect(firstDiff(streamTargets(strategy, bars, {}), vector)).toBe(-1);
    expect(firstDiff(strategyEvents(strategy, bars, {}, { out: new TargetEvents() }).toDense(bars.close.length), vector)).toBe(-1);
    expect(vector.filter((x) => !Number.isNaN(x)).length).toBeGreaterThan(10);
  });
});
