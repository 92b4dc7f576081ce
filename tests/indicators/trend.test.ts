import { describe, expect, it } from 'vitest';
import type { Bar } from '../../lib/core';
import { adx, adxStream } from '../../lib/indicators/adx';
import { ema } from '../../lib/indicators/ema';
import { aroon, aroonStream } from '../../lib/indicators/aroon';
import { macd, macdStream } from '../../lib/indicators/macd';
import { ppo, ppoStream } from '../../lib/indicators/ppo';
import { btc1h } from '../helpers/datasets';
import { runCase, type Case } from '../helpers/indicator-suite';

const b = btc1h();
const { high, low, close } = b;

describe.each<Case>([
  {
    name: 'macd',
    input: 'close',
    whole: (bb, p) => ({ ...macd(bb.close, p[0], p[1], p[2]) }),
    stream: (p) => {
      const st = macdStream(p[0], p[1], p[2]);
      return { update: (v) => ({ ...st.update(v as number) }), reset: () => st.reset() };
    },
    params: [
      [12, 26, 9],
      [5, 35, 5],
    ],
    talib: [
      {
        name: 'MACD',
        inputs: 'close',
        opts: (p) => ({ optInFastPeriod: p[0]!, optInSlowPeriod: p[1]!, optInSignalPeriod: p[2]! }),
        map: { macd: 'outMACD', signal: 'outMACDSignal', hist: 'outMACDHist' },
      },
    ],
    warmup: (p) => {
      const w = p[1]! + p[2]! - 2;
      return { macd: w, signal: w, hist: w };
    },
    policy: { kind: 'skip' },
    bad: { call: (n) => macd(close, 12, 26, n), fn: 'macd', min: 2 },
  },
  {
    name: 'ppo (TA-Lib default: SMA)',
    input: 'close',
    whole: (bb, p) => ({ out: ppo(bb.close, p[0], p[1]) }),
    stream: (p) => {
      const st = ppoStream(p[0], p[1]);
      return { update: (v) => ({ out: st.update(v as number) }), reset: () => st.reset() };
    },
    params: [
      [12, 26],
      [3, 10],
    ],
    talib: [{ name: 'PPO', inputs: 'close', opts: (p) => ({ optInFastPeriod: p[0]!, optInSlowPeriod: p[1]!, optInMAType: 0 }), map: { out: 'outReal' } }],
    warmup: (p) => ({ out: p[1]! - 1 }),
    policy: { kind: 'window', lookback: (p) => p[1]! - 1 },
    bad: { call: (n) => ppo(close, n, 26), fn: 'ppo', min: 2 },
  },
  {
    name: 'ppo (EMA)',
    input: 'close',
    whole: (bb, p) => ({ out: ppo(bb.close, p[0], p[1], 'ema') }),
    stream: (p) => {
      const st = ppoStream(p[0], p[1], 'ema');
      return { update: (v) => ({ out: st.update(v as number) }), reset: () => st.reset() };
    },
    params: [
      [12, 26],
      [3, 10],
    ],
    talib: [{ name: 'PPO', inputs: 'close', opts: (p) => ({ optInFastPeriod: p[0]!, optInSlowPeriod: p[1]!, optInMAType: 1 }), map: { out: 'outReal' } }],
    warmup: (p) => ({ out: p[1]! - 1 }),
    policy: { kind: 'skip' },
    bad: { call: (n) => ppo(close, 12, n, 'ema'), fn: 'ppo', min: 2 },
  },
  {
    name: 'adx',
    input: 'bars',
    whole: (bb, p) => ({ ...adx(bb.high, bb.low, bb.close, p[0]) }),
    stream: (p) => {
      const st = adxStream(p[0]);
      return { update: (v) => ({ ...st.update(v as Bar) }), reset: () => st.reset() };
    },
    params: [[14], [5]],
    talib: (
      [
        ['ADX', 'adx'],
        ['PLUS_DI', 'plusDI'],
        ['MINUS_DI', 'minusDI'],
        ['DX', 'dx'],
      ] as const
    ).map(([name, k]) => ({ name, inputs: 'hlc' as const, opts: (p: readonly number[]) => ({ optInTimePeriod: p[0]! }), map: { [k]: 'outReal' } })),
    warmup: (p) => ({ adx: 2 * p[0]! - 1, plusDI: p[0]!, minusDI: p[0]!, dx: p[0]! }),
    policy: { kind: 'skip' },
    nanColumn: 'low',
    bad: { call: (n) => adx(high, low, close, n), fn: 'adx', min: 2 },
  },
  {
    name: 'aroon',
    input: 'bars',
    whole: (bb, p) => ({ ...aroon(bb.high, bb.low, p[0]) }),
    stream: (p) => {
      const st = aroonStream(p[0]);
      return { update: (v) => ({ ...st.update(v as Bar) }), reset: () => st.reset() };
    },
    params: [[14], [25]],
    talib: [
      { name: 'AROON', inputs: 'hl', opts: (p) => ({ optInTimePeriod: p[0]! }), map: { up: 'outAroonUp', down: 'outAroonDown' } },
      { name: 'AROONOSC', inputs: 'hl', opts: (p) => ({ optInTimePeriod: p[0]! }), map: { osc: 'outReal' } },
    ],
    warmup: (p) => ({ up: p[0]!, down: p[0]!, osc: p[0]! }),
    policy: { kind: 'window', lookback: (p) => p[0]! },
    nanColumn: 'high',
    bad: { call: (n) => aroon(high, low, n), fn: 'aroon', min: 2 },
  },
])('$name', (c) => runCase(c));

describe('argument checks', () => {
  it('macd and ppo want fast < slow', () => {
    expect(() => macd(close, 26, 12)).toThrow(/macd: fast period must be < slow period, found fast 26 and slow 12/);
    expect(() => ppo(close, 26, 26)).toThrow(/ppo: fast period must be < slow period/);
    expect(() => ppo(close, 12, 26, 'wma' as never)).toThrow(/ppo: maType must be 'sma' or 'ema', found 'wma'/);
  });
});

describe('TA-Lib quirks reproduced', () => {
  it('macd: the fast EMA is seeded from x[slow-fast .. slow-1], so early values differ from EMA(12) − EMA(26)', () => {
    const m = macd(close).macd;
    const natural = ema(close, 12)[33]! - ema(close, 26)[33]!;
    expect(Number.isNaN(m[32]!)).toBe(true);
    expect(Math.abs(natural - m[33]!) / Math.abs(m[33]!)).toBeGreaterThan(1e-6);
    // ... and the difference decays away (the seeds are forgotten)
    const late = ema(close, 12)[5000]! - ema(close, 26)[5000]!;
    expect(Math.abs(late - m[5000]!) / Math.abs(m[5000]!)).toBeLessThan(1e-9);
  });
  it('adx: a range of zero gives DI 0, DX 0 and ADX 0 (not NaN)', () => {
    const flat = new Float64Array(12).fill(5);
    const r = adx(flat, flat, flat, 3);
    expect(Array.from(r.dx.subarray(3))).toEqual(new Array(9).fill(0));
    expect(Array.from(r.plusDI.subarray(3))).toEqual(new Array(9).fill(0));
    expect(Array.from(r.adx.subarray(5))).toEqual(new Array(7).fill(0));
  });
});

describe('examples from the doc comments', () => {
  it('trend indicators', () => {
    expect(Number.isNaN(macd(close, 12, 26, 9).hist[32]!) && Number.isFinite(macd(close, 12, 26, 9).hist[33]!)).toBe(true);
    const p = ppo(Float64Array.of(1, 2, 3, 4), 2, 3);
    expect(p[0]).toBeNaN();
    expect(p[2]).toBeCloseTo(25, 12);
    expect(p[3]).toBeCloseTo(100 / 6, 12);
    const a = adx(high, low, close, 14).adx;
    expect(Number.isNaN(a[26]!) && Number.isFinite(a[27]!)).toBe(true);
    const ar = aroon(Float64Array.of(1, 3, 2), Float64Array.of(0, 2, 1), 2);
    expect(Array.from(ar.up)).toEqual([NaN, NaN, 50]);
    expect(Array.from(ar.down)).toEqual([NaN, NaN, 0]);
    expect(Array.from(ar.osc)).toEqual([NaN, NaN, 50]);
  });
});
