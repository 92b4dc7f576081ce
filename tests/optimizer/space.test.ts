import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rng } from '../../lib/optimizer/rng';
import {
  activeNames,
  checkSpace,
  declError,
  fromInternal,
  gridPoints,
  gridSize,
  neighbours,
  paramsError,
  sampleSpace,
  sampleValid,
  when,
  type SearchSpace,
} from '../../lib/optimizer/space';
import { choice, float, int, logFloat } from '../../lib/params';

const space: SearchSpace = {
  fast: int(2, 50),
  slow: int(10, 200, { step: 2 }),
  stop: float(0.5, 5),
  lr: logFloat(1e-4, 1e-1),
  ma: choice(['sma', 'ema', 'kama']),
  kamaFast: when('ma', ['kama'], int(2, 10)),
};

describe('search space', () => {
  it('accepts the strategy declarations as they are (same shape)', () => {
    expect(() => checkSpace(space)).not.toThrow();
  });

  it('samples only legal values: int on its step, float in range, log-uniform in range, choice from the list (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const p = sampleSpace(space, rng(seed));
        expect(paramsError(space, p)).toBeNull();
        expect(((p.slow as number) - 10) % 2).toBe(0);
        expect('kamaFast' in p).toBe(p.ma === 'kama');
      }),
      { numRuns: 300 },
    );
  });

  it('log-uniform: the median of many draws sits at the geometric middle, not the arithmetic one', () => {
    const r = rng(7);
    const s = { lr: logFloat(1e-4, 1) };
    const xs = Array.from({ length: 4001 }, () => sampleSpace(s, r).lr as number).sort((a, b) => a - b);
    const med = xs[2000]!;
    expect(med).toBeGreaterThan(0.006);
    expect(med).toBeLessThan(0.016); // sqrt(1e-4 * 1) = 0.01; the arithmetic middle would be 0.5
  });

  it('int with step: every value of the lattice is reachable and nothing else', () => {
    const r = rng(3);
    const s = { n: int(5, 25, { step: 5 }) };
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(sampleSpace(s, r).n as number);
    expect([...seen].sort((a, b) => a - b)).toEqual([5, 10, 15, 20, 25]);
  });

  it('grid: exhaustive, deterministic order (first parameter slowest), conditional branches expanded only where active', () => {
    const s: SearchSpace = { a: int(1, 3), kind: choice(['x', 'y']), b: when('kind', ['y'], int(0, 1)) };
    const pts = gridPoints(s);
    // per a: x (1 point) + y (2 points) = 3; times 3 values of a
    expect(pts.length).toBe(9);
    expect(gridSize(s)).toBe(9);
    expect(pts.slice(0, 3)).toEqual([
      { a: 1, kind: 'x' },
      { a: 1, kind: 'y', b: 0 },
      { a: 1, kind: 'y', b: 1 },
    ]);
  });

  it('grid with a constraint: never contains an invalid point; the sma-cross grid has the documented 4,263 points', () => {
    const s = { fast: int(2, 50), slow: int(10, 200, { step: 2 }) };
    const pts = gridPoints(s, (p) => (p.fast as number) < (p.slow as number));
    // naive count
    let n = 0;
    for (let f = 2; f <= 50; f++) for (let sl = 10; sl <= 200; sl += 2) if (f < sl) n++;
    expect(pts.length).toBe(n);
    expect(pts.every((p) => (p.fast as number) < (p.slow as number))).toBe(true);
  });

  it('constraint: sampleValid never returns an invalid point (property)', () => {
    const s = { fast: int(2, 100), slow: int(10, 120) };
    const c = (p: Record<string, unknown>) => (p.fast as number) < (p.slow as number) || 'fast must be < slow';
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), (seed) => {
        const p = sampleValid(s, rng(seed), c);
        expect(p.fast as number).toBeLessThan(p.slow as number);
      }),
      { numRuns: 200 },
    );
  });

  it('a constraint that makes the space empty is an error that says so', () => {
    const s = { fast: int(50, 60), slow: int(10, 20) };
    expect(() => sampleValid(s, rng(1), (p) => (p.fast as number) < (p.slow as number) || 'fast must be < slow', 200, "study 'x'")).toThrow(
      /study 'x': the constraint makes the space empty: none of its 121 points is allowed \(e.g. fast must be < slow\)/,
    );
    const c = { x: float(0, 1) };
    expect(() => sampleValid(c, rng(1), () => false, 100)).toThrow(/found none in 100 random draws/);
  });

  it('errors name the parameter and say what was expected and found', () => {
    expect(() => checkSpace({ a: { kind: 'int', low: 5, high: 1, step: 1 } })).toThrow(/parameter 'a': expected finite low <= high, found 5, 1/);
    expect(() => checkSpace({ a: { kind: 'logFloat', low: 0, high: 1 } })).toThrow(/parameter 'a': log-uniform needs low > 0, found 0/);
    expect(() => checkSpace({ a: when('b', [1], int(1, 2)), b: int(1, 2) })).toThrow(/parameter 'a': condition on 'b', which is declared after it/);
    expect(() => checkSpace({ a: when('zz', [1], int(1, 2)) })).toThrow(/condition on unknown parameter 'zz'/);
    expect(() => checkSpace({ m: choice(['a', 'b']), k: when('m', ['c'], int(1, 2)) })).toThrow(/condition value for 'm' expected one of "a", "b", found "c"/);
    expect(() => checkSpace({ a: { kind: 'weird' } as never })).toThrow(/expected kind int, float, logFloat or choice, found "weird"/);
    expect(declError(int(1, 9, { step: 2 }), 4)).toBe('expected an integer in [1, 9] on a step of 2, found 4');
    expect(paramsError(space, { fast: 3 })).toMatch(/parameter 'slow' is missing/);
    expect(paramsError({ m: choice(['a', 'b']), k: when('m', ['b'], int(1, 2)) }, { m: 'a', k: 1 })).toMatch(/parameter 'k' is inactive/);
  });

  it('activeNames follows the conditions', () => {
    expect(activeNames(space, { ma: 'sma' })).not.toContain('kamaFast');
    expect(activeNames(space, { ma: 'kama' })).toContain('kamaFast');
  });

  it('fromInternal snaps to the step and clips to the bounds', () => {
    expect(fromInternal(float(0, 1, { step: 0.1 }), 0.3000000004)).toBe(0.3);
    expect(fromInternal(int(10, 20, { step: 5 }), 17.6)).toBe(20);
    expect(fromInternal(int(10, 20, { step: 5 }), 99)).toBe(20);
  });

  it('neighbours: one parameter moved by one step at a time, constraint-valid only', () => {
    const s = { fast: int(2, 50), slow: int(10, 200, { step: 2 }) };
    const nb = neighbours(s, { fast: 9, slow: 10 }, (p) => (p.fast as number) < (p.slow as number));
    expect(nb).toEqual([
      { fast: 8, slow: 10 },
      { fast: 9, slow: 12 },
    ]);
  });
});
