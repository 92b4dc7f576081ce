import type { Bar, Series, Stream } from '../core';
import { checkLengths, checkPeriod } from './kernels/checks';
import { forEachFiniteRun } from './kernels/finite-runs';
import { weightedRun, weightedRunStream, weightedScratch } from './kernels/weighted-run';
import { defineIndicator, intParam } from './descriptor';

/**
 * Volume-weighted moving average: sum(close·volume) / sum(volume) over the last n bars. First n-1 values
 * are NaN. Not in TA-Lib; same definition as TradingView's `ta.vwma` and technicalindicators' VWMA
 * (which returns a shorter array). A window whose volumes sum to 0 gives NaN. The window sums are
 * built from the window's own values, so zero-volume stretches give clean results.
 * NaN policy: an output whose window contains a NaN close or volume is NaN; it recovers n bars later.
 * @example vwma(Float64Array.of(1, 2, 3), Float64Array.of(1, 1, 2), 2) // [NaN, 1.5, 8/3]
 */
export function vwma(close: Series, volume: Series, n = 20, out: Series = new Float64Array(close.length)): Series {
  checkPeriod('vwma', n);
  checkLengths('vwma', { close, volume });
  const scratch = weightedScratch(close.length);
  forEachFiniteRun([close, volume], close.length, [out], (s, e) => weightedRun(close, volume, n, s, e, out, scratch));
  return out;
}

/** Streaming twin of {@link vwma}: feed bars (close and volume are used). */
export function vwmaStream(n = 20): Stream<Bar, number> {
  checkPeriod('vwmaStream', n);
  const w = weightedRunStream(n);
  return { update: (bar: Bar) => w.update(bar.close, bar.volume), reset: () => w.reset() };
}

/** Descriptor of {@link vwma}. */
export const vwmaDescriptor = defineIndicator({
  name: 'vwma',
  title: 'Volume-weighted moving average of close',
  inputs: ['close', 'volume'],
  params: { n: intParam(20, 1) },
  warmup: (p) => p.n - 1,
  whole: ([c, v], p) => vwma(c!, v!, p.n),
  stream: (p) => vwmaStream(p.n),
});
