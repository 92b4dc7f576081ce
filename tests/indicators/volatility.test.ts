import { describe, expect, it } from 'vitest';
import { QuantlabError } from '../../lib/core';
import { atr, atrStream } from '../../lib/indicators/atr';
import { bbands, bbandsStream } from '../../lib/indicators/bbands';
import { natr, natrStream } from '../../lib/indicators/natr';
import { stddev, stddevStream } from '../../lib/indicators/stddev';
import { trange, trangeStream } from '../../lib/indicators/trange';
import { btc1h } from '../helpers/datasets';
import { barList, feed, feedObject, firstBitDiff, leadingNaNs } from '../helpers/streams';
import { maxRelDiff, talibRun } from '../helpers/talib';

const bars = btc1h();
const { high, low, close } = bars;
const hlc = { high, low, close };
const list = barList(bars);

function expectTalib(ours: Float64Array, ref: Float64Array) {
  const d = maxRelDiff(ours, ref);
  expect(d.nanMismatch).toBe(-1);
  expect(leadingNaNs(ours)).toBe(leadingNaNs(ref));
  expect(d.max).toBeLessThan(1e-9);
}

describe('TRANGE', () => {
  it('matches TA-Lib on BTCUSDT 1h', () => expectTalib(trange(high, low, close), talibRun('TRANGE', hlc).outReal!));
  it('equals a naive reference and the hand-computed example', () => {
    // TR[1] = max(12-11, |9-12|, |9-11|) = 3; TR[2] = max(13-11, |11.5-13|, |11.5-11|) = 2; TR[3] = max(2, 0, 2) = 2
    const h = Float64Array.of(10, 12, 13, 12), l = Float64Array.of(8, 11, 11, 10), c = Float64Array.of(9, 11.5, 12, 11);
    expect(Array.from(trange(h, l, c))).toEqual([NaN, 3, 2, 2]);
    expect(Array.from(trange(Float64Array.of(10, 12), Float64Array.of(8, 11), Float64Array.of(9, 11.5)))).toEqual([NaN, 3]);
  });
  it('streaming twin is bit-identical', () => expect(firstBitDiff(feed(trangeStream(), list), trange(high, low, close))).toBe(-1));
  it('NaN: a bad close spoils its own bar and the next', () => {
    const h = Float64Array.of(10, 12, 13, 12, 14), l = Float64Array.of(8, 11, 11, 10, 12), c = Float64Array.of(9, 11.5, NaN, 11, 13);
    const out = trange(h, l, c);
    expect(Array.from(out)).toEqual([NaN, 3, 2, NaN, 3]); // bar 2 has finite h/l and prev close; bar 3 has no prev close
    const bl = Array.from(h, (_, i) => ({ open: 0, high: h[i]!, low: l[i]!, close: c[i]!, volume: 0 }));
    expect(firstBitDiff(feed(trangeStream(), bl), out)).toBe(-1);
  });
  it('rejects mismatched lengths', () => {
    expect(() => trange(high, low.subarray(1), close)).toThrow(/trange: 'low' has 66676 values, expected 66677/);
  });
});

describe.each([
  ['ATR', atr, atrStream],
  ['NATR', natr, natrStream],
] as const)('%s', (name, whole, stream) => {
  it.each([14, 5, 50])('matches TA-Lib on BTCUSDT 1h, n=%i', (n) => {
    expectTalib(whole(high, low, close, n), talibRun(name, hlc, { optInTimePeriod: n }).outReal!);
  });
  it('has exactly n warm-up NaNs (TR[0] is NaN)', () => {
    expect(leadingNaNs(whole(high, low, close, 14))).toBe(14);
    expect(leadingNaNs(whole(high, low, close, 1))).toBe(1);
  });
  it('streaming twin is bit-identical on the full series', () => {
    expect(firstBitDiff(feed(stream(14), list), whole(high, low, close, 14))).toBe(-1);
    expect(firstBitDiff(feed(stream(3), list), whole(high, low, close, 3))).toBe(-1);
  });
  it('rejects bad periods with BAD_ARGUMENT naming the function', () => {
    const fn = name.toLowerCase();
    for (const n of [0, -3, 2.5]) {
      expect(() => whole(high, low, close, n)).toThrow(new RegExp(`${fn}: period must be an integer >= 1, found ${n}`));
      expect(() => stream(n)).toThrow(QuantlabError);
    }
    try {
      whole(high, low, close, 0);
    } catch (e) {
      expect((e as QuantlabError).code).toBe('BAD_ARGUMENT');
    }
  });
});

describe('ATR details', () => {
  it('hand-computed example (doc comment)', () => {
    // TR = [NaN, 3, 2, 2]; seed = (3+2)/2 = 2.5; next = (2.5*1 + 2)/2 = 2.25
    const h = Float64Array.of(10, 12, 13, 12), l = Float64Array.of(8, 11, 11, 10), c = Float64Array.of(9, 11.5, 12, 11);
    expect(Array.from(atr(h, l, c, 2))).toEqual([NaN, NaN, 2.5, 2.25]);
    expect(Array.from(natr(h, l, c, 2))).toEqual([NaN, NaN, (2.5 / 12) * 100, (2.25 / 11) * 100]);
  });
  it('NaN: NaN true ranges are skipped, the average carries on, both forms agree', () => {
    // TR = [NaN, 3, 2, 2, NaN, 3, 1]: seed (3+2)/2 = 2.5, (2.5+2)/2 = 2.25, bar 4 skipped (NaN),
    // then (2.25+3)/2 = 2.625, (2.625+1)/2 = 1.8125
    const h = Float64Array.of(10, 12, 13, 12, 14, 15, 14), l = Float64Array.of(8, 11, 11, 10, 12, 12, 13);
    const c = Float64Array.of(9, 11.5, 12, NaN, 13, 14, 13.5);
    // bar 3: close NaN but h/l/prevClose finite → TR = max(2, 0, 2) = 2; bar 4: prev close NaN → NaN
    expect(Array.from(trange(h, l, c))).toEqual([NaN, 3, 2, 2, NaN, 3, 1]);
    const out = atr(h, l, c, 2);
    expect(Array.from(out)).toEqual([NaN, NaN, 2.5, 2.25, NaN, 2.625, 1.8125]);
    const bl = Array.from(h, (_, i) => ({ open: 0, high: h[i]!, low: l[i]!, close: c[i]!, volume: 0 }));
    expect(firstBitDiff(feed(atrStream(2), bl), out)).toBe(-1);
    const nat = natr(h, l, c, 2);
    expect(nat[3]).toBeNaN(); // close NaN
    expect(firstBitDiff(feed(natrStream(2), bl), nat)).toBe(-1);
  });
  it('NATR: a zero close gives NaN', () => {
    const out = natr(Float64Array.of(2, 2, 2), Float64Array.of(1, 1, 1), Float64Array.of(1, 1, 0), 1);
    expect(Array.from(out)).toEqual([NaN, 100, NaN]);
  });
});

describe('STDDEV', () => {
  it.each([
    [5, 1],
    [20, 2.5],
  ])('matches TA-Lib on BTCUSDT 1h, n=%i nbdev=%d', (n, k) => {
    expectTalib(stddev(close, n, k), talibRun('STDDEV', { inReal: close }, { optInTimePeriod: n, optInNbDev: k }).outReal!);
  });
  it('doc example: population deviation of 2,4,4,4,5,5,7,9 is 2', () => {
    const out = stddev(Float64Array.of(2, 4, 4, 4, 5, 5, 7, 9), 8);
    expect(leadingNaNs(out)).toBe(7);
    expect(out[7]).toBe(2);
  });
  it('streaming twin is bit-identical', () => {
    expect(firstBitDiff(feed(stddevStream(5), close), stddev(close, 5))).toBe(-1);
    expect(firstBitDiff(feed(stddevStream(20, 2.5), close), stddev(close, 20, 2.5))).toBe(-1);
  });
  it('NaN: windows with a NaN are NaN, then it recovers; both forms agree', () => {
    const x = Float64Array.of(1, 2, 3, NaN, 5, 6, 7);
    const out = stddev(x, 2);
    expect(Array.from(out)).toEqual([NaN, 0.5, 0.5, NaN, NaN, 0.5, 0.5]);
    expect(firstBitDiff(feed(stddevStream(2), x), out)).toBe(-1);
  });
  it('rejects bad arguments', () => {
    expect(() => stddev(close, 0)).toThrow(/stddev: period must be an integer >= 1, found 0/);
    expect(() => stddev(close, 5, -1)).toThrow(/stddev: nbdev must be a finite number >= 0, found -1/);
  });
});

describe('BBANDS', () => {
  it.each([
    [20, 2, 2],
    [10, 1.5, 3],
  ])('matches TA-Lib (SMA) on BTCUSDT 1h, n=%i up=%d down=%d', (n, up, dn) => {
    const ref = talibRun('BBANDS', { inReal: close }, { optInTimePeriod: n, optInNbDevUp: up, optInNbDevDn: dn, optInMAType: 0 });
    const ours = bbands(close, n, up, dn);
    expectTalib(ours.upper, ref.outRealUpperBand!);
    expectTalib(ours.middle, ref.outRealMiddleBand!);
    expectTalib(ours.lower, ref.outRealLowerBand!);
  });
  it('defaults are n=20, k=2 with n-1 warm-up NaNs', () => {
    const d = bbands(close);
    const e = bbands(close, 20, 2, 2);
    expect(firstBitDiff(d.upper, e.upper)).toBe(-1);
    expect(leadingNaNs(d.middle)).toBe(19);
  });
  it('doc example by hand: 1,2,3 → middle 2, std sqrt(2/3)', () => {
    const o = bbands(Float64Array.of(1, 2, 3), 3, 2);
    expect(o.middle[2]).toBe(2);
    expect(o.upper[2]).toBeCloseTo(2 + 2 * Math.sqrt(2 / 3), 12);
    expect(o.lower[2]).toBeCloseTo(2 - 2 * Math.sqrt(2 / 3), 12);
  });
  it('streaming twin is bit-identical', () => {
    const w = bbands(close, 20, 2, 1.5);
    const s = feedObject(bbandsStream(20, 2, 1.5), close, ['upper', 'middle', 'lower'] as const);
    expect(firstBitDiff(s.upper, w.upper)).toBe(-1);
    expect(firstBitDiff(s.middle, w.middle)).toBe(-1);
    expect(firstBitDiff(s.lower, w.lower)).toBe(-1);
  });
  it('NaN: window family, both forms agree', () => {
    const x = Float64Array.of(1, 2, 3, NaN, 5, 6, 7);
    const o = bbands(x, 2, 1);
    expect(Array.from(o.middle)).toEqual([NaN, 1.5, 2.5, NaN, NaN, 5.5, 6.5]);
    expect(Array.from(o.upper)).toEqual([NaN, 2, 3, NaN, NaN, 6, 7]);
    const s = feedObject(bbandsStream(2, 1), x, ['upper', 'middle', 'lower'] as const);
    expect(firstBitDiff(s.lower, o.lower)).toBe(-1);
  });
  it('rejects bad arguments', () => {
    expect(() => bbands(close, 1.5)).toThrow(/bbands: period must be an integer >= 1, found 1.5/);
    expect(() => bbands(close, 20, -2)).toThrow(/bbands: k must be a finite number >= 0, found -2/);
    expect(() => bbandsStream(20, 2, NaN)).toThrow(/bbandsStream: kDown must be a finite number >= 0, found NaN/);
  });
});
