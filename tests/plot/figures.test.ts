import { describe, expect, it } from 'vitest';
import { candlestickFigure, drawdownSeries, equityFigure, monthlyReturns, monthlyReturnsFigure, reportHtml, rollingSharpe, sliceBars, tradeReturnsFigure } from '../../lib';
import { btc1h } from '../helpers/datasets';

const bars = btc1h();

describe('price figure', () => {
  it('candles, volume, an overlay and two oscillator panels each get their own trace and axis', () => {
    const f = candlestickFigure(sliceBars(bars, 0, 1000), {
      overlays: { 'SMA 20': bars.close.subarray(0, 1000) },
      panels: { RSI: bars.close.subarray(0, 1000), MACD: { macd: bars.open.subarray(0, 1000), signal: bars.high.subarray(0, 1000) } },
    });
    expect(f.data.map((d) => d.type)).toEqual(['candlestick', 'scatter', 'bar', 'scatter', 'scatter', 'scatter']);
    expect(f.data.map((d) => d.yaxis)).toEqual(['y', 'y', 'y2', 'y3', 'y4', 'y4']);
    const dom = (k: string) => (f.layout[k] as { domain: [number, number] }).domain;
    // panels stack top to bottom without overlap
    expect(dom('yaxis')[0]).toBeGreaterThan(dom('yaxis2')[1]);
    expect(dom('yaxis2')[0]).toBeGreaterThan(dom('yaxis3')[1]);
    expect(dom('yaxis3')[0]).toBeGreaterThan(dom('yaxis4')[1]);
    expect(dom('yaxis4')[0]).toBeGreaterThanOrEqual(0);
  });

  it('a long series is merged to at most maxCandles and the title says so', () => {
    const f = candlestickFigure(bars, { maxCandles: 2000 });
    expect((f.data[0]!.x as string[]).length).toBeLessThanOrEqual(2000);
    expect(JSON.stringify(f.layout.title)).toMatch(/34 bars per candle/);
    expect(JSON.stringify(f).length).toBeLessThan(1_000_000);
  });

  it('trade markers are split by entry/exit and win/loss, with hover text', () => {
    const f = candlestickFigure(sliceBars(bars, 0, 100), {
      trades: { entryIndex: [1, 10], exitIndex: [5, 20], entryPrice: [bars.open[1]!, bars.open[10]!], exitPrice: [bars.open[5]!, bars.open[20]!], pnl: [12.5, -3] },
    });
    const marks = f.data.filter((d) => d.mode === 'markers');
    expect(marks.map((m) => m.name)).toEqual(['entry (win)', 'entry (loss)', 'exit (win)', 'exit (loss)']);
    expect((marks[0]!.text as string[])[0]).toMatch(/trade 1 \(long\).*pnl 12\.50/);
    expect(marks[3]!.y).toEqual([bars.open[20]]);
  });
});

describe('performance figures', () => {
  const eq = Float64Array.from(bars.close.subarray(0, 20000), (c) => c * 2);
  const ts = bars.ts.subarray(0, 20000);
  it('equity figure: strategy, buy & hold and drawdown (negative %, deepest point kept) on two axes, downsampled', () => {
    const dd = drawdownSeries(eq, eq[0]!);
    const f = equityFigure({ ts, equity: eq, drawdown: dd, benchmark: bars.close.subarray(0, 20000), maxPoints: 1500 });
    expect(f.data.map((d) => [d.name, d.yaxis])).toEqual([['strategy', 'y'], ['buy & hold', 'y'], ['drawdown %', 'y2']]);
    for (const d of f.data) expect((d.y as unknown[]).length).toBeLessThanOrEqual(1500);
    expect(Math.min(...(f.data[2]!.y as number[]))).toBeCloseTo(-100 * Math.max(...dd), 9);
  });
  it('monthly returns chain to the total return; the heatmap has a Year column', () => {
    const { months, years } = monthlyReturns(ts, eq);
    const total = eq[eq.length - 1]! / eq[0]! - 1;
    expect(months.reduce((a, m) => a * (1 + m.ret), 1) - 1).toBeCloseTo(total, 9);
    expect(years.reduce((a, y) => a * (1 + y.ret), 1) - 1).toBeCloseTo(total, 9);
    const f = monthlyReturnsFigure(ts, eq);
    expect((f.data[0]!.x as string[]).at(-1)).toBe('Year');
  });
  it('rolling Sharpe equals a naive window computation', () => {
    const w = 50;
    const rs = rollingSharpe(eq.subarray(0, 300), w, 8760);
    const r = Array.from({ length: 300 }, (_, i) => (i ? eq[i]! / eq[i - 1]! - 1 : 0));
    const i = 200;
    const win = r.slice(i - w + 1, i + 1);
    const m = win.reduce((a, b) => a + b, 0) / w;
    const sd = Math.sqrt(win.reduce((a, b) => a + (b - m) ** 2, 0) / (w - 1));
    expect(rs[i]).toBeCloseTo((m / sd) * Math.sqrt(8760), 6);
    expect(rs[w - 1]).toBeNaN();
  });
  it('trade histogram splits winners and losers', () => {
    const f = tradeReturnsFigure([0.1, -0.05, 0.02, 0]);
    expect(f.data.map((d) => (d.x as number[]).length)).toEqual([2, 2]);
  });
});

describe('report HTML', () => {
  it('is self-contained: plotly inlined, no external script or stylesheet', () => {
    const html = reportHtml('t <1>', [{ heading: 'h' }, { text: 'x' }, { figure: tradeReturnsFigure([0.1]) }, { table: [{ a: 1 }] }]);
    expect(html).toMatch(/plotly\.js v/);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).toContain('t &lt;1&gt;');
    expect(html).toContain('Plotly.newPlot');
  });
});

describe('optimisation figures', async () => {
  const { paramHeatmapFigure, historyFigure, parameterImportance, importanceFigure, parallelCoordinatesFigure, sliceFigure, paretoFigure } = await import('../../lib/plot');
  // objective depends strongly on a, weakly on b, not at all on c
  const trials = Array.from({ length: 200 }, (_, i) => {
    const a = i % 10, b = Math.floor(i / 10) % 5, c = ['x', 'y'][Math.floor(i / 50) % 2]!;
    return { number: i, params: { a, b, c }, value: a * 10 + b + (i % 3 === 0 ? 0.5 : 0), state: 'complete' };
  });
  it('heatmap aggregates per cell (max by default) over sorted axes', () => {
    const f = paramHeatmapFigure(trials, 'a', 'b');
    expect(f.data[0]!.x).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(f.data[0]!.y).toEqual([0, 1, 2, 3, 4]);
    const z = f.data[0]!.z as number[][];
    const naive = Math.max(...trials.filter((t) => t.params.a === 3 && t.params.b === 2).map((t) => t.value));
    expect(z[2]![3]).toBe(naive);
  });
  it('history: best-so-far is monotone and ends at the best value', () => {
    const f = historyFigure(trials);
    const best = f.data[1]!.y as number[];
    for (let i = 1; i < best.length; i++) expect(best[i]!).toBeGreaterThanOrEqual(best[i - 1]!);
    expect(best.at(-1)).toBe(Math.max(...trials.map((t) => t.value)));
  });
  it('importance ranks a > b > c and sums to 1', () => {
    const imp = parameterImportance(trials);
    expect(imp.map((r) => r.param)).toEqual(['a', 'b', 'c']);
    expect(imp.reduce((s, r) => s + r.importance, 0)).toBeCloseTo(1, 12);
    expect(imp[2]!.importance).toBeLessThan(0.01);
    expect((importanceFigure(imp).data[0]!.y as string[]).at(-1)).toBe('a');
  });
  it('parallel coordinates encode categories; slices give one axis per parameter; Pareto splits the front', () => {
    const pc = parallelCoordinatesFigure(trials);
    const dims = pc.data[0]!.dimensions as Array<{ label: string; ticktext?: string[] }>;
    expect(dims.map((d) => d.label)).toEqual(['a', 'b', 'c', 'objective']);
    expect(dims[2]!.ticktext).toEqual(['x', 'y']);
    expect(sliceFigure(trials).data.map((d) => d.xaxis)).toEqual(['x', 'x2', 'x3']);
    const mo = [{ number: 0, params: {}, values: [1, 5] }, { number: 1, params: {}, values: [2, 2] }, { number: 2, params: {}, values: [0.5, 0.5] }];
    const p = paretoFigure(mo, [0, 1]);
    expect((p.data[1]!.x as number[]).sort()).toEqual([1, 2]);
    expect(p.data[0]!.x).toEqual([0.5]);
  });
});

describe('titles and the equity axis', () => {
  it('a long title wraps at spaces or commas into at most three lines; the top margin holds title and legend', async () => {
    const { baseLayout, wrapTitle } = await import('../../lib');
    const long = `sma-cross ${JSON.stringify({ fast: 10, slow: 50, stopLoss: 0.05, takeProfit: 0.1, trailing: 0.02, sizing: { mode: 'risk', risk: 0.01 } })} on BTCUSDT 1h`;
    const w = wrapTitle(long, 40, 5);
    expect(w.lines).toBeGreaterThan(1);
    expect(w.text.split('<br>').every((l) => l.length <= 60)).toBe(true);
    expect(w.text.replace(/<br>/g, '').replace(/\s/g, '')).toBe(long.replace(/\s/g, '')); // nothing lost but the spaces at breaks
    const cut = wrapTitle('word '.repeat(200), 40, 3);
    expect(cut.lines).toBe(3);
    expect(cut.text.endsWith('…')).toBe(true);
    expect(wrapTitle('a < b & c').text).toBe('a &lt; b &amp; c');
    const one = baseLayout('short') as { margin: { t: number }; legend: { y: number; yanchor: string } };
    const three = baseLayout(long + ' '.repeat(1) + long) as { margin: { t: number } };
    expect(three.margin.t).toBeGreaterThan(one.margin.t + 30);
    expect(one.legend).toMatchObject({ y: 1, yanchor: 'bottom' }); // above the plot area, under the title
    expect((baseLayout('x', { showlegend: false }) as { margin: { t: number } }).margin.t).toBeLessThan(one.margin.t);
  });

  it('equity is drawn on a log axis when it spans more than 3x, linear otherwise, and the caller can choose', () => {
    const ts = Float64Array.from({ length: 100 }, (_, i) => Date.UTC(2024, 0, 1) + i * 3_600_000);
    const flat = Float64Array.from(ts, (_, i) => 100 + i);
    const steep = Float64Array.from(ts, (_, i) => 100 * 1.05 ** i);
    const axis = (f: ReturnType<typeof equityFigure>) => (f.layout.yaxis as { type: string }).type;
    expect(axis(equityFigure({ ts, equity: flat }))).toBe('linear');
    expect(axis(equityFigure({ ts, equity: flat, benchmark: steep }))).toBe('log'); // a modest strategy beside a big run
    expect(axis(equityFigure({ ts, equity: steep, scale: 'linear' }))).toBe('linear');
    const dd = equityFigure({ ts, equity: Float64Array.from([...flat.subarray(0, 50), ...Array.from({ length: 50 }, () => 75)]) }).data.at(-1)!;
    expect((dd.y as number[]).at(-1)).toBeCloseTo(-(1 - 75 / 149) * 100, 9); // drawdown computed when not given
  });
});
