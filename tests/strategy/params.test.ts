import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { choice, defaultValue, describeParam, float, fromUnit, gridValues, int, logFloat, paramError, parseParamText, resolveParams, when } from '../../lib/strategy/params';

describe('param declarations (shared with the optimiser)', () => {
  it('describe, default, validate', () => {
    expect(describeParam(int(2, 100))).toBe('an integer in [2, 100]');
    expect(describeParam(int(10, 200, { step: 2 }))).toBe('an integer in [10, 200] on a step of 2');
    expect(describeParam(choice(['a', 'b']))).toBe('one of "a", "b"');
    expect(defaultValue(int(2, 100))).toBe(2);
    expect(defaultValue(int(2, 100, { default: 7 }))).toBe(7);
    expect(paramError(int(10, 200, { step: 2 }), 11)).toBe('expected an integer in [10, 200] on a step of 2, found 11');
    expect(paramError(float(0, 1), 0.5)).toBeNull();
    expect(paramError(float(0, 1, { step: 0.1 }), 0.3)).toBeNull();
    expect(paramError(logFloat(1e-4, 1), 0)).toMatch(/found 0/);
    expect(paramError(choice([1, 2]), 3)).toBe('expected one of 1, 2, found 3');
    expect(() => int(5, 2)).toThrow(/low <= high/);
    expect(() => logFloat(0, 1)).toThrow(/low > 0/);
    expect(() => int(1, 10, { default: 20 })).toThrow(/default/);
  });
  it('fromUnit stays inside the declaration and reaches both ends (property)', () => {
    const specs = [int(2, 50), int(10, 200, { step: 2 }), float(0.5, 4), float(0, 1, { step: 0.25 }), logFloat(1e-4, 1e-1), choice(['x', 'y', 'z'])];
    fc.assert(fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (u) => specs.every((s) => paramError(s, fromUnit(s, u)) === null)));
    expect(fromUnit(int(10, 200, { step: 2 }), 0)).toBe(10);
    expect(fromUnit(int(10, 200, { step: 2 }), 0.9999999)).toBe(200);
    expect(fromUnit(logFloat(1e-4, 1e-2), 0.5)).toBeCloseTo(1e-3, 15);
  });
  it('grids', () => {
    expect(gridValues(int(10, 20, { step: 5 }))).toEqual([10, 15, 20]);
    expect(gridValues(float(0, 1, { step: 0.5 }))).toEqual([0, 0.5, 1]);
    expect(gridValues(choice([true, false]))).toEqual([true, false]);
    expect(gridValues(logFloat(1, 100), 3).map((x) => +(x as number).toFixed(9))).toEqual([1, 10, 100]);
  });
  it('text values from the command line', () => {
    expect(parseParamText(int(1, 9), '7')).toBe(7);
    expect(parseParamText(choice([1, 2]), '2')).toBe(2);
    expect(parseParamText(choice(['ema', 'sma']), 'sma')).toBe('sma');
    expect(Number.isNaN(parseParamText(int(1, 9), ''))).toBe(true);
  });
  it('resolveParams fills defaults and runs the check', () => {
    const space = { a: int(1, 9, { default: 3 }), b: int(1, 9, { default: 5 }) };
    expect(resolveParams('s', space, { a: 2 })).toEqual({ a: 2, b: 5 });
    expect(() => resolveParams('s', space, { a: 7 }, (p) => p.a < p.b || `a (${p.a}) must be < b (${p.b})`)).toThrow('s: a (7) must be < b (5)');
    expect(() => resolveParams('s', space, {}, () => false)).toThrow(/fail the strategy's check/);
  });
  it('resolveParams names the strategy, the parameter, the allowed range and the value found', () => {
    const space = { n: int(2, 50, { step: 2 }), ma: choice(['sma', 'ema']) };
    expect(() => resolveParams("strategy 'x'", space, { n: 3 })).toThrow("strategy 'x' parameter 'n': expected an integer in [2, 50] on a step of 2, found 3");
    expect(() => resolveParams("strategy 'x'", space, { n: NaN })).toThrow(/parameter 'n': expected an integer in \[2, 50\] on a step of 2, found NaN/);
    expect(() => resolveParams("strategy 'x'", space, { ma: 'wma' })).toThrow(`strategy 'x' parameter 'ma': expected one of "sma", "ema", found "wma"`);
    expect(() => resolveParams("strategy 'x'", space, { m: 1 })).toThrow("strategy 'x': unknown parameter 'm'; expected one of n, ma");
  });
  it('conditional declarations (when): a strategy sees every value, defaults filling the inactive ones', () => {
    const space = { ma: choice(['sma', 'kama']), fastK: when('ma', ['kama'], int(2, 10, { default: 3 })) };
    expect(resolveParams('s', space, { ma: 'sma' })).toEqual({ ma: 'sma', fastK: 3 });
    expect(resolveParams('s', space, { ma: 'kama', fastK: 7 })).toEqual({ ma: 'kama', fastK: 7 });
    expect(() => resolveParams('s', space, { ma: 'kama', fastK: 11 })).toThrow("s parameter 'fastK': expected an integer in [2, 10], found 11");
  });
});
