import { describe, expect, it } from 'vitest';
import { makeBars, sliceBars, type Bar, type Bars } from '../../lib/core';
import { sma } from '../../lib/indicators/sma';
import { backtest, customIndicator, defineStrategy, getStrategy, ind, inputFeeder, inputsOf, inputsReport, onInput, onTimeframe, streamTargets, strategyTargets, withInputs, type IndicatorSpec } from '../../lib/strategy';
import { Runner } from '../../lib/live/runner';
import { btc1h, sharedBars } from '../helpers/datasets';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

function hourly(offsets: number[], symbol: string, base = 100): Bars {
  const ts = offsets.map((h) => T0 + h * H);
  const c = offsets.map((h) => base + h);
  return makeBars({ ts, open: c, high: c, low: c, close: c, volume: c.map(() => 1) }, symbol, '1h');
}
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const closeSpec = customIndicator<Float64Array>('close', (b) => b.close, () => ({ update: (x: Bar) => x.close, reset() {} }));
// a running sum: its value depends on every input bar fed, so skipped input bars would show
const sumSpec = customIndicator<Float64Array>(
  'sum',
  (b) => {
    let s = 0;
    return Float64Array.from(b.close, (x) => (s += x));
  },
  () => {
    let s = 0;
    return { update: (x: Bar) => (s += x.close), reset: () => void (s = 0) };
  },
);

function firstDiff(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** The streaming twin fed the way streamTargets feeds it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function streamed(spec: IndicatorSpec<any>, bars: Bars): Float64Array {
  const s = spec.stream();
  const feed = inputFeeder(bars)!;
  return Float64Array.from(bars.close, (_, t) =>
    s.update({ ts: bars.ts[t]!, open: bars.open[t]!, high: bars.high[t]!, low: bars.low[t]!, close: bars.close[t]!, volume: bars.volume[t]!, inputs: feed(t) } as Bar) as number,
  );
}

describe('onInput: alignment by time on hand-built bars', () => {
  // base lacks 07:00; the input lacks 05:00 and starts at 01:00
  const base = hourly(range(0, 10).filter((h) => h !== 7), 'AAA');
  const other = hourly(range(1, 10).filter((h) => h !== 5), 'BBB', 1000);

  it("'hold' (default) shows the latest input bar at or before each base bar, never a later one", () => {
    const v = onInput('b', closeSpec).compute(withInputs(base, { b: other }));
    // base hours: 0 1 2 3 4 5 6 8 9
    expect(Array.from(v)).toEqual([NaN, 1001, 1002, 1003, 1004, 1004, 1006, 1008, 1009]);
  });

  it("'nan' blanks the base bars the input lacks; 'error' stops naming the bar", () => {
    const v = onInput('b', closeSpec).compute(withInputs(base, { b: other }, { gaps: 'nan' }));
    expect(Array.from(v)).toEqual([NaN, 1001, 1002, 1003, 1004, NaN, 1006, 1008, 1009]);
    expect(() => onInput('b', closeSpec).compute(withInputs(base, { b: other }, { gaps: 'error' }))).toThrow(/input 'b' has no bar at 2024-01-01T05:00:00.000Z \(base bar 5\)/); // before its first bar: NaN, not a gap
  });

  it('input bars inside a base gap are still computed on (the stream sees them too)', () => {
    const bars = withInputs(base, { b: other });
    const whole = onInput('b', sumSpec).compute(bars);
    const at8 = whole[7]!;
    expect(at8).toBe(1001 + 1002 + 1003 + 1004 + 1006 + 1007 + 1008); // 07:00 of the input counted
    for (const gaps of ['hold', 'nan'] as const) {
      const b = withInputs(base, { b: other }, { gaps });
      expect(firstDiff(streamed(onInput('b', sumSpec), b), onInput('b', sumSpec).compute(b))).toBe(-1);
    }
  });

  it('the report counts what the gaps option did', () => {
    const r = inputsReport(withInputs(base, { b: other }));
    expect(r.b).toEqual({ symbol: 'BBB', bars: 8, missing: 2, missingAt: ['2024-01-01T00:00:00.000Z', '2024-01-01T05:00:00.000Z'], extra: 1, gaps: 'hold' });
  });

  it('slices keep the inputs; the same arguments give the same Bars (cache keeps working)', () => {
    const a = withInputs(base, { b: other });
    expect(withInputs(base, { b: other })).toBe(a);
    expect(inputsOf(sliceBars(a, 2, 6))?.inputs.b).toBe(other);
    expect(inputsOf(base)).toBeUndefined();
    expect(onInput('b', closeSpec).key).toBe('b:close');
    expect(ind.input('b', ind.sma(3)).key).toBe('b:sma(3,close)');
    expect(Array.from(ind.input('b', ind.field('close')).compute(a))).toEqual(Array.from(onInput('b', closeSpec).compute(a)));
  });

  it('refuses what cannot be aligned', () => {
    expect(() => onInput('b', closeSpec).compute(base)).toThrow(/needs the bars of input 'b'/);
    const daily = makeBars({ ts: [T0], open: [1], high: [1], low: [1], close: [1], volume: [1] }, 'BBB', '1d');
    expect(() => withInputs(base, { b: daily })).toThrow(/expected the base bars' timeframe 1h, found 1d/);
    expect(() => withInputs(base, { 'b-1': other })).toThrow(/letters, digits/);
  });
});

describe('onInput on real data (ETHUSDT base, BTCUSDT input, 1h)', () => {
  const eth = sharedBars('binance_ETHUSDT_1h.csv');
  const btc = btc1h();
  const bars = withInputs(eth, { btc });

  it.each([
    ['sma(20) of BTC', onInput('btc', ind.sma(20))],
    ['daily RSI of BTC', onInput('btc', onTimeframe(ind.rsi(14), '1d'))],
    ['BTC MACD (fields)', onInput('btc', ind.macd())],
  ] as const)('%s: streaming twin == whole-array, bit for bit', (_n, spec) => {
    const whole = spec.compute(bars) as Float64Array | Record<string, Float64Array>;
    const s = streamed(spec, bars);
    if (whole instanceof Float64Array) {
      expect(firstDiff(s, whole)).toBe(-1);
      expect(whole.filter((x) => x === x).length).toBeGreaterThan(eth.ts.length / 2);
    } else {
      const st = spec.stream();
      const feed = inputFeeder(bars)!;
      for (let t = 0; t < 5000; t++) {
        const p = st.update({ ts: bars.ts[t]!, open: 0, high: 0, low: 0, close: 0, volume: 0, inputs: feed(t) } as Bar) as Record<string, number>;
        for (const f of Object.keys(whole)) expect(Object.is(p[f], whole[f]![t])).toBe(true);
      }
    }
  });

  it('values equal the input computed on its own bars at the same time, and cutting the base changes nothing earlier', () => {
    const v = onInput('btc', ind.sma(20)).compute(bars);
    const ref = sma(btc.close, 20);
    const at = new Map(Array.from(btc.ts, (t, i) => [t, i]));
    let same = 0;
    for (let t = 0; t < eth.ts.length; t++) {
      const j = at.get(eth.ts[t]!);
      if (j !== undefined) {
        expect(Object.is(v[t], ref[j])).toBe(true);
        same++;
      }
    }
    expect(same).toBeGreaterThan(eth.ts.length - 100);
    for (const cut of [1, 500, 20_001, 60_000]) expect(firstDiff(onInput('btc', ind.sma(20)).compute(sliceBars(bars, 0, cut)), v.subarray(0, cut))).toBe(-1);
  });

  it('a declared input: backtest takes its bars, names it when missing, checks the symbol', () => {
    const leader = defineStrategy({
      name: 'test-leader',
      params: {},
      inputs: { btc: { symbol: 'BTCUSDT' } },
      indicators: () => ({ lead: onInput('btc', ind.sma(24)), btcClose: onInput('btc', closeSpec) }),
      decide: (bar) => (bar.btcClose > bar.lead ? 1 : bar.btcClose < bar.lead ? 0 : NaN),
    });
    expect(() => backtest(leader, eth, {})).toThrow(/needs input 'btc' \(BTCUSDT\).*--input btc=BTCUSDT/);
    expect(() => backtest(leader, eth, {}, { inputs: { btc: eth } })).toThrow(/input 'btc' expects BTCUSDT, found bars of ETHUSDT/);
    const r = backtest(leader, eth, {}, { inputs: { btc }, fill: 'next-open' });
    expect(r.stats.trades).toBeGreaterThan(100);
    const btcTimes = new Set(btc.ts);
    expect(r.alignment?.inputs?.btc?.missing).toBe(Array.from(eth.ts).filter((t) => !btcTimes.has(t)).length);
    expect(r.alignment?.inputs?.btc?.gaps).toBe('hold');
    expect(firstDiff(streamTargets(leader, bars, {}), strategyTargets(leader, bars, {}))).toBe(-1);
    const nan = backtest(leader, eth, {}, { inputs: { btc }, inputGaps: 'nan', fill: 'next-open' });
    expect(nan.alignment?.inputs?.btc?.gaps).toBe('nan');
  });
});

describe('the runner and inputs', () => {
  it('refuses a strategy that reads other symbols when the config does not name their exchange symbols, naming them', () => {
    expect(() => new Runner({ strategy: getStrategy('eth-btc-zscore'), params: {} } as unknown as ConstructorParameters<typeof Runner>[0])).toThrow(
      /runner: strategy 'eth-btc-zscore' reads other symbols \(btc \(BTCUSDT\)\); the config must name them: inputs: \{ btc: /,
    );
  });
});
