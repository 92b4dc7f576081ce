import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate, simulatePortfolio, simulateSummary, type SimOptions } from '../../lib/backtest';
import { sliceBars } from '../../lib/core';
import { BUILTIN_STRATEGIES, fromUnit, strategyTargets, type ParamSpace } from '../../lib/strategy';
import { sharedBars } from '../helpers/datasets';
import { fastOptionsArb, near, optionsArb, targetsArb, windowArb, type Window } from './arbitraries';
import { compare, TOL } from './compare';
import { referenceSimulate, type RefAsset } from './reference';

const caseArb = windowArb(1200).chain((w: Window) =>
  fc.record({ w: fc.constant(w), targets: targetsArb(w.bars.close.length), options: optionsArb(w.bars.close.length) }),
);

describe('engine equals the reference simulator (property, real data)', () => {
  it('equity 1e-9 relative, identical orders and trades, any options', () => {
    fc.assert(
      fc.property(caseArb, ({ w, targets, options }) => {
        const got = simulate(w.bars, targets, options, { atr: w.atr });
        const want = referenceSimulate([{ bars: w.bars, targets, atr: w.atr }], options);
        const diff = compare(got, want, options.cash ?? 10_000);
        if (diff) throw new Error(diff);
        const other = referenceSimulate([{ bars: w.bars, targets, atr: w.atr }], options, true).finalEquity;
        const [pess, opt] = options.intrabar === 'optimistic' ? [other, want.finalEquity] : [want.finalEquity, other];
        if (!near(got.pessimisticFinalEquity, pess, TOL, 1) || !near(got.optimisticFinalEquity, opt, TOL, 1)) throw new Error('pessimistic/optimistic final equity');
      }),
      { numRuns: 400 },
    );
  });

  it('multi-asset portfolios with one shared cash balance', () => {
    const arb = fc
      .record({ a: windowArb(800), other: fc.constantFrom('binance_ETHUSDT_1h.csv', 'binance_SOLUSDT_1h.csv'), k: fc.integer({ min: 2, max: 3 }) })
      .chain(({ a, k }) => {
        const n = a.bars.close.length;
        return fc.record({
          w: fc.constant(a),
          k: fc.constant(k),
          targets: fc.array(targetsArb(n), { minLength: k, maxLength: k }),
          options: optionsArb(n).map((o) => ({ ...o, funding: o.funding && 'rates' in o.funding ? undefined : o.funding })),
        });
      });
    fc.assert(
      fc.property(arb, ({ w, k, targets, options }) => {
        // k aligned assets: the same window scaled differently stands in for other markets
        const assets: RefAsset[] = Array.from({ length: k }, (_, i) => {
          const s = 1 + i * 0.37;
          const b = w.bars;
          const bars = i === 0 ? b : { ...b, symbol: `X${i}`, open: b.open.map((x) => x * s), high: b.high.map((x) => x * s), low: b.low.map((x) => x * s), close: b.close.map((x, j) => x * s * (1 + 0.01 * Math.sin(j + i))) };
          // keep OHLC consistent after the perturbation of close
          const hi = bars.high.map((h, j) => Math.max(h, bars.close[j]!));
          const lo = bars.low.map((l, j) => Math.min(l, bars.close[j]!));
          return { bars: { ...bars, high: hi, low: lo }, targets: targets[i]!.map((x) => x / k), atr: w.atr.map((x) => x * s) };
        });
        const got = simulatePortfolio(assets.map((a) => ({ bars: a.bars, targets: a.targets as Float64Array, atr: a.atr as Float64Array })), options);
        const want = referenceSimulate(assets, options);
        const diff = compare(got, want, options.cash ?? 10_000);
        if (diff) throw new Error(diff);
      }),
      { numRuns: 120 },
    );
  });

  it('the fast summary kernel equals the engine (final equity, trades, exposure, drawdown exactly; Sharpe to 1e-9)', () => {
    const arb = windowArb(3000).chain((w) => fc.record({ w: fc.constant(w), targets: targetsArb(w.bars.close.length), options: fastOptionsArb }));
    fc.assert(
      fc.property(arb, ({ w, targets, options }) => {
        const fast = simulateSummary(w.bars, targets, options);
        // force the engine path with an option outside the fast domain that never triggers (a 1000 % stop)
        const slow = simulateSummary(w.bars, targets, { ...options, stopLoss: 10 } as SimOptions);
        const full = simulate(w.bars, targets, options);
        if (fast.finalEquity !== full.finalEquity) throw new Error(`final ${fast.finalEquity} vs ${full.finalEquity}`);
        if (fast.trades !== full.trades.length || fast.trades !== slow.trades) throw new Error(`trades ${fast.trades} vs ${full.trades.length}`);
        if (!near(fast.sharpe, slow.sharpe, 1e-9) || fast.maxDrawdown !== slow.maxDrawdown) throw new Error(`sharpe/dd ${fast.sharpe}/${fast.maxDrawdown} vs ${slow.sharpe}/${slow.maxDrawdown}`);
        if (fast.exposure !== full.exposedBars / w.bars.close.length) throw new Error('exposure');
        if (fast.resizedOrders !== full.resizedOrders || fast.refusedOrders !== full.refusedOrders || slow.refusedOrders !== full.refusedOrders) {
          throw new Error(`resized/refused ${fast.resizedOrders}/${fast.refusedOrders} vs ${full.resizedOrders}/${full.refusedOrders}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('built-in strategies with random parameters and options equal the reference', () => {
  it('every built-in, random parameter sets, random options, real windows', () => {
    const arb = fc
      .record({
        w: windowArb(2500),
        s: fc.constantFrom(...BUILTIN_STRATEGIES),
        us: fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 3, maxLength: 3 }),
      })
      .chain(({ w, s, us }) => fc.record({ w: fc.constant(w), s: fc.constant(s), us: fc.constant(us), options: optionsArb(w.bars.close.length) }));
    let ran = 0;
    fc.assert(
      fc.property(arb, ({ w, s, us, options }) => {
        const params = Object.fromEntries(Object.entries(s.params as ParamSpace).map(([k, spec], i) => [k, fromUnit(spec, us[i]!)]));
        let targets: Float64Array;
        try {
          targets = strategyTargets(s, w.bars, params);
        } catch {
          return; // a parameter set the strategy's check rejects (e.g. fast >= slow)
        }
        ran++;
        const got = simulate(w.bars, targets, options, { atr: w.atr });
        const want = referenceSimulate([{ bars: w.bars, targets, atr: w.atr }], options);
        const diff = compare(got, want, options.cash ?? 10_000);
        if (diff) throw new Error(`${s.name} ${JSON.stringify(params)}: ${diff}`);
      }),
      { numRuns: 200 },
    );
    expect(ran).toBeGreaterThan(100);
  });
});

describe('simulate on a long real window equals the reference', () => {
  it('a year of BTCUSDT 1h with stops, leverage and funding', () => {
    const full = sliceBars(sharedBars('binance_BTCUSDT_1h.csv'), 50_000, 58_760);
    const n = full.close.length;
    const targets = Float64Array.from({ length: n }, (_, i) => (i % 97 === 0 ? 1 : i % 131 === 0 ? -1 : i % 61 === 0 ? 0 : NaN));
    const options: SimOptions = { fill: 'next-open', leverage: 3, maintenanceMargin: 0.01, stopLoss: 0.03, takeProfit: 0.05, trailingStop: 0.02, funding: { rate: 0.0001 } };
    const got = simulate(full, targets, options);
    const want = referenceSimulate([{ bars: full, targets }], options);
    expect(compare(got, want, 10_000)).toBeNull();
    expect(got.trades.length).toBeGreaterThan(50);
  });
});
