import type { Bar, Series, Stream } from '../core';
import { checkLengths, checkPeriod } from './kernels/checks';
import { forEachFiniteRun } from './kernels/finite-runs';
import { trueRange } from './kernels/true-range';
import { defineIndicator, intParam } from './descriptor';

const EPS = 1e-14; // TA-Lib's "is zero" threshold

/**
 * Ultimate oscillator: 100·(4·A₁ + 2·A₂ + A₃)/7, A = sum(close − true low)/sum(true range) over the
 * three periods (sorted: the shortest gets weight 4), true low = min(low, previous close). First
 * max(p1, p2, p3) values are NaN. Matches TA-Lib ULTOSC (periods are sorted as TA-Lib does; a term whose
 * range sum is ~0 is left out). technicalindicators has no ultimate oscillator.
 * NaN policy: an output whose window (longest period + 1 bars) contains a bar with a NaN field is NaN.
 * @example ultosc(Float64Array.of(2, 3, 4), Float64Array.of(1, 2, 3), Float64Array.of(2, 3, 4), 1, 1, 2) // [NaN, NaN, 100]
 */
export function ultosc(
  high: Series,
  low: Series,
  close: Series,
  p1 = 7,
  p2 = 14,
  p3 = 28,
  out: Series = new Float64Array(close.length),
): Series {
  const [s1, s2, s3] = sortedPeriods('ultosc', p1, p2, p3);
  const len = checkLengths('ultosc', { high, low, close });
  forEachFiniteRun([high, low, close], len, [out], (s, e) => {
    const start = s + s3; // first output
    const w = Math.min(e, start);
    for (let i = s; i < w; i++) out[i] = NaN;
    if (start >= e) return;
    let a1 = 0;
    let b1 = 0;
    let a2 = 0;
    let b2 = 0;
    let a3 = 0;
    let b3 = 0;
    for (let i = start - s1 + 1; i < start; i++) {
      a1 += closeMinusTrueLow(low, close, i);
      b1 += trueRangeAt(high, low, close, i);
    }
    for (let i = start - s2 + 1; i < start; i++) {
      a2 += closeMinusTrueLow(low, close, i);
      b2 += trueRangeAt(high, low, close, i);
    }
    for (let i = start - s3 + 1; i < start; i++) {
      a3 += closeMinusTrueLow(low, close, i);
      b3 += trueRangeAt(high, low, close, i);
    }
    for (let i = start; i < e; i++) {
      const a = closeMinusTrueLow(low, close, i);
      const b = trueRangeAt(high, low, close, i);
      a1 += a;
      a2 += a;
      a3 += a;
      b1 += b;
      b2 += b;
      b3 += b;
      out[i] = combine(a1, b1, a2, b2, a3, b3);
      let t = i - s1 + 1;
      a1 -= closeMinusTrueLow(low, close, t);
      b1 -= trueRangeAt(high, low, close, t);
      t = i - s2 + 1;
      a2 -= closeMinusTrueLow(low, close, t);
      b2 -= trueRangeAt(high, low, close, t);
      t = i - s3 + 1;
      a3 -= closeMinusTrueLow(low, close, t);
      b3 -= trueRangeAt(high, low, close, t);
    }
  });
  return out;
}

function combine(a1: number, b1: number, a2: number, b2: number, a3: number, b3: number): number {
  let o = 0.0;
  if (!(b1 > -EPS && b1 < EPS)) o += 4.0 * (a1 / b1);
  if (!(b2 > -EPS && b2 < EPS)) o += 2.0 * (a2 / b2);
  if (!(b3 > -EPS && b3 < EPS)) o += a3 / b3;
  return 100.0 * (o / 7.0);
}

const closeMinusTrueLow = (low: Series, close: Series, i: number): number => {
  const l = low[i]!;
  const pc = close[i - 1]!;
  return close[i]! - (l < pc ? l : pc);
};

const trueRangeAt = (high: Series, low: Series, close: Series, i: number): number => trueRange(high[i]!, low[i]!, close[i - 1]!);

function sortedPeriods(fn: string, p1: number, p2: number, p3: number): [number, number, number] {
  checkPeriod(fn, p1);
  checkPeriod(fn, p2);
  checkPeriod(fn, p3);
  return [p1, p2, p3].sort((a, b) => a - b) as [number, number, number];
}

/** Streaming twin of {@link ultosc}. A bar with a NaN field returns NaN and restarts the warm-up. */
export function ultoscStream(p1 = 7, p2 = 14, p3 = 28): Stream<Bar, number> {
  const [s1, s2, s3] = sortedPeriods('ultoscStream', p1, p2, p3);
  const aRing = new Float64Array(s3);
  const bRing = new Float64Array(s3);
  let count = 0; // bars since the (re)start
  let prevClose = 0;
  let a1 = 0;
  let b1 = 0;
  let a2 = 0;
  let b2 = 0;
  let a3 = 0;
  let b3 = 0;
  const reset = (): void => {
    count = 0;
    a1 = b1 = a2 = b2 = a3 = b3 = 0;
  };
  return {
    update(bar: Bar): number {
      const h = bar.high;
      const l = bar.low;
      const c = bar.close;
      if (h !== h || l !== l || c !== c) {
        reset();
        return NaN;
      }
      const i = count; // bar index since the (re)start
      const pc = prevClose;
      prevClose = c;
      count++;
      if (i === 0) return NaN;
      const a = c - (l < pc ? l : pc);
      const b = trueRange(h, l, pc);
      aRing[i % s3] = a;
      bRing[i % s3] = b;
      if (i < s3) {
        // priming: each sum takes the terms of its last (period − 1) bars before the first output
        if (i >= s3 - s1 + 1) {
          a1 += a;
          b1 += b;
        }
        if (i >= s3 - s2 + 1) {
          a2 += a;
          b2 += b;
        }
        if (i >= 1) {
          a3 += a;
          b3 += b;
        }
        return NaN;
      }
      a1 += a;
      a2 += a;
      a3 += a;
      b1 += b;
      b2 += b;
      b3 += b;
      const r = combine(a1, b1, a2, b2, a3, b3);
      let t = (i - s1 + 1) % s3;
      a1 -= aRing[t]!;
      b1 -= bRing[t]!;
      t = (i - s2 + 1) % s3;
      a2 -= aRing[t]!;
      b2 -= bRing[t]!;
      t = (i - s3 + 1) % s3;
      a3 -= aRing[t]!;
      b3 -= bRing[t]!;
      return r;
    },
    reset,
  };
}

/** Descriptor of {@link ultosc}. */
export const ultoscDescriptor = defineIndicator({
  name: 'ultosc',
  title: 'Ultimate oscillator',
  inputs: ['high', 'low', 'close'],
  params: { p1: intParam(7, 1), p2: intParam(14, 1), p3: intParam(28, 1) },
  warmup: (p) => Math.max(p.p1, p.p2, p.p3),
  talib: { fn: 'ULTOSC', options: { p1: 'optInTimePeriod1', p2: 'optInTimePeriod2', p3: 'optInTimePeriod3' } },
  whole: ([h, l, c], p) => ultosc(h!, l!, c!, p.p1, p.p2, p.p3),
  stream: (p) => ultoscStream(p.p1, p.p2, p.p3),
});
