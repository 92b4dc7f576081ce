import type { Bars, Series } from '../core';
import { downsampleLine, downsampleOhlc } from './downsample';
import { baseLayout, type Figure } from './figure';

/** Trades to mark on a price chart: entry/exit bar indexes and prices, and the result. */
export interface TradeMarks {
  entryIndex: ArrayLike<number>;
  exitIndex: ArrayLike<number>;
  entryPrice: ArrayLike<number>;
  exitPrice: ArrayLike<number>;
  /** Profit or loss in currency; > 0 colours the trade as a win. */
  pnl: ArrayLike<number>;
  /** +1 long, -1 short (optional). */
  side?: ArrayLike<number>;
}

export interface CandleOptions {
  title?: string;
  /** Lines drawn over price, e.g. { 'SMA 50': sma(bars.close, 50) }. */
  overlays?: Record<string, Series>;
  /** Oscillators, one sub-panel each: { RSI: rsi(close, 14) } or several lines in one panel: { MACD: { macd, signal } }. */
  panels?: Record<string, Series | Record<string, Series>>;
  /** Entry/exit markers (green = win, red = loss); hover shows the trade. */
  trades?: TradeMarks;
  /** Show the volume panel (default true). */
  volume?: boolean;
  /** Candles drawn at most; longer series are merged into OHLC groups for display (default 3000). */
  maxCandles?: number;
  /** Points per overlay/panel line (default 4000). */
  maxPoints?: number;
  height?: number;
}

const iso = (xs: ArrayLike<number>) => Array.from(xs, (t) => new Date(t).toISOString());

/**
 * Candlestick chart with a volume panel, overlay lines, oscillator sub-panels and trade markers. Series
 * longer than `maxCandles` are merged into OHLC groups (the title says by how much); lines are LTTB-downsampled.
 */
export function candlestickFigure(bars: Bars, options: CandleOptions = {}): Figure {
  const ds = downsampleOhlc(bars, options.maxCandles ?? 3000);
  const maxPoints = options.maxPoints ?? 4000;
  const x = iso(ds.ts);
  const withVolume = options.volume ?? true;
  const panels = Object.entries(options.panels ?? {});
  // vertical layout: price on top, then volume, then one slot per panel
  const slots = (withVolume ? 1 : 0) + panels.length;
  const slotH = slots ? Math.min(0.22, 0.5 / slots) : 0;
  const gap = 0.03;
  const priceBottom = slots ? slots * (slotH + gap) : 0;
  const layoutExtra: Record<string, unknown> = {
    xaxis: { rangeslider: { visible: false }, type: 'date' },
    yaxis: { domain: [priceBottom, 1], title: { text: 'price' } },
  };
  const data: Array<Record<string, unknown>> = [
    {
      type: 'candlestick',
      name: bars.symbol || 'price',
      x,
      open: ds.open,
      high: ds.high,
      low: ds.low,
      close: ds.close,
      increasing: { line: { color: '#26a69a' } },
      decreasing: { line: { color: '#ef5350' } },
      yaxis: 'y',
      showlegend: false,
    },
  ];
  for (const [name, s] of Object.entries(options.overlays ?? {})) {
    const l = downsampleLine(bars.ts, s, maxPoints);
    data.push({ type: 'scatter', mode: 'lines', name, x: iso(l.x), y: l.y, line: { width: 1.3 }, yaxis: 'y' });
  }
  if (options.trades) data.push(...tradeTraces(bars, options.trades));
  let slot = 0;
  const nextAxis = (title: string) => {
    const k = slot + 2;
    const top = priceBottom - gap - slot * (slotH + gap);
    layoutExtra[`yaxis${k}`] = { domain: [Math.max(0, top - slotH), top], title: { text: title } };
    slot++;
    return `y${k}`;
  };
  if (withVolume) {
    const axis = nextAxis('volume');
    const colors = ds.close.map((c, i) => (c >= ds.open[i]! ? 'rgba(38,166,154,0.5)' : 'rgba(239,83,80,0.5)'));
    data.push({ type: 'bar', name: 'volume', x, y: ds.volume, marker: { color: colors }, yaxis: axis, showlegend: false });
  }
  for (const [title, p] of panels) {
    const axis = nextAxis(title);
    const lines = p instanceof Float64Array ? { [title]: p } : (p as Record<string, Series>);
    for (const [name, s] of Object.entries(lines)) {
      const l = downsampleLine(bars.ts, s, maxPoints);
      data.push({ type: 'scatter', mode: 'lines', name, x: iso(l.x), y: l.y, line: { width: 1.1 }, yaxis: axis });
    }
  }
  const merged = ds.group > 1 ? ` (display: ${ds.group} bars per candle)` : '';
  const title = (options.title ?? `${bars.symbol} ${bars.timeframe}`.trim()) + merged;
  const layout = baseLayout(title, { height: options.height ?? 480 + 150 * panels.length, ...layoutExtra });
  return { data, layout };
}

/** Entry (triangle) and exit (x) markers; colour by win/loss; hover text describes the trade. */
function tradeTraces(bars: Bars, t: TradeMarks): Array<Record<string, unknown>> {
  const n = t.entryIndex.length;
  const mk = (win: boolean, entry: boolean) => {
    const xs: string[] = [], ys: number[] = [], text: string[] = [];
    for (let i = 0; i < n; i++) {
      if (t.pnl[i]! > 0 !== win) continue;
      const idx = entry ? t.entryIndex[i]! : t.exitIndex[i]!;
      if (!(idx >= 0 && idx < bars.ts.length)) continue;
      const side = t.side && t.side[i]! < 0 ? 'short' : 'long';
      xs.push(new Date(bars.ts[idx]!).toISOString());
      ys.push(entry ? t.entryPrice[i]! : t.exitPrice[i]!);
      text.push(`trade ${i + 1} (${side}): ${t.entryPrice[i]} → ${t.exitPrice[i]}, pnl ${t.pnl[i]!.toFixed(2)}`);
    }
    return {
      type: 'scatter',
      mode: 'markers',
      name: `${entry ? 'entry' : 'exit'} (${win ? 'win' : 'loss'})`,
      x: xs,
      y: ys,
      text,
      hoverinfo: 'text',
      marker: { symbol: entry ? 'triangle-up' : 'x', size: 9, color: win ? '#2e7d32' : '#c62828' },
      yaxis: 'y',
    };
  };
  return [mk(true, true), mk(false, true), mk(true, false), mk(false, false)];
}
