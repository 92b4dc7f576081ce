import { QuantlabError, type Bars } from '../core';
import { baseLayout, type Figure } from './figure';
import { downsampleLine } from './downsample';

const DEFAULT_POINTS = 4000;
const isoX = (xs: number[]) => xs.map((t) => new Date(t).toISOString());

export interface EquityChartInput {
  ts: ArrayLike<number>;
  equity: ArrayLike<number>;
  /** Drawdown per bar as a fraction below the running peak (0.25 = 25% under water); computed from equity when left out. */
  drawdown?: ArrayLike<number>;
  /** Buy & hold (or any benchmark) in the same currency, drawn beside the equity. */
  benchmark?: ArrayLike<number>;
  title?: string;
  /** Legend names (default 'strategy' and 'buy & hold'). */
  labels?: { equity?: string; benchmark?: string };
  /** Points per line after downsampling (default 4000). */
  maxPoints?: number;
  /** Equity axis scale: 'auto' (default) is log when the lines span more than 3× (a modest strategy beside a 7× run stays readable), with a log/linear toggle on the chart. */
  scale?: 'auto' | 'log' | 'linear';
}

/** A backtest result as the chart reads it (lib/strategy's BacktestResult has these). */
export interface EquityResultLike {
  equity: Float64Array;
  initialCash: number;
  bars?: Bars;
  strategy?: string;
  params?: Record<string, unknown>;
}

/** A walk-forward result as the chart reads it (lib/research's walkForwardOptimize returns these). */
export interface WalkForwardLike {
  oosEquity: Float64Array;
  oosIndex: ArrayLike<number>;
  oosTs: ArrayLike<number>;
  bars?: Bars;
  strategy?: string;
}

/** A paper or live session as the chart reads it (lib/live's paperSession returns these): its equity beside the backtest of the same bars. */
export interface SessionLike {
  equity: { ts: ArrayLike<number>; run: ArrayLike<number>; backtest: ArrayLike<number> };
  mode?: string;
}

/** Per-bar drawdown fraction below the running peak (the chart's own copy; metrics has the canonical one). */
function drawdownOf(equity: ArrayLike<number>, start = -Infinity): Float64Array {
  const out = new Float64Array(equity.length);
  let peak = start;
  for (let i = 0; i < equity.length; i++) {
    const v = equity[i]!;
    if (v > peak) peak = v;
    out[i] = peak > 0 ? 1 - v / peak : 0;
  }
  return out;
}

/**
 * The chart input of a backtest result (equity beside buy & hold of its bars) or of a walk-forward result
 * (stitched out-of-sample equity beside buy & hold over the same bars, both rebased to 1). `bars` is
 * needed only when the result does not carry its own.
 */
export function equityInput(result: EquityResultLike | WalkForwardLike | SessionLike, bars?: Bars, title?: string): EquityChartInput {
  if (isSession(result)) {
    const e = result.equity;
    const mode = result.mode ?? 'paper';
    return { ts: e.ts, equity: e.run, benchmark: e.backtest, labels: { equity: mode, benchmark: 'backtest' }, title: title ?? `${mode[0]!.toUpperCase()}${mode.slice(1)} equity and the backtest of the same bars` };
  }
  const b = bars ?? result.bars;
  if ('oosEquity' in result) {
    const idx = result.oosIndex;
    const benchmark = b && idx.length ? Float64Array.from(idx, (i) => b.close[i]! / b.close[idx[0]!]!) : undefined;
    const what = `${result.strategy ?? 'walk-forward'}${b ? ` on ${b.symbol} ${b.timeframe}` : ''}`;
    return { ts: result.oosTs, equity: result.oosEquity, benchmark, title: title ?? `Walk-forward out-of-sample equity: ${what} (rebased to 1)` };
  }
  if (!b) throw new QuantlabError('BAD_ARGUMENT', 'equityFigure: expected a result that carries its bars (backtest() results do) or bars as the second argument, found neither');
  if (b.close.length !== result.equity.length) {
    throw new QuantlabError('BAD_ARGUMENT', `equityFigure: the bars have ${b.close.length} rows but the equity has ${result.equity.length} values; pass the bars the backtest ran on`);
  }
  const k = result.initialCash / b.close[0]!;
  const params = result.params && Object.keys(result.params).length ? ` ${JSON.stringify(result.params)}` : '';
  return {
    ts: b.ts,
    equity: result.equity,
    benchmark: Float64Array.from(b.close, (c) => c * k),
    drawdown: drawdownOf(result.equity, result.initialCash),
    title: title ?? `${result.strategy ?? 'strategy'}${params} on ${b.symbol} ${b.timeframe}`.trim(),
  };
}

function isSession(x: object): x is SessionLike {
  const e = (x as { equity?: unknown }).equity;
  return typeof e === 'object' && e !== null && !ArrayBuffer.isView(e) && 'run' in e && 'backtest' in e;
}

function spanOf(...lines: Array<ArrayLike<number> | undefined>): number {
  let lo = Infinity, hi = -Infinity;
  for (const l of lines) {
    if (!l) continue;
    for (let i = 0; i < l.length; i++) {
      const v = l[i]!;
      if (v > 0 && v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return hi > 0 && lo < Infinity ? hi / lo : 1;
}

/**
 * Equity curve (with buy & hold) above an underwater (drawdown %) panel. Lines are downsampled with LTTB.
 * Takes the chart input, or directly a backtest result (`equityFigure(result)`: buy & hold of its bars), a
 * walk-forward result (out-of-sample equity beside buy & hold over the same bars) or a paper session (its equity
 * beside the backtest); drawdown is computed when not given. `equityFigure(result, bars)` works for results that
 * do not carry their bars. The equity axis is log when the lines span more than 3× (a toggle switches it).
 *
 * @example
 * const bars = await ql.loadDataset('BTCUSDT', '1d');
 * const fig = equityFigure(ql.backtest('sma-cross', bars, { fast: 10, slow: 40 }));
 * fig.data.map((d) => d.name) // ['strategy', 'buy & hold', 'drawdown %']
 * const axis = fig.layout.yaxis as { type: string };
 * axis.type // 'log'
 */
export function equityFigure(input: EquityChartInput | EquityResultLike | WalkForwardLike | SessionLike, bars?: Bars): Figure {
  const inp: EquityChartInput = 'ts' in input ? input : equityInput(input, bars);
  const max = inp.maxPoints ?? DEFAULT_POINTS;
  const eq = downsampleLine(inp.ts, inp.equity, max);
  const dd = downsampleLine(inp.ts, Float64Array.from(inp.drawdown ?? drawdownOf(inp.equity), (v) => -v * 100), max);
  const data: Array<Record<string, unknown>> = [
    { type: 'scatter', mode: 'lines', name: inp.labels?.equity ?? 'strategy', x: isoX(eq.x), y: eq.y, line: { color: '#1f77b4', width: 1.5 }, yaxis: 'y' },
  ];
  if (inp.benchmark) {
    const bh = downsampleLine(inp.ts, inp.benchmark, max);
    data.push({ type: 'scatter', mode: 'lines', name: inp.labels?.benchmark ?? 'buy & hold', x: isoX(bh.x), y: bh.y, line: { color: '#999', width: 1 }, yaxis: 'y' });
  }
  data.push({ type: 'scatter', mode: 'lines', name: 'drawdown %', x: isoX(dd.x), y: dd.y, fill: 'tozeroy', line: { color: '#d62728', width: 1 }, yaxis: 'y2' });
  const span = spanOf(inp.equity, inp.benchmark);
  const log = inp.scale === 'log' || ((inp.scale ?? 'auto') === 'auto' && span > 3);
  const scaleNote = log ? 'equity (log scale)' : 'equity';
  const button = (type: 'log' | 'linear') => ({ label: type, method: 'relayout', args: [{ 'yaxis.type': type, 'yaxis.title.text': type === 'log' ? 'equity (log scale)' : 'equity' }] });
  return {
    data,
    layout: baseLayout(inp.title ?? 'Equity and drawdown', {
      height: 560,
      xaxis: { type: 'date' },
      yaxis: { domain: [0.32, 1], title: { text: scaleNote }, type: log ? 'log' : 'linear' },
      yaxis2: { domain: [0, 0.26], title: { text: 'drawdown %' } },
      // the log/linear toggle sits at the right of the legend's row, above the plot (never over the lines)
      updatemenus: [{ type: 'buttons', direction: 'right', x: 1, xanchor: 'right', y: 1, yanchor: 'bottom', showactive: true, active: log ? 0 : 1, pad: { t: 0, r: 0, b: 2 }, buttons: [button('log'), button('linear')], font: { size: 11 } }],
    }),
  };
}

/** Rolling annualised Sharpe ratio of bar returns over `window` bars (mean/std × sqrt(barsPerYear)). */
export function rollingSharpe(equity: ArrayLike<number>, window: number, barsPerYear: number): Float64Array {
  const n = equity.length;
  const out = new Float64Array(n).fill(NaN);
  let s = 0, s2 = 0;
  const r = new Float64Array(n);
  for (let i = 1; i < n; i++) r[i] = equity[i]! / equity[i - 1]! - 1;
  for (let i = 1; i < n; i++) {
    s += r[i]!;
    s2 += r[i]! * r[i]!;
    if (i > window) {
      s -= r[i - window]!;
      s2 -= r[i - window]! * r[i - window]!;
    }
    if (i >= window) {
      const mean = s / window;
      const variance = (s2 - window * mean * mean) / (window - 1);
      out[i] = variance > 1e-18 ? (mean / Math.sqrt(variance)) * Math.sqrt(barsPerYear) : NaN;
    }
  }
  return out;
}

export function rollingSharpeFigure(ts: ArrayLike<number>, equity: ArrayLike<number>, window: number, barsPerYear: number, maxPoints = DEFAULT_POINTS): Figure {
  const l = downsampleLine(ts, rollingSharpe(equity, window, barsPerYear), maxPoints);
  return {
    data: [{ type: 'scatter', mode: 'lines', name: `Sharpe (${window} bars)`, x: isoX(l.x), y: l.y, line: { width: 1.2 } }],
    layout: baseLayout(`Rolling Sharpe (${window} bars, annualised)`, { height: 320, xaxis: { type: 'date' }, shapes: [{ type: 'line', xref: 'paper', x0: 0, x1: 1, y0: 0, y1: 0, line: { color: '#888', dash: 'dot' } }] }),
  };
}

/** Calendar-month returns (UTC) of an equity curve: rows of { year, month (1-12), ret } plus yearly totals. */
export function monthlyReturns(ts: ArrayLike<number>, equity: ArrayLike<number>): { months: Array<{ year: number; month: number; ret: number }>; years: Array<{ year: number; ret: number }> } {
  const months: Array<{ year: number; month: number; ret: number }> = [];
  const years: Array<{ year: number; ret: number }> = [];
  let mStart = equity[0]!, yStart = equity[0]!;
  for (let i = 1; i <= ts.length; i++) {
    const prev = new Date(ts[i - 1]!);
    const cur = i < ts.length ? new Date(ts[i]!) : undefined;
    const endOfMonth = !cur || cur.getUTCMonth() !== prev.getUTCMonth() || cur.getUTCFullYear() !== prev.getUTCFullYear();
    if (endOfMonth) {
      months.push({ year: prev.getUTCFullYear(), month: prev.getUTCMonth() + 1, ret: equity[i - 1]! / mStart - 1 });
      mStart = equity[i - 1]!;
    }
    if (!cur || cur.getUTCFullYear() !== prev.getUTCFullYear()) {
      years.push({ year: prev.getUTCFullYear(), ret: equity[i - 1]! / yStart - 1 });
      yStart = equity[i - 1]!;
    }
  }
  return { months, years };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Heatmap of monthly returns (%) with a yearly column. */
export function monthlyReturnsFigure(ts: ArrayLike<number>, equity: ArrayLike<number>): Figure {
  const { months, years } = monthlyReturns(ts, equity);
  const ys = years.map((y) => String(y.year));
  const z = ys.map(() => new Array<number | null>(13).fill(null));
  for (const m of months) z[ys.indexOf(String(m.year))]![m.month - 1] = Math.round(m.ret * 10000) / 100;
  years.forEach((y, i) => (z[i]![12] = Math.round(y.ret * 10000) / 100));
  const text = z.map((row) => row.map((v) => (v === null ? '' : `${v.toFixed(1)}%`)));
  // the colour scale follows the months (the yearly column would wash them out); red = loss, green = gain
  const lim = Math.max(1, ...months.map((m) => Math.abs(m.ret * 100)).filter((v) => Number.isFinite(v)));
  return {
    data: [{ type: 'heatmap', x: [...MONTHS, 'Year'], y: ys, z, text, texttemplate: '%{text}', colorscale: [[0, '#c62828'], [0.5, '#f7f7f7'], [1, '#2e7d32']], zmid: 0, zmin: -lim, zmax: lim, hovertemplate: '%{y} %{x}: %{z:.2f}%<extra></extra>', colorbar: { title: { text: '%' } } }],
    layout: baseLayout('Monthly returns', { height: 120 + 28 * ys.length, yaxis: { type: 'category', autorange: 'reversed' }, hovermode: 'closest', showlegend: false }),
  };
}

/** Histogram of trade returns (%), winners and losers coloured apart. */
export function tradeReturnsFigure(returns: ArrayLike<number>): Figure {
  const r = Array.from(returns, (v) => v * 100);
  return {
    data: [
      { type: 'histogram', name: 'winners', x: r.filter((v) => v > 0), marker: { color: '#26a69a' }, opacity: 0.8 },
      { type: 'histogram', name: 'losers', x: r.filter((v) => v <= 0), marker: { color: '#ef5350' }, opacity: 0.8 },
    ],
    layout: baseLayout('Trade returns', { height: 340, barmode: 'overlay', xaxis: { title: { text: 'return %' } }, yaxis: { title: { text: 'trades' } }, hovermode: 'closest' }),
  };
}

/** Trade duration (bars held) against trade return (%). */
export function durationReturnFigure(barsHeld: ArrayLike<number>, returns: ArrayLike<number>): Figure {
  const r = Array.from(returns, (v) => v * 100);
  return {
    data: [{ type: 'scatter', mode: 'markers', name: 'trades', x: Array.from(barsHeld), y: r, marker: { size: 5, color: r.map((v) => (v > 0 ? '#26a69a' : '#ef5350')) } }],
    layout: baseLayout('Trade duration vs return', { height: 360, xaxis: { title: { text: 'bars held' } }, yaxis: { title: { text: 'return %' } }, hovermode: 'closest', showlegend: false }),
  };
}
