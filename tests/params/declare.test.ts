import { describe, expect, it } from 'vitest';
import { choice, float, int, logFloat, when } from '../../lib/params';

describe('declarations', () => {
  it('int, float, logFloat and choice build plain records', () => {
    expect(int(2, 100)).toEqual({ kind: 'int', low: 2, high: 100, step: 1 });
    expect(int(10, 200, { step: 2, default: 50 })).toEqual({ kind: 'int', low: 10, high: 200, step: 2, default: 50 });
    expect(float(0.5, 4)).toEqual({ kind: 'float', low: 0.5, high: 4, step: 0 });
    expect(logFloat(1e-4, 1)).toEqual({ kind: 'logFloat', low: 1e-4, high: 1 });
    expect(choice(['sma', 'ema'], { default: 'ema' })).toEqual({ kind: 'choice', choices: ['sma', 'ema'], default: 'ema' });
  });

  it('a bad declaration is an error naming the call, what was expected and what was found', () => {
    expect(() => int(5, 2)).toThrow('int(5, 2): expected finite low <= high, found 5, 2');
    expect(() => int(1.5, 3)).toThrow('int(1.5, 3): expected integer low, high and step >= 1, found 1.5, 3, step 1');
    expect(() => int(1, 9, { step: 0 })).toThrow(/step >= 1, found 1, 9, step 0/);
    expect(() => float(0, NaN)).toThrow('float(0, NaN): expected finite low <= high, found 0, NaN');
    expect(() => float(0, 1, { step: -0.1 })).toThrow('float(0, 1): expected step >= 0, found -0.1');
    expect(() => logFloat(0, 1)).toThrow('logFloat(0, 1): log-uniform needs low > 0, found 0');
    expect(() => choice([])).toThrow('choice(choices): expected at least one choice, found none');
  });

  it('a default must be one of the declared values', () => {
    expect(() => int(1, 10, { default: 20 })).toThrow('int(1, 10): default: expected an integer in [1, 10], found 20');
    expect(() => int(10, 20, { step: 5, default: 12 })).toThrow(/on a step of 5, found 12/);
    expect(() => float(0, 1, { step: 0.25, default: 0.3 })).toThrow(/default: expected a number in \[0, 1\] on a step of 0.25, found 0.3/);
    expect(() => choice(['a', 'b'], { default: 'c' as never })).toThrow('choice(choices): default: expected one of "a", "b", found "c"');
    expect(float(0, 1, { step: 0.1, default: 0.3 }).default).toBe(0.3);
  });

  it('when makes a declaration conditional and keeps its fields (and its default)', () => {
    const k = when('ma', ['kama', 'ema'], int(2, 10, { default: 4 }));
    expect(k).toEqual({ kind: 'int', low: 2, high: 10, step: 1, default: 4, when: { param: 'ma', in: ['kama', 'ema'] } });
    const values = ['x'];
    const c = when('m', values, choice([1, 2]));
    values.push('y');
    expect(c.when.in).toEqual(['x']); // a copy, not the caller's array
    expect(() => when('', ['x'], int(1, 2))).toThrow('when(param, values, spec): expected a parameter name, found ""');
    expect(() => when('m', [], int(1, 2))).toThrow("when('m', values, spec): expected at least one value, found []");
  });
});
