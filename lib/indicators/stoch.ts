import type { Bar, Series, Stream } from '../core';
import { checkLengths, forEachFiniteRun, MonotonicWindow } from '../core/window';
import { checkPeriod } from './sma';
import { smaRunStream } from './trima';

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
 * @example
 * const { high, low, close } = await ql.loadDataset('BTCUSDT', '1h');
 * stoch(high, low, close, 5, 3, 3).k.findIndex(Number.isFinite) // 8 (NaN for the first 8 bars)
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
  const sc = stochScratch(fastK, slowK, slowD);
  forEachFiniteRun([high, low, close], len, [k, d], (s, e) => stochRun(high, low, close, fastK, slowK, slowD, s, e, k, d, sc.sufH, sc.sufL, sc.kRing, sc.dRing));
  return { k, d };
}

/**
 * Fast stochastic (TA-Lib STOCHF): k = fast %K over fastK bars, d = SMA(k, fastD). First fastK+fastD−2
 * values of both lines are NaN (as TA-Lib, %K starts with %D). Matches TA-Lib STOCHF with matype 0, and
 * is technicalindicators' Stochastic (period = fastK, signalPeriod = fastD) apart from alignment.
 * NaN policy: an output whose window contains a bar with a NaN high, low or close is NaN.
 * @example stochFast(Float64Array.of(2, 4, 4), Float64Array.of(0, 1, 2), Float64Array.of(1, 3, 4), 2, 1) // { k: [NaN, 75, 100], d: [NaN, 75, 100] }
 */
export function stochFast(high: Series, low: Series, close: Series, fastK = 5, fastD = 3): StochResult {
  checkPeriod('stochFast', fastK);
  checkPeriod('stochFast', fastD);
  const len = checkLengths('stochFast', { high, low, close });
  const k = new Float64Array(len);
  const d = new Float64Array(len);
  const sc = stochScratch(fastK, 1, fastD);
  forEachFiniteRun([high, low, close], len, [k, d], (s, e) => stochRun(high, low, close, fastK, 1, fastD, s, e, k, d, sc.sufH, sc.sufL, sc.kRing, sc.dRing));
  return { k, d };
}

/** @internal Small rings reused across runs by {@link stochRun}. */
export interface StochScratch {
  sufH: Float64Array;
  sufL: Float64Array;
  kRing: Float64Array;
  dRing: Float64Array;
}

/** @internal Scratch for {@link stochRun}. */
export const stochScratch = (fastK: number, slowK: number, slowD: number): StochScratch => ({
  sufH: new Float64Array(fastK),
  sufL: new Float64Array(fastK),
  kRing: new Float64Array(slowK),
  dRing: new Float64Array(slowD),
});

/**
 * @internal One pass of TA-Lib's STOCH over [s, e) (no NaN inside): fast %K from block-wise rolling extremes, then
 * the two SMAs with TA-Lib's running-sum order (add, divide, drop the oldest). slowK = 1 gives STOCHF.
 * k and d are written over [s, e), NaN until both exist.
 */
export function stochRun(
  high: Series,
  low: Series,
  close: Series,
  fastK: number,
  slowK: number,
  slowD: number,
  s: number,
  e: number,
  k: Series,
  d: Series,
  sufH: Float64Array,
  sufL: Float64Array,
  kRing: Float64Array,
  dRing: Float64Array,
): void {
  const n = fastK;
  // index thresholds instead of counters: the warm-up branches hold no arithmetic of their own
  const rawStart = s + n - 1; // first raw %K
  const kStart = rawStart + slowK - 1; // first %K
  const dStart = kStart + slowD - 1; // first %D (and first output)
  let pos = 0; // position of i in its block of n bars (blocks start at s)
  let ph = 0; // highest high of the block so far
  let pl = 0;
  let ks = 0; // ring slot of the oldest raw %K
  let ksum = 0;
  let ds = 0;
  let dsum = 0;
  for (let i = s; i < e; i++) {
    // rolling highest high / lowest low over n bars as (suffix of the previous block) ∪ (prefix of this
    // one): O(1) amortised, no data-dependent loops (van Herk / Gil-Werman)
    if (pos === 0 && i > s) rollingSuffix(high, low, i - n, n, sufH, sufL);
    const h = high[i]!;
    const l = low[i]!;
    if (pos === 0) {
      ph = h;
      pl = l;
    } else {
      if (h > ph) ph = h;
      if (l < pl) pl = l;
    }
    let hi = ph;
    let lo = pl;
    if (pos !== n - 1) {
      const a = sufH[pos + 1]!;
      const b = sufL[pos + 1]!;
      if (a > hi) hi = a;
      if (b < lo) lo = b;
    }
    pos = pos + 1 === n ? 0 : pos + 1;
    if (i < dStart) {
      k[i] = NaN;
      d[i] = NaN;
      if (i < rawStart) continue;
    }
    const diff = (hi - lo) / 100.0;
    const raw = diff !== 0.0 ? (close[i]! - lo) / diff : 0.0;
    // %K = SMA(raw, slowK): add, divide, then drop the oldest (TA-Lib's order)
    kRing[ks] = raw;
    ks = ks + 1 === slowK ? 0 : ks + 1; // now the oldest slot
    ksum += raw;
    if (i < kStart) continue;
    const kv = ksum / slowK;
    ksum -= kRing[ks]!;
    // %D = SMA(%K, slowD)
    dRing[ds] = kv;
    ds = ds + 1 === slowD ? 0 : ds + 1;
    dsum += kv;
    if (i < dStart) continue;
    const dv = dsum / slowD;
    dsum -= dRing[ds]!;
    k[i] = kv;
    d[i] = dv;
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

/**
 * @internal Suffix maxima of high and minima of low over the block [from, from+n): sufH[j] = max of
 * high[from+j .. from+n-1], likewise sufL.
 */
export function rollingSuffix(high: Series, low: Series, from: number, n: number, sufH: Float64Array, sufL: Float64Array): void {
  let mh = -Infinity;
  let ml = Infinity;
  for (let j = n - 1; j >= 0; j--) {
    const h = high[from + j]!;
    const l = low[from + j]!;
    if (h > mh) mh = h;
    if (l < ml) ml = l;
    sufH[j] = mh;
    sufL[j] = ml;
  }
}
