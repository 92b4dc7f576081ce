import { check, type Series, type Stream } from '../core';
import { checkPeriod } from './kernels/checks';
import { emaWithAlpha, emaWithAlphaStream } from './kernels/ema-alpha';
import { forEachFiniteRun } from './kernels/finite-runs';
import { smaRun, smaRunStream } from './kernels/sma-run';
import { defineIndicator, choiceParam, intParam, series } from './descriptor';

/** Moving-average kind for {@link ppo}: TA-Lib's MA types 0 ('sma', its default) and 1 ('ema'). */
export type PpoMaType = 'sma' | 'ema';

/**
 * Percentage price oscillator: 100·(MA(fast) − MA(slow))/MA(slow) (0 when MA(slow) is ~0), without a
 * signal line. First slow−1 values are NaN. Matches TA-Lib PPO, whose default MA type is the SMA
 * (optInMAType 0); pass maType 'ema' for TA-Lib's matype 1, which is what TradingView and most charting
 * tools mean by PPO (EMA-based; technicalindicators has no PPO).
 * NaN policy: 'sma': an output whose window contains a NaN is NaN; 'ema': as {@link ema}.
 * @example ppo(Float64Array.of(1, 2, 3, 4), 2, 3) // ≈ [NaN, NaN, 25, 100/6]
 */
export function ppo(
  x: Series,
  fast = 12,
  slow = 26,
  maType: PpoMaType = 'sma',
  out: Series = new Float64Array(x.length),
): Series {
  checkPpo('ppo', fast, slow, maType);
  const len = x.length;
  const f = new Float64Array(len);
  const s = new Float64Array(len);
  if (maType === 'ema') {
    emaWithAlpha(x, fast, 2 / (fast + 1), f);
    emaWithAlpha(x, slow, 2 / (slow + 1), s);
    for (let i = 0; i < len; i++) out[i] = ppoOf(f[i]!, s[i]!);
  } else {
    forEachFiniteRun([x], len, [out], (a, e) => {
      smaRun(x, fast, a, e, f);
      smaRun(x, slow, a, e, s);
      for (let i = a; i < e; i++) out[i] = ppoOf(f[i]!, s[i]!);
    });
  }
  return out;
}

const EPS = 1e-14; // TA-Lib's "is zero" threshold

function ppoOf(f: number, s: number): number {
  if (s !== s || f !== f) return NaN;
  return s > -EPS && s < EPS ? 0.0 : ((f - s) / s) * 100.0;
}

function checkPpo(fn: string, fast: number, slow: number, maType: string): void {
  checkPeriod(fn, fast, 2);
  checkPeriod(fn, slow, 2);
  check(fast < slow, `${fn}: fast period must be < slow period, found fast ${fast} and slow ${slow}`);
  check(maType === 'sma' || maType === 'ema', `${fn}: maType must be 'sma' or 'ema', found '${maType}'`);
}

/** Streaming twin of {@link ppo}. */
export function ppoStream(fast = 12, slow = 26, maType: PpoMaType = 'sma'): Stream<number, number> {
  checkPpo('ppoStream', fast, slow, maType);
  const f = maType === 'ema' ? emaWithAlphaStream(fast, 2 / (fast + 1)) : smaRunStream(fast);
  const s = maType === 'ema' ? emaWithAlphaStream(slow, 2 / (slow + 1)) : smaRunStream(slow);
  return {
    update: (v: number) => ppoOf(f.update(v), s.update(v)),
    reset() {
      f.reset();
      s.reset();
    },
  };
}

/** Descriptor of {@link ppo}. */
export const ppoDescriptor = defineIndicator({
  name: 'ppo',
  title: 'Percentage price oscillator',
  inputs: [series('x', 'close')],
  params: { fast: intParam(12, 2), slow: intParam(26, 2), maType: choiceParam<PpoMaType>('sma', ['sma', 'ema']) },
  check: (p) => (p.fast < p.slow ? undefined : `fast (${p.fast}) must be < slow (${p.slow})`),
  warmup: (p) => p.slow - 1,
  talib: { fn: 'PPO', options: { fast: 'optInFastPeriod', slow: 'optInSlowPeriod', maType: 'optInMAType' }, codes: { maType: { sma: 0, ema: 1 } } },
  whole: ([x], p) => ppo(x!, p.fast, p.slow, p.maType),
  stream: (p) => ppoStream(p.fast, p.slow, p.maType),
});
