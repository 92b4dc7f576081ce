import type { Bar, Series, Stream } from '../core';
import { rollingMax, rollingMaxStream, rollingMin, rollingMinStream } from './rolling';
import { checkInteger, checkLengths, checkPeriod } from './kernels/checks';
import { defineIndicator, intParam } from './descriptor';

export interface Ichimoku {
  /** Conversion line: (highest high + lowest low) / 2 over `tenkan` bars ending at t. */
  tenkan: Series;
  /** Base line: the same midpoint over `kijun` bars ending at t. */
  kijun: Series;
  /**
   * Leading span A as it stands at bar t on the chart: (tenkan + kijun) / 2 computed at bar
   * t - (displacement - 1). Uses only data up to that bar: safe to use as a signal at t.
   */
  senkouA: Series;
  /** Leading span B as it stands at bar t: the `senkouB`-bar midpoint computed at t - (displacement - 1). Safe at t. */
  senkouB: Series;
  /** Span A computed at t (to be drawn displacement - 1 bars ahead, "the future cloud"). Safe at t. */
  senkouALead: Series;
  /** Span B computed at t (to be drawn displacement - 1 bars ahead). Safe at t. */
  senkouBLead: Series;
  /**
   * LOOK-AHEAD. Lagging span as drawn: chikou[t] = close[t + displacement - 1], NaN for the last
   * displacement - 1 bars. It reads the future, so never use it as a signal at t; the usual "chikou
   * above price" rule is close[t] > close[t - (displacement - 1)] at t (see shift/diff).
   */
  chikou: Series;
}

export type IchimokuPoint = Omit<{ [K in keyof Ichimoku]: number }, 'chikou'>;

/**
 * Ichimoku Kinko Hyo, aligned for research. Convention (TradingView's built-in "Ichimoku Cloud"):
 * the spans are drawn displacement - 1 bars ahead and the lagging span displacement - 1 bars back, so
 * with the default 26 the cloud at t was computed at t - 25. (Libraries that shift by the full 26,
 * such as some Python packages, match this with displacement = 27.)
 * Warm-up: tenkan - 1 / kijun - 1 NaNs for the lines, max(tenkan, kijun) - 1 for senkouALead,
 * senkouB - 1 for senkouBLead, plus displacement - 1 for the aligned spans. TA-Lib has no Ichimoku.
 * NaN policy (window family): a line is NaN while its window contains a NaN high or low.
 * @example
 * const h = Float64Array.of(3, 4, 5, 6, 7, 8), l = Float64Array.of(1, 2, 3, 4, 5, 6), c = Float64Array.of(2, 3, 4, 5, 6, 7);
 * const k = ichimoku(h, l, c, 2, 3, 4, 2);
 * k.senkouA // [NaN, NaN, NaN, 3.25, 4.25, 5.25]
 * k.senkouA[4] === (k.tenkan[3] + k.kijun[3]) / 2 // true (the span at t was computed at t − 1)
 */
export function ichimoku(
  high: Series,
  low: Series,
  close: Series,
  tenkan = 9,
  kijun = 26,
  senkouB = 52,
  displacement = 26,
): Ichimoku {
  checkPeriod('ichimoku', tenkan);
  checkPeriod('ichimoku', kijun);
  checkPeriod('ichimoku', senkouB);
  checkInteger('ichimoku', 'displacement', displacement, 1);
  checkLengths('ichimoku', { high, low, close });
  const len = high.length;
  const tk = midpoint(high, low, tenkan);
  const kj = midpoint(high, low, kijun);
  const bLead = midpoint(high, low, senkouB);
  const aLead = new Float64Array(len);
  for (let i = 0; i < len; i++) aLead[i] = (tk[i]! + kj[i]!) / 2;
  const lag = displacement - 1;
  const a = new Float64Array(len);
  const b = new Float64Array(len);
  const chikou = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    a[i] = i >= lag ? aLead[i - lag]! : NaN;
    b[i] = i >= lag ? bLead[i - lag]! : NaN;
    chikou[i] = i + lag < len ? close[i + lag]! : NaN;
  }
  return { tenkan: tk, kijun: kj, senkouA: a, senkouB: b, senkouALead: aLead, senkouBLead: bLead, chikou };
}

/** (highest high + lowest low) / 2 over the last n bars. */
function midpoint(high: Series, low: Series, n: number): Series {
  const out = rollingMax(high, n);
  const lo = rollingMin(low, n);
  const len = out.length;
  for (let i = 0; i < len; i++) out[i] = (out[i]! + lo[i]!) / 2;
  return out;
}

/**
 * Streaming twin of {@link ichimoku}: every field except `chikou`, which needs future bars (at bar t
 * the runner knows chikou[t - displacement + 1] = close[t]). Returns a fresh object per update.
 */
export function ichimokuStream(tenkan = 9, kijun = 26, senkouB = 52, displacement = 26): Stream<Bar, IchimokuPoint> {
  checkPeriod('ichimokuStream', tenkan);
  checkPeriod('ichimokuStream', kijun);
  checkPeriod('ichimokuStream', senkouB);
  checkInteger('ichimokuStream', 'displacement', displacement, 1);
  const hiT = rollingMaxStream(tenkan);
  const loT = rollingMinStream(tenkan);
  const hiK = rollingMaxStream(kijun);
  const loK = rollingMinStream(kijun);
  const hiB = rollingMaxStream(senkouB);
  const loB = rollingMinStream(senkouB);
  const lag = displacement - 1;
  const ringA = new Float64Array(lag + 1); // the last lag+1 lead values
  const ringB = new Float64Array(lag + 1);
  let count = 0;
  return {
    update(bar: Bar): IchimokuPoint {
      const h = bar.high;
      const l = bar.low;
      const t = (hiT.update(h) + loT.update(l)) / 2;
      const k = (hiK.update(h) + loK.update(l)) / 2;
      const bl = (hiB.update(h) + loB.update(l)) / 2;
      const al = (t + k) / 2;
      const slot = count % (lag + 1);
      ringA[slot] = al;
      ringB[slot] = bl;
      count++;
      const old = count % (lag + 1); // value fed lag updates ago
      const ready = count > lag;
      return {
        tenkan: t,
        kijun: k,
        senkouA: ready ? ringA[old]! : NaN,
        senkouB: ready ? ringB[old]! : NaN,
        senkouALead: al,
        senkouBLead: bl,
      };
    },
    reset() {
      for (const s of [hiT, loT, hiK, loK, hiB, loB]) s.reset();
      count = 0;
    },
  };
}

/** Descriptor of {@link ichimoku}, without the look-ahead lagging span (chikou). */
export const ichimokuDescriptor = defineIndicator({
  name: 'ichimoku',
  title: 'Ichimoku lines and cloud as visible at t (no chikou: it reads the future)',
  inputs: ['high', 'low', 'close'],
  params: { tenkan: intParam(9, 1), kijun: intParam(26, 1), senkouB: intParam(52, 1), displacement: intParam(26, 1) },
  outputs: ['tenkan', 'kijun', 'senkouA', 'senkouB', 'senkouALead', 'senkouBLead'],
  warmup: (p) => ({
    tenkan: p.tenkan - 1,
    kijun: p.kijun - 1,
    senkouA: Math.max(p.tenkan, p.kijun) - 1 + p.displacement - 1,
    senkouB: p.senkouB - 1 + p.displacement - 1,
    senkouALead: Math.max(p.tenkan, p.kijun) - 1,
    senkouBLead: p.senkouB - 1,
  }),
  whole: ([h, l, c], p) => {
    const { tenkan, kijun, senkouA, senkouB, senkouALead, senkouBLead } = ichimoku(h!, l!, c!, p.tenkan, p.kijun, p.senkouB, p.displacement);
    return { tenkan, kijun, senkouA, senkouB, senkouALead, senkouBLead };
  },
  stream: (p) => ichimokuStream(p.tenkan, p.kijun, p.senkouB, p.displacement),
});
