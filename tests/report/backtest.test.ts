import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backtest, backtestFigures, backtestReport, buyAndHoldEquity, isoTime, statsRows, tradeRows, tradesFigure, type Figure } from '../../lib';
import { btc1h } from '../helpers/datasets';

const bars = btc1h();
const result = backtest('sma-cross', bars, { fast: 10, slow: 50 });

describe('backtest report', () => {
  it('buy & hold equity is cash scaled by close / first close', () => {
    const bh = buyAndHoldEquity(bars, 10_000);
    expect(bh[0]).toBe(10_000);
    expect(bh[bh.length - 1]).toBeCloseTo((10_000 * bars.close[bars.close.length - 1]!) / bars.close[0]!, 6);
  });

  it('rows: one per statistic and one per trade, times as ISO text, side as long/short, exit reasons by name', () => {
    expect(statsRows(result).find((r) => r.statistic === '# Trades')?.value).toBe(String(result.stats.trades));
    const rows = tradeRows(result);
    expect(rows.length).toBe(result.trades.length);
    expect(rows[0]!.entryTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00Z$/);
    expect(rows[0]!.entryTime).toBe(isoTime(result.trades.entryTs[0]!));
    expect(rows.map((r) => r.trade)).toEqual(rows.map((_, i) => i + 1));
    expect(new Set(rows.map((r) => r.side))).toEqual(new Set(['long'])); // sma-cross is long-only
    expect(new Set(rows.map((r) => r.exitReason))).toEqual(new Set(['signal', 'end'].filter((x) => rows.some((r) => r.exitReason === x))));
    const ls = backtest('sma-cross-ls', bars, { fast: 10, slow: 50 });
    const sides = tradeRows(ls).map((r) => r.side);
    expect(sides.filter((x) => x === 'short').length).toBe(Array.from(ls.trades.side).filter((v) => v < 0).length);
    expect(sides.filter((x) => x === 'long').length).toBe(Array.from(ls.trades.side).filter((v) => v > 0).length);
  });

  const markerCount = (f: Figure, kind: 'entry' | 'exit') =>
    f.data.filter((d) => d.mode === 'markers' && String(d.name).startsWith(kind)).reduce((a, m) => a + (m.x as unknown[]).length, 0);

  it('figures: the result carries its bars (no second argument); the equity chart ends at the final equity, log scale beside buy & hold', () => {
    const f = backtestFigures(result);
    expect(JSON.stringify(f)).toBe(JSON.stringify(backtestFigures(result, bars)));
    expect((f.equity.data[0]!.y as number[]).at(-1)).toBeCloseTo(result.finalEquity, 6);
    expect((f.equity.data[1]!.y as number[]).at(-1)).toBeCloseTo((10_000 * bars.close.at(-1)!) / bars.close[0]!, 6); // buy & hold
    expect((f.equity.layout.yaxis as { type: string }).type).toBe('log'); // BTC went ~25x: linear would flatten the strategy
  });

  it('trades on price: the last 2000 bars candle by candle with their trades by default; { window: "all" } marks every trade', () => {
    const n = bars.ts.length;
    const start = n - 2000;
    const f = backtestFigures(result).trades;
    const candles = f.data.find((d) => d.type === 'candlestick')!;
    expect((candles.x as string[]).length).toBe(2000); // not merged: one candle per bar
    expect((candles.x as string[])[0]).toBe(new Date(bars.ts[start]!).toISOString());
    const t = result.trades;
    const entered = Array.from(t.entryBar).filter((b) => b >= start).length;
    const exited = Array.from(t.exitBar).filter((b) => b >= start).length;
    expect(entered).toBeGreaterThan(5);
    expect(markerCount(f, 'entry')).toBe(entered);
    expect(markerCount(f, 'exit')).toBe(exited);
    expect(String((f.layout.title as { text: string }).text)).toContain(`${exited} of ${t.length} trades`);
    // every trade stays reachable: the whole history with a marker per trade, at the trade's own time and price
    const all = tradesFigure(result, { window: 'all' });
    expect(markerCount(all, 'entry')).toBe(t.length);
    expect(markerCount(all, 'exit')).toBe(t.length);
    const xs = all.data.filter((d) => String(d.name).startsWith('entry')).flatMap((d) => d.x as string[]);
    expect(new Set(xs)).toEqual(new Set(Array.from(t.entryBar, (b) => new Date(bars.ts[b]!).toISOString())));
    expect(markerCount(tradesFigure(result, bars, { window: 'all' }), 'entry')).toBe(t.length); // the explicit-bars form
  });

  it('a result without its bars says what to pass; bars of another length are refused', () => {
    const { ...plain } = result; // a spread copy (as JSON or a worker message would be) drops the carried bars
    expect(() => backtestFigures(plain as typeof result)).toThrow(/bars as the second argument/);
    expect(() => backtestFigures(result, { ...bars, close: bars.close.subarray(1) })).toThrow(/66677 rows|rows but the result has/);
  });

  it('writes one self-contained HTML file with five charts and every trade (paged)', () => {
    const path = backtestReport(result, { path: join(mkdtempSync(join(tmpdir(), 'ql-rep-')), 'r.html') });
    const html = readFileSync(path, 'utf8');
    expect(html.match(/Plotly\.newPlot\('ql-report-plot-/g)?.length).toBe(5);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(statSync(path).size).toBeLessThan(10_000_000);
    // the trade table's data: one row per trade (not the last 200), in order, times as ISO text
    const m = html.match(/<div class="ql-paged" id="ql-report-table-\d+">[\s\S]*?var d=(\{[\s\S]*?\});var root/);
    expect(m).not.toBeNull();
    const d = JSON.parse(m![1]!) as { c: string[]; r: string[][]; p: number };
    expect(d.r.length).toBe(result.trades.length);
    expect(d.p).toBe(50);
    const entry = d.c.indexOf('entryTime');
    expect(d.r[0]![entry]).toBe(isoTime(result.trades.entryTs[0]!));
    expect(d.r.at(-1)![entry]).toBe(isoTime(result.trades.entryTs[result.trades.length - 1]!));
    expect(d.r[0]![d.c.indexOf('side')]).toBe('long');
    // the older form with bars still writes the same report
    const again = readFileSync(backtestReport(result, bars, { path: join(mkdtempSync(join(tmpdir(), 'ql-rep-')), 'r.html') }), 'utf8');
    expect(again.replace(/made by quantlab on [^<]+/, '')).toBe(html.replace(/made by quantlab on [^<]+/, ''));
  });
});

describe('quantlab backtest --report', () => {
  it('writes the report and names it in the JSON', async () => {
    const { execFileSync } = await import('node:child_process');
    const { repoRoot } = await import('../helpers/datasets');
    const path = join(mkdtempSync(join(tmpdir(), 'ql-cli-rep-')), 'x.html');
    const out = execFileSync(join(repoRoot, 'bin', 'quantlab'), ['backtest', '-d', 'BTCUSDT', '-t', '1d', '-s', 'sma-cross', '-p', 'fast=5', '-p', 'slow=20', '--report', path, '--json'], { encoding: 'utf8' });
    expect(JSON.parse(out).report).toBe(path);
    expect(readFileSync(path, 'utf8').match(/Plotly\.newPlot\('ql-report-plot-/g)?.length).toBe(5);
  });
});

describe('study report', () => {
  it('writes history, heatmap, importance, slices, parallel coordinates and the overfitting table', async () => {
    const { optimize, studyReport } = await import('../../lib');
    const r = await optimize('sma-cross', bars, { sampler: 'random', trials: 30, seed: 3, progress: false });
    const path = studyReport(r, { path: join(mkdtempSync(join(tmpdir(), 'ql-study-')), 's.html') });
    const html = readFileSync(path, 'utf8');
    expect(html.match(/Plotly\.newPlot\('ql-report-plot-/g)?.length).toBe(5);
    expect(html).toContain('probability of backtest overfitting');
    expect(html).toContain(`<td class="n">${r.best!.number}</td>`); // the best trial's row, right-aligned
    expect(html).toContain('<td>finished trials</td><td class="n">30</td>'); // a count in a statistic/value table stays an integer
    expect(html).toMatch(/deflated Sharpe/);
  });
});

describe('quantlab optimize --report', () => {
  it('writes the study report and names it in the JSON', async () => {
    const { execFileSync } = await import('node:child_process');
    const { repoRoot } = await import('../helpers/datasets');
    const path = join(mkdtempSync(join(tmpdir(), 'ql-cli-study-')), 's.html');
    const args = ['optimize', '-d', 'BTCUSDT', '-t', '1d', '-s', 'sma-cross', '--sampler', 'random', '-n', '12', '--seed', '1', '--storage', 'memory:', '--report', path, '--json', '--no-progress'];
    const out = JSON.parse(execFileSync(join(repoRoot, 'bin', 'quantlab'), args, { encoding: 'utf8' }));
    expect(out.report).toBe(path);
    const html = readFileSync(path, 'utf8');
    expect(html).toContain('Optimisation history');
    expect(html).toContain('probability of backtest overfitting');
  });
});
