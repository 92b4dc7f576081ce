import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { choice, defaultValue, float, fromUnit, gridPoints, gridSize, gridValues, int, logFloat, paramError, paramsKey, parseParamText, stepValue, valueCount, when } from '../../lib/params';

describe('grids and values', () => {
  it('valueCount: distinct values, Infinity when continuous', () => {
    expect(valueCount(int(10, 200, { step: 2 }))).toBe(96);
    expect(valueCount(int(10, 201, { step: 2 }))).toBe(96);
    expect(valueCount(float(0, 1, { step: 0.1 }))).toBe(11);
    expect(valueCount(float(0, 1))).toBe(Infinity);
    expect(valueCount(float(2, 2))).toBe(1);
    expect(valueCount(logFloat(1, 10))).toBe(Infinity);
    expect(valueCount(choice(['a', 'b', 'c']))).toBe(3);
  });

  it('gridValues: every value of a stepped declaration, exact to the decimal', () => {
    expect(gridValues(int(10, 20, { step: 5 }))).toEqual([10, 15, 20]);
    expect(gridValues(float(0, 0.3, { step: 0.1 }))).toEqual([0, 0.1, 0.2, 0.3]);
    expect(gridValues(float(0.05, 0.25, { step: 0.05 }))).toEqual([0.05, 0.1, 0.15, 0.2, 0.25]);
    expect(gridValues(float(0.123456789, 0.4, { step: 0.1 }))).toEqual([0.123456789, 0.223456789, 0.323456789]);
    expect(stepValue(float(0.1, 1, { step: 0.1 }), 2)).toBe(0.3);
    expect(gridValues(choice([true, false]))).toEqual([true, false]);
  });

  it('gridValues: `points` evenly spaced (log-spaced for logFloat) for continuous ones, ends exact', () => {
    expect(gridValues(float(0, 1), 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const lg = gridValues(logFloat(1e-4, 1), 5) as number[];
    expect(lg[0]).toBe(1e-4);
    expect(lg[4]).toBe(1);
    lg.slice(1).forEach((v, i) => expect(v / lg[i]!).toBeCloseTo(10, 12));
    expect(gridValues(float(0, 1), 1)).toHaveLength(2);
    expect(gridValues(float(3, 3))).toEqual([3]);
  });

  it('grid points: first parameter slowest, conditional branches only where active, constraint applied', () => {
    const s = { a: int(1, 3), kind: choice(['x', 'y']), b: when('kind', ['y'], int(0, 1)) };
    expect(gridSize(s)).toBe(9);
    expect(gridPoints(s).slice(0, 4)).toEqual([{ a: 1, kind: 'x' }, { a: 1, kind: 'y', b: 0 }, { a: 1, kind: 'y', b: 1 }, { a: 2, kind: 'x' }]);
    const pts = gridPoints(s, (p) => p.a !== 2 || 'no 2');
    expect(pts).toHaveLength(6);
    expect(pts.some((p) => p.a === 2)).toBe(false);
    expect(new Set(gridPoints(s).map(paramsKey)).size).toBe(9);
  });

  it('fromUnit stays inside the declaration and reaches both ends (property)', () => {
    const specs = [int(2, 50), int(10, 200, { step: 2 }), float(0.5, 4), float(0, 1, { step: 0.1 }), logFloat(1e-4, 1e-1), choice(['x', 'y', 'z']), float(2, 2)];
    fc.assert(fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (u) => specs.every((s) => paramError(s, fromUnit(s, u)) === null)));
    expect(fromUnit(float(0, 1, { step: 0.1 }), 0.35)).toBe(0.3);
    expect(fromUnit(float(0, 1, { step: 0.1 }), 0.9999)).toBe(1);
    expect(fromUnit(choice(['x', 'y', 'z']), 0.5)).toBe('y');
  });

  it('defaults and values read from text', () => {
    expect(defaultValue(float(0.5, 4))).toBe(0.5);
    expect(defaultValue(choice(['sma', 'ema'], { default: 'ema' }))).toBe('ema');
    expect(parseParamText(choice([true, false]), 'false')).toBe(false);
    expect(parseParamText(float(0, 1), '0.25')).toBe(0.25);
    expect(parseParamText(choice(['a']), 'b')).toBe('b'); // left for paramError to reject, naming it
  });

  it('paramsKey: equal sets give equal keys whatever the key order, different sets different keys (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.oneof(fc.integer(), fc.boolean(), fc.string())), (p) => {
        const reversed = Object.fromEntries(Object.entries(p).reverse());
        expect(paramsKey(reversed)).toBe(paramsKey(p));
        const k = Object.keys(p)[0];
        if (k !== undefined) expect(paramsKey({ ...p, [k]: `${String(p[k])}!` })).not.toBe(paramsKey(p));
      }),
    );
  });
});
