import { describe, expect, it } from 'vitest';
import { backtest, backtestSummary, smaCross, strategyTargets } from '../../lib/strategy';
import { referenceSimulate } from '../backtest/reference';
import { btc1h } from '../helpers/datasets';
import { talibRun } from '../helpers/talib';

const bars = btc1h();

/** The sma-cross definition, written out with TA-Lib's SMA as the oracle. */
function definitionTargets(fast: number, slow: number): Float64Array {
  const f = talibRun('SMA', { inReal: bars.close }, { optInTimePeriod: fast }).outReal!;
  const s = talibRun('SMA', { inReal: bars.close }, { optInTimePeriod: slow }).outReal!;
  const n = bars.close.length;
  const tg = new Float64Array(n).fill(NaN);
  for (let t = 1; t < n; t++) {
    if (Number.isNaN(f[t - 1]!) || Number.isNaN(s[t - 1]!)) continue; // only where both are defined at t−1
    if (f[t]! > s[t]! && f[t - 1]! <= s[t - 1]!) tg[t] = 1; // up-cross: enter long
    else if (f[t]! < s[t]! && f[t - 1]! >= s[t - 1]!) tg[t] = 0; // down-cross: go flat
  }
  return tg;
}

describe('sma-cross', () => {
  it('targets follow the definition exactly (TA-Lib SMA as oracle), several windows', () => {
    for (const [fast, slow] of [[10, 50], [2, 10], [20, 200]] as const) {
      const want = definitionTargets(fast, slow);
      const got = strategyTargets(smaCross, bars, { fast, slow });
      const diff = got.findIndex((x, i) => !Object.is(x, want[i]));
      expect(diff).toBe(-1);
    }
  });

  // Golden numbers: sma-cross 10/50 on the shipped BTCUSDT 1h (66,677 bars), cash 10 000, fee 0.001 per side
  // (all-in convention), no slippage, percent sizing; derived from the reference simulator in tests/backtest/reference.ts.
  const golden = {
    // 'close': signal and fill at the same bar's close (vectorbt / tutorial convention)
    close: { finalEquity: 54358.8979093604, trades: 921, winners: 277, commissions: 83358.03715481308 },
    // 'next-open': signal at bar t's close, fill at bar t+1's open (quantlab's default, no look-ahead)
    'next-open': { finalEquity: 55288.473114660665, trades: 921, winners: 277, commissions: 84779.88958043892 },
  } as const;

  it.each(['close', 'next-open'] as const)("golden numbers, fill '%s': the reference simulator produces them", (fill) => {
    const r = referenceSimulate([{ bars, targets: definitionTargets(10, 50) }], { fill, fee: 0.001, cash: 10_000 });
    expect(r.finalEquity).toBeCloseTo(golden[fill].finalEquity, 6);
    expect(r.trades.length).toBe(golden[fill].trades);
    expect(r.trades.filter((t) => t.pnl > 0).length).toBe(golden[fill].winners);
  });

  it.each(['close', 'next-open'] as const)("golden numbers, fill '%s': backtest() reproduces them", (fill) => {
    const r = backtest('sma-cross', bars, { fast: 10, slow: 50 }, { fill, fee: 0.001, cash: 10_000 });
    const g = golden[fill];
    expect(Math.abs(r.finalEquity / g.finalEquity - 1)).toBeLessThan(1e-9);
    expect(r.stats.trades).toBe(g.trades);
    expect(Math.round(r.stats.winRate * r.stats.trades)).toBe(g.winners);
    expect(Math.abs(r.commissions / g.commissions - 1)).toBeLessThan(1e-9);
    const s = backtestSummary('sma-cross', bars, { fast: 10, slow: 50 }, { fill, fee: 0.001, cash: 10_000 });
    expect(s.finalEquity).toBe(r.finalEquity);
    expect(s.trades).toBe(g.trades);
    expect(Math.abs(s.sharpe / r.stats.sharpe - 1)).toBeLessThan(1e-9);
    expect(Math.abs(s.maxDrawdown / r.stats.maxDrawdown - 1)).toBeLessThan(1e-9);
  });
});
