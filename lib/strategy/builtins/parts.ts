import type { Bar, Series } from '../../core';
import { ema, emaStream } from '../../indicators/ema';
import { zscore, zscoreStream } from '../../indicators/rolling';
import { keltner, keltnerStream } from '../../indicators/keltner';
import type { Bands } from '../../indicators/bbands';
import { customIndicator, type IndicatorSpec } from '../indicator';

/**
 * Specs the built-ins compose from: a bar field, an EMA or z-score of another spec's output, a ratio of two
 * specs, the Keltner channel. Each key names its inputs' keys, so equal keys mean equal outputs and a sweep
 * computes each distinct part once.
 */

/** The close of each bar as a spec (to read it through onTimeframe / onInput). */
export const closeField: IndicatorSpec<Series> = customIndicator<Series>('field(close)', (b) => b.close, () => ({ update: (x: Bar) => x.close, reset() {} }));

/** EMA(n) of another single-series spec (leading NaNs skipped, as lib/indicators/ema). */
export function emaOf(spec: IndicatorSpec<Series>, n: number): IndicatorSpec<Series> {
  return customIndicator<Series>(`ema(${n},${spec.key})`, (b) => ema(spec.compute(b), n), () => {
    const s = spec.stream();
    const e = emaStream(n);
    return { update: (x: Bar) => e.update(s.update(x)), reset: () => (s.reset(), e.reset()) };
  });
}

/** Rolling z-score(n) of another single-series spec (as lib/indicators/rolling zscore). */
export function zscoreOf(spec: IndicatorSpec<Series>, n: number): IndicatorSpec<Series> {
  return customIndicator<Series>(`zscore(${n},${spec.key})`, (b) => zscore(spec.compute(b), n), () => {
    const s = spec.stream();
    const z = zscoreStream(n);
    return { update: (x: Bar) => z.update(s.update(x)), reset: () => (s.reset(), z.reset()) };
  });
}

/** a / b, bar by bar. */
export function ratioOf(a: IndicatorSpec<Series>, b: IndicatorSpec<Series>): IndicatorSpec<Series> {
  return customIndicator<Series>(
    `ratio(${a.key},${b.key})`,
    (bars) => {
      const x = a.compute(bars);
      const y = b.compute(bars);
      return Float64Array.from(x, (v, i) => v / y[i]!);
    },
    () => {
      const sa = a.stream();
      const sb = b.stream();
      return { update: (x: Bar) => sa.update(x) / sb.update(x), reset: () => (sa.reset(), sb.reset()) };
    },
  );
}

/** Keltner channel (EMA(n) ± mult × Wilder ATR(atrN)), lib/indicators/keltner. */
export function keltnerSpec(n: number, mult: number, atrN: number): IndicatorSpec<Bands> {
  return customIndicator<Bands>(`keltner(${n},${mult},${atrN})`, (b) => keltner(b.high, b.low, b.close, n, mult, atrN), () => keltnerStream(n, mult, atrN), ['upper', 'middle', 'lower']);
}
