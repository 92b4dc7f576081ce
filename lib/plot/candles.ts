import type { Bars, Series } from '../core';
import { baseLayout, isoDates, type Figure } from './figure';

export interface CandleOptions {
  title?: string;
  /** Lines drawn over price, e.g. { 'SMA 50': sma(bars.close, 50) }. */
  overlays?: Record<string, Series>;
  /** Show the volume panel (default true). */
  volume?: boolean;
  height?: number;
}

/**
 * Candlestick chart with a volume panel below and optional overlay lines. Returns the figure JSON.
 * (Large series are drawn as they are; downsampling for display belongs to the charts issue.)
 */
export function candlestickFigure(bars: Bars, options: CandleOptions = {}): Figure {
  const x = isoDates(bars.ts);
  const withVolume = options.volume ?? true;
  const data: Array<Record<string, unknown>> = [
    {
      type: 'candlestick',
      name: bars.symbol || 'price',
      x,
      open: Array.from(bars.open),
      high: Array.from(bars.high),
      low: Array.from(bars.low),
      close: Array.from(bars.close),
      increasing: { line: { color: '#26a69a' } },
      decreasing: { line: { color: '#ef5350' } },
      yaxis: 'y',
      showlegend: false,
    },
  ];
  for (const [name, s] of Object.entries(options.overlays ?? {})) {
    data.push({ type: 'scatter', mode: 'lines', name, x, y: Array.from(s, (v) => (Number.isNaN(v) ? null : v)), line: { width: 1.3 }, yaxis: 'y' });
  }
  if (withVolume) {
    const colors = Array.from(bars.close, (c, i) => (c >= bars.open[i]! ? 'rgba(38,166,154,0.5)' : 'rgba(239,83,80,0.5)'));
    data.push({ type: 'bar', name: 'volume', x, y: Array.from(bars.volume), marker: { color: colors }, yaxis: 'y2', showlegend: false });
  }
  const title = options.title ?? `${bars.symbol} ${bars.timeframe}`.trim();
  const layout = baseLayout(title, {
    height: options.height ?? 560,
    xaxis: { rangeslider: { visible: false }, type: 'date' },
    yaxis: { domain: withVolume ? [0.28, 1] : [0, 1], title: { text: 'price' } },
    ...(withVolume ? { yaxis2: { domain: [0, 0.22], title: { text: 'volume' } } } : {}),
  });
  return { data, layout };
}
