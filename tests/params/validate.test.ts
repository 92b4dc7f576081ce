import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activeNames, checkSpace, choice, constraintError, describeParam, float, int, isActive, logFloat, paramError, paramsError, when, type ParamSpace } from '../../lib/params';

describe('validation', () => {
  it('describeParam says what a declaration accepts', () => {
    expect(describeParam(int(2, 100))).toBe('an integer in [2, 100]');
    expect(describeParam(int(10, 200, { step: 2 }))).toBe('an integer in [10, 200] on a step of 2');
    expect(describeParam(float(0, 1, { step: 0.1 }))).toBe('a number in [0, 1] on a step of 0.1');
    expect(describeParam(logFloat(1e-4, 1))).toBe('a number in [0.0001, 1] (log-uniform)');
    expect(describeParam(choice(['a', 1, true]))).toBe('one of "a", 1, true');
  });

  it('paramError: null for legal values, else expected and found', () => {
    expect(paramError(int(10, 200, { step: 2 }), 12)).toBeNull();
    expect(paramError(int(10, 200, { step: 2 }), 11)).toBe('expected an integer in [10, 200] on a step of 2, found 11');
    expect(paramError(int(1, 9), '3')).toBe('expected an integer in [1, 9], found "3"');
    expect(paramError(float(0, 1), NaN)).toBe('expected a number in [0, 1], found NaN');
    expect(paramError(float(0, 1, { step: 0.1 }), 0.1 + 0.2)).toBeNull(); // 0.30000000000000004 is on the step
    expect(paramError(choice([1, 2]), 3)).toBe('expected one of 1, 2, found 3');
    expect(paramError(choice(['a']), undefined)).toBe('expected one of "a", found undefined');
  });

  it('paramError agrees with a naive check on int lattices (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: -200, max: 200 }), (lo, span, step, v) => {
        const naive = v >= lo && v <= lo + span && (v - lo) % step === 0;
        expect(paramError(int(lo, lo + span, { step }), v) === null).toBe(naive);
      }),
      { numRuns: 400 },
    );
  });

  it('checkSpace accepts the declarations and plain objects of the same shape', () => {
    expect(() => checkSpace({ a: int(1, 2), b: { kind: 'float', low: 0, high: 1, step: 0 }, c: when('a', [2], choice(['x'])) })).not.toThrow();
  });

  it('checkSpace errors name the owner and parameter, what was expected and what was found', () => {
    expect(() => checkSpace({}, "study 'x'")).toThrow("study 'x': expected at least one parameter, found none");
    expect(() => checkSpace({ a: { kind: 'int', low: 5, high: 1, step: 1 } })).toThrow("search space parameter 'a': expected finite low <= high, found 5, 1");
    expect(() => checkSpace({ a: null as never })).toThrow("parameter 'a': expected a declaration (int, float, logFloat, choice), found null");
    expect(() => checkSpace({ a: { kind: 'choice', choices: [] } })).toThrow("parameter 'a': expected at least one choice, found none");
    expect(() => checkSpace({ a: when('b', [1], int(1, 2)), b: int(1, 2) })).toThrow(/condition on 'b', which is declared after it; declare 'b' first/);
    expect(() => checkSpace({ x: int(1, 2), a: when('zz', [1], int(1, 2)) })).toThrow("parameter 'a': condition on unknown parameter 'zz'; expected one of x");
    expect(() => checkSpace({ m: int(1, 3), k: when('m', [4], int(1, 2)) })).toThrow("parameter 'k': condition value for 'm' expected an integer in [1, 3], found 4");
  });

  const space: ParamSpace = { ma: choice(['sma', 'kama']), n: int(2, 50), fast: when('ma', ['kama'], int(2, 10)), slowFast: when('fast', [2], int(20, 30)) };

  it('conditions: a child is active only while its parent is active and takes a listed value', () => {
    expect(isActive(space, 'fast', { ma: 'kama' })).toBe(true);
    expect(isActive(space, 'fast', { ma: 'sma' })).toBe(false);
    expect(isActive(space, 'fast', {})).toBe(false);
    expect(activeNames(space, { ma: 'sma', n: 3 })).toEqual(['ma', 'n']);
    expect(activeNames(space, { ma: 'kama', fast: 2 })).toEqual(['ma', 'n', 'fast', 'slowFast']);
    expect(activeNames(space, { ma: 'kama', fast: 3 })).toEqual(['ma', 'n', 'fast']);
  });

  it('paramsError: complete, legal, active-only parameter sets', () => {
    expect(paramsError(space, { ma: 'sma', n: 3 })).toBeNull();
    expect(paramsError(space, { ma: 'kama', n: 3, fast: 4 })).toBeNull();
    expect(paramsError(space, { ma: 'kama', n: 3 })).toBe("parameter 'fast' is missing; expected an integer in [2, 10]");
    expect(paramsError(space, { ma: 'sma', n: 1 })).toBe("parameter 'n': expected an integer in [2, 50], found 1");
    expect(paramsError(space, { ma: 'sma', n: 3, zz: 1 })).toBe("unknown parameter 'zz'; expected one of ma, n, fast, slowFast");
    expect(paramsError(space, { ma: 'sma', n: 3, fast: 4 })).toMatch(/parameter 'fast' is inactive here \(condition \{"param":"ma","in":\["kama"\]\}\) but was given/);
  });

  it('constraintError: null when allowed, the reason when not', () => {
    const c = (p: Record<string, unknown>) => (p.a as number) < (p.b as number) || 'a must be < b';
    expect(constraintError(c, { a: 1, b: 2 })).toBeNull();
    expect(constraintError(c, { a: 3, b: 2 })).toBe('a must be < b');
    expect(constraintError(() => false, { a: 3 })).toBe('{"a":3} fails the constraint');
    expect(constraintError(undefined, { a: 3 })).toBeNull();
  });
});
