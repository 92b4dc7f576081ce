import type { Series, Stream } from '../core';
import { checkPeriod } from './kernels/checks';
import { defineIndicator, intParam, series } from './descriptor';

const SLOWEST = 2.0 / (30.0 + 1.0);
const SPREAD = 2.0 / (2.0 + 1.0) - SLOWEST;
const EPS = 1e-14; // TA-Lib's "is zero" threshold

/**
 * Kaufman adaptive moving average: efficiency ratio over n bars scales the smoothing between the 2- and
 * 30-bar EMA constants (squared). First n values are NaN. Matches TA-Lib KAMA: seeded with x[n-1], the
 * first output at n; the ratio is taken as 1 when the n-bar change is at least the path length or the
 * path length is ~0. (TradingView's `ta.kama` seeds differently; technicalindicators has no KAMA.)
 * NaN policy: a NaN bar gives NaN and is skipped: the window and the average carry on over the finite
 * values, as {@link ema} does.
 * @example kama(Float64Array.of(1, 2, 3, 4), 2) // ≈ [NaN, NaN, 22/9, 22/9 + (4 - 22/9) * 4/9] (efficiency 1: constant (2/3)²)
 */
export function kama(x: Series, n = 30, out: Series = new Float64Array(x.length)): Series {
  checkPeriod('kama', n, 2);
  const len = x.length;
  const size = n + 1;
  const ring = new Float64Array(size); // the last n+1 finite values, by their finite-count
  let c = 0; // finite values seen
  let path = 0;
  let prevX = 0;
  let trailing = 0;
  let k = 0;
  for (let i = 0; i < len; i++) {
    const v = x[i]!;
    if (v !== v) {
      out[i] = NaN;
      continue;
    }
    if (c < n) {
      if (c > 0) path += Math.abs(prevX - v);
      out[i] = NaN;
    } else {
      const old = ring[(c + 1) % size]!; // x[c-n]
      if (c === n) {
        path += Math.abs(prevX - v);
        k = prevX;
      } else {
        path -= Math.abs(trailing - old);
        path += Math.abs(v - prevX);
      }
      trailing = old;
      const change = v - old;
      let sc = path <= change || (path > -EPS && path < EPS) ? 1.0 : Math.abs(change / path);
      sc = sc * SPREAD + SLOWEST;
      sc *= sc;
      k = (v - k) * sc + k;
      out[i] = k;
    }
    ring[c % size] = v;
    prevX = v;
    c++;
  }
  return out;
}

/** Streaming twin of {@link kama}. */
export function kamaStream(n = 30): Stream<number, number> {
  checkPeriod('kamaStream', n, 2);
  const size = n + 1;
  const ring = new Float64Array(size);
  let c = 0;
  let path = 0;
  let prevX = 0;
  let trailing = 0;
  let k = 0;
  return {
    update(v: number): number {
      if (v !== v) return NaN;
      let r = NaN;
      if (c < n) {
        if (c > 0) path += Math.abs(prevX - v);
      } else {
        const old = ring[(c + 1) % size]!;
        if (c === n) {
          path += Math.abs(prevX - v);
          k = prevX;
        } else {
          path -= Math.abs(trailing - old);
          path += Math.abs(v - prevX);
        }
        trailing = old;
        const change = v - old;
        let sc = path <= change || (path > -EPS && path < EPS) ? 1.0 : Math.abs(change / path);
        sc = sc * SPREAD + SLOWEST;
        sc *= sc;
        k = (v - k) * sc + k;
        r = k;
      }
      ring[c % size] = v;
      prevX = v;
      c++;
      return r;
    },
    reset() {
      c = 0;
      path = 0;
      prevX = 0;
      trailing = 0;
      k = 0;
    },
  };
}

/** Descriptor of {@link kama}. */
export const kamaDescriptor = defineIndicator({
  name: 'kama',
  title: 'Kaufman adaptive moving average',
  inputs: [series('x', 'close')],
  params: { n: intParam(30, 2) },
  warmup: (p) => p.n,
  talib: { fn: 'KAMA', options: { n: 'optInTimePeriod' } },
  whole: ([x], p) => kama(x!, p.n),
  stream: (p) => kamaStream(p.n),
});
