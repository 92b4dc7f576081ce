import { check, type Series, type Stream } from '../core';
import { checkPeriod } from './kernels/checks';
import { defineIndicator, intParam, series } from './descriptor';

// NaN policy for every rolling helper here (window family): an output is NaN while its window of n
// values contains a NaN, and recovers once the NaN has left the window. The streaming twins hold the
// same window and return exactly the whole-array value (bit for bit).

/**
 * Highest value of the last n values (current one included), O(length) with a monotonic deque.
 * First n-1 values are NaN. Matches TA-Lib MAX. `out` must not be `x`.
 * @example rollingMax(Float64Array.of(1, 3, 2, 0), 2) // [NaN, 3, 3, 2]
 */
export function rollingMax(x: Series, n: number, out: Series = new Float64Array(x.length)): Series {
  checkPeriod('rollingMax', n);
  check(out !== x, 'rollingMax: out must not be x');
  return extreme(x, n, true, out);
}

/**
 * Lowest value of the last n values (current one included), O(length) with a monotonic deque.
 * First n-1 values are NaN. Matches TA-Lib MIN. `out` must not be `x`.
 * @example rollingMin(Float64Array.of(1, 3, 2, 0), 2) // [NaN, 1, 2, 0]
 */
export function rollingMin(x: Series, n: number, out: Series = new Float64Array(x.length)): Series {
  checkPeriod('rollingMin', n);
  check(out !== x, 'rollingMin: out must not be x');
  return extreme(x, n, false, out);
}

function extreme(x: Series, n: number, isMax: boolean, out: Series): Series {
  const len = x.length;
  const dq = new Int32Array(n); // ring buffer of indices; values along it are strictly monotonic
  let head = 0;
  let size = 0;
  let lastNan = -1 - n;
  for (let i = 0; i < len; i++) {
    if (size > 0 && dq[head]! <= i - n) {
      head = head + 1 === n ? 0 : head + 1;
      size--;
    }
    const v = x[i]!;
    if (v !== v) lastNan = i;
    else {
      while (size > 0) {
        let back = head + size - 1;
        if (back >= n) back -= n;
        const b = x[dq[back]!]!;
        if (isMax ? b <= v : b >= v) size--;
        else break;
      }
      let slot = head + size;
      if (slot >= n) slot -= n;
      dq[slot] = i;
      size++;
    }
    out[i] = i >= n - 1 && lastNan <= i - n ? x[dq[head]!]! : NaN;
  }
  return out;
}

/**
 * Sum of the last n values (TA-Lib's running sum). First n-1 values are NaN. Matches TA-Lib SUM.
 * @example rollingSum(Float64Array.of(1, 2, 3, 4), 2) // [NaN, 3, 5, 7]
 */
export function rollingSum(x: Series, n: number, out: Series = new Float64Array(x.length)): Series {
  checkPeriod('rollingSum', n);
  check(out !== x, 'rollingSum: out must not be x');
  const len = x.length;
  let sum = 0; // finite values of the window only
  let nans = 0;
  for (let i = 0; i < len; i++) {
    const v = x[i]!;
    if (v !== v) nans++;
    else sum += v;
    const j = i - n + 1;
    if (j < 0) {
      out[i] = NaN;
      continue;
    }
    out[i] = nans === 0 ? sum : NaN;
    const old = x[j]!;
    if (old !== old) nans--;
    else sum -= old;
  }
  return out;
}

/**
 * Population standard deviation (divisor n) of the last n values, computed carefully: sums of
 * deviations from a recent value, re-based from the window every n bars, so it stays within a few 1e-13
 * relative of a two-pass computation (TA-Lib STDDEV's running sums drift to ~4e-6 on BTC 1h closes).
 * First n-1 values are NaN. pandas' `rolling(n).std()` is the sample deviation (divisor n-1):
 * multiply by sqrt(n/(n-1)) to compare.
 * @example rollingStd(Float64Array.of(2, 4, 4, 4, 5, 5, 7, 9), 8) // [NaN, NaN, NaN, NaN, NaN, NaN, NaN, 2]
 */
export function rollingStd(x: Series, n: number, out: Series = new Float64Array(x.length)): Series {
  checkPeriod('rollingStd', n);
  check(out !== x, 'rollingStd: out must not be x');
  return moments(x, n, false, out);
}

/**
 * Rolling z-score: (x - mean) / std over the last n values (population std, as {@link rollingStd}).
 * First n-1 values are NaN; also NaN where the window is constant (std 0).
 * @example zscore(Float64Array.of(1, 2, 3), 3) // [NaN, NaN, 1.224744871391589]
 */
export function zscore(x: Series, n: number, out: Series = new Float64Array(x.length)): Series {
  checkPeriod('zscore', n);
  check(out !== x, 'zscore: out must not be x');
  return moments(x, n, true, out);
}

/** std (or z-score) from the shifted sums a = Σ(x-K), b = Σ(x-K)²; v is the latest value. */
function finish(a: number, b: number, n: number, K: number, v: number, z: boolean): number {
  let variance = (b - (a * a) / n) / n;
  if (variance < 0) variance = 0;
  const sd = Math.sqrt(variance);
  if (!z) return sd;
  return sd === 0 ? NaN : (v - (K + a / n)) / sd;
}

function moments(x: Series, n: number, z: boolean, out: Series): Series {
  const len = x.length;
  let K = 0;
  let a = 0;
  let b = 0;
  let nans = 0;
  let valid = false; // a, b describe the window ending at i-1
  let since = 0; // incremental updates since the last re-base
  for (let i = 0; i < len; i++) {
    const v = x[i]!;
    if (v !== v) nans++;
    if (i >= n) {
      const old = x[i - n]!;
      if (old !== old) nans--;
    }
    if (i < n - 1 || nans > 0) {
      out[i] = NaN;
      valid = false;
      continue;
    }
    if (!valid || since >= n) {
      K = v;
      a = 0;
      b = 0;
      for (let t = i - n + 1; t <= i; t++) {
        const d = x[t]! - K;
        a += d;
        b += d * d;
      }
      valid = true;
      since = 0;
    } else {
      const d = v - K;
      const d0 = x[i - n]! - K;
      a += d - d0;
      b += d * d - d0 * d0;
      since++;
    }
    out[i] = finish(a, b, n, K, v, z);
  }
  return out;
}

/** Streaming twin of {@link rollingMax}. */
export function rollingMaxStream(n: number): Stream<number, number> {
  checkPeriod('rollingMaxStream', n);
  return extremeStream(n, true);
}

/** Streaming twin of {@link rollingMin}. */
export function rollingMinStream(n: number): Stream<number, number> {
  checkPeriod('rollingMinStream', n);
  return extremeStream(n, false);
}

function extremeStream(n: number, isMax: boolean): Stream<number, number> {
  const idx = new Float64Array(n); // deque ring: indices and values
  const val = new Float64Array(n);
  let head = 0;
  let size = 0;
  let i = 0;
  let lastNan = -1 - n;
  return {
    update(v: number): number {
      if (size > 0 && idx[head]! <= i - n) {
        head = head + 1 === n ? 0 : head + 1;
        size--;
      }
      if (v !== v) lastNan = i;
      else {
        while (size > 0) {
          let back = head + size - 1;
          if (back >= n) back -= n;
          const bv = val[back]!;
          if (isMax ? bv <= v : bv >= v) size--;
          else break;
        }
        let slot = head + size;
        if (slot >= n) slot -= n;
        idx[slot] = i;
        val[slot] = v;
        size++;
      }
      const r = i >= n - 1 && lastNan <= i - n ? val[head]! : NaN;
      i++;
      return r;
    },
    reset() {
      head = 0;
      size = 0;
      i = 0;
      lastNan = -1 - n;
    },
  };
}

/** Streaming twin of {@link rollingSum}. */
export function rollingSumStream(n: number): Stream<number, number> {
  checkPeriod('rollingSumStream', n);
  const win = new Float64Array(n);
  let count = 0;
  let sum = 0;
  let nans = 0;
  return {
    update(v: number): number {
      if (v !== v) nans++;
      else sum += v;
      win[count % n] = v;
      count++;
      if (count < n) return NaN;
      const r = nans === 0 ? sum : NaN;
      const old = win[count % n]!;
      if (old !== old) nans--;
      else sum -= old;
      return r;
    },
    reset() {
      count = 0;
      sum = 0;
      nans = 0;
    },
  };
}

/** Streaming twin of {@link rollingStd}. */
export function rollingStdStream(n: number): Stream<number, number> {
  checkPeriod('rollingStdStream', n);
  return momentsStream(n, false);
}

/** Streaming twin of {@link zscore}. */
export function zscoreStream(n: number): Stream<number, number> {
  checkPeriod('zscoreStream', n);
  return momentsStream(n, true);
}

function momentsStream(n: number, z: boolean): Stream<number, number> {
  const win = new Float64Array(n);
  let count = 0;
  let nans = 0;
  let K = 0;
  let a = 0;
  let b = 0;
  let valid = false;
  let since = 0;
  return {
    update(v: number): number {
      const slot = count % n;
      const old = win[slot]!; // x[i-n] once count >= n
      if (v !== v) nans++;
      if (count >= n && old !== old) nans--;
      win[slot] = v;
      count++;
      if (count < n || nans > 0) {
        valid = false;
        return NaN;
      }
      if (!valid || since >= n) {
        K = v;
        a = 0;
        b = 0;
        for (let t = 0; t < n; t++) {
          const d = win[(count + t) % n]! - K; // oldest to newest
          a += d;
          b += d * d;
        }
        valid = true;
        since = 0;
      } else {
        const d = v - K;
        const d0 = old - K;
        a += d - d0;
        b += d * d - d0 * d0;
        since++;
      }
      return finish(a, b, n, K, v, z);
    },
    reset() {
      count = 0;
      nans = 0;
      valid = false;
      since = 0;
    },
  };
}

/** Descriptor of {@link rollingMax}. */
export const rollingMaxDescriptor = defineIndicator({
  name: 'rollingMax',
  title: 'Highest value of the last n',
  inputs: [series('x', 'close')],
  params: { n: intParam(20, 1) },
  warmup: (p) => p.n - 1,
  talib: { fn: 'MAX', options: { n: 'optInTimePeriod' } },
  whole: ([x], p) => rollingMax(x!, p.n),
  stream: (p) => rollingMaxStream(p.n),
});

/** Descriptor of {@link rollingMin}. */
export const rollingMinDescriptor = defineIndicator({
  name: 'rollingMin',
  title: 'Lowest value of the last n',
  inputs: [series('x', 'close')],
  params: { n: intParam(20, 1) },
  warmup: (p) => p.n - 1,
  talib: { fn: 'MIN', options: { n: 'optInTimePeriod' } },
  whole: ([x], p) => rollingMin(x!, p.n),
  stream: (p) => rollingMinStream(p.n),
});

/** Descriptor of {@link rollingSum}. */
export const rollingSumDescriptor = defineIndicator({
  name: 'rollingSum',
  title: 'Sum of the last n',
  inputs: [series('x', 'close')],
  params: { n: intParam(20, 1) },
  warmup: (p) => p.n - 1,
  talib: { fn: 'SUM', options: { n: 'optInTimePeriod' } },
  whole: ([x], p) => rollingSum(x!, p.n),
  stream: (p) => rollingSumStream(p.n),
});

/** Descriptor of {@link rollingStd}. */
export const rollingStdDescriptor = defineIndicator({
  name: 'rollingStd',
  title: 'Population standard deviation of the last n (re-based sums)',
  inputs: [series('x', 'close')],
  params: { n: intParam(20, 1) },
  warmup: (p) => p.n - 1,
  whole: ([x], p) => rollingStd(x!, p.n),
  stream: (p) => rollingStdStream(p.n),
});

/** Descriptor of {@link zscore}. */
export const zscoreDescriptor = defineIndicator({
  name: 'zscore',
  title: 'Rolling z-score (x − mean) / std over the last n',
  inputs: [series('x', 'close')],
  params: { n: intParam(20, 1) },
  warmup: (p) => p.n - 1,
  whole: ([x], p) => zscore(x!, p.n),
  stream: (p) => zscoreStream(p.n),
});
