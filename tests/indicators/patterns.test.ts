import { describe, expect, it } from 'vitest';
import { QuantlabError } from '../../lib/core';
import {
  CANDLE_PATTERNS,
  cdl3BlackCrows,
  cdlDoji,
  cdlEngulfing,
  cdlEveningStar,
  cdlEveningStarStream,
  cdlHammer,
  cdlHangingMan,
  cdlMarubozu,
  cdlMorningStar,
  cdlMorningStarStream,
} from '../../lib/indicators/patterns';
import { btc1h, sharedBars } from '../helpers/datasets';
import { barList, feed, firstBitDiff, leadingNaNs } from '../helpers/streams';
import { talibRun } from '../helpers/talib';

const NAMES = Object.keys(CANDLE_PATTERNS);
const talibOpts = (name: string, pen = 0.3): Record<string, number> => (name === 'CDLMORNINGSTAR' || name === 'CDLEVENINGSTAR' ? { optInPenetration: pen } : {});

/** Exact agreement (values, warm-up NaNs) with TA-Lib; returns the number of non-zero TA-Lib outputs. */
function expectExact(ours: Float64Array, ref: Float64Array): number {
  expect(leadingNaNs(ours)).toBe(leadingNaNs(ref));
  expect(firstBitDiff(ours, ref)).toBe(-1);
  let hits = 0;
  for (const v of ref) if (v !== 0 && !Number.isNaN(v)) hits++;
  return hits;
}

describe.each(NAMES)('%s', (name) => {
  const p = CANDLE_PATTERNS[name]!;
  it('agrees exactly with TA-Lib on the full BTCUSDT 1h series (every bar, 100% agreement)', () => {
    const b = btc1h();
    const hits = expectExact(p.whole(b.open, b.high, b.low, b.close), talibRun(name, { open: b.open, high: b.high, low: b.low, close: b.close }, talibOpts(name)).outInteger!);
    expect(hits).toBeGreaterThan(0);
  });
  it.each(['binance_ETHUSDT_1h.csv', 'binance_XRPUSDT_1h.csv', 'binance_BTCUSDT_1m.csv'])('agrees exactly with TA-Lib on %s', (file) => {
    const b = sharedBars(file);
    expectExact(p.whole(b.open, b.high, b.low, b.close), talibRun(name, { open: b.open, high: b.high, low: b.low, close: b.close }, talibOpts(name)).outInteger!);
  });
  it('has TA-Lib’s warm-up and the streaming twin is identical on BTCUSDT 1h', () => {
    const b = btc1h();
    const w = p.whole(b.open, b.high, b.low, b.close);
    expect(leadingNaNs(w)).toBe(p.lookback);
    const s = p.stream();
    expect(firstBitDiff(feed(s, barList(b)), w)).toBe(-1);
    s.reset();
    const part = barList(b).slice(0, 500);
    expect(firstBitDiff(feed(s, part), w.subarray(0, 500))).toBe(-1);
  });
});

describe('morning / evening star with another penetration', () => {
  it.each([0, 0.5])('agree exactly with TA-Lib on BTCUSDT 1h, penetration=%d', (pen) => {
    const b = btc1h();
    const ohlc = { open: b.open, high: b.high, low: b.low, close: b.close };
    const ms = cdlMorningStar(b.open, b.high, b.low, b.close, pen);
    const es = cdlEveningStar(b.open, b.high, b.low, b.close, pen);
    expectExact(ms, talibRun('CDLMORNINGSTAR', ohlc, { optInPenetration: pen }).outInteger!);
    expectExact(es, talibRun('CDLEVENINGSTAR', ohlc, { optInPenetration: pen }).outInteger!);
    expect(firstBitDiff(feed(cdlMorningStarStream(pen), barList(b)), ms)).toBe(-1);
    expect(firstBitDiff(feed(cdlEveningStarStream(pen), barList(b)), es)).toBe(-1);
  });
  it('rejects a negative penetration', () => {
    const x = Float64Array.of(1);
    expect(() => cdlMorningStar(x, x, x, x, -0.1)).toThrow(/cdlMorningStar: penetration must be a finite number >= 0, found -0.1/);
    expect(() => cdlEveningStarStream(-1)).toThrow(QuantlabError);
  });
});

/**
 * Hand-built candles: 12 identical white background candles (open 100, close 101, high 101.5,
 * low 99.5: body 1, range 2), then the candles under test. With this background the TA-Lib
 * thresholds are: body long/short average 1, doji and very-short-shadow 10% of range = 0.2, near
 * 20% of range = 0.4.
 */
function candles(tail: [number, number, number, number][]) {
  const rows: [number, number, number, number][] = [...Array.from({ length: 12 }, () => [100, 101.5, 99.5, 101] as [number, number, number, number]), ...tail];
  const col = (k: number) => Float64Array.from(rows, (r) => r[k]!);
  return { o: col(0), h: col(1), l: col(2), c: col(3), last: rows.length - 1 };
}

describe('hand-checked patterns', () => {
  it('doji: body 0.1 <= 0.2 → 100; the background (body 1) → 0', () => {
    const { o, h, l, c, last } = candles([[100, 101, 99, 100.1]]);
    const out = cdlDoji(o, h, l, c);
    expect(out[last]).toBe(100);
    expect(out[last - 1]).toBe(0);
  });
  it('marubozu: body 3 > 1, shadows 0.1 and 0.05 < 0.2 → +100 (white)', () => {
    const { o, h, l, c, last } = candles([[100, 103.1, 99.95, 103]]);
    expect(cdlMarubozu(o, h, l, c)[last]).toBe(100);
  });
  it('hammer: body 0.3 < 1, lower shadow 1.1 > body, upper 0.1 < 0.2, body bottom 99.6 <= prior low 99.5 + 0.4 → 100; not a hanging man', () => {
    const { o, h, l, c, last } = candles([[99.6, 100, 98.5, 99.9]]);
    expect(cdlHammer(o, h, l, c)[last]).toBe(100);
    expect(cdlHangingMan(o, h, l, c)[last]).toBe(0);
  });
  it('engulfing (doc example) and the ±80 variant when a body end is equal', () => {
    const o = Float64Array.of(1, 10, 8), c = Float64Array.of(1, 9, 11), h = Float64Array.of(1, 10, 11), l = Float64Array.of(1, 9, 8);
    // black 10 → 9, then white 8 → 11: 11 >= 10 and 8 < 9, no equal ends → +100
    expect(Array.from(cdlEngulfing(o, h, l, c))).toEqual([NaN, NaN, 100]);
    // white 9 → 11 opens exactly at the prior close 9: TA-Lib's weaker form, +80
    expect(cdlEngulfing(Float64Array.of(1, 10, 9), h, l, c)[2]).toBe(80);
    // colours reversed: white 9 → 10, then black 11 → 8 engulfs it → -100
    expect(cdlEngulfing(Float64Array.of(1, 9, 11), Float64Array.of(1, 10, 11), Float64Array.of(1, 9, 8), Float64Array.of(1, 10, 8))[2]).toBe(-100);
  });
  it('three black crows after a white candle → -100', () => {
    // crows: (o 101, c 100), (o 100.5, c 99.5), (o 100, c 99); each opens inside the prior body,
    // closes lower, lower shadows 0.05 (< 10% of the average range ≈ 0.18-0.2); the first closes
    // under the white candle's high 101.5.
    const { o, h, l, c, last } = candles([
      [101, 101.1, 99.95, 100],
      [100.5, 100.6, 99.45, 99.5],
      [100, 100.1, 98.95, 99],
    ]);
    const out = cdl3BlackCrows(o, h, l, c);
    expect(out[last]).toBe(-100);
    expect(out[last - 1]).toBe(0);
  });
});

describe('NaN inputs', () => {
  it('output is NaN wherever a pattern candle or an averaging window holds the bad bar; both forms agree', () => {
    const b = btc1h();
    const n = 400;
    const o = b.open.slice(0, n), h = b.high.slice(0, n), l = b.low.slice(0, n), c = b.close.slice(0, n);
    h[200] = NaN;
    const bl = Array.from(o, (_, i) => ({ open: o[i]!, high: h[i]!, low: l[i]!, close: c[i]!, volume: 0 }));
    // doji: own candle (200) and the 10-candle window before 201..210 → NaN on 200..210, back at 211
    const d = cdlDoji(o, h, l, c);
    for (let t = 200; t <= 210; t++) expect(d[t]).toBeNaN();
    expect(Number.isNaN(d[199]!)).toBe(false);
    expect(Number.isNaN(d[211]!)).toBe(false);
    // once the bad bar has left every window the detections are back: here they equal TA-Lib's on the clean series
    const ref = talibRun('CDLDOJI', { open: b.open, high: b.high, low: b.low, close: b.close }).outInteger!;
    for (let t = 211; t < n; t++) expect(d[t]).toBe(ref[t]);
    for (const name of NAMES) {
      const p = CANDLE_PATTERNS[name]!;
      const w = p.whole(o, h, l, c);
      expect([name, firstBitDiff(feed(p.stream(), bl), w)]).toEqual([name, -1]);
      expect(Number.isNaN(w[200]!)).toBe(true);
    }
  });
});

describe('golden counts on BTCUSDT 1h (the doc-comment examples)', () => {
  // counts of bars with a detection, as each function's @example states; TA-Lib's own counts are
  // the same (asserted above by exact agreement)
  const golden: [string, (v: number) => boolean, number][] = [
    ['CDLDOJI', (v) => v === 100, 10770],
    ['CDLHAMMER', (v) => v === 100, 1756],
    ['CDLHANGINGMAN', (v) => v === -100, 985],
    ['CDLSHOOTINGSTAR', (v) => v === -100, 399],
    ['CDLMARUBOZU', (v) => Math.abs(v) > 0, 2137],
    ['CDLENGULFING', (v) => Math.abs(v) > 0, 11700],
    ['CDLHARAMI', (v) => Math.abs(v) > 0, 6114],
    ['CDLMORNINGSTAR', (v) => v === 100, 145],
    ['CDLEVENINGSTAR', (v) => v === -100, 206],
    ['CDL3WHITESOLDIERS', (v) => v === 100, 30],
    ['CDL3BLACKCROWS', (v) => v === -100, 3],
  ];
  it.each(golden)('%s', (name, pred, count) => {
    const b = btc1h();
    const out = CANDLE_PATTERNS[name]!.whole(b.open, b.high, b.low, b.close);
    expect(out.filter(pred).length).toBe(count); // the predicate exactly as in the @example
  });
});
