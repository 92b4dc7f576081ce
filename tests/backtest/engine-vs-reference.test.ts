import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXIT_REASONS, simulate, simulatePortfolio, simulateSummary, type SimOptions, type SimResult } from '../../lib/backtest';
import { sliceBars } from '../../lib/core';
import { BUILTIN_STRATEGIES, fromUnit, strategyTargets, type ParamSpace } from '../../lib/strategy';
import { sharedBars } from '../helpers/datasets';
import { fastOptionsArb, near, optionsArb, targetsArb, windowArb, type Window } from './arbitraries';
import { referenceSimulate, type RefAsset, type RefResult } from './reference';

const TOL = 1e-9;

/** Describes the first disagreement between the engine and the reference, or returns null. */
function compare(got: SimResult, want: RefResult, cash: number): string | null {
  const n = want.equity.length;
  for (let t = 0; t < n; t++) {
    if (!near(got.equity[t]!, want.equity[t]!, TOL, cash)) return `equity[${t}] ${got.equity[t]} vs ${want.equity[t]}`;
  }
  for (let a = 0; a < want.positions.length; a++) {
    for (let t = 0; t < n; t++) {
      if (!near(got.positions[a]![t]!, want.positions[a]![t]!, TOL, 1e-12)) return `position[${a}][${t}] ${got.positions[a]![t]} vs ${want.positions[a]![t]}`;
    }
  }
  if (got.orders.length !== want.fills.length) return `orders ${got.orders.length} vs ${want.fills.length}`;
  for (let i = 0; i < want.fills.length; i++) {
    const w = want.fills[i]!;
    const o = got.orders;
    if (o.bar[i] !== w.bar || o.asset[i] !== w.asset || EXIT_REASONS[o.reason[i]!] !== w.reason) return `order ${i} bar/asset/reason ${o.bar[i]}/${o.asset[i]}/${o.reason[i]} vs ${JSON.stringify(w)}`;
    if (!near(o.units[i]!, w.units, TOL, 1e-12) || !near(o.price[i]!, w.price, TOL) || !near(o.fee[i]!, w.fee, TOL, 1e-9)) return `order ${i} ${o.units[i]} @ ${o.price[i]} fee ${o.fee[i]} vs ${JSON.stringify(w)}`;
  }
  if (got.trades.length !== want.trades.length) return `trades ${got.trades.length} vs ${want.trades.length}`;
  const tr = got.trades;
  for (let i = 0; i < want.trades.length; i++) {
    const w = want.trades[i]!;
    const ints = [tr.asset[i] === w.asset, tr.side[i] === w.side, tr.entryBar[i] === w.entryBar, tr.exitBar[i] === w.exitBar, tr.barsHeld[i] === w.barsHeld, EXIT_REASONS[tr.exitReason[i]!] === w.reason];
    const floats = [
      near(tr.size[i]!, w.size, TOL, 1e-12),
      near(tr.entryPrice[i]!, w.entryPrice, TOL),
      near(tr.exitPrice[i]!, w.exitPrice, TOL),
      near(tr.fees[i]!, w.fees, TOL, 1e-9),
      near(tr.funding[i]!, w.funding, TOL, 1e-9),
      near(tr.pnl[i]!, w.pnl, TOL, cash),
      near(tr.returns[i]!, w.ret, TOL, 1e-6),
    ];
    if (!ints.every(Boolean) || !floats.every(Boolean)) return `trade ${i}: ${JSON.stringify(w)} vs engine side ${tr.side[i]} bars ${tr.entryBar[i]}..${tr.exitBar[i]} pnl ${tr.pnl[i]} reason ${tr.exitReason[i]}`;
  }
  if (got.ambiguousTrades !== want.ambiguous) return `ambiguous ${got.ambiguousTrades} vs ${want.ambiguous}`;
  if (got.liquidations !== want.liquidations) return `liquidations ${got.liquidations} vs ${want.liquidations}`;
  if (!near(got.commissions, want.commissions, TOL, 1e-9)) return `commissions ${got.commissions} vs ${want.commissions}`;
  return null;
}

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
