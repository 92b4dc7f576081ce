import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeBars, sliceBars, type Bars } from '../../lib/core';
import { BUILTIN_STRATEGIES, fromUnit, strategyTargets, type ParamSpace } from '../../lib/strategy';
import { btc1h } from '../helpers/datasets';

/** Bars equal to `bars` up to and including t, scrambled after it (prices scaled by a random walk). */
function scrambleAfter(bars: Bars, t: number, seed: number): Bars {
  let s = seed >>> 0 || 7;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  let k = 1;
  const scale = Float64Array.from(bars.close, (_, i) => (i <= t ? 1 : (k *= 1 + (rnd() - 0.5) * 0.1)));
  const m = (x: Float64Array) => Float64Array.from(x, (v, i) => v * scale[i]!);
  return makeBars({ ts: bars.ts, open: m(bars.open), high: m(bars.high), low: m(bars.low), close: m(bars.close), volume: Float64Array.from(bars.volume, (v, i) => (i <= t ? v : v * 3)) }, bars.symbol, bars.timeframe);
}

const base = sliceBars(btc1h(), 20_000, 23_000);

describe.each(BUILTIN_STRATEGIES.map((s) => [s.name, s] as const))('%s cannot see the future', (_name, strategy) => {
  it('changing bars after t never changes targets at or before t (vector and decide forms, random params)', () => {
    const space = strategy.params as ParamSpace;
    const paramsArb = fc
      .array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: Object.keys(space).length, maxLength: Object.keys(space).length })
      .map((us) => Object.fromEntries(Object.entries(space).map(([k, spec], i) => [k, fromUnit(spec, us[i]!)])))
      .filter((p) => {
        try {
          strategy.resolveParams(p);
          return true;
        } catch {
          return false;
        }
      });
    fc.assert(
      fc.property(paramsArb, fc.integer({ min: 300, max: 2900 }), fc.integer(), (params, t, seed) => {
        const other = scrambleAfter(base, t, seed);
        for (const useDecide of [false, true]) {
          const a = strategyTargets(strategy, base, params, { useDecide });
          const b = strategyTargets(strategy, other, params, { useDecide });
          for (let i = 0; i <= t; i++) if (!Object.is(a[i], b[i])) throw new Error(`target ${i} changed (${a[i]} -> ${b[i]}) with params ${JSON.stringify(params)}`);
        }
      }),
      { numRuns: 25 },
    );
  });
  it('the check itself can fail: scrambling the past does change targets', () => {
    const a = strategyTargets(strategy, base, {});
    const b = strategyTargets(strategy, scrambleAfter(base, -1, 3), {});
    expect(a.some((x, i) => !Object.is(x, b[i]))).toBe(true);
  });
});
