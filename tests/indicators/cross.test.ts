import { describe, expect, it } from 'vitest';
import { crossover, crossoverStream, crossunder, crossunderStream } from '../../lib/indicators/cross';
import { ema } from '../../lib/indicators/ema';
import { sma } from '../../lib/indicators/sma';
import { btc1h } from '../helpers/datasets';

const close = btc1h().close;
const F = (a: number[]) => Float64Array.from(a);

/** Naive reference, written from the definition. */
function naive(a: Float64Array, b: Float64Array, over: boolean): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let t = 1; t < a.length; t++) {
    const vals = [a[t]!, b[t]!, a[t - 1]!, b[t - 1]!];
    if (vals.some(Number.isNaN)) continue;
    out[t] = over ? (a[t]! > b[t]! && a[t - 1]! <= b[t - 1]! ? 1 : 0) : a[t]! < b[t]! && a[t - 1]! >= b[t - 1]! ? 1 : 0;
  }
  return out;
}

describe('crossover / crossunder', () => {
  const fast = ema(close, 12);
  const slow = sma(close, 50);
  it('equal the naive reference on EMA(12) vs SMA(50) of BTC closes (with warm-up NaNs)', () => {
    const o = crossover(fast, slow);
    const u = crossunder(fast, slow);
    expect(Array.from(o)).toEqual(Array.from(naive(fast, slow, true)));
    expect(Array.from(u)).toEqual(Array.from(naive(fast, slow, false)));
    const nOver = o.reduce((s, v) => s + v, 0);
    const nUnder = u.reduce((s, v) => s + v, 0);
    expect(nOver).toBeGreaterThan(100);
    expect(Math.abs(nOver - nUnder)).toBeLessThanOrEqual(1); // they alternate
  });
  it('hand-computed examples (doc comments), touching counts as "from below"', () => {
    expect(Array.from(crossover(F([1, 2, 3]), F([2, 2, 2])))).toEqual([0, 0, 1]); // 2 <= 2 then 3 > 2
    expect(Array.from(crossunder(F([3, 2, 1]), 2))).toEqual([0, 0, 1]);
    expect(Array.from(crossover(F([1, 3, 1, 3]), 2))).toEqual([0, 1, 0, 1]);
    expect(Array.from(crossover(F([1, NaN, 3, 1, 3]), 2))).toEqual([0, 0, 0, 0, 1]); // no crossing across the gap
  });
  it('a constant level equals a constant series', () => {
    const level = F(Array.from(close, () => 30000));
    expect(Array.from(crossover(close, 30000))).toEqual(Array.from(crossover(close, level)));
  });
  it('streaming twins agree with the masks on the full series', () => {
    const so = crossoverStream();
    const su = crossunderStream();
    const o = crossover(fast, slow);
    const u = crossunder(fast, slow);
    let mismatch = -1;
    for (let t = 0; t < close.length; t++) {
      const a = so.update(fast[t]!, slow[t]!);
      const b = su.update(fast[t]!, slow[t]!);
      if ((a ? 1 : 0) !== o[t] || (b ? 1 : 0) !== u[t]) {
        mismatch = t;
        break;
      }
    }
    expect(mismatch).toBe(-1);
    so.reset();
    expect(so.update(3, 2)).toBe(false); // no history after reset
  });
  it('rejects mismatched lengths', () => {
    expect(() => crossover(close, close.subarray(1))).toThrow(/crossover: 'b' has 66676 values, expected 66677/);
  });
});
