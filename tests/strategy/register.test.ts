/** registerStrategy(definition): defineStrategy and registration in one step, typed; re-running replaces; built-in names are protected. */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../lib/data';
import { int } from '../../lib/params';
import { backtest, defineStrategy, getStrategy, ind, registerStrategy } from '../../lib/strategy';

describe('registerStrategy with a definition', () => {
  it('defines, registers and returns the strategy; by name it backtests like the object', async () => {
    const s = registerStrategy({
      name: 'reg-above-ema',
      params: { n: int(2, 400, { default: 30 }) },
      indicators: (p) => ({ avg: ind.ema(p.n) }),
      decide: (bar) => (bar.close > bar.avg ? 1 : 0),
    });
    // typed like defineStrategy's result: resolveParams knows n is a number
    const n: number = s.resolveParams({}).n;
    expect(n).toBe(30);
    expect(s.kind).toBe('strategy');
    expect(getStrategy('reg-above-ema')).toBe(s);
    const bars = await loadDataset('BTCUSDT', '1d');
    expect(backtest('reg-above-ema', bars, { n: 20 }).finalEquity).toBe(backtest(s, bars, { n: 20 }).finalEquity);
  });

  it('running the same cell again (or edited) replaces it; a built-in name or a taken name of a defined object needs replace', () => {
    const first = registerStrategy({ name: 'reg-rerun', params: { n: int(2, 9, { default: 3 }) }, indicators: (p) => ({ avg: ind.sma(p.n) }), decide: () => 1 });
    const second = registerStrategy({ name: 'reg-rerun', params: { n: int(2, 9, { default: 5 }) }, indicators: (p) => ({ avg: ind.sma(p.n) }), decide: () => 1 });
    expect(second).not.toBe(first);
    expect(getStrategy('reg-rerun').resolveParams({})).toEqual({ n: 5 });
    expect(() => registerStrategy({ name: 'sma-cross', params: {}, indicators: () => ({}), decide: () => 1 })).toThrow(/a built-in strategy named 'sma-cross' is already registered \(pass \{ replace: true \}/);
    expect(getStrategy('sma-cross').name).toBe('sma-cross');
    expect(() => registerStrategy(defineStrategy({ name: 'reg-rerun', params: {}, indicators: () => ({}), decide: () => 0 }))).toThrow(/already registered/);
    expect(() => registerStrategy({ name: 'Bad Name', params: {}, indicators: () => ({}), decide: () => 1 })).toThrow();
    expect(() => registerStrategy(null as never)).toThrow(/expected a strategy made by defineStrategy\(\), or its definition/);
  });
});
