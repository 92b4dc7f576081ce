/**
 * Composition of indicator specs: keys nest (equal keys ⇔ equal outputs), values equal the kernels applied
 * by hand, streaming twins compose bit for bit, warm-up propagates as documented (max of the inputs' warm-ups
 * + the indicator's own), sub-indicators are computed once through the cache, and strategies written with
 * composites agree in their three forms.
 */
import { describe, expect, it } from 'vitest';
import { QuantlabError, type Bars } from '../../lib/core';
import { atr, bbands, crossover, ema, macd, rsi, sma, stochRsi, zscore } from '../../lib/indicators';
import { computeIndicators, customIndicator, defineStrategy, ind, int, strategyTargets, streamTargets, type AnySpec } from '../../lib/strategy';
import { rsiStream } from '../../lib/indicators/rsi';
import { btc1h } from '../helpers/datasets';
import { barObjects, firstDiff } from '../helpers/indicator-suite';

const b = btc1h();

function streamed(spec: AnySpec, bars: Bars = b): Float64Array {
  const s = spec.stream();
  const objs = barObjects(bars);
  const out = new Float64Array(objs.length);
  for (let i = 0; i < objs.length; i++) out[i] = s.update(objs[i]!) as number;
  return out;
}

const leadingNaNs = (x: Float64Array): number => {
  let i = 0;
  while (i < x.length && Number.isNaN(x[i]!)) i++;
  return i;
};

const diffOf = (a: Float64Array, f: (x: number, i: number) => number): Float64Array => Float64Array.from(a, f);

describe('keys compose', () => {
  it('nest the inputs and keep the existing keys', () => {
    expect(ind.sma(10).key).toBe('sma(10,close)');
    expect(ind.ema(10, 'hl2').key).toBe('ema(10,hl2)');
    expect(ind.rsi().key).toBe('rsi(14,close)');
    expect(ind.atr().key).toBe('atr(14)');
    expect(ind.bbands(20, 2).key).toBe('bbands(20,2,close)');
    expect(ind.macd().key).toBe('macd(12,26,9,close)');
    expect(ind.donchian(20, true).key).toBe('donchian(20,prior)');
    expect(ind.donchian(20).key).toBe('donchian(20,incl)');
    expect(ind.supertrend(10, 3).key).toBe('supertrend(10,3)');
    expect(ind.ema(ind.rsi(14), 9).key).toBe('ema(9,rsi(14,close))');
    expect(ind.zscore(ind.field('volume'), 50).key).toBe('zscore(50,volume)');
    expect(ind.sub(ind.field('close'), ind.sma(200)).key).toBe('sub(close,sma(200,close))');
    expect(ind.field(ind.bbands(20), 'upper').key).toBe('bbands(20,2,close).upper');
    expect(ind.crossover(ind.rsi(14), 70).key).toBe('crossover(rsi(14,close),70)');
    expect(ind.mul(ind.atr(14), 2).key).toBe('mul(atr(14),2)');
  });

  it('equal keys give equal outputs: argument order, field(close) vs the default source, ratio vs div, named parameters', () => {
    const pairs: [AnySpec, AnySpec][] = [
      [ind.ema(ind.rsi(14), 9), ind.ema(9, ind.rsi(14))],
      [ind.sma(20, ind.field('close')), ind.sma(20)],
      [ind.ratio('close', ind.sma(50)), ind.div('close', ind.sma(50))],
      [ind.bbands({ n: 30, k: 1.5 }), ind.bbands(30, 1.5)],
      [ind.macd(undefined, 30), ind.macd(12, 30, 9)],
    ];
    for (const [x, y] of pairs) {
      expect(x.key).toBe(y.key);
      expect(x.compute(b)).toEqual(y.compute(b));
    }
  });

  it('different indicators, parameters or inputs give different keys', () => {
    const specs = [ind.ema(ind.rsi(14), 9), ind.ema(ind.rsi(14), 10), ind.ema(ind.rsi(15), 9), ind.ema(9), ind.sma(ind.rsi(14), 9), ind.sub('close', ind.sma(50)), ind.sub(ind.sma(50), 'close')];
    expect(new Set(specs.map((s) => s.key)).size).toBe(specs.length);
  });
});

describe('values equal the kernels applied by hand', () => {
  const { close, high, low, volume } = b;
  it.each([
    ['ema(rsi(14), 9)', () => ind.ema(ind.rsi(14), 9), () => ema(rsi(close, 14), 9)],
    ['zscore(volume, 50)', () => ind.zscore(ind.field('volume'), 50), () => zscore(volume, 50)],
    ['close − sma(200)', () => ind.sub(ind.field('close'), ind.sma(200)), () => diffOf(sma(close, 200), (s, i) => close[i]! - s)],
    ['bbands(20).upper', () => ind.field(ind.bbands(20), 'upper'), () => bbands(close, 20, 2).upper],
    ['crossover(rsi(14), 70)', () => ind.crossover(ind.rsi(14), 70), () => Float64Array.from(crossover(rsi(close, 14), 70))],
    ['2 × atr(14)', () => ind.mul(ind.atr(14), 2), () => diffOf(atr(high, low, close, 14), (x) => x * 2)],
    ['ema(9) of macd signal', () => ind.ema(ind.field(ind.macd(), 'signal'), 9), () => ema(macd(close).signal, 9)],
    ['close / sma(50) via ratio', () => ind.ratio('close', ind.sma(50)), () => diffOf(sma(close, 50), (s, i) => close[i]! / s)],
    ['stochRsi of hlc3', () => ind.field(ind.stochRsi('hlc3'), 'k'), () => stochRsi(Float64Array.from(close, (c, i) => (high[i]! + low[i]! + c) / 3)).k],
    ['1 − close (constant first)', () => ind.sub(1, 'close'), () => diffOf(close, (c) => 1 - c)],
  ])('%s', (_l, spec, ref) => {
    const s = spec();
    const want = ref();
    expect(firstDiff(s.compute(b) as Float64Array, want)).toBe(-1);
    expect(firstDiff(streamed(s), want), 'streaming twin').toBe(-1);
  });
});

describe('warm-up propagates: first valid bar = max(first valid bar of each input) + own warm-up', () => {
  it.each([
    ['ema(rsi(14), 9)', () => ind.ema(ind.rsi(14), 9), 14 + 8],
    ['zscore(volume, 50)', () => ind.zscore(ind.field('volume'), 50), 49],
    ['close − sma(200)', () => ind.sub('close', ind.sma(200)), 199],
    ['sma(50) − ema(rsi(14), 100)', () => ind.sub(ind.sma(50), ind.ema(ind.rsi(14), 100)), 14 + 99],
    ['bbands(20).upper', () => ind.field(ind.bbands(20), 'upper'), 19],
    ['adx(14).adx', () => ind.field(ind.adx(14), 'adx'), 27],
    ['adx(14).plusDI', () => ind.field(ind.adx(14), 'plusDI'), 14],
    ['ema(9) of macd signal', () => ind.ema(ind.field(ind.macd(), 'signal'), 9), 33 + 8],
    ['rsi of rsi of sma', () => ind.rsi(ind.rsi(ind.sma(10), 5), 3), 9 + 5 + 3],
    ['diff(sma(20), 3)', () => ind.diff(ind.sma(20), 3), 19 + 3],
  ])('%s', (_l, spec, expected) => {
    const s = spec();
    expect(s.warmup).toBe(expected);
    const out = s.compute(b) as Float64Array;
    expect(leadingNaNs(out)).toBe(expected);
    expect(Number.isFinite(out[expected]!)).toBe(true);
  });

  it('multi-output specs carry a warm-up per field (largest as the spec warm-up)', () => {
    const s = ind.ichimoku();
    expect(s.fieldWarmup).toEqual({ tenkan: 8, kijun: 25, senkouA: 50, senkouB: 76, senkouALead: 25, senkouBLead: 51 });
    expect(s.warmup).toBe(76);
  });

  it("a crossing mask is never NaN (0 until both inputs exist), so its warm-up is 0", () => {
    const s = ind.crossover(ind.sma(10), ind.sma(50));
    expect(s.warmup).toBe(0);
    expect((s.compute(b) as Float64Array).some(Number.isNaN)).toBe(false);
  });

  it('is unknown (undefined) when an input does not say', () => {
    const custom = customIndicator('mine', (bars) => bars.close, () => ({ update: (x) => x.close, reset: () => {} }));
    expect(ind.ema(custom, 5).warmup).toBeUndefined();
  });
});

describe('sub-indicators are computed once through the cache', () => {
  function counted() {
    let calls = 0;
    const spec = customIndicator(
      'rsi-counted(14)',
      (bars) => {
        calls++;
        return rsi(bars.close, 14);
      },
      () => {
        const s = rsiStream(14);
        return { update: (x) => s.update(x.close), reset: () => s.reset() };
      },
    );
    return { spec, calls: () => calls };
  }

  it('shared by several specs of one strategy and across runs of a sweep', () => {
    const c = counted();
    const cache = new Map<string, unknown>();
    const specs = { a: ind.ema(c.spec, 9), b: ind.sma(c.spec, 5), z: ind.zscore(c.spec, 20), x: ind.crossover(c.spec, ind.ema(c.spec, 9)) };
    const first = computeIndicators(specs, b, cache);
    expect(c.calls()).toBe(1);
    for (const n of [10, 11, 12]) computeIndicators({ e: ind.ema(c.spec, n) }, b, cache);
    expect(c.calls()).toBe(1);
    expect(firstDiff(first.a, ema(rsi(b.close, 14), 9))).toBe(-1);
    // the sub-indicators are cache entries of their own, under the window prefix
    const keys = [...cache.keys()].map((k) => k.slice(k.indexOf('|') + 1));
    expect(keys).toContain('rsi-counted(14)');
    expect(keys).toContain('ema(9,rsi-counted(14))');
    // equal keys: ema(9, …) reached as a top-level spec and as crossover's input is one entry
    expect(keys.filter((k) => k === 'ema(9,rsi-counted(14))').length).toBe(1);
  });

  it('without a cache, one call of computeIndicators still computes a shared input once', () => {
    const c = counted();
    computeIndicators({ a: ind.ema(c.spec, 9), b: ind.sma(c.spec, 5) }, b);
    expect(c.calls()).toBe(1);
  });

  it('another bars window computes again (keys are per window)', () => {
    const c = counted();
    const cache = new Map<string, unknown>();
    computeIndicators({ a: ind.ema(c.spec, 9) }, b, cache);
    const half = { ...b, close: b.close.subarray(0, 1000), open: b.open.subarray(0, 1000), high: b.high.subarray(0, 1000), low: b.low.subarray(0, 1000), volume: b.volume.subarray(0, 1000), ts: b.ts.subarray(0, 1000) } as Bars;
    computeIndicators({ a: ind.ema(c.spec, 9) }, half, cache);
    expect(c.calls()).toBe(2);
  });
});

describe('composite streaming twins', () => {
  it.each([
    ['ema(rsi(14), 9)', () => ind.ema(ind.rsi(14), 9)],
    ['bbands of zscore (multi-output over a composite)', () => ind.bbands(ind.zscore('volume', 50), 20, 2)],
    ['crossunder(ema(rsi), rsi)', () => ind.crossunder(ind.ema(ind.rsi(14), 9), ind.rsi(14))],
    ['macd of pctChange', () => ind.macd(ind.pctChange('close', 24))],
  ])('%s: stream equals whole, every output, bit for bit; reset starts over', (_l, make) => {
    const spec = make();
    const whole = spec.compute(b);
    const cols: Record<string, Float64Array> = whole instanceof Float64Array ? { value: whole } : (whole as unknown as Record<string, Float64Array>);
    const s = spec.stream();
    const objs = barObjects(b);
    for (let round = 0; round < 2; round++) {
      const got: Record<string, Float64Array> = Object.fromEntries(Object.keys(cols).map((k) => [k, new Float64Array(objs.length)]));
      for (let i = 0; i < objs.length; i++) {
        const r = s.update(objs[i]!) as number | Record<string, number>;
        for (const k of Object.keys(cols)) got[k]![i] = typeof r === 'number' ? r : r[k]!;
      }
      for (const k of Object.keys(cols)) expect(firstDiff(got[k]!, cols[k]!), `${k} round ${round}`).toBe(-1);
      s.reset();
    }
  });
});

describe('composites and other timeframes', () => {
  it('a higher-timeframe spec is an input like any other: stream = whole, no value before the first daily close', () => {
    const spec = ind.sub('close', ind.sma(5).on!('1d'));
    expect(spec.key).toBe('sub(close,sma(5,close)@1d)');
    const whole = spec.compute(b) as Float64Array;
    expect(firstDiff(streamed(spec), whole)).toBe(-1);
    expect(leadingNaNs(whole)).toBeGreaterThanOrEqual(4 * 24);
    expect(ind.ema(ind.rsi(14), 9).on!('4h').key).toBe('ema(9,rsi(14,close))@4h');
  });

  it('nothing reads the future: values before a cut are unchanged on the cut data', () => {
    const specs = [ind.ema(ind.rsi(14), 9), ind.sub('close', ind.sma(200)), ind.zscore(ind.field('volume'), 50), ind.crossover(ind.ema(ind.rsi(14), 9), ind.rsi(14)), ind.field(ind.bbands(ind.rsi(14), 20), 'lower')];
    for (const cut of [300, 33_333]) {
      const part = { ...b, ts: b.ts.slice(0, cut), open: b.open.slice(0, cut), high: b.high.slice(0, cut), low: b.low.slice(0, cut), close: b.close.slice(0, cut), volume: b.volume.slice(0, cut) } as Bars;
      for (const s of specs) expect(firstDiff(s.compute(part) as Float64Array, (s.compute(b) as Float64Array).subarray(0, cut)), `${s.key} cut ${cut}`).toBe(-1);
    }
  });
});

describe('errors name what is wrong', () => {
  const code = (f: () => unknown): [string, string] => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(QuantlabError);
      return [(e as QuantlabError).code, (e as Error).message];
    }
    throw new Error('expected a throw');
  };

  it('a multi-output spec as a series input points to ind.field', () => {
    const [c, m] = code(() => ind.ema(ind.bbands(20), 9));
    expect(c).toBe('BAD_ARGUMENT');
    expect(m).toMatch(/ema: input 'x' must be one series, found bbands\(20,2,close\) with outputs upper, middle, lower; pick one with ind\.field\(spec, 'upper'\)/);
  });

  it('field of an unknown output, of a single series, of an unknown source', () => {
    expect(code(() => ind.field(ind.macd(), 'histogram'))[1]).toMatch(/macd\(12,26,9,close\) has outputs macd, signal, hist, found 'histogram'/);
    expect(code(() => ind.field(ind.sma(5), 'upper'))[1]).toMatch(/has one output/);
    expect(code(() => ind.field('vol' as never))[1]).toMatch(/expected a bar source .* found 'vol'/);
  });

  it('arguments that fit nowhere', () => {
    expect(code(() => ind.sma(20, 50))[1]).toMatch(/sma: too many arguments: takes parameters n and series x, found an extra 50/);
    expect(code(() => ind.atr(14, 'close'))[1]).toMatch(/atr: takes no series input \(it reads high, low, close\), found an extra 'close'/);
    expect(code(() => ind.crossover(ind.rsi(14)))[1]).toMatch(/crossover: input 'b' is required/);
    expect(code(() => ind.sub(1, 2))[1]).toMatch(/sub: at least one operand must be a series/);
    expect(code(() => ind.add('close', NaN))[1]).toMatch(/add: input 'b' must be a finite number, found NaN/);
    expect(code(() => ind.ema(ind.rsi(14), 'nine'))[1]).toMatch(/ema: parameter 'n' must be an integer >= 1, found 'nine'/);
  });
});

describe('.on(timeframe) on every spec', () => {
  it.each([
    ['descriptor spec', () => ind.sma(50)],
    ['composite', () => ind.ema(ind.rsi(14), 9)],
    ['field', () => ind.field('close')],
    ['picked field', () => ind.field(ind.bbands(20), 'upper')],
    ['arithmetic', () => ind.sub('close', ind.sma(20))],
    ['custom', () => customIndicator('mine', (bars) => bars.close, () => ({ update: (x) => x.close, reset: () => {} }))],
  ])('%s', (_l, make) => {
    const s = make();
    expect(typeof s.on).toBe('function');
    expect(s.on!('1d').key).toBe(`${s.key}@1d`);
  });
});

describe('a strategy written with composites', () => {
  const composed = defineStrategy({
    name: 'rsi-ema-cross-test',
    params: { n: int(5, 30, { default: 14 }), signal: int(2, 30, { default: 9 }) },
    indicators: (p) => ({
      r: ind.rsi(p.n),
      sig: ind.ema(ind.rsi(p.n), p.signal),
      trend: ind.sub('close', ind.sma(200)),
      vz: ind.zscore(ind.field('volume'), 50),
      band: ind.field(ind.bbands(ind.rsi(p.n), 20, 2), 'upper'),
    }),
    decide: (bar) => (bar.r > bar.sig && bar.trend > 0 && bar.vz > -1 ? 1 : bar.r < bar.sig || bar.r > bar.band ? 0 : NaN),
  });

  it('decide() over whole-array values == decide() over the streaming twins, bit for bit', () => {
    const looped = strategyTargets(composed, b, {});
    const streamedTargets = streamTargets(composed, b, {});
    expect(firstDiff(streamedTargets, looped)).toBe(-1);
    expect(looped.filter((x) => x === 1).length).toBeGreaterThan(100);
  });

  it('a sweep over signal shares rsi(n) through the cache: one entry per distinct key', () => {
    const cache = new Map<string, unknown>();
    for (const signal of [5, 9, 13]) strategyTargets(composed, b, { signal }, { cache });
    const keys = [...cache.keys()].map((k) => k.slice(k.indexOf('|') + 1));
    expect(keys.filter((k) => k === 'rsi(14,close)').length).toBe(1);
    expect(keys.filter((k) => k.startsWith('ema(')).sort()).toEqual(['ema(13,rsi(14,close))', 'ema(5,rsi(14,close))', 'ema(9,rsi(14,close))']);
  });
});
