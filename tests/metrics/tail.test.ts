import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conditionalValueAtRisk, quantile, tailRisk, valueAtRisk } from '../../lib/metrics';

/** numpy's 'linear' quantile on a sorted copy. */
function sortedQuantile(x: number[], q: number): number {
  const a = [...x].sort((p, r) => p - r);
  const h = (a.length - 1) * q;
  const lo = Math.floor(h);
  return lo + 1 < a.length ? a[lo]! + (h - lo) * (a[lo + 1]! - a[lo]!) : a[lo]!;
}

describe('quantile, VaR, CVaR', () => {
  it('by hand on 1..20 / 100', () => {
    const r = Float64Array.from({ length: 20 }, (_, i) => (i + 1 - 10) / 100); // -0.09 .. 0.10
    // h = 19 * 0.05 = 0.95: -0.09 + 0.95 * 0.01 = -0.0805
    expect(quantile(r, 0.05)).toBeCloseTo(-0.0805, 15);
    expect(valueAtRisk(r)).toBeCloseTo(0.0805, 15);
    // only -0.09 is <= -0.0805
    expect(conditionalValueAtRisk(r)).toBeCloseTo(0.09, 15);
    expect(tailRisk(r)).toEqual({ var: valueAtRisk(r), cvar: conditionalValueAtRisk(r) });
  });
  it('equals the sort-based quantile on random samples (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, q) => {
          const got = quantile(Float64Array.from(xs), q);
          const want = sortedQuantile(xs, q);
          return Math.abs(got - want) <= 1e-12;
        },
      ),
      { numRuns: 500 },
    );
  });
  it('does not reorder its input', () => {
    const r = Float64Array.of(3, 1, 2);
    quantile(r, 0.5);
    expect(Array.from(r)).toEqual([3, 1, 2]);
  });
});
