import { describe, expect, it } from 'vitest';
import type { Bar } from '../../lib/core';
import { cci, cciStream } from '../../lib/indicators/cci';
import { mfi, mfiStream } from '../../lib/indicators/mfi';
import { mom, momStream } from '../../lib/indicators/mom';
import { roc, rocStream } from '../../lib/indicators/roc';
import { rsi, rsiStream } from '../../lib/indicators/rsi';
import { stoch, stochFast, stochFastStream, stochStream } from '../../lib/indicators/stoch';
import { stochRsi, stochRsiStream } from '../../lib/indicators/stochrsi';
import { trix, trixStream } from '../../lib/indicators/trix';
import { ultosc, ultoscStream } from '../../lib/indicators/ultosc';
import { willr, willrStream } from '../../lib/indicators/willr';
import { btc1h } from '../helpers/datasets';
import { firstDiff, runCase, streamAll, withBadTick, type Case } from '../helpers/indicator-suite';

const b = btc1h();
const { high, low, close, volume } = b;
const period = (p: readonly number[]) => ({ optInTimePeriod: p[0]! });

const single = (
  name: string,
  ta: string,
  f: (x: Float64Array, n: number) => Float64Array,
  s: (n: number) => { update(v: number): number; reset(): void },
  params: number[],
  warm: (n: number) => number,
  policy: Case['policy'],
  min: number,
): Case => ({
  name,
  input: 'close',
  whole: (bb, p) => ({ out: f(bb.close, p[0]!) }),
  stream: (p) => {
    const st = s(p[0]!);
    return { update: (v) => ({ out: st.update(v as number) }), reset: () => st.reset() };
  },
  params: params.map((n) => [n]),
  talib: [{ name: ta, inputs: 'close', opts: period, map: { out: 'outReal' } }],
  warmup: (p) => ({ out: warm(p[0]!) }),
  policy,
  bad: { call: (n) => f(close, n), fn: name, min },
});

const barsCase = (
  name: string,
  ta: string,
  inputs: 'hlc' | 'hlcv',
  f: (bb: typeof b, n: number) => Float64Array,
  s: (n: number) => { update(v: Bar): number; reset(): void },
  params: number[],
  warm: (n: number) => number,
  min: number,
  nanColumn: Case['nanColumn'] = 'high',
): Case => ({
  name,
  input: 'bars',
  whole: (bb, p) => ({ out: f(bb, p[0]!) }),
  stream: (p) => {
    const st = s(p[0]!);
    return { update: (v) => ({ out: st.update(v as Bar) }), reset: () => st.reset() };
  },
  params: params.map((n) => [n]),
  talib: [{ name: ta, inputs, opts: period, map: { out: 'outReal' } }],
  warmup: (p) => ({ out: warm(p[0]!) }),
  policy: { kind: 'window', lookback: (p) => warm(p[0]!) },
  nanColumn,
  bad: { call: (n) => f(b, n), fn: name, min },
});

describe.each([
  single('rsi', 'RSI', rsi, rsiStream, [14, 2], (n) => n, { kind: 'skip' }, 2),
  single('roc', 'ROC', roc, rocStream, [10, 1], (n) => n, { kind: 'window', lookback: (p) => p[0]! }, 1),
  single('mom', 'MOM', mom, momStream, [10, 1], (n) => n, { kind: 'window', lookback: (p) => p[0]! }, 1),
  single('trix', 'TRIX', trix, trixStream, [30, 5], (n) => 3 * n - 2, { kind: 'skip' }, 2),
  barsCase('willr', 'WILLR', 'hlc', (bb, n) => willr(bb.high, bb.low, bb.close, n), willrStream, [14, 2], (n) => n - 1, 2),
  barsCase('cci', 'CCI', 'hlc', (bb, n) => cci(bb.high, bb.low, bb.close, n), cciStream, [14, 20], (n) => n - 1, 2, 'close'),
  barsCase('mfi', 'MFI', 'hlcv', (bb, n) => mfi(bb.high, bb.low, bb.close, bb.volume, n), mfiStream, [14, 5], (n) => n, 2, 'volume'),
])('$name', (c) => runCase(c));

describe.each<Case>([
  {
    name: 'stoch',
    input: 'bars',
    whole: (bb, p) => ({ ...stoch(bb.high, bb.low, bb.close, p[0], p[1], p[2]) }),
    stream: (p) => {
      const st = stochStream(p[0], p[1], p[2]);
      return { update: (v) => ({ ...st.update(v as Bar) }), reset: () => st.reset() };
    },
    params: [
      [5, 3, 3],
      [14, 1, 5],
    ],
    talib: [
      {
        name: 'STOCH',
        inputs: 'hlc',
        opts: (p) => ({ optInFastK_Period: p[0]!, optInSlowK_Period: p[1]!, optInSlowK_MAType: 0, optInSlowD_Period: p[2]!, optInSlowD_MAType: 0 }),
        map: { k: 'outSlowK', d: 'outSlowD' },
      },
    ],
    warmup: (p) => ({ k: p[0]! + p[1]! + p[2]! - 3, d: p[0]! + p[1]! + p[2]! - 3 }),
    policy: { kind: 'window', lookback: (p) => p[0]! + p[1]! + p[2]! - 3 },
    nanColumn: 'low',
    bad: { call: (n) => stoch(high, low, close, 5, n, 3), fn: 'stoch', min: 1 },
  },
  {
    name: 'stochFast',
    input: 'bars',
    whole: (bb, p) => ({ ...stochFast(bb.high, bb.low, bb.close, p[0], p[1]) }),
    stream: (p) => {
      const st = stochFastStream(p[0], p[1]);
      return { update: (v) => ({ ...st.update(v as Bar) }), reset: () => st.reset() };
    },
    params: [
      [5, 3],
      [21, 1],
    ],
    talib: [
      {
        name: 'STOCHF',
        inputs: 'hlc',
        opts: (p) => ({ optInFastK_Period: p[0]!, optInFastD_Period: p[1]!, optInFastD_MAType: 0 }),
        map: { k: 'outFastK', d: 'outFastD' },
      },
    ],
    warmup: (p) => ({ k: p[0]! + p[1]! - 2, d: p[0]! + p[1]! - 2 }),
    policy: { kind: 'window', lookback: (p) => p[0]! + p[1]! - 2 },
    bad: { call: (n) => stochFast(high, low, close, n, 3), fn: 'stochFast', min: 1 },
  },
  {
    name: 'stochRsi',
    input: 'close',
    whole: (bb, p) => ({ ...stochRsi(bb.close, p[0], p[1], p[2]) }),
    stream: (p) => {
      const st = stochRsiStream(p[0], p[1], p[2]);
      return { update: (v) => ({ ...st.update(v as number) }), reset: () => st.reset() };
    },
    params: [
      [14, 5, 3],
      [9, 14, 1],
    ],
    talib: [
      {
        name: 'STOCHRSI',
        inputs: 'close',
        opts: (p) => ({ optInTimePeriod: p[0]!, optInFastK_Period: p[1]!, optInFastD_Period: p[2]!, optInFastD_MAType: 0 }),
        map: { k: 'outFastK', d: 'outFastD' },
      },
    ],
    warmup: (p) => ({ k: p[0]! + p[1]! + p[2]! - 2, d: p[0]! + p[1]! + p[2]! - 2 }),
    policy: { kind: 'custom' },
    bad: { call: (n) => stochRsi(close, n, 5, 3), fn: 'stochRsi', min: 2 },
  },
  {
    name: 'ultosc',
    input: 'bars',
    whole: (bb, p) => ({ out: ultosc(bb.high, bb.low, bb.close, p[0], p[1], p[2]) }),
    stream: (p) => {
      const st = ultoscStream(p[0], p[1], p[2]);
      return { update: (v) => ({ out: st.update(v as Bar) }), reset: () => st.reset() };
    },
    params: [
      [7, 14, 28],
      [20, 3, 10], // unsorted, as TA-Lib accepts them
    ],
    talib: [
      {
        name: 'ULTOSC',
        inputs: 'hlc',
        opts: (p) => ({ optInTimePeriod1: p[0]!, optInTimePeriod2: p[1]!, optInTimePeriod3: p[2]! }),
        map: { out: 'outReal' },
      },
    ],
    warmup: (p) => ({ out: Math.max(...p) }),
    policy: { kind: 'window', lookback: (p) => Math.max(...p) },
    nanColumn: 'close',
    bad: { call: (n) => ultosc(high, low, close, 7, n, 28), fn: 'ultosc', min: 1 },
  },
])('$name', (c) => runCase(c));

describe('NaN policy: stochRsi (RSI skips the bad bar, the stochastic windows holding it are NaN)', () => {
  it('matches the definition on the real series, both forms', () => {
    const j = 5000;
    const bad = withBadTick(b, 'close', j);
    const got = stochRsi(bad.close);
    const r = rsi(bad.close); // NaN at j only, carries on
    expect(Array.from(r.subarray(j - 1, j + 2), Number.isNaN)).toEqual([false, true, false]);
    const lb = 5 + 3 - 2;
    expect(got.k.subarray(j, j + lb + 1).every(Number.isNaN)).toBe(true);
    expect(Number.isFinite(got.k[j + lb + 1]!)).toBe(true);
    const after = stochFast(r.subarray(j + 1), r.subarray(j + 1), r.subarray(j + 1), 5, 3);
    expect(firstDiff(got.k.subarray(j + 1), after.k)).toBe(-1);
    expect(firstDiff(got.d.subarray(j + 1), after.d)).toBe(-1);
    const clean = stochRsi(close);
    expect(firstDiff(got.k.subarray(0, j), clean.k.subarray(0, j))).toBe(-1);
    const s = streamAll(
      {
        input: 'close',
        stream: () => {
          const st = stochRsiStream();
          return { update: (v: number | Bar) => ({ ...st.update(v as number) }), reset: () => st.reset() };
        },
      } as unknown as Case,
      [],
      bad,
      ['k', 'd'],
    );
    expect(firstDiff(s.k!, got.k)).toBe(-1);
    expect(firstDiff(s.d!, got.d)).toBe(-1);
  });
});

describe('edge rules shared with TA-Lib', () => {
  it('flat ranges give 0 for the stochastics and Williams %R, and rsi 0 for a constant series', () => {
    const flat = new Float64Array(30).fill(7);
    expect(stoch(flat, flat, flat).k[10]).toBe(0);
    expect(willr(flat, flat, flat, 5)[10]).toBe(0);
    expect(rsi(flat, 5)[10]).toBe(0);
    expect(cci(flat, flat, flat, 5)[10]).toBe(0);
  });
  it('mfi is 0 when the total money flow in the window is below 1', () => {
    const p = Float64Array.of(1, 2, 1, 2, 1);
    expect(mfi(p, p, p, new Float64Array(5).fill(0.1), 2)[4]).toBe(0);
  });
  it('roc is 0 against a 0 price', () => {
    expect(roc(Float64Array.of(0, 5), 1)[1]).toBe(0);
  });
});

describe('examples from the doc comments', () => {
  it('oscillators', () => {
    expect(Array.from(rsi(Float64Array.of(1, 2, 1, 2), 2))).toEqual([NaN, NaN, 50, 75]);
    expect(Array.from(mom(Float64Array.of(1, 2, 4, 7), 2))).toEqual([NaN, NaN, 3, 5]);
    const r = roc(Float64Array.of(100, 110, 121), 1);
    expect(r[1]).toBeCloseTo(10, 12);
    expect(r[2]).toBeCloseTo(10, 12);
    expect(Array.from(trix(Float64Array.of(5, 5, 5, 5, 5), 2))).toEqual([NaN, NaN, NaN, NaN, 0]);
    expect(Array.from(willr(Float64Array.of(2, 4), Float64Array.of(0, 1), Float64Array.of(1, 3), 2))).toEqual([NaN, -25]);
    const c = cci(Float64Array.of(1, 2, 3), Float64Array.of(1, 2, 3), Float64Array.of(1, 2, 3), 3);
    expect(c[2]).toBeCloseTo(100, 10);
    const tp = Float64Array.of(1, 2, 1);
    expect(Array.from(mfi(tp, tp, tp, Float64Array.of(1, 1, 2), 2))).toEqual([NaN, NaN, 50]);
    expect(Array.from(ultosc(Float64Array.of(2, 3, 4), Float64Array.of(1, 2, 3), Float64Array.of(2, 3, 4), 1, 1, 2))).toEqual([NaN, NaN, 100]);
    const sf = stochFast(Float64Array.of(2, 4, 4), Float64Array.of(0, 1, 2), Float64Array.of(1, 3, 4), 2, 1);
    expect(Array.from(sf.k)).toEqual([NaN, 75, 100]);
    const s = stoch(high, low, close, 5, 3, 3);
    expect(Number.isNaN(s.k[7]!) && Number.isFinite(s.k[8]!)).toBe(true); // 5+3+3-3 = 8 warm-up NaNs
    const sr = stochRsi(close, 14, 5, 3);
    expect(Number.isNaN(sr.d[19]!) && Number.isFinite(sr.d[20]!)).toBe(true);
  });
  it('stream objects are fresh per update', () => {
    const s = stochStream();
    const bar = { open: 1, high: 2, low: 0, close: 1, volume: 1 };
    expect(s.update(bar)).not.toBe(s.update(bar));
  });
  it('multi-input kernels check their column lengths', () => {
    expect(() => willr(high, low.subarray(1), close)).toThrow(/willr: 'low' has 66676 values, expected 66677/);
    expect(() => mfi(high, low, close, volume.subarray(2))).toThrow(/mfi: 'volume' has 66675 values, expected 66677/);
  });
});
