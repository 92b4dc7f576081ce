import { describe, expect, it } from 'vitest';
import { EXIT_REASONS, simulate, simulateSummary, type SimOptions } from '../../lib/backtest';
import { makeBars, QuantlabError } from '../../lib/core';

/** Bars from [open, high, low, close] rows, hourly from 2024-01-01. */
function bars(rows: number[][], volume = 1000) {
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

describe('all-in fee convention (documented in simulate)', () => {
  it('an entry of all cash buys cash / (price·(1 + fee)) units; an exit sells for units·price·(1 − fee)', () => {
    const b = flat([100, 110, 120, 130]);
    const r = simulate(b, T(1, N, 0, N), { fill: 'close', fee: 0.01, cash: 1000 });
    const units = 1000 / (100 * 1.01);
    expect(r.orders.units[0]).toBeCloseTo(units, 12);
    expect(r.orders.units[1]).toBeCloseTo(-units, 12);
    expect(r.finalEquity).toBeCloseTo(units * 120 * 0.99, 9);
    expect(r.trades.length).toBe(1);
    expect(r.trades.pnl[0]).toBeCloseTo(units * 120 * 0.99 - 1000, 9);
    // return = pnl / (entry notional + entry fee) = final / initial − 1 for an all-in round trip
    expect(r.trades.returns[0]).toBeCloseTo(r.finalEquity / 1000 - 1, 12);
    expect(r.commissions).toBeCloseTo(units * 100 * 0.01 + units * 120 * 0.01, 9);
  });
  it('a fixed fee comes off the cash before sizing', () => {
    const r = simulate(flat([100, 100]), T(1, N), { fill: 'close', fee: 0.001, fixedFee: 5, cash: 1000 });
    expect(r.orders.units[0]).toBeCloseTo(995 / (100 * 1.001), 12);
    expect(r.orders.fee[0]).toBeCloseTo((995 / 100.1) * 100 * 0.001 + 5, 12);
  });
  it('a position open at the end is marked to market without an exit fee', () => {
    const r = simulate(flat([100, 150]), T(1, N), { fill: 'close', fee: 0.01, cash: 1000 });
    const units = 1000 / 101;
    expect(r.finalEquity).toBeCloseTo(units * 150, 9);
    expect(EXIT_REASONS[r.trades.exitReason[0]!]).toBe('end');
    expect(r.trades.fees[0]).toBeCloseTo(units * 100 * 0.01, 9);
    expect(r.orders.length).toBe(1);
  });
});

describe('fill timing', () => {
  const b = bars([
    [100, 100, 100, 101],
    [102, 103, 101, 103],
    [104, 105, 103, 105],
  ]);
  it("'next-open' fills bar t's target at bar t+1's open", () => {
    const r = simulate(b, T(1, N, N), { fee: 0, cash: 1000 });
    expect(r.orders.bar[0]).toBe(1);
    expect(r.orders.price[0]).toBe(102);
    expect(r.finalEquity).toBeCloseTo((1000 / 102) * 105, 9);
  });
  it("'close' fills at the signal bar's close", () => {
    const r = simulate(b, T(1, N, N), { fill: 'close', fee: 0, cash: 1000 });
    expect(r.orders.bar[0]).toBe(0);
    expect(r.orders.price[0]).toBe(101);
  });
  it('a target on the last bar never fills under next-open', () => {
    expect(simulate(b, T(N, N, 1), { cash: 1000 }).orders.length).toBe(0);
  });
});

describe('targets and orders', () => {
  it('a target equal to the previous target places no order; NaN keeps the position', () => {
    const b = flat([100, 120, 90, 100]);
    const r = simulate(b, T(1, 1, N, 1), { fill: 'close', fee: 0 });
    expect(r.orders.length).toBe(1);
  });
  it('rebalance trades back to the target on every finite target', () => {
    const b = flat([100, 120, 90, 100]);
    const r = simulate(b, T(0.5, 0.5, N, 0.5), { fill: 'close', fee: 0, rebalance: true });
    expect(r.orders.length).toBe(3); // bar 0 entry, bar 1 sell drift, bar 3 buy drift; bar 2 keeps
    for (const t of [0, 1, 3]) expect((r.position[t]! * b.close[t]!) / r.equity[t]!).toBeCloseTo(0.5, 12);
  });
  it('rebalance sends no dust order for the rounding residue of the last fill', () => {
    // from −0.3 units to 0.1: −0.3 + (0.1 − (−0.3)) is 0.10000000000000003 in floating point
    const b = flat([100, 100, 100, 100]);
    const r = simulate(b, T(-0.3, 0.1, 0.1, 0.1), { fill: 'close', fee: 0, rebalance: true, sizing: { mode: 'units', amount: 1 } });
    expect(r.orders.length).toBe(2);
    expect(r.position[3]).toBeCloseTo(0.1, 15);
    // percent: flat prices, no fee — the held notional equals the wanted one up to rounding
    // (at 0.37 a rebalance to 10 % sent 3e-13-unit orders on each later bar)
    const p = simulate(flat([0.37, 0.37, 0.37, 0.37]), T(0.3, 0.1, 0.1, 0.1), { fill: 'close', fee: 0, rebalance: true });
    expect(p.orders.length).toBe(2);
  });
  it('after a stop-out the position stays flat until the target changes', () => {
    const b = bars([
      [100, 100, 100, 100],
      [100, 100, 90, 95], // stop at 98
      [95, 96, 94, 96],
      [96, 97, 95, 97],
    ]);
    const r = simulate(b, T(1, 1, 1, 1), { fill: 'close', fee: 0, stopLoss: 0.02 });
    expect(r.trades.length).toBe(1);
    expect(EXIT_REASONS[r.trades.exitReason[0]!]).toBe('stop-loss');
    expect(r.trades.exitPrice[0]).toBeCloseTo(98, 12);
    expect(r.position[3]).toBe(0);
  });
  it('shorts: negative targets, a flip closes and reopens in one order', () => {
    const b = flat([100, 80, 100]);
    const r = simulate(b, T(-1, 1, N), { fill: 'close', fee: 0, cash: 1000 });
    expect(r.trades.length).toBe(2);
    expect(r.trades.side[0]).toBe(-1);
    expect(r.trades.pnl[0]).toBeCloseTo(10 * 20, 9); // 10 units short from 100 to 80
    expect(r.orders.length).toBe(2);
    expect(r.finalEquity).toBeCloseTo(1200 * (100 / 80), 9);
  });
  it("direction 'long' turns short targets into flat", () => {
    const r = simulate(flat([100, 80, 100]), T(-1, 1, N), { fill: 'close', fee: 0, direction: 'long' });
    expect(r.trades.length).toBe(1);
    expect(r.trades.side[0]).toBe(1);
  });
  it('leverage multiplies the exposure', () => {
    const r = simulate(flat([100, 110]), T(1, N), { fill: 'close', fee: 0, leverage: 3, cash: 1000 });
    expect(r.position[0]).toBeCloseTo(30, 12);
    expect(r.finalEquity).toBeCloseTo(1300, 9);
  });
});

describe('stops inside the bar', () => {
  const entry = [100, 100, 100, 100];
  it('a gap through the stop fills at the open', () => {
    const b = bars([entry, [90, 92, 88, 91]]);
    const r = simulate(b, T(1, N), { fill: 'close', fee: 0, stopLoss: 0.05 });
    expect(r.trades.exitPrice[0]).toBe(90);
  });
  it('take-profit fills at its level, gapped take-profit at the open', () => {
    const b = bars([entry, [101, 106, 100, 104]]);
    expect(simulate(b, T(1, N), { fill: 'close', fee: 0, takeProfit: 0.05 }).trades.exitPrice[0]).toBeCloseTo(105, 12);
    const g = bars([entry, [107, 108, 106, 107]]);
    expect(simulate(g, T(1, N), { fill: 'close', fee: 0, takeProfit: 0.05 }).trades.exitPrice[0]).toBe(107);
  });
  it('a bar touching both is pessimistic by default and reports the optimistic equity beside it', () => {
    const b = bars([entry, [100, 106, 94, 100]]);
    const r = simulate(b, T(1, N), { fill: 'close', fee: 0, stopLoss: 0.05, takeProfit: 0.05, cash: 1000 });
    expect(EXIT_REASONS[r.trades.exitReason[0]!]).toBe('stop-loss');
    expect(r.ambiguousTrades).toBe(1);
    expect(r.finalEquity).toBeCloseTo(950, 9);
    expect(r.pessimisticFinalEquity).toBeCloseTo(950, 9);
    expect(r.optimisticFinalEquity).toBeCloseTo(1050, 9);
    const o = simulate(b, T(1, N), { fill: 'close', fee: 0, stopLoss: 0.05, takeProfit: 0.05, cash: 1000, intrabar: 'optimistic' });
    expect(o.finalEquity).toBeCloseTo(1050, 9);
    expect(o.pessimisticFinalEquity).toBeCloseTo(950, 9);
  });
  it('trailing stop follows the highs of earlier bars', () => {
    const b = bars([entry, [100, 120, 100, 118], [118, 119, 107, 110]]);
    const r = simulate(b, T(1, N, N), { fill: 'close', fee: 0, trailingStop: 0.1 });
    expect(EXIT_REASONS[r.trades.exitReason[0]!]).toBe('trailing-stop');
    expect(r.trades.exitPrice[0]).toBeCloseTo(108, 12); // 120 · 0.9
  });
  it('ATR stops use the ATR at the signal bar', () => {
    const b = bars([entry, [100, 101, 93, 95]]);
    const r = simulate(b, T(1, N), { fill: 'close', fee: 0, stopLoss: { atr: 2 } }, { atr: T(3, 50) });
    expect(r.trades.exitPrice[0]).toBeCloseTo(94, 12);
  });
  it('stops pay slippage, take-profits do not', () => {
    const b = bars([entry, [100, 100, 90, 95]]);
    const r = simulate(b, T(1, N), { fill: 'close', fee: 0, slippage: 10, stopLoss: 0.05 });
    expect(r.orders.price[0]).toBeCloseTo(100 * 1.001, 12);
    // the stop sits 5 % under the slipped entry price, and its fill slips again
    expect(r.trades.exitPrice[0]).toBeCloseTo(100 * 1.001 * 0.95 * 0.999, 12);
  });
});

describe('leverage, liquidation and funding', () => {
  it('liquidation at the maintenance margin is the exit reason', () => {
    // 5x long from 100: cash −4000 on 50 units; equity = −4000 + 50P = 0.05·50P  =>  P = 4000 / 47.5
    const b = bars([[100, 100, 100, 100], [100, 100, 80, 85]]);
    const r = simulate(b, T(1, N), { fill: 'close', fee: 0, leverage: 5, maintenanceMargin: 0.05, cash: 1000 });
    expect(EXIT_REASONS[r.trades.exitReason[0]!]).toBe('liquidation');
    expect(r.trades.exitPrice[0]).toBeCloseTo(4000 / 47.5, 9);
    expect(r.liquidations).toBe(1);
    expect(r.finalEquity).toBeCloseTo(0.05 * 50 * (4000 / 47.5), 9);
  });
  it('a constant funding rate is charged at each 8h boundary inside a bar', () => {
    const closes = Array(10).fill(100);
    const r = simulate(flat(closes), T(1, N, N, N, N, N, N, N, N, N), { fill: 'close', fee: 0, cash: 1000, funding: { rate: 0.001 } });
    // bars open 00:00..09:00; the 08:00 boundary is the close of the 07:00 bar
    expect(r.funding).toBeCloseTo(1000 * 0.001, 12);
    expect(r.finalEquity).toBeCloseTo(999, 12);
    const s = simulate(flat(closes), T(-1, N, N, N, N, N, N, N, N, N), { fill: 'close', fee: 0, cash: 1000, funding: { rate: 0.001 } });
    expect(s.finalEquity).toBeCloseTo(1001, 12); // shorts receive
  });
  it('a funding series is charged at each bar close', () => {
    // funding at a close is charged before that close's fill: the entry at bar 0's close pays from bar 1 on
    const r = simulate(flat([100, 100, 100]), T(1, N, N), { fill: 'close', fee: 0, cash: 1000, funding: { rates: [0.01, NaN, 0.02] } });
    expect(r.funding).toBeCloseTo(1000 * 0.02, 12);
    expect(r.trades.funding[0]).toBeCloseTo(20, 12);
    const o = simulate(flat([100, 100, 100]), T(1, N, N), { fee: 0, cash: 1000, funding: { rates: [0.01, 0.03, 0.02] } });
    expect(o.funding).toBeCloseTo(1000 * 0.03 + 1000 * 0.02, 12); // next-open entry at bar 1's open
  });
});

describe('sizing modes and rounding', () => {
  const b = flat([100, 100]);
  const one = (o: SimOptions) => simulate(b, T(1, N), { fill: 'close', fee: 0, cash: 1000, ...o }).position[0];
  it('cash, units, risk and kelly', () => {
    expect(one({ sizing: { mode: 'cash', amount: 250 } })).toBeCloseTo(2.5, 12);
    expect(one({ sizing: { mode: 'units', amount: 0.7 } })).toBeCloseTo(0.7, 12);
    // risk 1 % of 1000 with a 2 % stop (2 per unit) => 5 units
    expect(one({ sizing: { mode: 'risk', risk: 0.01, stop: 0.02 } })).toBeCloseTo(5, 12);
    // capped at leverage × equity
    expect(one({ sizing: { mode: 'risk', risk: 0.5, stop: 0.02 } })).toBeCloseTo(10, 12);
    // half Kelly with W 0.6, R 2: 0.5·(0.6 − 0.4/2) = 0.2
    expect(one({ sizing: { mode: 'kelly', fraction: 0.5, winRate: 0.6, payoff: 2 } })).toBeCloseTo(2, 12);
  });
  it('lot size rounds down, min notional skips small orders', () => {
    expect(one({ lotSize: 0.3 })).toBeCloseTo(9.9, 12);
    expect(simulate(b, T(0.001, N), { fill: 'close', minNotional: 10, cash: 1000 }).orders.length).toBe(0);
  });
  it('volume-share slippage grows with the order', () => {
    const r = simulate(bars([[100, 100, 100, 100], [100, 100, 100, 100]], 100), T(1, N), { fill: 'close', fee: 0, cash: 1000, slippage: { volumeImpact: 0.1 } });
    // order ≈ 10 units of 100 volume -> 0.1·0.1 = 1 % slippage
    expect(r.orders.price[0]).toBeCloseTo(101, 12);
  });
});

describe('results and errors', () => {
  it('Σ trade pnl = final equity − initial cash', () => {
    const b = flat([100, 120, 90, 130, 125, 140]);
    const r = simulate(b, T(1, 0.5, -1, 1, 0, 1), { fill: 'close', fee: 0.002, fixedFee: 1, cash: 1000, rebalance: true });
    expect(r.trades.pnl.reduce((s, x) => s + x, 0)).toBeCloseTo(r.finalEquity - 1000, 9);
  });
  it('summary equals the full result', () => {
    const b = flat([100, 120, 90, 130, 125, 140]);
    const tg = T(1, N, 0, -1, N, 0);
    const s = simulateSummary(b, tg, { fill: 'close' });
    const r = simulate(b, tg, { fill: 'close' });
    expect(s.finalEquity).toBe(r.finalEquity);
    expect(s.trades).toBe(r.trades.length);
  });
  it('bad options name the option, the expectation and the value', () => {
    const b = flat([100, 100]);
    const bad = (o: unknown) => () => simulate(b, T(1, N), o as SimOptions);
    expect(bad({ fee: 2 })).toThrow("backtest option 'fee': expected a number in [0, 0.5], found 2");
    expect(bad({ fill: 'open' })).toThrow("backtest option 'fill': expected 'next-open' or 'close', found 'open'");
    expect(bad({ feee: 0.1 })).toThrow(/'feee'/);
    expect(bad({ stopLoss: -1 })).toThrow(/stopLoss/);
    expect(bad({ sizing: { mode: 'risk', risk: 0.01 } })).toThrow(/sizing.stop/);
    expect(bad({ stopLoss: { atr: 2 } })).toThrow(/needs an ATR series/);
    expect(() => simulate(b, T(1), {})).toThrow(/1 targets, expected 2/);
    expect(() => simulate(b, T(Infinity, N), {})).toThrow(QuantlabError);
  });
});
