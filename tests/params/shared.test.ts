import { describe, expect, it } from 'vitest';
import * as params from '../../lib/params';
import * as space from '../../lib/optimizer/space';
import * as strategyParams from '../../lib/strategy/params';

// The point of lib/params: the strategy layer and the optimiser speak one vocabulary (the same functions,
// not two copies that could drift apart).
describe('one parameter vocabulary', () => {
  it('the strategy layer re-exports lib/params as it is', () => {
    for (const name of ['int', 'float', 'logFloat', 'choice', 'when', 'range', 'paramError', 'describeParam', 'gridValues', 'defaultValue', 'fromUnit', 'parseParamText', 'paramsKey'] as const) {
      expect(strategyParams[name], name).toBe(params[name]);
    }
  });

  it("the optimiser's space module re-exports it too, with its older names as aliases", () => {
    for (const name of ['int', 'when', 'checkSpace', 'gridPoints', 'gridSize', 'forEachGridPoint', 'paramsKey', 'paramsError', 'isActive', 'activeNames', 'constraintError', 'range'] as const) {
      expect(space[name], name).toBe(params[name]);
    }
    expect(space.declError).toBe(params.paramError);
    expect(space.describeDecl).toBe(params.describeParam);
    expect(space.gridValuesOf).toBe(params.gridValues);
    expect(space.declSize).toBe(params.valueCount);
  });

  it('a strategy declaration is a search space as it is: sampled values pass the strategy validation', () => {
    const decl = { fast: params.int(2, 50), slow: params.int(10, 200, { step: 2 }), w: params.float(0, 1, { step: 0.1 }), ma: params.choice(['sma', 'ema']) };
    params.checkSpace(decl);
    const r = { s: 12345, int: (n: number) => ((r.s = (r.s * 1103515245 + 12345) % 2 ** 31), r.s % n), next: () => ((r.s = (r.s * 1103515245 + 12345) % 2 ** 31), r.s / 2 ** 31) };
    for (let i = 0; i < 200; i++) {
      const p = space.sampleSpace(decl, r as never);
      expect(strategyParams.resolveParams('s', decl, p)).toEqual(p);
    }
  });

  it('fromInternal snaps onto exactly the values the grid lists (one lattice, not two)', () => {
    const s = params.float(0.05, 0.95, { step: 0.05 });
    for (const v of params.gridValues(s)) expect(space.fromInternal(s, (v as number) + 1e-7)).toBe(v);
  });
});
