import { QuantlabError, type Bars } from '../core';

/**
 * Labels for supervised learning, one per bar. Label t is known only after bar `end[t]` has closed: it reads
 * the bars t+1 … end[t] (the entry is bar t's close). Cross-validation purges a training row whose span
 * [t, end[t]] overlaps the test rows'. Bars whose look-ahead runs past the data have `y` NaN and `end` −1.
 */
export interface Labels {
  readonly name: string;
  readonly y: Float64Array;
  /** The last bar each label looks at (inclusive), −1 where there is no label. */
  readonly end: Int32Array;
  /** The realised return behind each label (close of the entry bar to the exit price). */
  readonly ret: Float64Array;
}

const bad = (fn: string, m: string) => new QuantlabError('BAD_ARGUMENT', `labels.${fn}: ${m}`);

function posInt(fn: string, name: string, v: unknown): number {
  if (!(Number.isInteger(v) && (v as number) >= 1)) throw bad(fn, `expected ${name} to be an integer >= 1, found ${String(v)}`);
  return v as number;
}

export interface ForwardReturnOptions {
  /**
   * 'value' (the return itself, for regression), 'sign' (1 when the return is > 0, else 0) or 'quantile'
   * (class 0 … q−1 by the return's quantile among all labelled bars given — the class edges read the whole
   * sample, so compute them on a training window when that matters). Default 'value'.
   */
  kind?: 'value' | 'sign' | 'quantile';
  /** Number of quantile classes (kind 'quantile'). Default 3. */
  quantiles?: number;
}

/**
 * The return from bar t's close to bar t+horizon's close, as a value, a sign class or a quantile class.
 * @example
 * const bars = await ql.loadDataset('BTCUSDT', '1d');
 * const l = forwardReturn(bars, 3, { kind: 'sign' });
 * l.end[0] // 3
 * l.y[0] === (bars.close[3] > bars.close[0] ? 1 : 0) // true
 * l.y[bars.close.length - 1] // NaN
 */
export function forwardReturn(bars: Bars, horizon: number, options: ForwardReturnOptions = {}): Labels {
  posInt('forwardReturn', 'horizon', horizon);
  const kind = options.kind ?? 'value';
  if (kind !== 'value' && kind !== 'sign' && kind !== 'quantile') throw bad('forwardReturn', `expected kind 'value', 'sign' or 'quantile', found ${JSON.stringify(kind)}`);
  const c = bars.close;
  const n = c.length;
  const ret = new Float64Array(n).fill(NaN);
  const end = new Int32Array(n).fill(-1);
  for (let t = 0; t + horizon < n; t++) {
    ret[t] = c[t + horizon]! / c[t]! - 1;
    end[t] = t + horizon;
  }
  let y: Float64Array;
  if (kind === 'value') y = ret.slice();
  else if (kind === 'sign') y = ret.map((r) => (Number.isNaN(r) ? NaN : r > 0 ? 1 : 0));
  else {
    const q = posInt('forwardReturn', 'quantiles', options.quantiles ?? 3);
    const sorted = ret.filter((r) => !Number.isNaN(r)).sort();
    // edge k (k = 1 … q−1) is the value at rank floor(k·m/q); class = number of edges <= the return
    const edges = Array.from({ length: q - 1 }, (_, k) => sorted[Math.floor(((k + 1) * sorted.length) / q)]!);
    y = ret.map((r) => {
      if (Number.isNaN(r)) return NaN;
      let cls = 0;
      while (cls < edges.length && r >= edges[cls]!) cls++;
      return cls;
    });
  }
  return { name: `forwardReturn(${horizon},${kind})`, y, end, ret };
}

export interface TripleBarrierOptions {
  /** Upper barrier as a fraction above the entry close (0.02 = +2 %), or a per-bar series of fractions. */
  takeProfit: number | Float64Array;
  /** Lower barrier as a fraction below the entry close, or a per-bar series. */
  stopLoss: number | Float64Array;
  /** Vertical barrier: at most this many bars after the entry. */
  horizon: number;
  /** What a label is when neither barrier is touched: the return's sign (1 / −1, 0 when flat) or 0. Default 'sign'. */
  vertical?: 'sign' | 'zero';
}

/**
 * The triple-barrier label (López de Prado, AFML ch. 3): from bar t's close, the first of the upper barrier
 * (+1), the lower barrier (−1) or `horizon` bars (the vertical barrier). Barriers are checked on each later
 * bar's high and low; a bar that touches both counts as the stop (pessimistic, as the simulator). `end[t]` is
 * the bar that resolved the label, so a label that hits a barrier early looks ahead over fewer bars.
 * @example
 * const bars = await ql.loadDataset('BTCUSDT', '1h');
 * const l = tripleBarrier(bars, { takeProfit: 0.02, stopLoss: 0.02, horizon: 24 });
 * [...new Set(l.y.filter((v) => !Number.isNaN(v)))].sort() // [-1, 0, 1]
 * l.end[100] - 100 <= 24 // true
 */
export function tripleBarrier(bars: Bars, options: TripleBarrierOptions): Labels {
  const h = posInt('tripleBarrier', 'horizon', options?.horizon);
  const { high, low, close } = bars;
  const n = close.length;
  const level = (v: number | Float64Array, name: string) => {
    if (typeof v === 'number') {
      if (!(v > 0)) throw bad('tripleBarrier', `expected ${name} to be a fraction > 0 (0.02 = 2 %), found ${v}`);
      return () => v;
    }
    if (!(v instanceof Float64Array) || v.length !== n) throw bad('tripleBarrier', `expected ${name} to be a number or a Float64Array of ${n} values`);
    return (t: number) => v[t]!;
  };
  const tp = level(options.takeProfit, 'takeProfit');
  const sl = level(options.stopLoss, 'stopLoss');
  const vertical = options.vertical ?? 'sign';
  if (vertical !== 'sign' && vertical !== 'zero') throw bad('tripleBarrier', `expected vertical 'sign' or 'zero', found ${JSON.stringify(vertical)}`);
  const y = new Float64Array(n).fill(NaN);
  const ret = new Float64Array(n).fill(NaN);
  const end = new Int32Array(n).fill(-1);
  for (let t = 0; t + h < n; t++) {
    const entry = close[t]!;
    const u = tp(t);
    const d = sl(t);
    if (!(u > 0 && d > 0)) continue; // warm-up of a volatility-scaled barrier: no label
    const up = entry * (1 + u);
    const dn = entry * (1 - d);
    let j = t + 1;
    for (; j <= t + h; j++) {
      if (low[j]! <= dn) {
        y[t] = -1;
        ret[t] = -d;
        break;
      }
      if (high[j]! >= up) {
        y[t] = 1;
        ret[t] = u;
        break;
      }
    }
    if (j > t + h) {
      j = t + h;
      ret[t] = close[j]! / entry - 1;
      y[t] = vertical === 'zero' ? 0 : Math.sign(ret[t]!);
    }
    end[t] = j;
  }
  return { name: `tripleBarrier(${h})`, y, end, ret };
}
