/**
 * What a notebook shows: printed results are short summaries (util.inspect, as a cell's last expression or
 * console.log), ql.show's HTML for each kind of value, and tables that read (ISO times, long/short, one rounding
 * per column, a box that scrolls sideways).
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { backtest, columnFormat, equityFigure, formatCell, optimize, showHtml, tableHtml, walkForwardOptimize, type Figure } from '../../lib';
import { btc1h } from '../helpers/datasets';

const bars = btc1h();
const result = backtest('sma-cross', bars, { fast: 10, slow: 50 });

describe('printed results', () => {
  it('a backtest prints a few lines naming strategy, data, equity against buy & hold and trades, never its arrays', () => {
    const text = inspect(result);
    const lines = text.split('\n');
    expect(lines.length).toBeLessThanOrEqual(6);
    expect(lines[0]).toBe(`BacktestResult sma-cross {"fast":10,"slow":50} on BTCUSDT 1h (66,677 bars, 2017-08-17 .. ${new Date(bars.ts.at(-1)!).toISOString().slice(0, 10)})`);
    expect(text).toContain('final equity 55,288.47 from 10,000.00');
    expect(text).toContain(`${result.stats.trades} trades`);
    expect(text).not.toMatch(/Float64Array|\d+, \d+, \d+/);
    // the data is still all there, and plain: JSON and spreads see no extra keys
    expect(Object.keys(result)).not.toContain('bars');
    expect(JSON.parse(JSON.stringify({ s: result.stats })).s.trades).toBe(result.stats.trades);
    expect(result.bars).toBe(bars);
  });

  it('bars print their span; a study prints its best trial and overfitting; a walk-forward its folds', async () => {
    expect(inspect(bars)).toMatch(/^Bars BTCUSDT 1h: 66,677 bars, 2017-08-17 \.\. \d{4}-\d\d-\d\d, close 4,308\.83 → /);
    const study = await optimize('sma-cross', bars, { sampler: 'random', trials: 8, seed: 2, progress: false });
    const s = inspect(study);
    expect(s.split('\n').length).toBeLessThanOrEqual(6);
    expect(s).toContain(`best #${study.best!.number} ${JSON.stringify(study.best!.params)}`);
    expect(s).toMatch(/deflated Sharpe [\d.]+ over 8 trials/);
    const wf = await walkForwardOptimize('sma-cross', bars, { train: 24 * 365, test: 24 * 180, trials: 4, seed: 1, progress: false });
    const w = inspect(wf);
    expect(w).toMatch(new RegExp(`^WalkForward sma-cross \\(sharpe\\): ${wf.folds.length} folds`));
    expect(w).not.toMatch(/Float64Array/);
  }, 120_000);
});

describe('ql.show', () => {
  const figures = (html: string) => (html.match(/class="ql-plot"/g) ?? []).length;

  it('shows a figure, rows, a backtest result (stats + equity), a string, and anything else as short text', () => {
    const fig: Figure = { data: [{ type: 'scatter', x: [1, 2], y: [3, 4] }], layout: { height: 300 } };
    expect(figures(showHtml(fig))).toBe(1);
    const rows = showHtml([{ a: 1, b: 'x' }, { a: 2, b: 'y' }]);
    expect(rows).toContain('<table class="ql-table">');
    expect(figures(rows)).toBe(0);
    const bt = showHtml(result);
    expect(bt).toContain('BacktestResult sma-cross');
    expect(bt).toContain('<td>Sharpe ratio</td>');
    expect(figures(bt)).toBe(1);
    expect(bt).toContain('"name":"buy & hold"');
    expect(showHtml('a <b> & c')).toBe('<pre style="margin:2px 0 6px">a &lt;b&gt; &amp; c</pre>');
    expect(showHtml({ n: new Float64Array(100_000) }).length).toBeLessThan(2000);
  });

  it('a danfojs-like frame shows as a table of its first rows', () => {
    const frame = { columns: ['t', 'v'], values: Array.from({ length: 80 }, (_, i) => [i, i * 1.5]), shape: [80, 2] };
    const html = showHtml(frame, { limit: 10 });
    expect((html.match(/<tr>/g) ?? []).length).toBe(11); // header + 10 rows
    expect(html).toContain('DataFrame 80 × 2; first 10 rows');
  });

  it('a paper session shows its equity beside the backtest, with drawdown computed', () => {
    const ts = Float64Array.from({ length: 50 }, (_, i) => bars.ts[i]!);
    const run = Float64Array.from({ length: 50 }, (_, i) => 1000 + (i % 7) * 10 - i);
    const session = { mode: 'paper', trades: [{ side: 1, entryTs: ts[3], pnl: 1.25 }], equity: { ts, run, backtest: run.slice() }, parity: { summary: 'identical: 1 trade' } };
    const html = showHtml(session);
    expect(html).toContain('paper session: 1 trades; parity: identical: 1 trade');
    expect(figures(html)).toBe(1);
    const f = equityFigure(session);
    expect(f.data.map((d) => d.name)).toEqual(['paper', 'backtest', 'drawdown %']);
    const dd = f.data[2]!.y as number[];
    let peak = -Infinity;
    const want = Array.from(run, (v) => ((peak = Math.max(peak, v)), -(1 - v / peak) * 100));
    expect(dd.length).toBe(want.length);
    dd.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 9));
  });

  it('a walk-forward result draws out-of-sample equity beside buy & hold over the same bars', async () => {
    const wf = await walkForwardOptimize('sma-cross', bars, { train: 24 * 365, test: 24 * 180, trials: 4, seed: 1, progress: false });
    const f = equityFigure(wf);
    expect(f.data.map((d) => d.name)).toEqual(['strategy', 'buy & hold', 'drawdown %']);
    const bh = f.data[1]!.y as number[];
    const first = wf.oosIndex[0]!;
    expect(bh[0]).toBe(1);
    expect(bh.at(-1)).toBeCloseTo(bars.close[wf.oosIndex.at(-1)!]! / bars.close[first]!, 12);
    expect(figures(showHtml(wf))).toBe(2); // folds chart and the equity
  }, 120_000);
});

describe('tables', () => {
  it('time columns read as ISO, side as long/short, and each numeric column has one rounding', () => {
    const rows = [
      { entryTs: Date.UTC(2024, 5, 7, 10), side: 1, price: 67_123.456789, ret: 0.0123456, n: 1200 },
      { entryTs: Date.UTC(2024, 5, 8, 11), side: -1, price: 101.5, ret: -0.5, n: 3 },
    ];
    const html = tableHtml(rows);
    expect(html).toContain('<td>2024-06-07T10:00:00Z</td>');
    expect(html).toContain('<td>long</td>');
    expect(html).toContain('<td>short</td>');
    expect(html).toContain('<td class="n">67,123.46</td>');
    expect(html).toContain('<td class="n">101.50</td>'); // the column's decimals, not the value's
    expect(html).toContain('<td class="n">0.0123</td>');
    expect(html).toContain('<td class="n">-0.5000</td>');
    expect(html).toContain('<td class="n">1,200</td>');
    expect(html).toMatch(/^<style>[^<]*\.ql-table-wrap\{overflow-x:auto/); // wide tables scroll inside the notebook
    expect(html).toContain('<div class="ql-table-wrap"><table class="ql-table">');
  });

  it('a column is a time only when named like one and every value is an epoch-ms time; a value column rounds per value', () => {
    expect(columnFormat('entryTs', [Date.UTC(2024, 0, 1)])).toEqual({ kind: 'time' });
    expect(columnFormat('count', [Date.UTC(2024, 0, 1)])).toEqual({ kind: 'integer' });
    expect(columnFormat('ts', [5])).toEqual({ kind: 'integer' });
    expect(columnFormat('value', [30, 1.122, 0.000012])).toEqual({ kind: 'each' });
    expect(formatCell(30, { kind: 'each' })).toBe('30');
    expect(formatCell(1.12208, { kind: 'each' })).toBe('1.1221');
    expect(formatCell(NaN, { kind: 'fixed', decimals: 2 })).toBe('NaN');
  });
});
