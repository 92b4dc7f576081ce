import { describe, expect, it } from 'vitest';
import { makeBars, sliceBars, type Bar, type Bars } from '../../lib/core';
import { resampleWithCounts } from '../../lib/data/resample';
import { sma } from '../../lib/indicators/sma';
import { customIndicator, ind, inputFeeder, onTimeframe, timeframeReport, withInputs, type IndicatorSpec } from '../../lib/strategy';
import { btc1h, sharedBars } from '../helpers/datasets';

const H = 3_600_000;
const D = 24 * H;
const DAY0 = Date.UTC(2024, 0, 1);

/** Hourly bars at the given hour offsets from 2024-01-01 00:00 UTC; close = 100 + offset, high = close + 1, low = close - 1. */
function hourly(offsets: number[]): Bars {
  const ts = offsets.map((h) => DAY0 + h * H);
  const c = offsets.map((h) => 100 + h);
  return makeBars({ ts, open: c, high: c.map((x) => x + 1), low: c.map((x) => x - 1), close: c, volume: c.map(() => 1) }, 'TEST', '1h');
}

const closeSpec = customIndicator<Float64Array>('close', (b) => b.close, () => ({ update: (x: Bar) => x.close, reset() {} }));
const highSpec = customIndicator<Float64Array>('high', (b) => b.high, () => ({ update: (x: Bar) => x.high, reset() {} }));
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function streamed(spec: IndicatorSpec<any>, bars: Bars): Float64Array {
  const s = spec.stream();
  return Float64Array.from(bars.close, (_, t) =>
    s.update({ ts: bars.ts[t]!, open: bars.open[t]!, high: bars.high[t]!, low: bars.low[t]!, close: bars.close[t]!, volume: bars.volume[t]! }) as number,
  );
}

function firstDiff(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('onTimeframe: the visibility convention on hand-built bars', () => {
  it("a day's value shows from its 23:00 bar, not at 22:00", () => {
    const bars = hourly(range(0, 72));
    const v = onTimeframe(closeSpec, '1d').compute(bars);
    expect(v[22]).toBeNaN(); // day 1 has not closed at 22:00's close (23:00)
    expect(v[23]).toBe(123); // 23:00 closes at 24:00 = the day's close; the day's close is that bar's close
    expect(v[24]).toBe(123);
    expect(v[46]).toBe(123); // day 2's 22:00 still sees day 1
    expect(v[47]).toBe(147);
    expect(v[71]).toBe(171);
    expect(firstDiff(streamed(onTimeframe(closeSpec, '1d'), bars), v)).toBe(-1);
  });

  it('when the 23:00 bar is missing, the day shows from the next bar that exists (and closes with the bars it has)', () => {
    const bars = hourly([...range(0, 23), ...range(25, 48)]); // 23:00 and 00:00 of day 2 missing
    const v = onTimeframe(closeSpec, '1d').compute(bars);
    const at = (h: number) => v[bars.ts.indexOf(DAY0 + h * H)]!;
    expect(at(22)).toBeNaN();
    expect(at(25)).toBe(122); // day 1's last bar is 22:00; visible from 01:00, the first bar after the day's close
    expect(at(47)).toBe(147);
    expect(firstDiff(streamed(onTimeframe(closeSpec, '1d'), bars), v)).toBe(-1);
    const rep = timeframeReport(bars, '1d');
    expect(rep.incomplete).toBe(2); // 23 bars in day 1, 23 in day 2: counted, not filled
    expect(rep.incompleteAt).toEqual(['2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z']);
    expect(rep.lastHidden).toBe(false);
  });

  it('the incomplete last bucket never shows', () => {
    const bars = hourly(range(0, 40)); // day 2 ends at 15:00
    const v = onTimeframe(highSpec, '1d').compute(bars);
    expect(Array.from(v.subarray(23))).toEqual(range(23, 40).map(() => 124)); // day 1's high (123 + 1) to the end
    expect(timeframeReport(bars, '1d').lastHidden).toBe(true);
  });

  it('aggregates like lib/data resample (OHLCV per bucket), computed on the daily bars', () => {
    const bars = sliceBars(btc1h(), 1000, 5000);
    const daily = resampleWithCounts(bars, '1d').bars;
    const spec = onTimeframe(ind.sma(5), '1d');
    const v = spec.compute(bars);
    const ref = sma(daily.close, 5);
    // every base bar shows the SMA of the latest day whose close is at or before the bar's close
    for (let t = 0; t < bars.ts.length; t++) {
      const close = bars.ts[t]! + H;
      let j = -1;
      while (j + 1 < daily.ts.length && daily.ts[j + 1]! + D <= close) j++;
      expect(Object.is(v[t], j < 0 ? NaN : ref[j]!)).toBe(true);
    }
  });

  it('the key names the timeframe; on() composes; a smaller timeframe is refused', () => {
    expect(onTimeframe(ind.sma(50), '1d').key).toBe('sma(50,close)@1d');
    expect(onTimeframe(onTimeframe(ind.sma(3), '4h'), '1d').key).toBe('sma(3,close)@4h@1d');
    expect(() => onTimeframe(ind.sma(3), '30m').compute(hourly(range(0, 5)))).toThrow(/whole multiple/);
  });

  it('multi-series outputs map field by field', () => {
    const bars = sliceBars(btc1h(), 0, 3000);
    const spec = onTimeframe(ind.bbands(10, 2), '4h');
    const v = spec.compute(bars) as { upper: Float64Array; middle: Float64Array; lower: Float64Array };
    const s = spec.stream();
    for (let t = 0; t < bars.ts.length; t++) {
      const p = s.update({ ts: bars.ts[t]!, open: bars.open[t]!, high: bars.high[t]!, low: bars.low[t]!, close: bars.close[t]!, volume: bars.volume[t]! }) as { upper: number; middle: number; lower: number };
      for (const f of ['upper', 'middle', 'lower'] as const) expect(Object.is(p[f], v[f][t])).toBe(true);
    }
  });
});

describe('onTimeframe on real data', () => {
  const cases = [
    ['BTCUSDT 1h → 1d', btc1h(), '1d', ind.sma(20)],
    ['BTCUSDT 1h → 4h', btc1h(), '4h', ind.rsi(14)],
    ['ETHUSDT 1h → 1w', sharedBars('binance_ETHUSDT_1h.csv'), '1w', ind.ema(10)],
    ['ETHUSDT 1d → 1w', sharedBars('binance_ETHUSDT_1d.csv'), '1w', ind.atr(5)],
  ] as const;
  it.each(cases)('%s: streaming twin == whole-array, bit for bit', (_n, bars, tf, spec) => {
    const s = onTimeframe(spec as IndicatorSpec, tf);
    const whole = s.compute(bars);
    expect(firstDiff(streamed(s, bars), whole)).toBe(-1);
    expect(whole.filter((x) => x === x).length).toBeGreaterThan(bars.ts.length / 2);
  });

  it('cutting the data anywhere never changes earlier values', () => {
    const bars = btc1h();
    const s = onTimeframe(ind.sma(10), '1d');
    const full = s.compute(bars);
    for (const cut of [1, 2, 23, 24, 25, 1000, 1017, 33_333, 66_000]) {
      const part = s.compute(sliceBars(bars, 0, cut));
      expect(firstDiff(part, full.subarray(0, cut))).toBe(-1);
    }
  });

  it('dataset gaps are reported, not filled', () => {
    const r = timeframeReport(btc1h(), '1d');
    expect(r.closed).toBeGreaterThan(2700);
    expect(r.incomplete).toBeGreaterThan(0); // Binance outages inside some days
    expect(r.late).toBe(0);
  });
});

describe('onTimeframe over strategy inputs', () => {
  it('a composite reading another symbol, on 1d: whole-array == streaming twin, and equals the daily ratio', () => {
    const eth = sharedBars('binance_ETHUSDT_1h.csv');
    const btc = btc1h();
    for (const base of [eth, sliceBars(eth, 0, 20_000)]) {
      const bars = withInputs(base, { btc });
      const spec = ind.ratio('close', ind.input('btc', ind.field('close'))).on!('1d');
      const whole = spec.compute(bars);
      const s = spec.stream();
      const feed = inputFeeder(bars)!;
      const streamedV = Float64Array.from(bars.close, (_, t) =>
        s.update({ ts: bars.ts[t]!, open: bars.open[t]!, high: bars.high[t]!, low: bars.low[t]!, close: bars.close[t]!, volume: bars.volume[t]!, inputs: feed(t) } as Bar) as number,
      );
      expect(firstDiff(streamedV, whole)).toBe(-1);
      // at a 23:00 bar both symbols have: the day's ETH close over the day's BTC close
      const ethD = resampleWithCounts(base, '1d').bars;
      const btcD = resampleWithCounts(btc, '1d').bars;
      const btcAt = new Map(Array.from(btcD.ts, (t, i) => [t, btcD.close[i]!]));
      let checked = 0;
      for (let j = 0; j < ethD.ts.length - 1; j += 37) {
        const t = bars.ts.indexOf(ethD.ts[j]! + 23 * H);
        if (t < 0) continue;
        expect(whole[t]).toBe(ethD.close[j]! / btcAt.get(ethD.ts[j]!)!);
        checked++;
      }
      expect(checked).toBeGreaterThan(10);
    }
  });
});
