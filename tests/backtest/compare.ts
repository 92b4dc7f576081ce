/** The engine-vs-reference comparison shared by the backtest property tests. */
import { EXIT_REASONS, type SimResult } from '../../lib/backtest';
import { near } from './arbitraries';
import type { RefResult } from './reference';

export const TOL = 1e-9;

/**
 * The scale fees are compared at: a thousandth of the order's notional (so 1e-9 of it is ~1e-12 of the
 * notional). A fee the reference waives (0, a liquidation at the margin) may come out of the engine's
 * arithmetic as a rounding residue of the notional (3.6e-12 on a 27,700 position), which is no disagreement.
 */
const feeScale = (units: number, price: number): number => Math.max(1e-9, Math.abs(units * price) * 1e-3);

/** Describes the first disagreement between the engine and the reference, or returns null. */
export function compare(got: SimResult, want: RefResult, cash: number): string | null {
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
    if (!near(o.units[i]!, w.units, TOL, 1e-12) || !near(o.price[i]!, w.price, TOL) || !near(o.fee[i]!, w.fee, TOL, feeScale(w.units, w.price))) return `order ${i} ${o.units[i]} @ ${o.price[i]} fee ${o.fee[i]} vs ${JSON.stringify(w)}`;
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
      near(tr.fees[i]!, w.fees, TOL, feeScale(w.size, w.entryPrice)),
      near(tr.funding[i]!, w.funding, TOL, 1e-9),
      near(tr.pnl[i]!, w.pnl, TOL, cash),
      near(tr.returns[i]!, w.ret, TOL, 1e-6),
    ];
    if (!ints.every(Boolean) || !floats.every(Boolean)) return `trade ${i}: ${JSON.stringify(w)} vs engine side ${tr.side[i]} bars ${tr.entryBar[i]}..${tr.exitBar[i]} pnl ${tr.pnl[i]} reason ${tr.exitReason[i]}`;
  }
  if (got.ambiguousTrades !== want.ambiguous) return `ambiguous ${got.ambiguousTrades} vs ${want.ambiguous}`;
  if (got.liquidations !== want.liquidations) return `liquidations ${got.liquidations} vs ${want.liquidations}`;
  if (!near(got.commissions, want.commissions, TOL, 1e-9)) return `commissions ${got.commissions} vs ${want.commissions}`;
  if (got.resizedOrders !== want.resized || got.refusedOrders !== want.refused) return `resized/refused ${got.resizedOrders}/${got.refusedOrders} vs ${want.resized}/${want.refused}`;
  if (!near(got.absorbedLoss, want.absorbed, TOL, cash)) return `absorbed loss ${got.absorbedLoss} vs ${want.absorbed}`;
  return null;
}
