import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { range, RANGE_LIMIT } from '../../lib/params';

describe('range(lo, hi, step)', () => {
  it('the documented examples', () => {
    expect(range(2, 10, 4)).toEqual([2, 6, 10]);
    expect(range(1, 4)).toEqual([1, 2, 3, 4]);
    expect(range(0, 1, 0.3)).toEqual([0, 0.3, 0.6, 0.9]);
    expect(range(2, 50)).toHaveLength(49);
    expect(range(10, 200, 2)).toHaveLength(96);
    expect(range(10, 200, 2).at(-1)).toBe(200);
  });

  it('decimal steps land on the decimals, without float drift', () => {
    const r = range(0.1, 0.5, 0.1);
    expect(r).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    // the naive loop drifts: 0.1 + 2 * 0.1 is 0.30000000000000004, and 0.5 is missed by accumulation
    expect(0.1 + 2 * 0.1).not.toBe(0.3);
    expect(r[2]).toBe(0.3);
    expect(range(-1, 1, 0.5)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(range(0.001, 0.005, 0.001)).toEqual([0.001, 0.002, 0.003, 0.004, 0.005]);
    expect(range(1e-7, 3e-7, 1e-7)).toEqual([1e-7, 2e-7, 3e-7]);
  });

  it('hi is included only when it lands on the step', () => {
    expect(range(0, 9, 4)).toEqual([0, 4, 8]);
    expect(range(0, 8, 4)).toEqual([0, 4, 8]);
    expect(range(5, 5)).toEqual([5]);
    expect(range(0.5, 0.6, 0.25)).toEqual([0.5]);
  });

  it('integers: equals the naive loop (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1, max: 50 }), (lo, span, step) => {
        const naive: number[] = [];
        for (let v = lo; v <= lo + span; v += step) naive.push(v);
        expect(range(lo, lo + span, step)).toEqual(naive);
      }),
      { numRuns: 300 },
    );
  });

  it('short decimals: every value is the double nearest the exact decimal (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5000, max: 5000 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 6 }),
        (a, span, s, d) => {
          const scale = 10 ** d;
          const lo = a / scale, hi = (a + span) / scale, step = s / scale;
          const r = range(lo, hi, step);
          expect(r.length).toBe(Math.floor(span / s) + 1);
          // reference: the decimal text a + k·s with the point moved d places, read by Number()
          r.forEach((v, k) => expect(v).toBe(Number(`${a + k * s}e-${d}`)));
          expect(r.at(-1)!).toBeLessThanOrEqual(hi);
          expect(r.at(-1) === hi).toBe(span % s === 0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('steps that are not short decimals still stay inside [lo, hi] and reach hi when it is on the step', () => {
    expect(range(0, 1, 1 / 3)).toEqual([0, 1 / 3, 2 / 3, 1]);
    expect(range(0, Math.PI, Math.PI / 4)).toHaveLength(5);
  });

  it('bad arguments are errors that say what was expected and what was found', () => {
    expect(() => range(1, NaN)).toThrow('range(1, NaN, 1): expected hi to be a finite number, found NaN');
    expect(() => range(Infinity, 2)).toThrow(/expected lo to be a finite number, found Infinity/);
    expect(() => range(0, 1, 0)).toThrow('range(0, 1, 0): expected step > 0, found 0');
    expect(() => range(0, 1, -0.5)).toThrow(/expected step > 0, found -0.5/);
    expect(() => range(5, 2)).toThrow('range(5, 2, 1): expected lo <= hi, found lo 5 > hi 2');
    expect(() => range('1' as never, 2)).toThrow(/expected lo to be a finite number, found "1"/);
    expect(() => range(0, 1e9, 1e-3)).toThrow(new RegExp(`expected at most ${RANGE_LIMIT} values, found 1000000000001`));
    try {
      range(3, 1);
      expect.unreachable();
    } catch (e) {
      expect((e as { code?: string }).code).toBe('BAD_ARGUMENT');
    }
  });
});
