import type { Bar, Series, Stream } from '../core';
import { BLOCK } from './kernels/blocks';
import { checkLengths, checkNonNegative } from './kernels/checks';
import { defineIndicator, floatParam } from './descriptor';

/**
 * Parabolic SAR (Wilder). First value is NaN (two bars start it). Matches TA-Lib SAR bit for bit,
 * including its start: the first trend is short when bar 1's -DM is positive (low fell more than
 * high rose), else long; the first SAR is bar 0's high (short) or low (long). If acceleration >
 * maximum, both become maximum (as TA-Lib). TradingView's `ta.sar` picks the first trend from the
 * close-to-close move of bars 0-1 instead, so it can disagree until the first common reversal.
 * NaN policy (recursive family): a bar with a NaN high or low is skipped (NaN output, state kept).
 * @example sar(Float64Array.of(10, 11, 12), Float64Array.of(9, 10, 11)) // [NaN, 9, 9.04] (long: ep 11, SAR 9 → 9 + 0.02 × (11 − 9))
 */
export function sar(high: Series, low: Series, acceleration = 0.02, maximum = 0.2, out: Series = new Float64Array(high.length)): Series {
  checkNonNegative('sar', 'acceleration', acceleration);
  checkNonNegative('sar', 'maximum', maximum);
  checkLengths('sar', { high, low });
  const len = high.length;
  const st = newState(acceleration, maximum);
  for (let s = 0; s < len; s += BLOCK) sarBlock(st, high, low, s, s + BLOCK < len ? s + BLOCK : len, out);
  return out;
}

/** {@link step} over [s, e) (blocks: see kernels/blocks.ts). */
function sarBlock(st: State, high: Series, low: Series, s: number, e: number, out: Series): void {
  for (let i = s; i < e; i++) out[i] = step(st, high[i]!, low[i]!);
}

interface State {
  accel: number;
  max: number;
  phase: number; // 0: no bar yet, 1: one bar seen, 2: running
  isLong: boolean;
  sar: number;
  ep: number;
  af: number;
  newHigh: number; // the last processed bar's high/low (TA-Lib's newHigh/newLow)
  newLow: number;
}

function newState(acceleration: number, maximum: number): State {
  const a = acceleration > maximum ? maximum : acceleration;
  return { accel: a, max: maximum, phase: 0, isLong: true, sar: 0, ep: 0, af: a, newHigh: 0, newLow: 0 };
}

function step(s: State, h: number, l: number): number {
  if (h !== h || l !== l) return NaN;
  if (s.phase === 0) {
    s.newHigh = h;
    s.newLow = l;
    s.phase = 1;
    return NaN;
  }
  if (s.phase === 1) {
    const diffP = h - s.newHigh;
    const diffM = s.newLow - l;
    s.isLong = !(diffM > 0 && diffP < diffM);
    if (s.isLong) {
      s.ep = h;
      s.sar = s.newLow;
    } else {
      s.ep = l;
      s.sar = s.newHigh;
    }
    s.newLow = l; // on the first step "yesterday" is today, as in TA-Lib
    s.newHigh = h;
    s.phase = 2;
  }
  const prevLow = s.newLow;
  const prevHigh = s.newHigh;
  s.newLow = l;
  s.newHigh = h;
  const accel = s.accel;
  let sr = s.sar;
  let out: number;
  if (s.isLong) {
    if (l <= sr) {
      s.isLong = false;
      sr = s.ep;
      if (sr < prevHigh) sr = prevHigh;
      if (sr < h) sr = h;
      out = sr;
      s.af = accel;
      s.ep = l;
      sr = sr + s.af * (s.ep - sr);
      if (sr < prevHigh) sr = prevHigh;
      if (sr < h) sr = h;
    } else {
      out = sr;
      if (h > s.ep) {
        s.ep = h;
        s.af += accel;
        if (s.af > s.max) s.af = s.max;
      }
      sr = sr + s.af * (s.ep - sr);
      if (sr > prevLow) sr = prevLow;
      if (sr > l) sr = l;
    }
  } else if (h >= sr) {
    s.isLong = true;
    sr = s.ep;
    if (sr > prevLow) sr = prevLow;
    if (sr > l) sr = l;
    out = sr;
    s.af = accel;
    s.ep = h;
    sr = sr + s.af * (s.ep - sr);
    if (sr > prevLow) sr = prevLow;
    if (sr > l) sr = l;
  } else {
    out = sr;
    if (l < s.ep) {
      s.ep = l;
      s.af += accel;
      if (s.af > s.max) s.af = s.max;
    }
    sr = sr + s.af * (s.ep - sr);
    if (sr < prevHigh) sr = prevHigh;
    if (sr < h) sr = h;
  }
  s.sar = sr;
  return out;
}

/** Streaming twin of {@link sar}: `update(bar)` returns the SAR for that bar. */
export function sarStream(acceleration = 0.02, maximum = 0.2): Stream<Bar, number> {
  checkNonNegative('sarStream', 'acceleration', acceleration);
  checkNonNegative('sarStream', 'maximum', maximum);
  let st = newState(acceleration, maximum);
  return {
    update(bar: Bar): number {
      return step(st, bar.high, bar.low);
    },
    reset() {
      st = newState(acceleration, maximum);
    },
  };
}

/** Descriptor of {@link sar}. */
export const sarDescriptor = defineIndicator({
  name: 'sar',
  title: 'Parabolic SAR (Wilder)',
  inputs: ['high', 'low'],
  params: { acceleration: floatParam(0.02, 0), maximum: floatParam(0.2, 0) },
  warmup: () => 1,
  talib: { fn: 'SAR', options: { acceleration: 'optInAcceleration', maximum: 'optInMaximum' } },
  whole: ([h, l], p) => sar(h!, l!, p.acceleration, p.maximum),
  stream: (p) => sarStream(p.acceleration, p.maximum),
});
