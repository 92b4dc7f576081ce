import { describe, expect, it } from 'vitest';
import { QuantlabError, sliceBars, type Series } from '../../lib/core';
import { ema } from '../../lib/indicators/ema';
import { backtest, biasHeadline, biasText, BUILTIN_STRATEGIES, checkBias, customIndicator, defineStrategy, ind, MULTI_INPUT_STRATEGIES, onInput, withInputs, type AnyStrategy, type BiasReport } from '../../lib/strategy';
import { btc1h, sharedBars } from '../helpers/datasets';
import { barCounterPhase, centredMean, centredSma, chikouSignal, dailyMergedOnOpen, globalMaxNormalised, nextClose, peekingTargets, trailingHigh } from './fixtures/bias-planted';

// 6,000 hourly bars (2020-03 .. 2020-11): long enough for every default warm-up, quick to cut 24 times
const bars = sliceBars(btc1h(), 20_000, 26_000);

const indicatorFindings = (r: BiasReport) => r.lookAhead.findings.filter((f) => f.kind === 'indicator').map((f) => f.name);
const targetFindings = (r: BiasReport) => r.lookAhead.findings.filter((f) => f.kind === 'target').map((f) => f.name);

describe('checkBias catches planted look-ahead, naming the indicator', () => {
  it.each([
    ['a centred moving average', centredSma, 'avg', 'centred-sma(10)'],
    ['shift(close, -1)', nextClose, 'next', 'shift(close,-1)'],
    ["normalising by the series' global max", globalMaxNormalised, 'norm', 'close/max(close)'],
    ["Ichimoku's chikou span as a signal", chikouSignal, 'ichi.chikou', 'ichimoku(9,26,52,26)'],
    ['a daily resample merged on open time', dailyMergedOnOpen, 'daily', 'daily-close-on-open'],
  ] as [string, AnyStrategy, string, string][])('%s', (_what, strategy, name, key) => {
    const r = checkBias(strategy, bars, {});
    expect(r.ok).toBe(false);
    expect(r.failed).toContain('look-ahead');
    // the leaking series is the only indicator named: honest neighbours (sma(50), tenkan, kijun) are not
    expect(indicatorFindings(r)).toEqual([name]);
    const f = r.lookAhead.findings[0]!;
    expect(f).toMatchObject({ kind: 'indicator', name, key });
    expect(f.bar).toBeLessThanOrEqual(f.cut);
    expect(f.time).toBe(new Date(bars.ts[f.bar]!).toISOString().replace('.000Z', 'Z'));
    expect(Object.is(f.full, f.cutValue)).toBe(false);
    // the targets built on it moved too
    expect(targetFindings(r)).toContain('decide()');
    expect(biasText(r)).toContain(`indicator '${name}' (${key}) moved at bar ${f.bar}`);
  });

  it('the first moved bar is the first whose formula reaches past the cut: the cut itself for shift(-1), h − 1 bars before it for a centred mean', () => {
    const lead = checkBias(nextClose, bars, {}).lookAhead.findings[0]!;
    expect(lead.how).toBe('truncated');
    expect(lead.bar).toBe(lead.cut);
    const centred = checkBias(centredSma, bars, { h: 7 }).lookAhead.findings[0]!;
    expect(centred.bar).toBe(centred.cut - 6);
  });

  it("a whole-array targets() that reads the next close is caught as the target of targets(), not as an indicator", () => {
    const r = checkBias(peekingTargets, bars, {});
    expect(r.ok).toBe(false);
    expect(indicatorFindings(r)).toEqual([]);
    expect(targetFindings(r)).toEqual(['targets()']);
    expect(r.lookAhead.findings[0]!.bar).toBe(r.lookAhead.findings[0]!.cut);
    // and its decide() form disagrees with it: parity names the two forms
    expect(r.failed).toEqual(['look-ahead', 'parity']);
    expect(r.parity.firstDifference!.forms).toEqual(['targets()', 'decide()']);
    expect(biasText(r)).toMatch(/target of targets\(\) moved at bar \d+/);
  });

  it("the library's own Ichimoku spec (no chikou) and a daily SMA through .on('1d') pass", () => {
    const cloud = defineStrategy({
      name: 'cloud-and-daily',
      params: {},
      indicators: () => ({ ichi: ind.ichimoku(), daily: ind.sma(20).on!('1d') }),
      decide: (bar) => (bar.ichi.tenkan > bar.ichi.kijun && bar.close > bar.ichi.senkouA && bar.close > bar.daily ? 1 : 0),
    });
    const r = checkBias(cloud, bars, {});
    expect(r.failed, biasText(r)).toEqual([]);
    expect(r.parity.signals).toBeGreaterThan(10);
  });

  it('a clean strategy of custom indicators passes all three checks', () => {
    const r = checkBias(trailingHigh, bars, {});
    expect(r.failed).toEqual([]);
    expect(r.lookAhead.findings).toEqual([]);
    expect(r.warmup.indicators.map((e) => [e.name, e.bars])).toEqual([
      ['top', 100],
      ['avg', 100],
    ]);
  });
});

describe('every built-in passes the bias check', () => {
  it.each(BUILTIN_STRATEGIES.map((s) => [s.name, s] as const))('%s (defaults)', (_name, strategy) => {
    const r = checkBias(strategy, bars, {});
    expect(r.failed, biasText(r)).toEqual([]);
    expect(r.lookAhead.cuts.length).toBeGreaterThanOrEqual(20);
    expect(r.lookAhead.futureChanged.length).toBe(3);
    expect(r.parity.signals).toBeGreaterThan(10); // parity compared something
    expect(r.parity.forms).toContain('stream');
    expect(r.warmup.bars).toBeGreaterThanOrEqual(r.warmup.targets.bars);
  });
});

describe('warm-up', () => {
  it('a window indicator needs its window: sma-cross 10/50 needs 10 and 50 bars', () => {
    const r = checkBias('sma-cross', bars, { fast: 10, slow: 50 });
    expect(r.warmup.indicators).toEqual([
      { name: 'fast', key: 'sma(10,close)', bars: 10, converged: true },
      { name: 'slow', key: 'sma(50,close)', bars: 50, converged: true },
    ]);
    // the targets of a cross also read the bar before: 50 or 51 depending on whether a cross falls there
    expect(r.warmup.bars).toBe(Math.max(50, r.warmup.targets.bars));
    expect(r.warmup.targets.bars).toBeLessThanOrEqual(51);
  });

  it('a recursive EMA needs its measured history: from each late start it agrees to 1e-9 from that many bars on; from half as many it does not', () => {
    const r = checkBias('ema-cross', bars, { fast: 12, slow: 60 });
    const slow = r.warmup.indicators.find((e) => e.name === 'slow')!;
    expect(slow.converged).toBe(true);
    expect(slow.bars).toBeGreaterThan(60 * 3); // far more than the period: (1 − 2/61)^k must fall below ~1e-9
    const full = ema(bars.close, 60);
    const rel = (a: number, b: number) => (Number.isNaN(a) && Number.isNaN(b) ? 0 : Number.isNaN(a) || Number.isNaN(b) ? Infinity : Math.abs(a - b) / Math.max(1, Math.abs(b)));
    // reference: the EMA restarted at each start, the last bar where it is still off by more than 1e-9
    let worstNeeded = 0;
    for (const s of r.warmup.starts) {
      const late = ema(bars.close.subarray(s), 60);
      let last = -1;
      for (let i = 0; i < late.length; i++) if (rel(late[i]!, full[s + i]!) > 1e-9) last = i;
      worstNeeded = Math.max(worstNeeded, last + 2);
    }
    expect(slow.bars).toBe(worstNeeded);
    // anywhere in the data, that much history is close (the measured starts bound it only where they are)
    const worstWith = (h: number) => {
      let worst = 0;
      for (let t = 1000; t < 6000; t += 97) worst = Math.max(worst, rel(ema(bars.close.subarray(t - h + 1, t + 1), 60)[h - 1]!, full[t]!));
      return worst;
    };
    expect(worstWith(slow.bars)).toBeLessThan(1e-8);
    expect(worstWith(Math.floor(slow.bars / 2))).toBeGreaterThan(1e-7);
  });

  it('a path-dependent indicator never settles: the warm-up check fails and says so', () => {
    const r = checkBias(barCounterPhase, bars, {});
    expect(r.lookAhead.ok).toBe(true);
    expect(r.parity.ok).toBe(true);
    expect(r.failed).toEqual(['warm-up']);
    expect(r.warmup.indicators[0]).toMatchObject({ name: 'phase', converged: false });
    expect(r.warmup.targets.converged).toBe(false);
    expect(biasText(r)).toContain(`phase ${r.warmup.indicators[0]!.bars} (not settled)`);
    expect(biasHeadline(r)).toMatch(/^warm-up: the targets restarted at bars 300, 900, .* did not settle/);
    expect(biasText(r)).toMatch(/targets \d+ \(not settled\)/);
  });
});

describe('warm-up on too little data', () => {
  it('60 daily bars cannot show an EMA(26) settling to 1e-9: flagged, not hidden; the window indicators settle', () => {
    const r = checkBias('ema-cross', sliceBars(sharedBars('binance_BTCUSDT_1d.csv'), 0, 60), {});
    expect(r.lookAhead.ok && r.parity.ok).toBe(true);
    expect(r.warmup.indicators.map((e) => e.converged)).toEqual([false, false]);
    // too few bars to say the targets never settle: flagged, but the check does not fail
    expect(r.warmup).toMatchObject({ conclusive: false, ok: true });
    expect(biasText(r)).toMatch(/targets \d+ \(not settled: too few bars to tell, under 2000\)/);
    // the path-dependent counter on 1,500 bars: the same
    expect(checkBias(barCounterPhase, sliceBars(bars, 0, 1500), {}).warmup).toMatchObject({ conclusive: false, ok: true });
    const sma = checkBias('sma-cross', sliceBars(sharedBars('binance_BTCUSDT_1d.csv'), 0, 300), { fast: 5, slow: 20 });
    expect(sma.ok).toBe(true);
    expect(sma.warmup.indicators.map((e) => e.bars)).toEqual([5, 20]);
  });
});

describe('three-form parity', () => {
  it('a streaming twin that differs is named with the bar', () => {
    const r = checkBias(centredSma, bars, {});
    const twin = r.parity.differences.find((d) => d.indicator);
    expect(twin?.indicator).toEqual({ name: 'avg', key: 'centred-sma(10)' });
    expect(r.parity.differences.some((d) => d.forms[1] === 'stream')).toBe(true);
  });
});

describe('backtest(…, { checkBias: true })', () => {
  it('carries the report when the check passes', () => {
    const r = backtest('sma-cross', bars, { fast: 10, slow: 50 }, { checkBias: true });
    expect(r.bias?.ok).toBe(true);
    expect(r.bias?.warmup.indicators.map((e) => e.bars)).toEqual([10, 50]);
    expect(backtest('sma-cross', bars, { fast: 10, slow: 50 }).bias).toBeUndefined();
  });
  it('throws BIAS with the report when it fails', () => {
    let err: unknown;
    try {
      backtest(nextClose, bars, {}, { checkBias: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QuantlabError);
    expect((err as QuantlabError).code).toBe('BIAS');
    expect((err as QuantlabError).message).toMatch(/planted-shift-lead failed the bias check \(look-ahead, parity\): look-ahead: indicator 'next'/);
    expect(((err as QuantlabError).details as { report: BiasReport }).report.ok).toBe(false);
  });
});

describe('checkBias arguments', () => {
  it('refuses too few bars and unknown options', () => {
    expect(() => checkBias('sma-cross', sliceBars(bars, 0, 5), {})).toThrow(/at least 10 bars/);
    expect(() => checkBias('sma-cross', bars, {}, { cutz: 3 } as never)).toThrow(/checkBias option 'cutz'/);
    expect(() => checkBias('sma-cross', bars, {}, { cuts: 0 })).toThrow(/integer >= 1, found 0/);
  });
});

describe('strategies reading other symbols: the inputs are cut, changed and restarted with the base bars', () => {
  // ETHUSDT 1h over the same hours as `bars`, BTCUSDT 1h as the input btc
  const eth = sharedBars('binance_ETHUSDT_1h.csv');
  const i0 = eth.ts.indexOf(bars.ts[0]!);
  const ethBtc = withInputs(sliceBars(eth, i0, i0 + 6000), { btc: btc1h() });
  const nanStream = () => ({ update: () => NaN, reset: () => {} });

  it.each(MULTI_INPUT_STRATEGIES.map((s) => [s.name, s] as const))('%s passes on ETHUSDT with BTCUSDT as btc', (_name, strategy) => {
    expect(i0).toBeGreaterThan(0);
    const r = checkBias(strategy, ethBtc, {});
    expect(r.failed, biasText(r)).toEqual([]);
    expect(r.parity.signals).toBeGreaterThan(10);
  });

  it("a look-ahead inside an input's indicator is caught by the input's name and key", () => {
    const leaky = defineStrategy({
      name: 'planted-input-centred',
      params: {},
      inputs: { btc: { symbol: 'BTCUSDT' } },
      indicators: () => ({ trend: ind.sma(24), btcMid: onInput('btc', customIndicator<Series>('centred(close,5)', (b) => centredMean(b.close, 5), nanStream)) }),
      decide: (bar) => (bar.btcMid > bar.trend ? 1 : 0),
    });
    const r = checkBias(leaky, ethBtc, {});
    expect(indicatorFindings(r)).toEqual(['btcMid']);
    expect(r.lookAhead.findings[0]).toMatchObject({ key: 'btc:centred(close,5)' });
  });

  it("an input's indicator restarts at a late start: onInput('btc', sma(30)) needs 30 bars", () => {
    const s = defineStrategy({
      name: 'input-sma',
      params: {},
      inputs: { btc: { symbol: 'BTCUSDT' } },
      indicators: () => ({ btcAvg: onInput('btc', ind.sma(30)) }),
      decide: (bar) => (bar.close > 0 && bar.btcAvg > 0 ? 1 : 0),
    });
    const r = checkBias(s, ethBtc, {});
    expect(r.failed).toEqual([]);
    expect(r.warmup.indicators).toEqual([{ name: 'btcAvg', key: 'btc:sma(30,close)', bars: 30, converged: true }]);
  });
});
