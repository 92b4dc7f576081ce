import { describe, expect, it } from 'vitest';
import type { Bar } from '../../lib/core';
import { dema, demaStream } from '../../lib/indicators/dema';
import { hma, hmaStream } from '../../lib/indicators/hma';
import { hmaPeriods } from '../../lib/indicators/kernels/hma-periods';
import { kama, kamaStream } from '../../lib/indicators/kama';
import { tema, temaStream } from '../../lib/indicators/tema';
import { trima, trimaStream } from '../../lib/indicators/trima';
import { sessionVwap, sessionVwapStream, vwap, vwapStream } from '../../lib/indicators/vwap';
import { vwma, vwmaStream } from '../../lib/indicators/vwma';
import { wma, wmaStream } from '../../lib/indicators/wma';
import { btc1h } from '../helpers/datasets';
import { barObjects, firstDiff, runCase, type Case } from '../helpers/indicator-suite';

const single = (
  name: string,
  ta: string,
  f: (x: Float64Array, n: number) => Float64Array,
  s: (n: number) => { update(v: number): number; reset(): void },
  params: number[],
  warm: (n: number) => number,
  policy: Case['policy'],
  min = 2,
): Case => ({
  name,
  input: 'close',
  whole: (b, p) => ({ out: f(b.close, p[0]!) }),
  stream: (p) => {
    const st = s(p[0]!);
    return { update: (v) => ({ out: st.update(v as number) }), reset: () => st.reset() };
  },
  params: params.map((n) => [n]),
  talib: ta ? [{ name: ta, inputs: 'close', opts: (p) => ({ optInTimePeriod: p[0]! }), map: { out: 'outReal' } }] : [],
  warmup: (p) => ({ out: warm(p[0]!) }),
  policy,
  bad: { call: (n) => f(btc1h().close, n), fn: name, min },
});

const window = (lb: (n: number) => number): Case['policy'] => ({ kind: 'window', lookback: (p) => lb(p[0]!) });

describe.each([
  single('wma', 'WMA', wma, wmaStream, [30, 7], (n) => n - 1, window((n) => n - 1)),
  single('dema', 'DEMA', dema, demaStream, [30, 9], (n) => 2 * n - 2, { kind: 'skip' }),
  single('tema', 'TEMA', tema, temaStream, [30, 9], (n) => 3 * n - 3, { kind: 'skip' }),
  single('trima', 'TRIMA', trima, trimaStream, [30, 9], (n) => n - 1, window((n) => n - 1)),
  single('kama', 'KAMA', kama, kamaStream, [30, 10], (n) => n, { kind: 'skip' }),
  single('hma', '', hma, hmaStream, [9, 20], (n) => n + Math.floor(Math.sqrt(n)) - 2, window((n) => n + Math.floor(Math.sqrt(n)) - 2)),
])('$name', (c) => runCase(c));

const b = btc1h();

describe.each<Case>([
  {
    name: 'vwma',
    input: 'bars',
    whole: (bb, p) => ({ out: vwma(bb.close, bb.volume, p[0]!) }),
    stream: (p) => {
      const st = vwmaStream(p[0]!);
      return { update: (v) => ({ out: st.update(v as Bar) }), reset: () => st.reset() };
    },
    params: [[20], [5]],
    warmup: (p) => ({ out: p[0]! - 1 }),
    policy: { kind: 'window', lookback: (p) => p[0]! - 1 },
    nanColumn: 'volume',
    bad: { call: (n) => vwma(b.close, b.volume, n), fn: 'vwma', min: 1 },
  },
  {
    name: 'vwap',
    input: 'bars',
    whole: (bb, p) => ({ out: vwap(bb.high, bb.low, bb.close, bb.volume, p[0]!) }),
    stream: (p) => {
      const st = vwapStream(p[0]!);
      return { update: (v) => ({ out: st.update(v as Bar) }), reset: () => st.reset() };
    },
    params: [[24], [3]],
    warmup: (p) => ({ out: p[0]! - 1 }),
    policy: { kind: 'window', lookback: (p) => p[0]! - 1 },
    nanColumn: 'high',
    bad: { call: (n) => vwap(b.high, b.low, b.close, b.volume, n), fn: 'vwap', min: 1 },
  },
  {
    name: 'sessionVwap',
    input: 'bars',
    whole: (bb, p) => ({ out: sessionVwap(bb.ts, bb.high, bb.low, bb.close, bb.volume, p[0]!) }),
    stream: (p) => {
      const st = sessionVwapStream(p[0]!);
      return { update: (v) => ({ out: st.update(v as Bar) }), reset: () => st.reset() };
    },
    params: [[86_400_000], [4 * 3_600_000]],
    warmup: () => ({ out: 0 }),
    policy: { kind: 'custom' },
    bad: { call: (n) => sessionVwap(b.ts, b.high, b.low, b.close, b.volume, n), fn: 'sessionVwap', min: 1 },
    badValues: [0, -3_600_000, NaN],
    nanAfterWarmupOk: true, // a session whose first bars have zero volume has no VWAP yet
  },
])('$name', (c) => runCase(c));

// ---- naive references for the indicators TA-Lib lacks (obviously-correct double loops) ----

function naiveWma(x: ArrayLike<number>, n: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < x.length; t++) {
    if (t < n - 1) {
      out.push(NaN);
      continue;
    }
    let num = 0;
    let den = 0;
    for (let k = 0; k < n; k++) {
      num += x[t - k]! * (n - k);
      den += n - k;
    }
    out.push(num / den);
  }
  return out;
}

function naiveHma(x: ArrayLike<number>, n: number): number[] {
  const half = naiveWma(x, Math.floor(n / 2));
  const full = naiveWma(x, n);
  const diff = full.map((f, t) => 2 * half[t]! - f);
  const s = Math.floor(Math.sqrt(n));
  const firstFinite = n - 1;
  const tail = naiveWma(diff.slice(firstFinite), s);
  return [...new Array(firstFinite).fill(NaN), ...tail];
}

function naiveVwma(x: ArrayLike<number>, v: ArrayLike<number>, n: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < x.length; t++) {
    if (t < n - 1) {
      out.push(NaN);
      continue;
    }
    let pv = 0;
    let vol = 0;
    for (let k = t - n + 1; k <= t; k++) {
      pv += x[k]! * v[k]!;
      vol += v[k]!;
    }
    out.push(pv / vol);
  }
  return out;
}

function naiveSessionVwap(ts: ArrayLike<number>, tp: number[], v: ArrayLike<number>, ms: number): number[] {
  return tp.map((_, t) => {
    const day = Math.floor(ts[t]! / ms);
    let pv = 0;
    let vol = 0;
    for (let k = 0; k <= t; k++) {
      if (Math.floor(ts[k]! / ms) !== day) continue;
      pv += tp[k]! * v[k]!;
      vol += v[k]!;
    }
    return pv / vol;
  });
}

const closeTo = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) {
      expect(Number.isNaN(x), `NaN at ${i}`).toBe(Number.isNaN(y));
      continue;
    }
    max = Math.max(max, Math.abs(x - y) / Math.max(Math.abs(y), 1e-12));
  }
  expect(max).toBeLessThan(1e-9);
};

describe('HMA, VWMA, VWAP against naive references on BTCUSDT 1h', () => {
  const x = b.close.subarray(0, 5000);
  const v = b.volume.subarray(0, 5000);
  it.each([2, 4, 9, 16, 20, 55])('hma(%i) equals the double-loop definition', (n) => {
    closeTo(hma(x, n), naiveHma(x, n));
  });
  it('wma equals the double-loop definition', () => closeTo(wma(x, 13), naiveWma(x, 13)));
  it.each([1, 3, 20])('vwma(%i) equals the double-loop definition', (n) => closeTo(vwma(x, v, n), naiveVwma(x, v, n)));
  it('vwma gives NaN (not a rounding residue) over zero-volume windows of the real data', () => {
    const zeros = [];
    for (let i = 0; i < b.volume.length; i++) if (b.volume[i] === 0) zeros.push(i);
    expect(zeros.length).toBeGreaterThan(0);
    const out = vwma(b.close, b.volume, 1);
    for (const i of zeros) expect(out[i]).toBeNaN();
  });
  it('vwap(24) is vwma of the typical price', () => {
    const tp = Float64Array.from(x, (_, i) => (b.high[i]! + b.low[i]! + b.close[i]!) / 3);
    closeTo(vwap(b.high.subarray(0, 5000), b.low.subarray(0, 5000), x, v, 24), naiveVwma(tp, v, 24));
  });
  it.each([86_400_000, 4 * 3_600_000])('sessionVwap(%i) equals the double-loop definition', (ms) => {
    const m = 2000;
    const tp = Array.from({ length: m }, (_, i) => (b.high[i]! + b.low[i]! + b.close[i]!) / 3);
    const ours = sessionVwap(b.ts.subarray(0, m), b.high.subarray(0, m), b.low.subarray(0, m), b.close.subarray(0, m), b.volume.subarray(0, m), ms);
    closeTo(ours, naiveSessionVwap(b.ts, tp, b.volume, ms));
  });
  it('hma uses floor(n/2) and floor(sqrt(n))', () => {
    expect(hmaPeriods(9)).toEqual({ half: 4, full: 9, sqrt: 3 });
    expect(hmaPeriods(20)).toEqual({ half: 10, full: 20, sqrt: 4 });
    expect(hmaPeriods(15)).toEqual({ half: 7, full: 15, sqrt: 3 });
  });
});

describe('hand-checked values on tiny series', () => {
  it('hma(4) on 1, 2, 4, 8, 16, 32', () => {
    // WMA2 (w 1,2): t=1: (1+4)/3=5/3, t=2: (2+8)/3=10/3, t=3: (4+16)/3=20/3, t=4: 40/3, t=5: 80/3
    // WMA4 (w 1..4 /10): t=3: (1+4+12+32)/10=4.9, t=4: (2+8+24+64)/10=9.8, t=5: 19.6
    // diff = 2·WMA2 − WMA4: t=3: 40/3−4.9 = 8.4333.., t=4: 80/3−9.8 = 16.8666.., t=5: 160/3−19.6 = 33.7333..
    // HMA = WMA2 of diff (sqrt 4 = 2): t=4: (8.4333.. + 2·16.8666..)/3 = 14.0555.., t=5: (16.8666.. + 2·33.7333..)/3 = 28.1111..
    const out = hma(Float64Array.of(1, 2, 4, 8, 16, 32), 4);
    expect(out.subarray(0, 4).every(Number.isNaN)).toBe(true);
    expect(out[4]).toBeCloseTo((40 / 3 - 4.9 + 2 * (80 / 3 - 9.8)) / 3, 12);
    expect(out[4]).toBeCloseTo(14.0555555555, 9);
    expect(out[5]).toBeCloseTo(28.1111111111, 9);
  });
  it('vwma(2) on close 10, 20, 30 with volume 1, 3, 0', () => {
    // t=1: (10·1 + 20·3)/(1+3) = 17.5; t=2: (20·3 + 30·0)/3 = 20
    expect(Array.from(vwma(Float64Array.of(10, 20, 30), Float64Array.of(1, 3, 0), 2))).toEqual([NaN, 17.5, 20]);
    // a window with zero volume has no average
    expect(vwma(Float64Array.of(1, 2), Float64Array.of(0, 0), 2)[1]).toBeNaN();
  });
  it('vwap(2): typical prices 2, 4, 3 with volumes 1, 3, 2', () => {
    // tp = (h+l+c)/3: (3+1+2)/3=2, (6+2+4)/3=4, (4+2+3)/3=3
    // t=1: (2·1 + 4·3)/4 = 3.5; t=2: (4·3 + 3·2)/5 = 3.6
    const out = vwap(Float64Array.of(3, 6, 4), Float64Array.of(1, 2, 2), Float64Array.of(2, 4, 3), Float64Array.of(1, 3, 2), 2);
    expect(out[0]).toBeNaN();
    expect(out[1]).toBeCloseTo(3.5, 14);
    expect(out[2]).toBeCloseTo(3.6, 14);
  });
  it('sessionVwap resets at 00:00 UTC and skips a bad bar', () => {
    // bars at 22:00, 23:00 on day 0, then 00:00, 01:00 (bad), 02:00 on day 1
    const h = 3_600_000;
    const ts = Float64Array.of(22 * h, 23 * h, 24 * h, 25 * h, 26 * h);
    const p = Float64Array.of(2, 4, 10, 99, 20); // high = low = close, so tp = p
    const vol = Float64Array.of(1, 3, 1, NaN, 1);
    // day 0: 2, (2+12)/4 = 3.5; day 1: 10, NaN (bad bar, left out), (10+20)/2 = 15
    const out = sessionVwap(ts, p, p, p, vol);
    expect(Array.from(out)).toEqual([2, 3.5, 10, NaN, 15]);
    const s = sessionVwapStream();
    const streamed = Array.from(ts, (t, i) => s.update({ ts: t, open: p[i]!, high: p[i]!, low: p[i]!, close: p[i]!, volume: vol[i]! }));
    expect(streamed).toEqual(Array.from(out));
    // a 4h session splits day 1 at 04:00 only, so nothing changes here; a 1h session resets every bar
    expect(Array.from(sessionVwap(ts, p, p, p, vol, h))).toEqual([2, 4, 10, NaN, 20]);
  });
  it('sessionVwapStream needs ts', () => {
    expect(() => sessionVwapStream().update({ open: 1, high: 1, low: 1, close: 1, volume: 1 })).toThrow(/sessionVwapStream: each bar needs ts/);
  });
  it('session VWAP on BTCUSDT 1h starts every UTC day at that bar’s typical price', () => {
    const out = sessionVwap(b.ts, b.high, b.low, b.close, b.volume);
    let checked = 0;
    for (let i = 0; i < b.ts.length; i++) {
      if (b.ts[i]! % 86_400_000 !== 0 || b.volume[i] === 0) continue;
      const tp = (b.high[i]! + b.low[i]! + b.close[i]!) / 3;
      expect(Math.abs(out[i]! - tp) / tp).toBeLessThan(1e-15);
      checked++;
    }
    expect(checked).toBeGreaterThan(2700);
    expect(firstDiff(out, Float64Array.from(barObjects(), ((s) => (bar: Bar) => s.update(bar))(sessionVwapStream())))).toBe(-1);
  });
});

describe('NaN policy on tiny series', () => {
  it('windowed (wma): outputs whose window holds the NaN are NaN, then it recovers', () => {
    const x = Float64Array.of(1, 2, 3, NaN, 5, 6, 7);
    const out = wma(x, 2);
    expect(Array.from(out)).toEqual([NaN, 5 / 3, 8 / 3, NaN, NaN, 17 / 3, 20 / 3]);
    const s = wmaStream(2);
    expect(Array.from(x, (v) => s.update(v))).toEqual(Array.from(out));
  });
  it('recursive (dema, kama): the bad bar is NaN and is skipped', () => {
    const x = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const bad = Float64Array.of(1, 2, 3, 4, NaN, 5, 6, 7, 8);
    for (const f of [dema, kama]) {
      const ref = Array.from(f(x, 2));
      expect(Array.from(f(bad, 2))).toEqual([...ref.slice(0, 4), NaN, ...ref.slice(4)]);
    }
  });
});

describe('examples from the doc comments', () => {
  it('moving averages', () => {
    const a = wma(Float64Array.of(1, 2, 3, 4), 3);
    expect(a[0]).toBeNaN();
    expect(a[2]).toBeCloseTo(14 / 6, 14);
    expect(a[3]).toBeCloseTo(20 / 6, 14);
    expect(Array.from(trima(Float64Array.of(1, 2, 3, 4, 5), 4))).toEqual([NaN, NaN, NaN, 2.5, 3.5]);
    expect(Array.from(hma(Float64Array.of(1, 2, 3, 4, 5, 6), 4))).toEqual([NaN, NaN, NaN, NaN, 5, 6]);
    expect(Array.from(dema(Float64Array.of(1, 2, 3, 4, 5), 2))).toEqual([NaN, NaN, 3, 4, 5]);
    expect(Array.from(tema(Float64Array.of(1, 2, 3, 4, 5, 6), 2))).toEqual([NaN, NaN, NaN, 4, 5, 6]);
    const k = kama(Float64Array.of(1, 2, 3, 4), 2);
    expect(k[2]).toBeCloseTo(22 / 9, 14);
    expect(k[3]).toBeCloseTo(22 / 9 + (4 - 22 / 9) * (4 / 9), 14);
    const v = vwma(Float64Array.of(1, 2, 3), Float64Array.of(1, 1, 2), 2);
    expect(v[1]).toBe(1.5);
    expect(v[2]).toBeCloseTo(8 / 3, 14);
    expect(Array.from(vwap(Float64Array.of(3, 6), Float64Array.of(1, 2), Float64Array.of(2, 4), Float64Array.of(1, 3), 2))).toEqual([NaN, 3.5]);
    const ts = Float64Array.of(0, 3_600_000, 86_400_000);
    expect(
      Array.from(sessionVwap(ts, Float64Array.of(3, 6, 4), Float64Array.of(1, 2, 2), Float64Array.of(2, 4, 3), Float64Array.of(1, 3, 2))),
    ).toEqual([2, 3.5, 3]);
  });
});
