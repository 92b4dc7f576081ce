/**
 * Reconcile: a session against the backtest of the same bars, trade by trade, with every difference
 * explained from the session's record. Differences are made on purpose — the exchange fills 5 bps away
 * from the bar's open, the risk guard cuts orders, the exchange refuses an order — and each must be found,
 * measured (slippage from the fills themselves) and explained; an unchanged session must match exactly.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ExchangePortError, type ExchangePort } from '../../lib/live/exchange-port';
import { backtestSession, reconcileSession, reconcileText } from '../../lib/live/reconcile';
import { driveReplay } from '../../lib/live/session';
import { futuresWindow, harness, type Harness } from '../helpers/runner';

const harnesses: Harness[] = [];
afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
});
async function run(o: Parameters<typeof harness>[0], open: Parameters<Harness['open']>[0] = {}) {
  const h = await harness(o);
  harnesses.push(h);
  const r = h.open(open);
  await driveReplay(r.runner, h.ex);
  return { h, r, report: reconcileSession(h.strategy, h.params, h.config, r.store, { tolerance: 1e-9 }) };
}

describe('reconcile', () => {
  it('an unchanged live session matches its backtest row for row; the backtest is of the bars the session stored', async () => {
    const bars = await futuresWindow(220);
    const { h, r, report } = await run({ bars, warmup: 100 });
    expect(report.rows.length).toBeGreaterThan(5);
    expect(report.rows.every((x) => x.status === 'match' && x.explanation === '')).toBe(true);
    expect(report.summary).toMatchObject({ bars: report.equity.ts.length, differing: 0, runOnly: 0, backtestOnly: 0, equityDifferences: 0 });
    const bt = backtestSession(h.strategy, h.params, h.config, r.store);
    expect(bt.firstLive).toBe(100);
    expect(Array.from(bt.bars.close)).toEqual(Array.from(bars.close.subarray(0, bt.bars.close.length)));
    expect(Array.from(bt.targets.subarray(0, 100)).every(Number.isNaN)).toBe(true);
    expect(reconcileText(report)).toMatch(/0 differ, 0 run-only, 0 backtest-only/);
  });

  it('fills 5 bps away from the open: every trade differs, the slippage is measured from the fills and explained', async () => {
    const bars = await futuresWindow(220);
    const { r, report } = await run({ bars, warmup: 100, slippageBps: 5 });
    expect(report.rows.length).toBeGreaterThan(5);
    expect(report.rows.every((x) => x.status !== 'match')).toBe(true);
    const rows = report.rows.filter((x) => x.status === 'differs' && x.entry === x.entryBacktest);
    expect(rows.length).toBeGreaterThan(5);
    // naive reference: each fill against the bar's open it was sized at
    const fills = r.store.orders({ status: ['filled'] });
    for (const o of fills) {
      const bps = ((o.average / o.expectedPrice - 1) * 1e4) * (o.side === 'buy' ? 1 : -1);
      expect(bps).toBeGreaterThan(4.9);
      expect(bps).toBeLessThan(5.1);
    }
    for (const x of rows) {
      expect(x.entrySlippageBps).toBeGreaterThan(4.9);
      expect(x.entrySlippageBps).toBeLessThan(5.1);
      expect(x.explanation).toMatch(/entry filled at [\d.]+ vs the bar's open [\d.]+: (4\.9\d|5\.0\d) bps worse/);
    }
    // paying 5 bps more than sized for, an all-in order can exceed the margin by a hair: the exchange refuses it, and reconcile says so
    const refused = report.rows.filter((y) => /Margin is insufficient/.test(y.explanation));
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((y) => y.status === 'backtest-only' || /entered 1 bar\(s\) later/.test(y.explanation))).toBe(true);
    expect(report.summary.equityDifferences).toBeGreaterThan(0);
  });

  it('orders cut by the risk guard: the size differs and the reason is the cut', async () => {
    const bars = await futuresWindow(220);
    const { report } = await run({ bars, warmup: 100, over: { risk: { maxNotional: 5000 } } });
    const cut = report.rows.filter((x) => /cut by the risk guard \(notional .* > max 5000/.test(x.explanation));
    expect(cut.length).toBeGreaterThan(3);
    for (const x of cut) expect(x.size).toBeLessThan(x.sizeBacktest);
    expect(report.notes.some((n) => /risk guard at .*max 5000/.test(n))).toBe(true);
  });

  it('an order the exchange refused: the run enters a bar later, and reconcile names the refused order', async () => {
    const bars = await futuresWindow(220);
    let refused = 0;
    const refuseThird = (port: ExchangePort): ExchangePort =>
      new Proxy(port, {
        get(t, k, rcv) {
          const v = Reflect.get(t, k, rcv) as unknown;
          if (typeof v !== 'function') return v;
          const fn = (v as (...a: unknown[]) => Promise<unknown>).bind(t);
          if (k !== 'placeOrder') return fn;
          return async (...a: unknown[]) => {
            if (++refused === 3) throw new ExchangePortError('binance placeOrder: InsufficientFunds: margin is insufficient', 'skip', 'InsufficientFunds');
            return fn(...a);
          };
        },
      });
    const { r, report } = await run({ bars, warmup: 100 }, { wrap: refuseThird });
    expect(r.store.orders({ status: ['rejected'] }).length).toBeGreaterThan(0);
    const late = report.rows.find((x) => /was not filled \(binance placeOrder: InsufficientFunds/.test(x.explanation));
    expect(late).toBeDefined();
    expect(late!.explanation).toMatch(/entered 1 bar\(s\) later/);
    expect(report.notes.join('\n')).toMatch(/was not filled: binance placeOrder: InsufficientFunds/);
    expect(reconcileText(report)).toMatch(/differences:\n {2}#\d+ differs: entered 1 bar\(s\) later/);
  });
});
