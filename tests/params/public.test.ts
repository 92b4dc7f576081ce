import { describe, expect, it } from 'vitest';
import * as ql from '../../lib';
import * as params from '../../lib/params';

describe("the public names ('quantlab')", () => {
  it('ql.int, ql.float, ql.logFloat, ql.choice, ql.when, ql.range, ql.paramsKey … are the lib/params functions', () => {
    for (const name of ['int', 'float', 'logFloat', 'choice', 'when', 'range', 'paramsKey', 'checkSpace', 'gridPoints', 'gridValues', 'paramError', 'describeParam', 'defaultValue', 'parseParamText', 'fromUnit'] as const) {
      expect(ql[name], name).toBe(params[name]);
    }
    expect(ql.resolveParams).toBeTypeOf('function');
    expect(ql.optimizer.when).toBe(params.when);
    expect(ql.optimizer.paramsKey).toBe(params.paramsKey);
  });

  it('a notebook grid reads as written in the README', () => {
    const grid = { fast: ql.range(2, 50), slow: ql.range(10, 200, 2) };
    expect(grid.fast).toHaveLength(49);
    expect(grid.slow.slice(0, 3)).toEqual([10, 12, 14]);
    const space = { fast: ql.choice(grid.fast), slow: ql.choice(grid.slow) };
    expect(ql.gridPoints(space, (p) => (p.fast as number) < (p.slow as number))).toHaveLength(4263);
  });
});
