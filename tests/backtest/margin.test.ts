/**
 * Margin rules of the simulator: no position worth more than leverage × equity after fees (orders cut or
 * refused, and counted), liquidation at the maintenance margin, and equity never below zero for a single
 * asset (the loss beyond the margin is the exchange's: fee waived, then the bankruptcy price). Planted cases
 * with hand-computed numbers, the leverage 50 / 125 / 1000 reports, and properties over leverage 1..125 with
 * random fees, gaps and maintenance margins where engine, fast kernel and reference simulator agree.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXIT_REASONS, MAX_LEVERAGE, simulate, simulateSummary, type SimOptions } from '../../lib/backtest';
import { makeBars, QuantlabError, type Bars } from '../../lib/core';
import { backtest, strategyTargets, getStrategy } from '../../lib/strategy';
import { sharedBars } from '../helpers/datasets';
import { fastMarginArb, gappyArb, marginOptionsArb, near, targetsArb } from './arbitraries';
import { compare } from './compare';
import { referenceSimulate } from './reference';

/** Bars from [open, high, low, close] rows, hourly from 2024-01-01. */
function bars(rows: number[][], volume = 1000): Bars {
  const n = rows.length;
  const col = (j: number) => rows.map((r) => r[j]!);
  return makeBars(
    { ts: Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * 3_600_000), open: col(0), high: col(1), low: col(2), close: col(3), volume: Array(n).fill(volume) },
    'TEST',
    '1h',
  );
}
const T = (...x: number[]) => Float64Array.from(x);
const N = NaN;
const flat = (closes: number[]) => bars(closes.map((c) => [c, c, c, c]));
const reason = (r: { trades: { exitReason: Uint8Array } }, i = 0) => EXIT_REASONS[r.trades.exitReason[i]!];
const minOf = (xs: ArrayLike<number>) => Math.min(...Array.from(xs));

describe('the leverage option', () => {
  it('accepts (0, 125] and refuses more with the option, the expected range and the value', () => {
    const b = flat([100, 100]);
    expect(MAX_LEVERAGE).toBe(125);
    expect(() => simulate(b, T(1, N), { leverage: 125 })).not.toThrow();
    expect(() => simulate(b, T(1, N), { leverage: 0.5 })).not.toThrow();
    for (const bad of [1000, 125.5, 0, -2, NaN, '10']) {
      let err: unknown;
      try {
        simulate(b, T(1, N), { leverage: bad as number });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(QuantlabError);
      expect((err as QuantlabError).code).toBe('BAD_ARGUMENT');
      expect((err as Error).message).toContain("backtest option 'leverage': expected a number in (0, 125] (125× is the exchange maximum), found ");
    }
    expect(() => simulate(b, T(1, N), { leverage: 1000 })).toThrow(/found 1000$/);
  });
});

describe('liquidation never leaves the account below zero (isolated margin)', () => {
  // 10× long at 100, fee 0.1 %: 10 000 / 101 units, cash 1000 − 10 000 · 100/101 − fee; equity 0 at exactly 90
  const units = 10_000 / 101;
  const opts: SimOptions = { fill: 'close', fee: 0.001, leverage: 10, cash: 1000 };
  it('at maintenance 0 the liquidation fee is waived (the exchange takes it): equity exactly 0', () => {
    const r = simulate(bars([[100, 100, 100, 100], [95, 96, 85, 88], [88, 120, 88, 120]]), T(1, N, N), opts);
    expect(r.orders.units[0]).toBeCloseTo(units, 10);
    expect(reason(r)).toBe('liquidation');
    expect(r.trades.exitPrice[0]).toBeCloseTo(90, 9);
    expect(r.orders.fee[1]).toBe(0);
    expect(r.absorbedLoss).toBeCloseTo(units * 90 * 0.001, 9); // the fee it could not pay
    expect(r.equity[1]).toBe(0);
    expect(r.finalEquity).toBe(0);
    expect(r.liquidations).toBe(1);
    expect(r.trades.pnl[0]).toBeCloseTo(-1000, 9); // the whole margin, not more
  });
  it('a gap through the liquidation level fills at the bankruptcy price; the gap beyond it is the exchange’s', () => {
    const b = bars([[100, 100, 100, 100], [80, 82, 70, 75]]);
    const r = simulate(b, T(1, N), opts);
    expect(reason(r)).toBe('liquidation');
    expect(r.trades.exitPrice[0]).toBeCloseTo(90, 9); // not the open at 80
    expect(r.orders.fee[1]).toBe(0);
    expect(r.absorbedLoss).toBeCloseTo(units * (90 - 80) + units * 80 * 0.001, 9);
    expect(r.finalEquity).toBe(0);
    const ref = referenceSimulate([{ bars: b, targets: T(1, N) }], opts);
    expect(ref.finalEquity).toBe(0);
    expect(ref.absorbed).toBeCloseTo(r.absorbedLoss, 9);
  });
  it('shorts too: a gap up through the level', () => {
    const r = simulate(bars([[100, 100, 100, 100], [130, 140, 125, 135]]), T(-1, N), opts);
    expect(reason(r)).toBe('liquidation');
    expect(r.finalEquity).toBe(0);
    expect(r.trades.pnl[0]).toBeCloseTo(-1000, 9);
  });
  it('a maintenance margin above the fee leaves the rest of the margin to the trader, nothing absorbed', () => {
    const r = simulate(bars([[100, 100, 100, 100], [100, 100, 80, 85]]), T(1, N), { ...opts, maintenanceMargin: 0.02 });
    // equity = 0.02 · position value at the level: c + u·L = 0.02·u·L
    const c = 1000 - units * 100 - units * 100 * 0.001;
    const L = -c / (units * 0.98);
    expect(r.trades.exitPrice[0]).toBeCloseTo(L, 9);
    expect(r.finalEquity).toBeCloseTo(0.02 * units * L - units * L * 0.001, 9);
    expect(r.absorbedLoss).toBe(0);
  });
  it('a bar opening beyond the level liquidates before that bar’s next-open order is sized', () => {
    const b = bars([[100, 100, 100, 100], [100, 100, 100, 100], [80, 82, 70, 75], [75, 76, 74, 75]]);
    const r = simulate(b, T(1, N, -1, N), { ...opts, fill: 'next-open' });
    expect(reason(r)).toBe('liquidation');
    expect(r.orders.bar[1]).toBe(2);
    expect(r.orders.length).toBe(2); // no short: equity 0 carries nothing
    expect(r.refusedOrders).toBe(1);
    expect(minOf(r.equity)).toBe(0);
  });
  it('once equity is 0 no further orders, in every sizing mode', () => {
    // each sizing asks for ≥ 10× equity at the first bar (the cap cuts cash and units orders to it), the second
    // bar liquidates, then three new targets find equity 0: refused, no order
    const b = bars([[100, 100, 100, 100], [95, 96, 85, 88], [88, 89, 87, 88], [88, 89, 87, 88], [88, 89, 87, 88]]);
    const sizings: SimOptions['sizing'][] = [
      { mode: 'percent' },
      { mode: 'kelly', fraction: 1, winRate: 1, payoff: 2 },
      { mode: 'cash', amount: 1e6 },
      { mode: 'units', amount: 1e6 },
      { mode: 'risk', risk: 0.5, stop: 0.01 },
    ];
    for (const sizing of sizings) {
      const r = simulate(b, T(1, N, -1, 1, 0.5), { ...opts, sizing });
      const what = sizing!.mode;
      expect(r.liquidations, what).toBe(1);
      expect(r.orders.length, what).toBe(2);
      expect(r.refusedOrders, what).toBe(3);
      expect(r.resizedOrders, what).toBe(what === 'percent' || what === 'kelly' ? 0 : 1);
      expect(minOf(r.equity), what).toBe(0);
      expect(r.finalEquity, what).toBe(0);
    }
  });
  it('funding that takes all the margin liquidates at the close; the rest is the exchange’s', () => {
    const r = simulate(flat([100, 100, 100, 100]), T(1, N, N, N), { fill: 'close', fee: 0, leverage: 100, cash: 1000, funding: { rates: [NaN, 0.02, NaN, NaN] } });
    // 100 000 of position pays 2 000 of funding out of 1 000 of equity
    expect(r.funding).toBeCloseTo(1000, 9);
    expect(r.absorbedLoss).toBeCloseTo(1000, 9);
    expect(reason(r)).toBe('liquidation');
    expect(r.equity[1]).toBe(0);
    expect(r.finalEquity).toBe(0);
  });
});

describe('the margin cap on orders', () => {
  it('cash sizing beyond leverage × equity after fees is cut to it, and counted', () => {
    const r = simulate(flat([100, 100]), T(1, N), { fill: 'close', fee: 0.001, leverage: 2, cash: 1000, sizing: { mode: 'cash', amount: 5000 } });
    // N = 2 · (1000 − N · 0.001)
    const n = 2000 / 1.002;
    expect(r.position[0]! * 100).toBeCloseTo(n, 9);
    expect(r.resizedOrders).toBe(1);
    expect(r.refusedOrders).toBe(0);
  });
  it('risk sizing is capped the same way (a 0.3 % stop asks 3.3× equity at leverage 1)', () => {
    const r = simulate(flat([100, 100]), T(1, N), { fill: 'close', fee: 0.001, cash: 1000, sizing: { mode: 'risk', risk: 0.01, stop: 0.003 } });
    expect(r.position[0]! * 100).toBeCloseTo(1000 / 1.001, 9);
    expect(r.resizedOrders).toBe(1);
  });
  it('a percent target beyond ±1 holds ±leverage × equity', () => {
    const r = simulate(flat([100, 100, 100]), T(1.5, -3, N), { fill: 'close', fee: 0, leverage: 2, cash: 1000 });
    expect(r.position[0]).toBeCloseTo(20, 12);
    expect(r.position[1]).toBeCloseTo(-20, 12);
    expect(r.resizedOrders).toBe(2);
  });
  it('an order whose fixed fee is all the equity is refused', () => {
    const r = simulate(flat([100, 100]), T(1, N), { fill: 'close', fee: 0.001, fixedFee: 10, cash: 10 });
    expect(r.orders.length).toBe(0);
    expect(r.refusedOrders).toBe(1);
    expect(r.finalEquity).toBe(10);
  });
  it('a reduction the equity cannot pay for becomes a close (resized), floored at zero', () => {
    // 125× long, then the price falls to just above the liquidation level; a half-size target must pay fees it
    // cannot: it closes the position instead and the account ends at 0, never below
    const o: SimOptions = { fill: 'close', fee: 0.005, leverage: 125, cash: 1000 };
    const first = simulate(flat([100, 100]), T(1, N), o);
    const u = first.position[0]!;
    const cash = 1000 - u * 100 - first.orders.fee[0]!;
    const L = -cash / u; // equity 0
    const p = L * 1.0001;
    const r = simulate(bars([[100, 100, 100, 100], [p, p, p, p]]), T(1, 0.5), o);
    expect(r.orders.length).toBe(2);
    expect(r.orders.units[1]).toBeCloseTo(-u, 9);
    expect(r.resizedOrders).toBe(1);
    expect(r.absorbedLoss).toBeGreaterThan(0);
    expect(r.finalEquity).toBe(0);
  });
});

describe('the reported leverage cases (sma-cross on BTCUSDT 1h, default options)', () => {
  const b = sharedBars('binance_BTCUSDT_1h.csv');
  for (const leverage of [50, 125]) {
    it(`leverage ${leverage}: equity never below zero, liquidated at the margin, nothing after`, () => {
      const r = backtest('sma-cross', b, {}, { leverage });
      expect(minOf(r.equity)).toBeGreaterThanOrEqual(0);
      expect(r.finalEquity).toBeGreaterThanOrEqual(0);
      expect(r.liquidations).toBeGreaterThanOrEqual(1);
      expect(r.finalEquity).toBe(0); // maintenance 0: the first liquidation takes all of it
      expect(r.absorbedLoss).toBeGreaterThan(0);
      expect(r.orders.length).toBe(2);
      expect(r.refusedOrders).toBeGreaterThan(0);
      // the same with the reference simulator and the fast kernel
      const targets = strategyTargets(getStrategy('sma-cross'), b, {});
      const want = referenceSimulate([{ bars: b, targets }], { leverage });
      expect(compare(simulate(b, targets, { leverage }), want, 10_000)).toBeNull();
      expect(simulateSummary(b, targets, { leverage }).finalEquity).toBe(0);
    });
  }
  it('leverage 1000 is refused before anything runs', () => {
    expect(() => backtest('sma-cross', b, {}, { leverage: 1000 })).toThrow("backtest option 'leverage': expected a number in (0, 125] (125× is the exchange maximum), found 1000");
  });
});

// ---------------------------------------------------------------------------------------------------------
// properties: leverage 1..125, random fees, gaps and maintenance margins

/** The first bar whose equity is below zero, or null. */
const firstNegative = (eq: ArrayLike<number>): string | null => {
  for (let t = 0; t < eq.length; t++) if (!(eq[t]! >= 0)) return `equity[${t}] = ${eq[t]}`;
  return null;
};

describe('equity never goes below zero (property: leverage 1..125, random fees, gaps, maintenance margins)', () => {
  it('engine = reference, equity ≥ 0 at every bar in both, every order within the margin cap', () => {
    const arb = gappyArb.chain((w) => fc.record({ w: fc.constant(w), targets: targetsArb(w.bars.close.length), options: marginOptionsArb(w.bars.close.length) }));
    let liquidated = 0;
    let absorbed = 0;
    let resized = 0;
    let refused = 0;
    fc.assert(
      fc.property(arb, ({ w, targets, options }) => {
        const got = simulate(w.bars, targets, options, { atr: w.atr });
        const want = referenceSimulate([{ bars: w.bars, targets, atr: w.atr }], options);
        const neg = firstNegative(got.equity) ?? firstNegative(want.equity);
        if (neg) throw new Error(`lev ${options.leverage}: ${neg}`);
        const diff = compare(got, want, options.cash ?? 10_000);
        if (diff) throw new Error(`lev ${options.leverage}: ${diff}`);
        if (options.fill === 'close') {
          // a close fill is the bar's last event: the position after it is worth at most leverage × the equity left
          const lev = options.leverage!;
          const o = got.orders;
          for (let i = 0; i < o.length; i++) {
            const t = o.bar[i]!;
            if (EXIT_REASONS[o.reason[i]!] !== 'signal' || (i + 1 < o.length && o.bar[i + 1] === t)) continue;
            const u = got.position[t]!;
            const after = got.equity[t]! + u * (o.price[i]! - w.bars.close[t]!);
            if (Math.abs(u) * o.price[i]! > lev * after * (1 + 1e-9) + 1e-9) throw new Error(`order ${i} at bar ${t}: ${Math.abs(u) * o.price[i]!} > ${lev} × ${after}`);
          }
        }
        if (got.liquidations) liquidated++;
        if (got.absorbedLoss > 0) absorbed++;
        if (got.resizedOrders) resized++;
        if (got.refusedOrders) refused++;
      }),
      { numRuns: 300 },
    );
    // the properties exercised what they are about
    expect(liquidated).toBeGreaterThan(30);
    expect(absorbed).toBeGreaterThan(10);
    expect(resized).toBeGreaterThan(30);
    expect(refused).toBeGreaterThan(10);
  });

  it('fast kernel = engine (final equity exactly, trades, counts), equity ≥ 0', () => {
    const arb = gappyArb.chain((w) => fc.record({ w: fc.constant(w), targets: targetsArb(w.bars.close.length), options: fastMarginArb }));
    fc.assert(
      fc.property(arb, ({ w, targets, options }) => {
        const fast = simulateSummary(w.bars, targets, options);
        const full = simulate(w.bars, targets, options);
        const slow = simulateSummary(w.bars, targets, { ...options, stopLoss: 10 });
        if (fast.finalEquity !== full.finalEquity) throw new Error(`lev ${options.leverage}: final ${fast.finalEquity} vs ${full.finalEquity}`);
        if (!(fast.finalEquity >= 0)) throw new Error(`negative final equity ${fast.finalEquity}`);
        const neg = firstNegative(full.equity);
        if (neg) throw new Error(neg);
        if (fast.trades !== full.trades.length) throw new Error(`trades ${fast.trades} vs ${full.trades.length}`);
        if (fast.resizedOrders !== full.resizedOrders || fast.refusedOrders !== full.refusedOrders) throw new Error(`counts ${fast.resizedOrders}/${fast.refusedOrders} vs ${full.resizedOrders}/${full.refusedOrders}`);
        if (fast.maxDrawdown !== slow.maxDrawdown || !near(fast.sharpe, slow.sharpe, 1e-9)) throw new Error(`dd/sharpe ${fast.maxDrawdown}/${fast.sharpe} vs ${slow.maxDrawdown}/${slow.sharpe}`);
        if (fast.exposure !== full.exposedBars / w.bars.close.length) throw new Error('exposure');
        const want = referenceSimulate([{ bars: w.bars, targets }], options);
        if (!near(fast.finalEquity, want.finalEquity, 1e-9, options.cash ?? 10_000)) throw new Error(`reference ${want.finalEquity}`);
      }),
      { numRuns: 300 },
    );
  });
});
