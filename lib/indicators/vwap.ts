import { check, type Bar, type Series, type Stream } from '../core';
import { BLOCK } from './kernels/blocks';
import { checkLengths, checkPeriod } from './kernels/checks';
import { forEachFiniteRun } from './kernels/finite-runs';
import { weightedRun, weightedRunStream, weightedScratch } from './kernels/weighted-run';
import { defineIndicator, floatParam, intParam } from './descriptor';

/**
 * Rolling VWAP over the last n bars: sum(typical·volume) / sum(volume), typical = (high+low+close)/3.
 * First n-1 values are NaN. Not in TA-Lib. (technicalindicators' VWAP is cumulative from the first bar
 * and never resets; see {@link sessionVwap} for the session-anchored form TradingView draws.)
 * A window whose volumes sum to 0 gives NaN.
 * NaN policy: an output whose window contains a bar with a NaN field is NaN; it recovers n bars later.
 * @example vwap(Float64Array.of(3, 6), Float64Array.of(1, 2), Float64Array.of(2, 4), Float64Array.of(1, 3), 2) // [NaN, 3.5]
 */
export function vwap(
  high: Series,
  low: Series,
  close: Series,
  volume: Series,
  n: number,
  out: Series = new Float64Array(close.length),
): Series {
  checkPeriod('vwap', n);
  const len = checkLengths('vwap', { high, low, close, volume });
  const tp = new Float64Array(len);
  for (let i = 0; i < len; i++) tp[i] = (high[i]! + low[i]! + close[i]!) / 3;
  const scratch = weightedScratch(len);
  forEachFiniteRun([tp, volume], len, [out], (s, e) => weightedRun(tp, volume, n, s, e, out, scratch));
  return out;
}

/** Streaming twin of {@link vwap}. A bar with a NaN field returns NaN and restarts the warm-up. */
export function vwapStream(n: number): Stream<Bar, number> {
  checkPeriod('vwapStream', n);
  const w = weightedRunStream(n);
  return {
    update: (b: Bar) => w.update((b.high + b.low + b.close) / 3, b.volume),
    reset: () => w.reset(),
  };
}

/**
 * Session-anchored VWAP: cumulative sum(typical·volume) / sum(volume) since the start of the bar's UTC
 * session, typical = (high+low+close)/3, sessions = [k·sessionMs, (k+1)·sessionMs) of epoch time (daily
 * by default, so it resets at 00:00 UTC). `ts` is each bar's open time in epoch ms. No warm-up: the first
 * bar of a session is its own typical price. A session whose volume so far is 0 gives NaN.
 * NaN policy: a bar with a NaN field (or ts) gives NaN and is left out of its session's sums.
 * @example
 * const ts = Float64Array.of(0, 3_600_000, 86_400_000); // the third bar opens a new UTC day
 * const high = Float64Array.of(3, 6, 4), low = Float64Array.of(1, 2, 2), close = Float64Array.of(2, 4, 3), volume = Float64Array.of(1, 3, 2);
 * sessionVwap(ts, high, low, close, volume) // [2, 3.5, 3]
 */
export function sessionVwap(
  ts: Series,
  high: Series,
  low: Series,
  close: Series,
  volume: Series,
  sessionMs = 86_400_000,
  out: Series = new Float64Array(ts.length),
): Series {
  checkSession('sessionVwap', sessionMs);
  const len = checkLengths('sessionVwap', { ts, high, low, close, volume });
  const st = Float64Array.of(NaN, 0, 0); // [session, sum of price·volume, sum of volume]; blocks: see kernels/blocks.ts
  for (let s = 0; s < len; s += BLOCK) sessionVwapBlock(ts, high, low, close, volume, sessionMs, s, s + BLOCK < len ? s + BLOCK : len, out, st);
  return out;
}

function sessionVwapBlock(
  ts: Series,
  high: Series,
  low: Series,
  close: Series,
  volume: Series,
  sessionMs: number,
  s: number,
  e: number,
  out: Series,
  st: Float64Array,
): void {
  let session = st[0]!;
  let pv = st[1]!;
  let vol = st[2]!;
  for (let i = s; i < e; i++) {
    const t = ts[i]!;
    const v = volume[i]!;
    const tp = (high[i]! + low[i]! + close[i]!) / 3;
    if (t !== t || v !== v || tp !== tp) {
      out[i] = NaN;
      continue;
    }
    const k = Math.floor(t / sessionMs);
    if (k !== session) {
      session = k;
      pv = 0;
      vol = 0;
    }
    pv += tp * v;
    vol += v;
    out[i] = vol === 0 ? NaN : pv / vol;
  }
  st[0] = session;
  st[1] = pv;
  st[2] = vol;
}

/** Streaming twin of {@link sessionVwap}: feed bars that carry `ts` (bar open time, epoch ms). */
export function sessionVwapStream(sessionMs = 86_400_000): Stream<Bar, number> {
  checkSession('sessionVwapStream', sessionMs);
  let session = NaN;
  let pv = 0;
  let vol = 0;
  return {
    update(b: Bar): number {
      const t = b.ts;
      check(t !== undefined, 'sessionVwapStream: each bar needs ts (bar open time, epoch ms), found a bar without ts');
      const v = b.volume;
      const tp = (b.high + b.low + b.close) / 3;
      if (t !== t || v !== v || tp !== tp) return NaN;
      const k = Math.floor(t / sessionMs);
      if (k !== session) {
        session = k;
        pv = 0;
        vol = 0;
      }
      pv += tp * v;
      vol += v;
      return vol === 0 ? NaN : pv / vol;
    },
    reset() {
      session = NaN;
      pv = 0;
      vol = 0;
    },
  };
}

function checkSession(fn: string, ms: number): void {
  check(Number.isFinite(ms) && ms > 0, `${fn}: sessionMs must be a positive number of milliseconds, found ${ms}`);
}

/** Descriptor of {@link vwap}. */
export const vwapDescriptor = defineIndicator({
  name: 'vwap',
  title: 'Rolling VWAP of the typical price over n bars',
  inputs: ['high', 'low', 'close', 'volume'],
  params: { n: intParam(24, 1) },
  warmup: (p) => p.n - 1,
  whole: ([h, l, c, v], p) => vwap(h!, l!, c!, v!, p.n),
  stream: (p) => vwapStream(p.n),
});

/** Descriptor of {@link sessionVwap}. */
export const sessionVwapDescriptor = defineIndicator({
  name: 'sessionVwap',
  title: 'Session VWAP, reset every sessionMs (UTC days by default)',
  inputs: ['ts', 'high', 'low', 'close', 'volume'],
  params: { sessionMs: floatParam(86_400_000, 0, Infinity, true) },
  warmup: () => 0,
  whole: ([t, h, l, c, v], p) => sessionVwap(t!, h!, l!, c!, v!, p.sessionMs),
  stream: (p) => sessionVwapStream(p.sessionMs),
});
