import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backtest, backtestFigures, backtestReport, buyAndHoldEquity, statsRows, tradeRows } from '../../lib';
import { btc1h } from '../helpers/datasets';

const bars = btc1h();
const result = backtest('sma-cross', bars, { fast: 10, slow: 50 });

describe('backtest report', () => {
  it('buy & hold equity is cash scaled by close / first close', () => {
    const bh = buyAndHoldEquity(bars, 10_000);
    expect(bh[0]).toBe(10_000);
    expect(bh[bh.length - 1]).toBeCloseTo((10_000 * bars.close[bars.close.length - 1]!) / bars.close[0]!, 6);
  });

  it('rows: one per statistic and one per trade, times as ISO text, exit reasons by name', () => {
    expect(statsRows(result).find((r) => r.statistic === '# Trades')?.value).toBe(String(result.stats.trades));
    const rows = tradeRows(result);
    expect(rows.length).toBe(result.trades.length);
    expect(rows[0]!.entryTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00Z$/);
    expect(new Set(rows.map((r) => r.exitReason))).toEqual(new Set(['signal', 'end'].filter((x) => rows.some((r) => r.exitReason === x))));
  });

  it('figures: the equity chart ends at the final equity; markers cover every trade', () => {
    const f = backtestFigures(result, bars);
    expect((f.equity.data[0]!.y as number[]).at(-1)).toBeCloseTo(result.finalEquity, 6);
    const marks = f.trades.data.filter((d) => d.mode === 'markers');
    const entries = marks.filter((m) => String(m.name).startsWith('entry')).reduce((a, m) => a + (m.x as unknown[]).length, 0);
    expect(entries).toBe(result.trades.length);
  });

  it('writes one self-contained HTML file with five charts', () => {
    const path = backtestReport(result, bars, { path: join(mkdtempSync(join(tmpdir(), 'ql-rep-')), 'r.html') });
    const html = readFileSync(path, 'utf8');
    expect(html.match(/Plotly\.newPlot\('ql-report-plot-/g)?.length).toBe(5);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(statSync(path).size).toBeLessThan(10_000_000);
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
    expect(html).toContain(`<td style="text-align:right">${r.best!.number}</td>`); // the best trial's row
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
