import { QuantlabError, type Bar, type Bars, type Series } from '../core';
import { baseLayout, isoDates, type Figure } from '../plot/figure';
import type { IndicatorSpec, IndicatorSpecs } from '../strategy/indicator';
import { features } from './features';
import { modelIndicator } from './indicator';
import type { Model } from './models/model';
import { train } from './train';

/**
 * Realised volatility: the population standard deviation of the last n one-bar returns close[t]/close[t−1] − 1
 * (not annualised). Whole-array and streaming forms run the same arithmetic over the same window.
 */
export function realizedVolatility(n = 24): IndicatorSpec<Series> {
  if (!(Number.isInteger(n) && n >= 2)) throw new QuantlabError('BAD_ARGUMENT', `realizedVolatility: expected n to be an integer >= 2, found ${n}`);
  const make = () => {
    const ring = new Float64Array(n);
    let filled = 0;
    let i = 0;
    let prev = NaN;
    return {
      push(close: number): number {
        const r = close / prev - 1;
        prev = close;
        if (Number.isNaN(r)) return NaN;
        ring[i] = r;
        i = (i + 1) % n;
        if (filled < n) filled++;
        if (filled < n) return NaN;
        // two passes over the window in ring order: mean, then squared deviations (no running-sum drift)
        let m = 0;
        for (let k = 0; k < n; k++) m += ring[(i + k) % n]!;
        m /= n;
        let v = 0;
        for (let k = 0; k < n; k++) v += (ring[(i + k) % n]! - m) ** 2;
        return Math.sqrt(v / n);
      },
      reset() {
        filled = 0;
        i = 0;
        prev = NaN;
      },
    };
  };
  return {
    key: `realizedVolatility(${n})`,
    compute: (b) => {
      const s = make();
      return Float64Array.from(b.close, (c) => s.push(c));
    },
    stream: () => {
      const s = make();
      return { update: (bar: Bar) => s.push(bar.close), reset: () => s.reset() };
    },
  };
}

/** Trend: close / (mean of the last n closes) − 1 — positive above the average. */
export function trend(n = 50): IndicatorSpec<Series> {
  if (!(Number.isInteger(n) && n >= 1)) throw new QuantlabError('BAD_ARGUMENT', `trend: expected n to be an integer >= 1, found ${n}`);
  const make = () => {
    const ring = new Float64Array(n);
    let filled = 0;
    let i = 0;
    return {
      push(close: number): number {
        ring[i] = close;
        i = (i + 1) % n;
        if (filled < n) filled++;
        if (filled < n) return NaN;
        let m = 0;
        for (let k = 0; k < n; k++) m += ring[(i + k) % n]!;
        return close / (m / n) - 1;
      },
      reset() {
        filled = 0;
        i = 0;
      },
    };
  };
  return {
    key: `trend(${n})`,
    compute: (b) => {
      const s = make();
      return Float64Array.from(b.close, (c) => s.push(c));
    },
    stream: () => {
      const s = make();
      return { update: (bar: Bar) => s.push(bar.close), reset: () => s.reset() };
    },
  };
}

export interface RegimeSummary {
  k: number;
  /** Bars in each regime (labelled bars only). */
  bars: number[];
  /** Mean length of an unbroken run of each regime, in bars. */
  meanDuration: number[];
  /** transitions[i][j]: P(regime j at t+1 | regime i at t), over consecutive labelled bars. */
  transitions: number[][];
}

export interface Regimes extends RegimeSummary {
  model: Model;
  /** The features the model reads (volatility first: regime 0 is the calmest). */
  features: IndicatorSpecs;
  /** The regime of every bar (NaN during the features' warm-up). */
  regime: Float64Array;
  /** The regime as an indicator spec (whole-array and streaming) for strategies. */
  spec: IndicatorSpec<Series>;
}

/** Counts, mean run lengths and the transition matrix of a regime series (NaN = unlabelled). */
export function summarizeRegimes(regime: Float64Array, k: number): RegimeSummary {
  const bars = new Array<number>(k).fill(0);
  const runs = new Array<number>(k).fill(0);
  const trans = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let prev = NaN;
  for (let t = 0; t < regime.length; t++) {
    const r = regime[t]!;
    if (Number.isNaN(r)) {
      prev = NaN;
      continue;
    }
    if (!(Number.isInteger(r) && r >= 0 && r < k)) throw new QuantlabError('BAD_ARGUMENT', `summarizeRegimes: bar ${t} has regime ${r}, expected an integer in [0, ${k})`);
    bars[r]!++;
    if (r !== prev) runs[r]!++;
    if (!Number.isNaN(prev)) trans[prev]![r]!++;
    prev = r;
  }
  return {
    k,
    bars,
    meanDuration: bars.map((b, i) => (runs[i] ? b / runs[i]! : 0)),
    transitions: trans.map((row) => {
      const s = row.reduce((a, b) => a + b, 0);
      return row.map((c) => (s ? c / s : 0));
    }),
  };
}

export interface RegimeOptions {
  /** Regime features. Default { vol: realizedVolatility(24), trend: trend(100) } (volatility first). */
  features?: IndicatorSpecs;
  /** Regimes. Default 3. */
  k?: number;
  seed?: number;
  /** Fit the clusters on bars [0, trainEnd) only (the rest is labelled out of sample). Default: every bar. */
  trainEnd?: number;
  /** 'kmeans' (default) or 'gmm' (a Gaussian mixture with diagonal covariances, started from k-means). */
  method?: 'kmeans' | 'gmm';
}

/**
 * Unsupervised market regimes: k-means (or a Gaussian mixture) on standardised volatility and trend features. Clusters are numbered by
 * their first feature, so with the default features regime 0 is the calmest and k−1 the most volatile.
 * Fitting on every bar lets the regime boundaries see the future; pass `trainEnd` to fit on the past only.
 * @example
 * const bars = await ql.loadDataset('BTCUSDT', '1d');
 * const r = regimes(bars, { k: 3, seed: 1 });
 * r.bars.reduce((a, b) => a + b, 0) === bars.close.length - 99 // true (trend(100) warms up for 99 bars)
 * r.transitions.every((row) => Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12) // true
 */
export function regimes(bars: Bars, options: RegimeOptions = {}): Regimes {
  const specs = options.features ?? { vol: realizedVolatility(24), trend: trend(100) };
  const k = options.k ?? 3;
  const X = features(bars, specs);
  let rows = X.rows;
  if (options.trainEnd !== undefined) {
    rows = 0;
    while (rows < X.rows && X.index[rows]! < options.trainEnd) rows++;
  }
  const fitOn = { ...X, rows, index: X.index.subarray(0, rows), columns: X.columns.map((c) => c.subarray(0, rows)) };
  const method = options.method ?? 'kmeans';
  if (method !== 'kmeans' && method !== 'gmm') throw new QuantlabError('BAD_ARGUMENT', `regimes: expected method 'kmeans' or 'gmm', found ${JSON.stringify(method)}`);
  const model = method === 'gmm' ? train('gmm', fitOn, undefined, { k, seed: options.seed ?? 0 }) : train('kmeans', fitOn, undefined, { k, seed: options.seed ?? 0 });
  const spec = modelIndicator(model, specs, { output: 'predict' });
  const regime = spec.compute(bars);
  return { model, features: specs, regime, spec, ...summarizeRegimes(regime, k) };
}

export interface RegimeStat {
  regime: number;
  bars: number;
  share: number;
  /** Mean and standard deviation of the per-bar return (equity[t] / equity[t−1] − 1) over the regime's bars. */
  meanReturn: number;
  stdReturn: number;
  /** Σ log(1 + r) over the regime's bars: its contribution to the log growth of the curve. */
  logGrowth: number;
}

/**
 * Per-regime statistics of any equity curve (a backtest's `equity`, or `bars.close` for buy & hold): the
 * return of bar t (from t−1's close to t's) is counted in the regime of bar t−1, the one known when the
 * position for that bar was held.
 * @example
 * const bars = await ql.loadDataset('BTCUSDT', '1d');
 * const r = regimes(bars, { seed: 1 });
 * const s = regimeStats(r.regime, bars.close);
 * s.length // 3
 * s[2].stdReturn > s[0].stdReturn // true
 */
export function regimeStats(regime: Float64Array, equity: ArrayLike<number>): RegimeStat[] {
  if (equity.length !== regime.length) throw new QuantlabError('BAD_ARGUMENT', `regimeStats: the regime series has ${regime.length} bars, the equity curve ${equity.length}`);
  let k = 0;
  for (const r of regime) if (!Number.isNaN(r)) k = Math.max(k, r + 1);
  const acc = Array.from({ length: k }, () => ({ n: 0, s: 0, q: 0, g: 0 }));
  let total = 0;
  for (let t = 1; t < regime.length; t++) {
    const r = regime[t - 1]!;
    if (Number.isNaN(r)) continue;
    const ret = equity[t]! / equity[t - 1]! - 1;
    const a = acc[r]!;
    a.n++;
    a.s += ret;
    a.q += ret * ret;
    a.g += Math.log1p(ret);
    total++;
  }
  return acc.map((a, regime) => {
    const m = a.n ? a.s / a.n : NaN;
    return { regime, bars: a.n, share: total ? a.n / total : 0, meanReturn: m, stdReturn: a.n ? Math.sqrt(Math.max(0, a.q / a.n - m * m)) : NaN, logGrowth: a.g };
  });
}

const COLOURS = ['#2ca02c', '#1f77b4', '#ff7f0e', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

/**
 * Price coloured by regime (one line per regime, gaps elsewhere), thinned to at most `maxPoints` bars.
 * @example
 * const bars = await ql.loadDataset('BTCUSDT', '1d');
 * const fig = regimeFigure(bars, regimes(bars, { seed: 1 }).regime);
 * fig.data.length // 3
 */
export function regimeFigure(bars: Bars, regime: Float64Array, options: { title?: string; maxPoints?: number; names?: string[] } = {}): Figure {
  const n = bars.close.length;
  if (regime.length !== n) throw new QuantlabError('BAD_ARGUMENT', `regimeFigure: ${regime.length} regime values for ${n} bars`);
  const step = Math.max(1, Math.ceil(n / (options.maxPoints ?? 5000)));
  const idx: number[] = [];
  for (let t = 0; t < n; t += step) idx.push(t);
  let k = 0;
  for (const r of regime) if (!Number.isNaN(r)) k = Math.max(k, r + 1);
  const x = isoDates(idx.map((t) => bars.ts[t]!));
  const data = Array.from({ length: k }, (_, r) => ({
    type: 'scatter',
    mode: 'lines',
    name: options.names?.[r] ?? `regime ${r}`,
    x,
    // a point belongs to regime r when it or the point before it is in r, so the coloured pieces join up
    y: idx.map((t, i) => (regime[t] === r || (i > 0 && regime[idx[i - 1]!] === r) ? bars.close[t]! : null)),
    line: { color: COLOURS[r % COLOURS.length], width: 1.5 },
    connectgaps: false,
  }));
  return { data, layout: baseLayout(options.title ?? `${bars.symbol || 'price'} by regime`, { yaxis: { type: 'log', title: 'close' } }) };
}
