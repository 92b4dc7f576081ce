import type { Bar, Series, Stream } from '../core';
import { checkLengths, forEachFiniteRun, MonotonicWindow } from '../core/window';
import { checkPeriod } from './sma';
import { smaRun, smaRunStream } from './trima';

/** %K and %D lines of a stochastic oscillator, in [0, 100]. */
export interface StochResult {
  k: Float64Array;
  d: Float64Array;
}

/** One stochastic reading. */
export interface StochValue {
  k: number;
  d: number;
}

/**
 * Slow stochastic (TA-Lib STOCH with SMA slowing): fast %K = 100·(close − lowest low)/(highest high −
 * lowest low) over fastK bars (0 when the range is 0); k = SMA(fast %K, slowK); d = SMA(k, slowD).
 * First fastK+slowK+slowD−3 values of both lines are NaN (TA-Lib starts %K with %D although it could
 * start slowD−1 bars earlier). Matches TA-Lib STOCH with matype 0. technicalindicators' Stochastic is
 * the fast %K with a %D signal (no slowing) and returns shorter arrays.
 * NaN policy: an output whose window contains a bar with a NaN high, low or close is NaN.
 * @example stoch(high, low, close, 5, 3, 3).k // NaN for the first 8 bars
 */
export function stoch(
  high: Series,
  low: Series,
  close: Series,
  fastK = 5,
  slowK = 3,
  slowD = 3,
): StochResult {
  checkPeriod('stoch', fastK);
  checkPeriod('stoch', slowK);
  checkPeriod('stoch', slowD);
  const len = checkLengths('stoch', { high, low, close });
  const k = new Float64Array(len);
  const d = new Float64Array(len);
  const raw = new Float64Array(len);
  const qh = new Int32Array(len);
  const ql = new Int32Array(len);
  const lookback = fastK - 1 + slowK - 1 + slowD - 1;
  forEachFiniteRun([high, low, close], len, [k, d], (s, e) => {
    fastKRun(high, low, close, fastK, s, e, raw, qh, ql);
    smaRun(raw, slowK, s + fastK - 1, e, k);
    smaRun(k, slowD, s + fastK + slowK - 2, e, d);
    const w = Math.min(e, s + lookback);
    k.fill(NaN, s, w);
    d.fill(NaN, s, w);
  });
  return { k, d };
}

/**
 * Fast stochastic (TA-Lib STOCHF): k = fast %K over fastK bars, d = SMA(k, fastD). First fastK+fastD−2
 * values of both lines are NaN (as TA-Lib, %K starts with %D). Matches TA-Lib STOCHF with matype 0, and
 * is technicalindicators' Stochastic (period = fastK, signalPeriod = fastD) apart from alignment.
 * NaN policy: an output whose window contains a bar with a NaN high, low or close is NaN.
 * @example stochFast(Float64Array.of(2, 4, 4), Float64Array.of(0, 1, 2), Float64Array.of(1, 3, 4), 2, 1) // k [NaN, 75, 100]
 */
export function stochFast(high: Series, low: Series, close: Series, fastK = 5, fastD = 3): StochResult {
  checkPeriod('stochFast', fastK);
  checkPeriod('stochFast', fastD);
  const len = checkLengths('stochFast', { high, low, close });
  const k = new Float64Array(len);
  const d = new Float64Array(len);
  const qh = new Int32Array(len);
  const ql = new Int32Array(len);
  forEachFiniteRun([high, low, close], len, [k, d], (s, e) => stochFastRun(high, low, close, fastK, fastD, s, e, k, d, qh, ql));
  return { k, d };
}

/** @internal STOCHF over [s, e) (no NaN inside); qh/ql are index scratch of length >= e. */
export function stochFastRun(
  high: Series,
  low: Series,
  close: Series,
  fastK: number,
  fastD: number,
  s: number,
  e: number,
  k: Series,
  d: Series,
  qh: Int32Array,
  ql: Int32Array,
): void {
  fastKRun(high, low, close, fastK, s, e, k, qh, ql);
  smaRun(k, fastD, s + fastK - 1, e, d);
  const w = Math.min(e, s + fastK + fastD - 2);
  k.fill(NaN, s, w);
  d.fill(NaN, s, w);
}

/** Fast %K over [s, e) as TA-Lib computes it; the first n-1 outputs are NaN. */
function fastKRun(
  high: Series,
  low: Series,
  close: Series,
  n: number,
  s: number,
  e: number,
  out: Series,
  qh: Int32Array,
  ql: Int32Array,
): void {
  let hh = 0;
  let ht = 0;
  let lh = 0;
  let lt = 0;
  for (let i = s; i < e; i++) {
    const h = high[i]!;
    const l = low[i]!;
    while (ht > hh && high[qh[ht - 1]!]! <= h) ht--;
    qh[ht++] = i;
    if (qh[hh]! <= i - n) hh++;
    while (lt > lh && low[ql[lt - 1]!]! >= l) lt--;
    ql[lt++] = i;
    if (ql[lh]! <= i - n) lh++;
    if (i - s < n - 1) {
      out[i] = NaN;
      continue;
    }
    const lo = low[ql[lh]!]!;
    const diff = (high[qh[hh]!]! - lo) / 100.0;
    out[i] = diff !== 0.0 ? (close[i]! - lo) / diff : 0.0;
  }
}

/**
 * @internal The state behind the stochastic streams: feed high, low, close; NaN in any of them resets.
 * After `update`, `k` and `d` hold the outputs (NaN while warming up). slowK = 1 gives STOCHF.
 */
export class StochState {
  k = NaN;
  d = NaN;
  private readonly hw: MonotonicWindow;
  private readonly lw: MonotonicWindow;
  private readonly smoothK: Stream<number, number>;
  private readonly smoothD: Stream<number, number>;

  constructor(
    private readonly fastK: number,
    slowK: number,
    slowD: number,
  ) {
    this.hw = new MonotonicWindow(fastK, 'max');
    this.lw = new MonotonicWindow(fastK, 'min');
    this.smoothK = smaRunStream(slowK);
    this.smoothD = smaRunStream(slowD);
  }

  update(h: number, l: number, c: number): void {
    this.k = NaN;
    this.d = NaN;
    if (h !== h || l !== l || c !== c) {
      this.reset();
      return;
    }
    this.hw.push(h);
    this.lw.push(l);
    if (this.hw.length < this.fastK) return;
    const lo = this.lw.value;
    const diff = (this.hw.value - lo) / 100.0;
    const raw = diff !== 0.0 ? (c - lo) / diff : 0.0;
    const k = this.smoothK.update(raw);
    if (k !== k) return;
    const d = this.smoothD.update(k);
    if (d !== d) return;
    this.k = k;
    this.d = d;
  }

  reset(): void {
    this.hw.reset();
    this.lw.reset();
    this.smoothK.reset();
    this.smoothD.reset();
    this.k = NaN;
    this.d = NaN;
  }
}

/**
 * Streaming twin of {@link stoch}: returns a fresh `{ k, d }` per bar. A bar with a NaN high, low or
 * close returns NaNs and restarts the warm-up.
 */
export function stochStream(fastK = 5, slowK = 3, slowD = 3): Stream<Bar, StochValue> {
  checkPeriod('stochStream', fastK);
  checkPeriod('stochStream', slowK);
  checkPeriod('stochStream', slowD);
  const st = new StochState(fastK, slowK, slowD);
  return {
    update(b: Bar): StochValue {
      st.update(b.high, b.low, b.close);
      return { k: st.k, d: st.d };
    },
    reset: () => st.reset(),
  };
}

/** Streaming twin of {@link stochFast}: returns a fresh `{ k, d }` per bar. */
export function stochFastStream(fastK = 5, fastD = 3): Stream<Bar, StochValue> {
  checkPeriod('stochFastStream', fastK);
  checkPeriod('stochFastStream', fastD);
  const st = new StochState(fastK, 1, fastD);
  return {
    update(b: Bar): StochValue {
      st.update(b.high, b.low, b.close);
      return { k: st.k, d: st.d };
    },
    reset: () => st.reset(),
  };
}
