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

/**
 * The SAR recursion over [s, e), from and back to `st` (blocks: see kernels/blocks.ts). The state lives in
 * locals inside the loop (a state object read and written per bar cost 3× the time); the streaming twin
 * calls this same function on one bar, so the rule is written once.
 */
function sarBlock(st: State, high: Series, low: Series, s: number, e: number, out: Series): void {
  const accel = st.accel;
  const max = st.max;
  let phase = st.phase;
  let isLong = st.isLong;
  let sr = st.sar;
  let ep = st.ep;
  let af = st.af;
  let newHigh = st.newHigh; // the last processed bar's high/low (TA-Lib's newHigh/newLow)
  let newLow = st.newLow;
  for (let i = s; i < e; i++) {
    const h = high[i]!;
    const l = low[i]!;
    if (h !== h || l !== l) {
      out[i] = NaN;
      continue;
    }
    if (phase !== 2) {
      if (phase === 0) {
        newHigh = h;
        newLow = l;
        phase = 1;
        out[i] = NaN;
        continue;
      }
      const diffP = h - newHigh;
      const diffM = newLow - l;
      isLong = !(diffM > 0 && diffP < diffM);
      if (isLong) {
        ep = h;
        sr = newLow;
      } else {
        ep = l;
        sr = newHigh;
      }
      newLow = l; // on the first step "yesterday" is today, as in TA-Lib
      newHigh = h;
      phase = 2;
    }
    const prevLow = newLow;
    const prevHigh = newHigh;
    newLow = l;
    newHigh = h;
    let o: number;
    if (isLong) {
      if (l <= sr) {
        isLong = false;
        sr = ep;
        if (sr < prevHigh) sr = prevHigh;
        if (sr < h) sr = h;
        o = sr;
        af = accel;
        ep = l;
        sr = sr + af * (ep - sr);
        if (sr < prevHigh) sr = prevHigh;
        if (sr < h) sr = h;
      } else {
        o = sr;
        if (h > ep) {
          ep = h;
          af += accel;
          if (af > max) af = max;
        }
        sr = sr + af * (ep - sr);
        if (sr > prevLow) sr = prevLow;
        if (sr > l) sr = l;
      }
    } else if (h >= sr) {
      isLong = true;
      sr = ep;
      if (sr > prevLow) sr = prevLow;
      if (sr > l) sr = l;
      o = sr;
      af = accel;
      ep = h;
      sr = sr + af * (ep - sr);
      if (sr > prevLow) sr = prevLow;
      if (sr > l) sr = l;
    } else {
      o = sr;
      if (l < ep) {
        ep = l;
        af += accel;
        if (af > max) af = max;
      }
      sr = sr + af * (ep - sr);
      if (sr < prevHigh) sr = prevHigh;
      if (sr < h) sr = h;
    }
    out[i] = o;
  }
  st.phase = phase;
  st.isLong = isLong;
  st.sar = sr;
  st.ep = ep;
  st.af = af;
  st.newHigh = newHigh;
  st.newLow = newLow;
}

interface State {
  accel: number;
  max: number;
  phase: number; // 0: no bar yet, 1: one bar seen, 2: running
  isLong: boolean;
  sar: number;
  ep: number;
  af: number;
  newHigh: number;
  newLow: number;
}

function newState(acceleration: number, maximum: number): State {
  const a = acceleration > maximum ? maximum : acceleration;
  return { accel: a, max: maximum, phase: 0, isLong: true, sar: 0, ep: 0, af: a, newHigh: 0, newLow: 0 };
}

/** Streaming twin of {@link sar}: `update(bar)` returns the SAR for that bar. */
export function sarStream(acceleration = 0.02, maximum = 0.2): Stream<Bar, number> {
  checkNonNegative('sarStream', 'acceleration', acceleration);
  checkNonNegative('sarStream', 'maximum', maximum);
  let st = newState(acceleration, maximum);
  const h = new Float64Array(1);
  const l = new Float64Array(1);
  const o = new Float64Array(1);
  return {
    update(bar: Bar): number {
      h[0] = bar.high;
      l[0] = bar.low;
      sarBlock(st, h, l, 0, 1, o);
      return o[0]!;
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
