import { describe, expect, it } from 'vitest';
import { checkLengths } from '../../../lib/indicators/kernels/checks';
import { forEachFiniteRun } from '../../../lib/indicators/kernels/finite-runs';
import { MonotonicWindow } from '../../../lib/indicators/kernels/monotonic-window';

describe('forEachFiniteRun', () => {
  it('visits the NaN-free runs and writes NaN at the bad indices', () => {
    const a = Float64Array.of(1, NaN, 2, 3, 4, 5, NaN);
    const b = Float64Array.of(1, 1, 1, NaN, 1, 1, 1);
    const out = new Float64Array(7);
    const runs: [number, number][] = [];
    forEachFiniteRun([a, b], 7, [out], (s, e) => runs.push([s, e]));
    expect(runs).toEqual([
      [0, 1],
      [2, 3],
      [4, 6],
    ]);
    expect(Array.from(out, Number.isNaN)).toEqual([false, true, false, true, false, false, true]);
  });
  it('treats infinities as values (only NaN is bad), with 1 to 5 columns', () => {
    const a = Float64Array.of(Infinity, 1, 2);
    const b = Float64Array.of(-Infinity, NaN, 2);
    for (const cols of [[a, b], [b, a, a], [a, a, a, b], [a, a, a, a, b]]) {
      const runs: [number, number][] = [];
      forEachFiniteRun(cols, 3, [], (s, e) => runs.push([s, e]));
      expect(runs).toEqual([
        [0, 1],
        [2, 3],
      ]);
    }
  });
  it('handles an empty and an all-NaN series', () => {
    const seen: number[] = [];
    forEachFiniteRun([new Float64Array(0)], 0, [], (s) => seen.push(s));
    forEachFiniteRun([Float64Array.of(NaN, NaN)], 2, [], (s) => seen.push(s));
    expect(seen).toEqual([]);
  });
});

describe('MonotonicWindow', () => {
  it('tracks the rolling max/min and its age like a brute-force scan (ties: newest)', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) % 9) - 4; // small ints: many ties
    const xs = Array.from({ length: 500 }, rnd);
    for (const size of [1, 2, 5, 17]) {
      const hi = new MonotonicWindow(size, 'max');
      const lo = new MonotonicWindow(size, 'min');
      xs.forEach((v, t) => {
        hi.push(v);
        lo.push(v);
        const w = xs.slice(Math.max(0, t - size + 1), t + 1);
        const mx = Math.max(...w);
        const mn = Math.min(...w);
        expect(hi.value).toBe(mx);
        expect(lo.value).toBe(mn);
        expect(hi.age).toBe(w.length - 1 - w.lastIndexOf(mx));
        expect(lo.age).toBe(w.length - 1 - w.lastIndexOf(mn));
      });
      hi.reset();
      expect(hi.length).toBe(0);
    }
  });
});

describe('checkLengths', () => {
  it('names the function and the column', () => {
    expect(checkLengths('f', { a: [1, 2], b: [3, 4] })).toBe(2);
    expect(() => checkLengths('f', { a: [1, 2], b: [3] })).toThrow("f: 'b' has 1 values, expected 2 (the length of 'a')");
  });
});
