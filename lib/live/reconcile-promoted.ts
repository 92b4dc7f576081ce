import type { PromotedStrategy } from './promote';
import { promotedStrategy } from './promoted';
import { reconcileSession, type ReconcileOptions, type ReconcileReport } from './reconcile';
import type { RunMode } from './runner';
import { statePath } from './setup';
import { openStateReadonly, stateNamespace } from './state-store-pg';

/** Reconciling a promoted folder's session: its state file (read-only) against a backtest of the bars it saw. */

export interface ReconcilePromotedOptions extends ReconcileOptions {
  /** which session: 'paper' (default) or 'live'. */
  mode?: RunMode;
  /** the session's state in PostgreSQL (a `postgres://` URL) instead of the folder's SQLite file. */
  state?: string;
}

/**
 * What a promoted folder's paper (or live) session did against a backtest of the same bars, trade by trade.
 * Works while the runner runs (the state file is opened read-only).
 * @example
 * import { promote, paperSession, reconcileText } from 'quantlab/live';
 * const p = await promote('sma-cross', { fast: 10, slow: 40 }, { symbol: 'BTC/USDT:USDT', timeframe: '1h', experimentsDir: 'experiments' });
 * await paperSession({ promoted: p, window: 300, dir: p.dir }); // the session's state goes into the promoted folder
 * const r = await reconcilePromoted(p);
 * typeof reconcileText(r) // 'string'
 */
export async function reconcilePromoted(promoted: PromotedStrategy | string, o: ReconcilePromotedOptions = {}): Promise<ReconcileReport> {
  const dir = typeof promoted === 'string' ? promoted : promoted.dir;
  const { strategy, params, config } = await promotedStrategy(dir);
  const mode = o.mode ?? 'paper';
  const store = openStateReadonly({ file: statePath(dir, mode), state: o.state, ns: stateNamespace(config.name, mode) });
  try {
    return reconcileSession(strategy, params, config, store, o);
  } finally {
    store.close();
  }
}
