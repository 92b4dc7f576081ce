/**
 * Backtest–runner parity. The building blocks first (the runner's sizing and books against the simulator,
 * order by order on real data), then whole sessions: every built-in strategy run by the runner against the
 * replay exchange over HTTP (real ccxt), the server stepped bar by bar, must make the backtester's trades
 * on the same bars — in paper mode bit for bit, in live mode (real orders on the replay's USDT-M market,
 * flips sent as a reduce-only close and an opening order) to 1e-9 — with every bar's equity equal too.
 *
 * Convention: decide on bar t's close, fill at bar t+1's open ('next-open'); the replay exchange fills a market
 * order at the replayed price, which at a bar's open time is that bar's open. Backtest options: the runner's
 * execution options (fee 0.05 % = the replay's futures taker fee, lotSize 0.001 = its amount step, minNotional 5).
 */
import { describe, expect, it } from 'vitest';
import { simulate, type SimOptions } from '../../lib/backtest';
import { sliceBars } from '../../lib/core';
import { Ledger, tradeRowsOf } from '../../lib/live/ledger';
import { replaySession } from '../../lib/live/session';
import { runnerOptions, sizeTarget } from '../../lib/live/sizing';
import { BUILTIN_STRATEGIES, getStrategy, strategyTargets } from '../../lib/strategy';
import { btc1h } from '../helpers/datasets';
import { ACTIVE_PARAMS, futuresWindow } from '../helpers/runner';

const OPTION_SETS: [string, SimOptions][] = [
  ['defaults (percent, fee 0.1 %)', {}],
  ['fee, slippage, lot size, min notional', { fee: 0.0005, slippage: 3, lotSize: 0.001, minNotional: 5 }],
  ['cash sizing, leverage 2, fixed fee', { sizing: { mode: 'cash', amount: 5000 }, leverage: 2, fixedFee: 1 }],
  ['units sizing, long only, rebalance', { sizing: { mode: 'units', amount: 0.3 }, direction: 'long', rebalance: true }],
  ['risk sizing with a 2 % stop distance', { sizing: { mode: 'risk', risk: 0.01, stop: 0.02 }, leverage: 3 }],
];

describe('the runner’s building blocks reproduce the simulator', () => {
  const bars = sliceBars(btc1h(), 40_000, 44_000);
  it.each(OPTION_SETS)('sizing, order by order: %s', (_n, opts) => {
    for (const name of ['sma-cross', 'sma-cross-ls', 'rsi-reversion']) {
      const tg = strategyTargets(getStrategy(name), bars, ACTIVE_PARAMS[name]!);
      const sim = simulate(bars, tg, opts);
      const o = runnerOptions(opts);
      const books = new Ledger(o.cash);
      let last = NaN;
      let k = 0;
      for (let t = 0; t + 1 < bars.ts.length; t++) {
        const s = sizeTarget(o, { cash: books.cash, position: books.position, lastTarget: last }, tg[t]!, bars.open[t + 1]!);
        if (s.applied === s.applied) last = s.applied;
        if (s.delta === 0) continue;
        // the simulator's k-th order, exactly
        expect([s.delta, s.price, s.fee, t + 1]).toEqual([sim.orders.units[k], sim.orders.price[k], sim.orders.fee[k], sim.orders.bar[k]]);
        books.apply({ ts: bars.ts[t + 1]!, barTs: bars.ts[t + 1]!, delta: s.delta, price: s.price, fee: s.fee, reason: 'signal' });
        k++;
      }
      expect(k).toBe(sim.orders.length);
      expect(k).toBeGreaterThan(20);
      // the books, fill by fill, give the simulator's trades and final equity
      const n = bars.ts.length;
      expect(books.tradesMarkedAt(bars.ts[n - 1]!, bars.close[n - 1]!)).toEqual(tradeRowsOf(sim.trades));
      expect(books.equity(bars.close[n - 1]!)).toBe(sim.finalEquity);
    }
  });
});

describe.each(BUILTIN_STRATEGIES.map((s) => [s.name] as const))('%s: runner against the replay exchange equals the backtest', (name) => {
  it.each(['paper', 'live'] as const)('%s session, trade for trade', async (mode) => {
    const bars = await futuresWindow(250);
    const s = await replaySession({ strategy: name, params: ACTIVE_PARAMS[name], bars, mode, warmup: 100 });
    expect(s.stopped).toBeUndefined();
    expect(s.parity.firstDifference).toBeUndefined();
    expect(s.parity.equal).toBe(true);
    expect(s.trades.length).toBeGreaterThanOrEqual(3); // not vacuous
    expect(s.trades.length).toBe(s.backtestTrades.length);
    expect(s.report.summary.bars).toBe(149); // bars 100 … 248 traded (the last bar has no next open to fill at)
    if (mode === 'paper') {
      expect(s.trades).toEqual(s.backtestTrades); // bit for bit
      expect(Array.from(s.equity.run)).toEqual(Array.from(s.equity.backtest));
      expect(s.exchangeOrderIds).toEqual([]); // paper orders never reach the exchange
    } else {
      for (let i = 0; i < s.trades.length; i++) {
        const a = s.trades[i]!;
        const b = s.backtestTrades[i]!;
        expect([a.side, a.entryTs, a.exitTs, a.exitReason, a.size]).toEqual([b.side, b.entryTs, b.exitTs, b.exitReason, b.size]);
        expect(a.entryPrice).toBe(b.entryPrice); // filled at the bar's open
        expect(a.exitPrice).toBe(b.exitPrice);
        expect(Math.abs(a.pnl - b.pnl)).toBeLessThan(1e-6);
      }
      expect(new Set(s.exchangeOrderIds).size).toBe(s.exchangeOrderIds.length); // no client order id twice
      expect(s.exchangeOrderIds.length).toBeGreaterThanOrEqual(s.trades.length);
    }
  });
});
