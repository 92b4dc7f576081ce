import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sliceBars, QuantlabError } from '../../lib/core';
import { computeStats, sharpeRatio, barReturns } from '../../lib/metrics';
import {
  backtest,
  backtestPortfolio,
  backtestSummary,
  choice,
  defineStrategy,
  float,
  getStrategy,
  ind,
  int,
  listStrategies,
  loadStrategyFile,
  registerStrategy,
  smaCross,
  strategyTargets,
} from '../../lib/strategy';
import { btc1h, sharedBars, repoRoot } from '../helpers/datasets';

const bars = sliceBars(btc1h(), 0, 20_000);

describe('backtest()', () => {
  const r = backtest('sma-cross', bars, { fast: 10, slow: 50 }, { fill: 'close', fee: 0.001 });
  it('returns columns, curves, stats and the options used', () => {
    expect(r.strategy).toBe('sma-cross');
    expect(r.params).toEqual({ fast: 10, slow: 50 });
    expect(r.equity.length).toBe(bars.close.length);
    expect(r.position.length).toBe(bars.close.length);
    expect(r.trades.pnl).toBeInstanceOf(Float64Array);
    expect(r.options.fill).toBe('close');
    expect(r.options.fee).toBe(0.001);
    expect(r.stats.trades).toBe(r.trades.length);
    expect(r.stats.finalEquity).toBe(r.finalEquity);
    expect(JSON.parse(JSON.stringify(r.stats)).sharpe).toBeCloseTo(r.stats.sharpe, 12);
  });
  it('stats equal the metric functions applied to the equity curve', () => {
    const ret = barReturns(r.equity, 10_000);
    expect(r.stats.sharpe).toBeCloseTo(sharpeRatio(ret, 8760), 12);
    const again = computeStats({ equity: r.equity, initialCash: 10_000, ts: bars.ts, timeframe: '1h', benchmark: bars.close, exposedBars: r.exposedBars, commissions: r.commissions, trades: r.trades });
    expect(again).toEqual(r.stats);
  });
  it('a strategy without targets() runs its decide() loop', () => {
    const plain = defineStrategy({ ...smaCross, name: 'sma-cross-plain', targets: undefined, targetEvents: undefined });
    const p = backtest(plain, bars, { fast: 10, slow: 50 }, { fill: 'close', fee: 0.001 });
    expect(p.finalEquity).toBe(r.finalEquity);
  });
  it('the indicator cache gives the same results and holds one entry per distinct indicator', () => {
    const cache = new Map();
    const a = backtest('sma-cross', bars, { fast: 10, slow: 50 }, { fill: 'close', cache });
    const b = backtest('sma-cross', bars, { fast: 10, slow: 60 }, { fill: 'close', cache });
    expect(cache.size).toBe(3);
    expect(a.finalEquity).toBe(backtest('sma-cross', bars, { fast: 10, slow: 50 }, { fill: 'close' }).finalEquity);
    expect(b.finalEquity).toBe(backtestSummary('sma-cross', bars, { fast: 10, slow: 60 }, { fill: 'close', cache }).finalEquity);
    // a different window (another Bars object) never reads the first window's entries
    const other = sliceBars(btc1h(), 100, 20_100);
    backtest('sma-cross', other, { fast: 10, slow: 50 }, { cache });
    expect(cache.size).toBe(5);
  });
  it('ATR stops get their ATR from the strategy layer', () => {
    const s = backtest('sma-cross', bars, {}, { stopLoss: { atr: 2 }, atrPeriod: 14 });
    expect(s.trades.exitReason.some((x) => x === 1)).toBe(true);
    const q = backtestSummary('sma-cross', bars, {}, { stopLoss: { atr: 2 }, atrPeriod: 14 });
    expect(q.finalEquity).toBe(s.finalEquity);
  });
  it('portfolios: equal weights by default, one shared cash balance', () => {
    const eth = sliceBars(sharedBars('binance_ETHUSDT_1h.csv'), 0, 20_000);
    const btc = sliceBars(btc1h(), btc1h().ts.indexOf(eth.ts[0]!), btc1h().ts.indexOf(eth.ts[0]!) + 20_000);
    const p = backtestPortfolio('sma-cross', [btc, eth], {}, { fill: 'close' });
    expect(p.positions.length).toBe(2);
    expect(p.targetsByAsset[0]!.filter((x) => x === 0.5).length).toBeGreaterThan(0);
    expect(p.trades.asset.some((a) => a === 1)).toBe(true);
    expect(p.stats.buyHoldReturn).toBeCloseTo((btc.close.at(-1)! / btc.close[0]! + eth.close.at(-1)! / eth.close[0]!) / 2 - 1, 9);
  });
});

describe('errors name the parameter, the expected range and the value found', () => {
  it('out of range, wrong type, unknown name, failed check', () => {
    expect(() => backtest('sma-cross', bars, { fast: 0, slow: 50 })).toThrow("strategy 'sma-cross' parameter 'fast': expected an integer in [2, 200], found 0");
    expect(() => backtest('sma-cross', bars, { fast: 2.5 })).toThrow(/parameter 'fast': expected an integer in \[2, 200\], found 2.5/);
    expect(() => backtest('sma-cross', bars, { fats: 10 })).toThrow("strategy 'sma-cross': unknown parameter 'fats'; expected one of fast, slow");
    expect(() => backtest('sma-cross', bars, { fast: 60, slow: 50 })).toThrow("strategy 'sma-cross': fast (60) must be < slow (50)");
    expect(() => backtest('sma-cross', bars, {}, { fill: 'open' as never })).toThrow("backtest option 'fill'");
    expect(() => backtest('sma-cross', bars, {}, { atrPeriod: 0 })).toThrow("backtest option 'atrPeriod'");
    expect(() => backtest('no-such', bars)).toThrow(/no strategy named 'no-such'; registered: sma-cross/);
    try {
      backtest('sma-cross', bars, { slow: 1000 });
    } catch (e) {
      expect(e).toBeInstanceOf(QuantlabError);
      expect((e as QuantlabError).code).toBe('BAD_ARGUMENT');
    }
  });
  it('bad strategy definitions', () => {
    expect(() => defineStrategy({ name: 'x y', params: {}, indicators: () => ({}), decide: () => 0 })).toThrow(/expected a name like/);
    const clash = defineStrategy({ name: 'clash', params: {}, indicators: () => ({ close: ind.sma(3) }), decide: () => 0 });
    expect(() => strategyTargets(clash, bars, {})).toThrow(/indicator name 'close' collides/);
  });
});

describe('registry', () => {
  it('lists the built-ins with their parameter declarations', () => {
    const names = listStrategies().map((s) => s.name);
    for (const n of ['sma-cross', 'sma-cross-ls', 'ema-cross', 'macd-cross', 'rsi-reversion', 'bollinger-reversion', 'donchian-breakout', 'supertrend']) expect(names).toContain(n);
    expect(listStrategies().find((s) => s.name === 'sma-cross')!.params.fast).toEqual({ accepts: 'an integer in [2, 200]', default: 10 });
  });
  it('registers your own strategies, refusing silent replacement', () => {
    const mine = defineStrategy({
      name: 'above-sma-test',
      params: { n: int(2, 400, { default: 20 }), side: choice(['long', 'short'] as const), k: float(0, 1, { default: 0.5 }) },
      indicators: (p) => ({ avg: ind.sma(p.n) }),
      decide: (bar, { params }) => (bar.close > bar.avg ? (params.side === 'long' ? 1 : -1) * params.k : 0),
    });
    registerStrategy(mine);
    expect(getStrategy('above-sma-test')).toBe(mine);
    expect(() => registerStrategy(defineStrategy({ ...mine }))).toThrow(/already registered/);
    expect(backtest('above-sma-test', bars, { side: 'short' }).trades.side[0]).toBe(-1);
  });
  it('loads a strategy file of your own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ql-strat-'));
    const file = join(dir, 'my-strategy.ts');
    const lib = join(repoRoot, 'lib/strategy');
    writeFileSync(
      file,
      `import { defineStrategy, ind, int } from '${lib}';\n` +
        `export const mine = defineStrategy({ name: 'file-strategy', params: { n: int(2, 50, { default: 5 }) },\n` +
        `  indicators: (p) => ({ a: ind.ema(p.n) }), decide: (b) => (b.close > b.a ? 1 : 0) });\n`,
    );
    const loaded = await loadStrategyFile(file);
    expect(loaded.map((s) => s.name)).toEqual(['file-strategy']);
    expect(backtest('file-strategy', bars).stats.trades).toBeGreaterThan(0);
  });
});
