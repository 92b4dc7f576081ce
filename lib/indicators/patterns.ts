import type { Bar, Series, Stream } from '../core';
import { CANDLE_SETTINGS } from './kernels/candle-settings';
import { checkLengths, checkNonNegative } from './kernels/checks';
import { defineIndicator, floatParam } from './descriptor';

/*
 * Candlestick patterns with TA-Lib's definitions and values: +100 bullish, -100 bearish, ±80 for the
 * "weaker" engulfing/harami variants TA-Lib reports, 0 for no pattern, NaN during warm-up.
 *
 * TA-Lib judges "long body", "very short shadow", "near" ... against the average of a candle measure
 * over the N candles BEFORE the candle being judged (its candle settings, below). It keeps those
 * averages as running sums that start at its lookback index; this module keeps the same running sums
 * with the same operations in the same order, so the outputs agree with TA-Lib exactly (ties included).
 *
 * NaN policy (window family): a bar with a NaN open/high/low/close makes the output NaN wherever the
 * pattern reads it — as one of its own candles or inside one of its averaging windows — and the
 * averages recover once it has left the window. (TA-Lib itself never recovers: a NaN poisons its
 * running sums for the rest of the series.)
 */

const REAL_BODY = 0;
const HIGH_LOW = 1;
const SHADOWS = 2;

type SettingName = keyof typeof CANDLE_SETTINGS;

/** An average used by a pattern: setting `s` judged at candle i - k. */
interface Avg {
  readonly type: number;
  readonly period: number;
  readonly factor: number;
  readonly div: number;
  readonly k: number;
}

const avg = (name: SettingName, k: number): Avg => {
  const s = CANDLE_SETTINGS[name];
  const type = s.range === 'realBody' ? REAL_BODY : s.range === 'highLow' ? HIGH_LOW : SHADOWS;
  return { type, period: s.period, factor: s.factor, div: type === SHADOWS ? 2 : 1, k };
};

/**
 * Detector: reads candles through physical indices j[0] (current), j[1] (previous), ...; `a` holds
 * the pattern's averages in spec order; `opt` is the pattern's option (penetration) if any.
 */
type Detect = (o: Float64Array, h: Float64Array, l: Float64Array, c: Float64Array, j: Int32Array, a: Float64Array, opt: number) => number;

interface Spec {
  readonly name: string;
  /** TA-Lib's lookback: the first output index. */
  readonly lookback: number;
  /** How many candles the detector reads (current and the ones before it). */
  readonly candles: number;
  readonly avgs: readonly Avg[];
  readonly detect: Detect;
}

/** A candle measure (TA_CANDLERANGE); NaN if any of the bar's prices is NaN. */
function measure(type: number, o: Float64Array, h: Float64Array, l: Float64Array, c: Float64Array, p: number): number {
  const op = o[p]!;
  const hi = h[p]!;
  const lo = l[p]!;
  const cl = c[p]!;
  if (op !== op || hi !== hi || lo !== lo || cl !== cl) return NaN;
  if (type === REAL_BODY) return Math.abs(cl - op);
  if (type === HIGH_LOW) return hi - lo;
  return hi - (cl >= op ? cl : op) + ((cl >= op ? op : cl) - lo);
}

const realBody = (o: Float64Array, c: Float64Array, p: number): number => Math.abs(c[p]! - o[p]!);
const upperShadow = (o: Float64Array, h: Float64Array, c: Float64Array, p: number): number => h[p]! - (c[p]! >= o[p]! ? c[p]! : o[p]!);
const lowerShadow = (o: Float64Array, l: Float64Array, c: Float64Array, p: number): number => (c[p]! >= o[p]! ? o[p]! : c[p]!) - l[p]!;
const color = (o: Float64Array, c: Float64Array, p: number): number => (c[p]! >= o[p]! ? 1 : -1);
const bodyTop = (o: Float64Array, c: Float64Array, p: number): number => Math.max(c[p]!, o[p]!);
const bodyBottom = (o: Float64Array, c: Float64Array, p: number): number => Math.min(c[p]!, o[p]!);

/** Running-sum state for one pattern instance (shared by the whole-array and streaming forms). */
class Engine {
  readonly totals: Float64Array;
  readonly nans: Int32Array;
  readonly vals: Float64Array;
  readonly j = new Int32Array(4);
  lastBad = -1e15;
  constructor(readonly spec: Spec) {
    this.totals = new Float64Array(spec.avgs.length);
    this.nans = new Int32Array(spec.avgs.length);
    this.vals = new Float64Array(spec.avgs.length);
  }
  reset(): void {
    this.totals.fill(0);
    this.nans.fill(0);
    this.lastBad = -1e15;
  }
  /** Warm-up bar t (< lookback) at physical index p: seeds the sums TA-Lib seeds before its start. */
  seed(t: number, o: Float64Array, h: Float64Array, l: Float64Array, c: Float64Array, p: number): void {
    const avgs = this.spec.avgs;
    const lb = this.spec.lookback;
    for (let m = 0; m < avgs.length; m++) {
      const a = avgs[m]!;
      if (a.period === 0 || t < lb - a.k - a.period || t > lb - a.k - 1) continue;
      const r = measure(a.type, o, h, l, c, p);
      if (r !== r) this.nans[m]!++;
      else this.totals[m] += r;
    }
  }
  /** Output for the bar whose candles sit at physical indices this.j[0..3]; `bad` = a pattern candle is NaN. */
  evaluate(o: Float64Array, h: Float64Array, l: Float64Array, c: Float64Array, bad: boolean, opt: number): number {
    if (bad) return NaN;
    const avgs = this.spec.avgs;
    const vals = this.vals;
    for (let m = 0; m < avgs.length; m++) {
      const a = avgs[m]!;
      if (this.nans[m]! > 0) return NaN;
      vals[m] =
        a.period !== 0
          ? (a.factor * (this.totals[m]! / a.period)) / a.div
          : (a.factor * measure(a.type, o, h, l, c, this.j[a.k]!)) / a.div;
    }
    return this.spec.detect(o, h, l, c, this.j, vals, opt);
  }
  /** After evaluating bar i: candle i-k enters average m's window, candle i-k-period leaves it. */
  slide(m: number, o: Float64Array, h: Float64Array, l: Float64Array, c: Float64Array, pIn: number, pOut: number): void {
    const a = this.spec.avgs[m]!;
    const x = measure(a.type, o, h, l, c, pIn);
    const y = measure(a.type, o, h, l, c, pOut);
    if (x === x && y === y) {
      this.totals[m] += x - y; // TA-Lib: total += range(new) - range(trailing)
      return;
    }
    if (x !== x) this.nans[m]!++;
    else this.totals[m] += x;
    if (y !== y) this.nans[m]!--;
    else this.totals[m] -= y;
  }
}

const isBad = (o: Float64Array, h: Float64Array, l: Float64Array, c: Float64Array, p: number): boolean =>
  o[p]! !== o[p]! || h[p]! !== h[p]! || l[p]! !== l[p]! || c[p]! !== c[p]!;

function runWhole(fn: string, spec: Spec, o: Series, h: Series, l: Series, c: Series, opt: number, out: Series): Series {
  checkLengths(fn, { open: o, high: h, low: l, close: c });
  const len = o.length;
  const lb = spec.lookback;
  const candles = spec.candles;
  const avgs = spec.avgs;
  const e = new Engine(spec);
  const j = e.j;
  for (let i = 0; i < len; i++) {
    if (isBad(o, h, l, c, i)) e.lastBad = i;
    if (i < lb) {
      e.seed(i, o, h, l, c, i);
      out[i] = NaN;
      continue;
    }
    j[0] = i;
    j[1] = i - 1;
    j[2] = i - 2;
    j[3] = i - 3;
    out[i] = e.evaluate(o, h, l, c, e.lastBad > i - candles, opt);
    for (let m = 0; m < avgs.length; m++) {
      const a = avgs[m]!;
      if (a.period !== 0) e.slide(m, o, h, l, c, i - a.k, i - a.k - a.period);
    }
  }
  return out;
}

function runStream(spec: Spec, opt: number): Stream<Bar, number> {
  const cap = spec.lookback + 1; // holds every candle a bar's evaluation and update read
  const o = new Float64Array(cap);
  const h = new Float64Array(cap);
  const l = new Float64Array(cap);
  const c = new Float64Array(cap);
  const lb = spec.lookback;
  const candles = spec.candles;
  const avgs = spec.avgs;
  const e = new Engine(spec);
  const j = e.j;
  let i = 0;
  const slot = (t: number): number => ((t % cap) + cap) % cap;
  return {
    update(bar: Bar): number {
      const p = i % cap;
      o[p] = bar.open;
      h[p] = bar.high;
      l[p] = bar.low;
      c[p] = bar.close;
      if (isBad(o, h, l, c, p)) e.lastBad = i;
      let r = NaN;
      if (i < lb) e.seed(i, o, h, l, c, p);
      else {
        j[0] = p;
        j[1] = slot(i - 1);
        j[2] = slot(i - 2);
        j[3] = slot(i - 3);
        r = e.evaluate(o, h, l, c, e.lastBad > i - candles, opt);
        for (let m = 0; m < avgs.length; m++) {
          const a = avgs[m]!;
          if (a.period !== 0) e.slide(m, o, h, l, c, slot(i - a.k), slot(i - a.k - a.period));
        }
      }
      i++;
      return r;
    },
    reset() {
      e.reset();
      i = 0;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The patterns. Each spec mirrors the TA-Lib function of the same name: lookback, averages, rules.
// ---------------------------------------------------------------------------------------------

const DOJI: Spec = {
  name: 'CDLDOJI',
  lookback: 10,
  candles: 1,
  avgs: [avg('bodyDoji', 0)],
  detect: (o, _h, _l, c, j, a) => (realBody(o, c, j[0]!) <= a[0]! ? 100 : 0),
};

const HAMMER_AVGS = [avg('bodyShort', 0), avg('shadowLong', 0), avg('shadowVeryShort', 0), avg('near', 1)];

const HAMMER: Spec = {
  name: 'CDLHAMMER',
  lookback: 11,
  candles: 2,
  avgs: HAMMER_AVGS,
  detect: (o, h, l, c, j, a) => {
    const i = j[0]!;
    return realBody(o, c, i) < a[0]! &&
      lowerShadow(o, l, c, i) > a[1]! &&
      upperShadow(o, h, c, i) < a[2]! &&
      bodyBottom(o, c, i) <= l[j[1]!]! + a[3]!
      ? 100
      : 0;
  },
};

const HANGINGMAN: Spec = {
  name: 'CDLHANGINGMAN',
  lookback: 11,
  candles: 2,
  avgs: HAMMER_AVGS,
  detect: (o, h, l, c, j, a) => {
    const i = j[0]!;
    return realBody(o, c, i) < a[0]! &&
      lowerShadow(o, l, c, i) > a[1]! &&
      upperShadow(o, h, c, i) < a[2]! &&
      bodyBottom(o, c, i) >= h[j[1]!]! - a[3]!
      ? -100
      : 0;
  },
};

const SHOOTINGSTAR: Spec = {
  name: 'CDLSHOOTINGSTAR',
  lookback: 11,
  candles: 2,
  avgs: [avg('bodyShort', 0), avg('shadowLong', 0), avg('shadowVeryShort', 0)],
  detect: (o, h, l, c, j, a) => {
    const i = j[0]!;
    return realBody(o, c, i) < a[0]! &&
      upperShadow(o, h, c, i) > a[1]! &&
      lowerShadow(o, l, c, i) < a[2]! &&
      bodyBottom(o, c, i) > bodyTop(o, c, j[1]!)
      ? -100
      : 0;
  },
};

const MARUBOZU: Spec = {
  name: 'CDLMARUBOZU',
  lookback: 10,
  candles: 1,
  avgs: [avg('bodyLong', 0), avg('shadowVeryShort', 0)],
  detect: (o, h, l, c, j, a) => {
    const i = j[0]!;
    return realBody(o, c, i) > a[0]! && upperShadow(o, h, c, i) < a[1]! && lowerShadow(o, l, c, i) < a[1]! ? color(o, c, i) * 100 : 0;
  },
};

const ENGULFING: Spec = {
  name: 'CDLENGULFING',
  lookback: 2, // TA-Lib starts at index 2 although the rule reads only two candles
  candles: 2,
  avgs: [],
  detect: (o, _h, _l, c, j) => {
    const i = j[0]!;
    const p = j[1]!;
    const oi = o[i]!;
    const ci = c[i]!;
    const op = o[p]!;
    const cp = c[p]!;
    const ki = color(o, c, i);
    const kp = color(o, c, p);
    const hit =
      (ki === 1 && kp === -1 && ((ci >= op && oi < cp) || (ci > op && oi <= cp))) ||
      (ki === -1 && kp === 1 && ((oi >= cp && ci < op) || (oi > cp && ci <= op)));
    if (!hit) return 0;
    return oi !== cp && ci !== op ? ki * 100 : ki * 80;
  },
};

const HARAMI: Spec = {
  name: 'CDLHARAMI',
  lookback: 11,
  candles: 2,
  avgs: [avg('bodyLong', 1), avg('bodyShort', 0)],
  detect: (o, _h, _l, c, j, a) => {
    const i = j[0]!;
    const p = j[1]!;
    if (!(realBody(o, c, p) > a[0]! && realBody(o, c, i) <= a[1]!)) return 0;
    const ti = bodyTop(o, c, i);
    const bi = bodyBottom(o, c, i);
    const tp = bodyTop(o, c, p);
    const bp = bodyBottom(o, c, p);
    if (ti < tp && bi > bp) return -color(o, c, p) * 100;
    if (ti <= tp && bi >= bp) return -color(o, c, p) * 80;
    return 0;
  },
};

const STAR_AVGS = [avg('bodyLong', 2), avg('bodyShort', 1), avg('bodyShort', 0)];

const MORNINGSTAR: Spec = {
  name: 'CDLMORNINGSTAR',
  lookback: 12,
  candles: 3,
  avgs: STAR_AVGS,
  detect: (o, _h, _l, c, j, a, pen) => {
    const i = j[0]!;
    const p1 = j[1]!;
    const p2 = j[2]!;
    return realBody(o, c, p2) > a[0]! &&
      color(o, c, p2) === -1 &&
      realBody(o, c, p1) <= a[1]! &&
      bodyTop(o, c, p1) < bodyBottom(o, c, p2) &&
      realBody(o, c, i) > a[2]! &&
      color(o, c, i) === 1 &&
      c[i]! > c[p2]! + realBody(o, c, p2) * pen
      ? 100
      : 0;
  },
};

const EVENINGSTAR: Spec = {
  name: 'CDLEVENINGSTAR',
  lookback: 12,
  candles: 3,
  avgs: STAR_AVGS,
  detect: (o, _h, _l, c, j, a, pen) => {
    const i = j[0]!;
    const p1 = j[1]!;
    const p2 = j[2]!;
    return realBody(o, c, p2) > a[0]! &&
      color(o, c, p2) === 1 &&
      realBody(o, c, p1) <= a[1]! &&
      bodyBottom(o, c, p1) > bodyTop(o, c, p2) &&
      realBody(o, c, i) > a[2]! &&
      color(o, c, i) === -1 &&
      c[i]! < c[p2]! - realBody(o, c, p2) * pen
      ? -100
      : 0;
  },
};

const WHITESOLDIERS: Spec = {
  name: 'CDL3WHITESOLDIERS',
  lookback: 12,
  candles: 3,
  // 0-2: shadowVeryShort at i-2, i-1, i; 3-4: near at i-2, i-1; 5-6: far at i-2, i-1; 7: bodyShort at i
  avgs: [
    avg('shadowVeryShort', 2),
    avg('shadowVeryShort', 1),
    avg('shadowVeryShort', 0),
    avg('near', 2),
    avg('near', 1),
    avg('far', 2),
    avg('far', 1),
    avg('bodyShort', 0),
  ],
  detect: (o, h, _l, c, j, a) => {
    const i = j[0]!;
    const p1 = j[1]!;
    const p2 = j[2]!;
    return color(o, c, p2) === 1 &&
      upperShadow(o, h, c, p2) < a[0]! &&
      color(o, c, p1) === 1 &&
      upperShadow(o, h, c, p1) < a[1]! &&
      color(o, c, i) === 1 &&
      upperShadow(o, h, c, i) < a[2]! &&
      c[i]! > c[p1]! &&
      c[p1]! > c[p2]! &&
      o[p1]! > o[p2]! &&
      o[p1]! <= c[p2]! + a[3]! &&
      o[i]! > o[p1]! &&
      o[i]! <= c[p1]! + a[4]! &&
      realBody(o, c, p1) > realBody(o, c, p2) - a[5]! &&
      realBody(o, c, i) > realBody(o, c, p1) - a[6]! &&
      realBody(o, c, i) > a[7]!
      ? 100
      : 0;
  },
};

const BLACKCROWS: Spec = {
  name: 'CDL3BLACKCROWS',
  lookback: 13,
  candles: 4,
  avgs: [avg('shadowVeryShort', 2), avg('shadowVeryShort', 1), avg('shadowVeryShort', 0)],
  detect: (o, h, l, c, j, a) => {
    const i = j[0]!;
    const p1 = j[1]!;
    const p2 = j[2]!;
    const p3 = j[3]!;
    return color(o, c, p3) === 1 &&
      color(o, c, p2) === -1 &&
      lowerShadow(o, l, c, p2) < a[0]! &&
      color(o, c, p1) === -1 &&
      lowerShadow(o, l, c, p1) < a[1]! &&
      color(o, c, i) === -1 &&
      lowerShadow(o, l, c, i) < a[2]! &&
      o[p1]! < o[p2]! &&
      o[p1]! > c[p2]! &&
      o[i]! < o[p1]! &&
      o[i]! > c[p1]! &&
      h[p3]! > c[p2]! &&
      c[p2]! > c[p1]! &&
      c[p1]! > c[i]!
      ? -100
      : 0;
  },
};

// ---------------------------------------------------------------------------------------------
// Public API: whole-array function + streaming twin per pattern.
// ---------------------------------------------------------------------------------------------

const newOut = (o: Series): Series => new Float64Array(o.length);

/**
 * Doji: real body <= 10% of the average high-low range of the 10 prior candles → 100, else 0.
 * First 10 values are NaN. Matches TA-Lib CDLDOJI exactly.
 * @example
 * const b = await ql.loadDataset('BTCUSDT', '1h'); // the shipped BTCUSDT 1h bars (66,677)
 * cdlDoji(b.open, b.high, b.low, b.close).filter((v) => v === 100).length // 10770 (TA-Lib gives the same)
 */
export function cdlDoji(open: Series, high: Series, low: Series, close: Series, out: Series = newOut(open)): Series {
  return runWhole('cdlDoji', DOJI, open, high, low, close, 0, out);
}

/**
 * Hammer: short body, lower shadow longer than the body, very short upper shadow, body near or below
 * the prior candle's low → 100. First 11 values are NaN. Matches TA-Lib CDLHAMMER exactly (like
 * TA-Lib it does not check a preceding down-trend).
 * @example
 * const b = await ql.loadDataset('BTCUSDT', '1h'); // the shipped BTCUSDT 1h bars (66,677)
 * cdlHammer(b.open, b.high, b.low, b.close).filter((v) => v === 100).length // 1756 (TA-Lib gives the same)
 */
export function cdlHammer(open: Series, high: Series, low: Series, close: Series, out: Series = newOut(open)): Series {
  return runWhole('cdlHammer', HAMMER, open, high, low, close, 0, out);
}

/**
 * Hanging man: the hammer's shape with its body near or above the prior candle's high → -100.
 * First 11 values are NaN. Matches TA-Lib CDLHANGINGMAN exactly (no up-trend check, as TA-Lib).
 * @example
 * const b = await ql.loadDataset('BTCUSDT', '1h'); // the shipped BTCUSDT 1h bars (66,677)
 * cdlHangingMan(b.open, b.high, b.low, b.close).filter((v) => v === -100).length // 985 (TA-Lib gives the same)
 */
export function cdlHangingMan(open: Series, high: Series, low: Series, close: Series, out: Series = newOut(open)): Series {
  return runWhole('cdlHangingMan', HANGINGMAN, open, high, low, close, 0, out);
}

/**
 * Shooting star: short body gapping up from the prior body, long upper shadow, very short lower
 * shadow → -100. First 11 values are NaN. Matches TA-Lib CDLSHOOTINGSTAR exactly.
 * @example
 * const b = await ql.loadDataset('BTCUSDT', '1h'); // the shipped BTCUSDT 1h bars (66,677)
 * cdlShootingStar(b.open, b.high, b.low, b.close).filter((v) => v === -100).length // 399 (TA-Lib gives the same)
 */
export function cdlShootingStar(open: Series, high: Series, low: Series, close: Series, out: Series = newOut(open)): Series {
  return runWhole('cdlShootingStar', SHOOTINGSTAR, open, high, low, close, 0, out);
}

/**
 * Marubozu: long body (above the 10-candle average) with both shadows very short → ±100 by colour.
 * First 10 values are NaN. Matches TA-Lib CDLMARUBOZU exactly.
 * @example
 * const b = await ql.loadDataset('BTCUSDT', '1h'); // the shipped BTCUSDT 1h bars (66,677)
 * cdlMarubozu(b.open, b.high, b.low, b.close).filter((v) => Math.abs(v) > 0).length // 2137 (TA-Lib gives the same)
 */
export function cdlMarubozu(open: Series, high: Series, low: Series, close: Series, out: Series = newOut(open)): Series {
  return runWhole('cdlMarubozu', MARUBOZU, open, high, low, close, 0, out);
}

/**
 * Engulfing: a body of the opposite colour covering the prior body → ±100, or ±80 when one end of
 * the bodies is equal (TA-Lib's weaker form). First 2 values are NaN (TA-Lib's lookback). Matches
 * TA-Lib CDLENGULFING exactly. (Candle colour as TA-Lib: close >= open is white.)
 * @example
 * const o = Float64Array.of(1, 10, 8), c = Float64Array.of(1, 9, 11), h = Float64Array.of(1, 10, 11), l = Float64Array.of(1, 9, 8);
 * cdlEngulfing(o, h, l, c) // [NaN, NaN, 100]: the white 8→11 body engulfs the black 10→9 body
 * @example
 * const b = await ql.loadDataset('BTCUSDT', '1h'); // the shipped BTCUSDT 1h bars (66,677)
 * cdlEngulfing(b.open, b.high, b.low, b.close).filter((v) => Math.abs(v) > 0).length // 11700 (TA-Lib gives the same)
 */
export function cdlEngulfing(open: Series, high: Series, low: Series, close: Series, out: Series = newOut(open)): Series {
  return runWhole('cdlEngulfing', ENGULFING, open, high, low, close, 0, out);
}

/**
 * Harami: a long body followed by a short body inside it → -100 × colour of the first (so +100 after
 * a long black candle), ±80 when one body end is equal. First 11 values are NaN. Matches TA-Lib
 * CDLHARAMI exactly.
 * @example
 * const b = await ql.loadDataset('BTCUSDT', '1h'); // the shipped BTCUSDT 1h bars (66,677)
 * cdlHarami(b.open, b.high, b.low, b.close).filter((v) => Math.abs(v) > 0).length // 6114 (TA-Lib gives the same)
 */
export function cdlHarami(open: Series, high: Series, low: Series, close: Series, out: Series = newOut(open)): Series {
  return runWhole('cdlHarami', HARAMI, open, high, low, close, 0, out);
}

/**
 * Morning star: long black candle, short body gapping down, white candle closing above the first's
 * close + penetration × its body → 100. First 12 values are NaN. Matches TA-Lib CDLMORNINGSTAR
 * exactly (penetration default 0.3 as TA-Lib).
 * @example
 * const b = await ql.loadDataset('BTCUSDT', '1h'); // the shipped BTCUSDT 1h bars (66,677)
 * cdlMorningStar(b.open, b.high, b.low, b.close).filter((v) => v === 100).length // 145 (TA-Lib gives the same)
 */
export function cdlMorningStar(open: Series, high: Series, low: Series, close: Series, penetration = 0.3, out: Series = newOut(open)): Series {
  checkNonNegative('cdlMorningStar', 'penetration', penetration);
  return runWhole('cdlMorningStar', MORNINGSTAR, open, high, low, close, penetration, out);
}

/**
 * Evening star: long white candle, short body gapping up, black candle closing below the first's
 * close − penetration × its body → -100. First 12 values are NaN. Matches TA-Lib CDLEVENINGSTAR
 * exactly (penetration default 0.3).
 * @example
 * const b = await ql.loadDataset('BTCUSDT', '1h'); // the shipped BTCUSDT 1h bars (66,677)
 * cdlEveningStar(b.open, b.high, b.low, b.close).filter((v) => v === -100).length // 206 (TA-Lib gives the same)
 */
export function cdlEveningStar(open: Series, high: Series, low: Series, close: Series, penetration = 0.3, out: Series = newOut(open)): Series {
  checkNonNegative('cdlEveningStar', 'penetration', penetration);
  return runWhole('cdlEveningStar', EVENINGSTAR, open, high, low, close, penetration, out);
}

/**
 * Three white soldiers: three white candles with very short upper shadows, rising closes, each
 * opening within or near the prior body, bodies not far shorter than the prior one → 100.
 * First 12 values are NaN. Matches TA-Lib CDL3WHITESOLDIERS exactly.
 * @example
 * const b = await ql.loadDataset('BTCUSDT', '1h'); // the shipped BTCUSDT 1h bars (66,677)
 * cdl3WhiteSoldiers(b.open, b.high, b.low, b.close).filter((v) => v === 100).length // 30 (TA-Lib gives the same)
 */
export function cdl3WhiteSoldiers(open: Series, high: Series, low: Series, close: Series, out: Series = newOut(open)): Series {
  return runWhole('cdl3WhiteSoldiers', WHITESOLDIERS, open, high, low, close, 0, out);
}

/**
 * Three black crows: a white candle, then three black candles with very short lower shadows, each
 * opening inside the prior body and closing lower, the first closing under the white candle's high
 * → -100. First 13 values are NaN. Matches TA-Lib CDL3BLACKCROWS exactly.
 * @example
 * const b = await ql.loadDataset('BTCUSDT', '1h'); // the shipped BTCUSDT 1h bars (66,677)
 * cdl3BlackCrows(b.open, b.high, b.low, b.close).filter((v) => v === -100).length // 3 (TA-Lib gives the same)
 */
export function cdl3BlackCrows(open: Series, high: Series, low: Series, close: Series, out: Series = newOut(open)): Series {
  return runWhole('cdl3BlackCrows', BLACKCROWS, open, high, low, close, 0, out);
}

/** Streaming twin of {@link cdlDoji}. */
export const cdlDojiStream = (): Stream<Bar, number> => runStream(DOJI, 0);
/** Streaming twin of {@link cdlHammer}. */
export const cdlHammerStream = (): Stream<Bar, number> => runStream(HAMMER, 0);
/** Streaming twin of {@link cdlHangingMan}. */
export const cdlHangingManStream = (): Stream<Bar, number> => runStream(HANGINGMAN, 0);
/** Streaming twin of {@link cdlShootingStar}. */
export const cdlShootingStarStream = (): Stream<Bar, number> => runStream(SHOOTINGSTAR, 0);
/** Streaming twin of {@link cdlMarubozu}. */
export const cdlMarubozuStream = (): Stream<Bar, number> => runStream(MARUBOZU, 0);
/** Streaming twin of {@link cdlEngulfing}. */
export const cdlEngulfingStream = (): Stream<Bar, number> => runStream(ENGULFING, 0);
/** Streaming twin of {@link cdlHarami}. */
export const cdlHaramiStream = (): Stream<Bar, number> => runStream(HARAMI, 0);
/** Streaming twin of {@link cdlMorningStar}. */
export function cdlMorningStarStream(penetration = 0.3): Stream<Bar, number> {
  checkNonNegative('cdlMorningStarStream', 'penetration', penetration);
  return runStream(MORNINGSTAR, penetration);
}
/** Streaming twin of {@link cdlEveningStar}. */
export function cdlEveningStarStream(penetration = 0.3): Stream<Bar, number> {
  checkNonNegative('cdlEveningStarStream', 'penetration', penetration);
  return runStream(EVENINGSTAR, penetration);
}
/** Streaming twin of {@link cdl3WhiteSoldiers}. */
export const cdl3WhiteSoldiersStream = (): Stream<Bar, number> => runStream(WHITESOLDIERS, 0);
/** Streaming twin of {@link cdl3BlackCrows}. */
export const cdl3BlackCrowsStream = (): Stream<Bar, number> => runStream(BLACKCROWS, 0);

type PatternFn = (open: Series, high: Series, low: Series, close: Series) => Series;

/** The patterns by TA-Lib name, with their warm-up (TA-Lib lookback) and both forms (default options). */
export const CANDLE_PATTERNS: Readonly<Record<string, { lookback: number; whole: PatternFn; stream: () => Stream<Bar, number> }>> = {
  CDLDOJI: { lookback: DOJI.lookback, whole: cdlDoji, stream: cdlDojiStream },
  CDLHAMMER: { lookback: HAMMER.lookback, whole: cdlHammer, stream: cdlHammerStream },
  CDLHANGINGMAN: { lookback: HANGINGMAN.lookback, whole: cdlHangingMan, stream: cdlHangingManStream },
  CDLSHOOTINGSTAR: { lookback: SHOOTINGSTAR.lookback, whole: cdlShootingStar, stream: cdlShootingStarStream },
  CDLMARUBOZU: { lookback: MARUBOZU.lookback, whole: cdlMarubozu, stream: cdlMarubozuStream },
  CDLENGULFING: { lookback: ENGULFING.lookback, whole: cdlEngulfing, stream: cdlEngulfingStream },
  CDLHARAMI: { lookback: HARAMI.lookback, whole: cdlHarami, stream: cdlHaramiStream },
  CDLMORNINGSTAR: { lookback: MORNINGSTAR.lookback, whole: (o, h, l, c) => cdlMorningStar(o, h, l, c), stream: () => cdlMorningStarStream() },
  CDLEVENINGSTAR: { lookback: EVENINGSTAR.lookback, whole: (o, h, l, c) => cdlEveningStar(o, h, l, c), stream: () => cdlEveningStarStream() },
  CDL3WHITESOLDIERS: { lookback: WHITESOLDIERS.lookback, whole: cdl3WhiteSoldiers, stream: cdl3WhiteSoldiersStream },
  CDL3BLACKCROWS: { lookback: BLACKCROWS.lookback, whole: cdl3BlackCrows, stream: cdl3BlackCrowsStream },
};

/** A descriptor for a candlestick pattern without options (TA-Lib's output: ±100 or 0). */
function patternDescriptor<N extends string>(name: N, ta: string, title: string, whole: PatternFn, stream: () => Stream<Bar, number>) {
  const lookback = CANDLE_PATTERNS[ta]!.lookback;
  return defineIndicator({
    name,
    title: `${title} (candlestick pattern: +100 / −100 / 0)`,
    inputs: ['open', 'high', 'low', 'close'],
    params: {},
    warmup: () => lookback,
    talib: { fn: ta, outputs: { value: 'outInteger' } },
    whole: ([o, h, l, c]) => whole(o!, h!, l!, c!),
    stream,
  });
}

/** Descriptor of {@link cdlDoji}. */
export const cdlDojiDescriptor = patternDescriptor('cdlDoji', 'CDLDOJI', 'Doji', cdlDoji, cdlDojiStream);

/** Descriptor of {@link cdlHammer}. */
export const cdlHammerDescriptor = patternDescriptor('cdlHammer', 'CDLHAMMER', 'Hammer', cdlHammer, cdlHammerStream);

/** Descriptor of {@link cdlHangingMan}. */
export const cdlHangingManDescriptor = patternDescriptor('cdlHangingMan', 'CDLHANGINGMAN', 'Hanging man', cdlHangingMan, cdlHangingManStream);

/** Descriptor of {@link cdlShootingStar}. */
export const cdlShootingStarDescriptor = patternDescriptor('cdlShootingStar', 'CDLSHOOTINGSTAR', 'Shooting star', cdlShootingStar, cdlShootingStarStream);

/** Descriptor of {@link cdlMarubozu}. */
export const cdlMarubozuDescriptor = patternDescriptor('cdlMarubozu', 'CDLMARUBOZU', 'Marubozu', cdlMarubozu, cdlMarubozuStream);

/** Descriptor of {@link cdlEngulfing}. */
export const cdlEngulfingDescriptor = patternDescriptor('cdlEngulfing', 'CDLENGULFING', 'Engulfing', cdlEngulfing, cdlEngulfingStream);

/** Descriptor of {@link cdlHarami}. */
export const cdlHaramiDescriptor = patternDescriptor('cdlHarami', 'CDLHARAMI', 'Harami', cdlHarami, cdlHaramiStream);

/** Descriptor of {@link cdl3WhiteSoldiers}. */
export const cdl3WhiteSoldiersDescriptor = patternDescriptor('cdl3WhiteSoldiers', 'CDL3WHITESOLDIERS', 'Three white soldiers', cdl3WhiteSoldiers, cdl3WhiteSoldiersStream);

/** Descriptor of {@link cdl3BlackCrows}. */
export const cdl3BlackCrowsDescriptor = patternDescriptor('cdl3BlackCrows', 'CDL3BLACKCROWS', 'Three black crows', cdl3BlackCrows, cdl3BlackCrowsStream);

/** Descriptor of {@link cdlMorningStar}. */
export const cdlMorningStarDescriptor = defineIndicator({
  name: 'cdlMorningStar',
  title: 'Morning star (candlestick pattern: +100 / −100 / 0)',
  inputs: ['open', 'high', 'low', 'close'],
  params: { penetration: floatParam(0.3, 0) },
  warmup: () => MORNINGSTAR.lookback,
  talib: { fn: 'CDLMORNINGSTAR', options: { penetration: 'optInPenetration' }, outputs: { value: 'outInteger' } },
  whole: ([o, h, l, c], p) => cdlMorningStar(o!, h!, l!, c!, p.penetration),
  stream: (p) => cdlMorningStarStream(p.penetration),
});

/** Descriptor of {@link cdlEveningStar}. */
export const cdlEveningStarDescriptor = defineIndicator({
  name: 'cdlEveningStar',
  title: 'Evening star (candlestick pattern: +100 / −100 / 0)',
  inputs: ['open', 'high', 'low', 'close'],
  params: { penetration: floatParam(0.3, 0) },
  warmup: () => EVENINGSTAR.lookback,
  talib: { fn: 'CDLEVENINGSTAR', options: { penetration: 'optInPenetration' }, outputs: { value: 'outInteger' } },
  whole: ([o, h, l, c], p) => cdlEveningStar(o!, h!, l!, c!, p.penetration),
  stream: (p) => cdlEveningStarStream(p.penetration),
});
