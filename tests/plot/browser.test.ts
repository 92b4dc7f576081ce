/// <reference lib="dom" />
/**
 * Real browser: Debian's chromium (headless, driven by playwright-core) opens a saved report and the HTML
 * export of an executed notebook, and checks every chart drew (plotly's SVG exists) with no console errors.
 * Screenshots go to build/screenshots/ (git-ignored) for a person to look at.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtest, backtestReport, candlestickFigure, drawdownSeries, equityFigure, monthlyReturnsFigure, saveReport, sliceBars } from '../../lib';
import { btc1h, repoRoot } from '../helpers/datasets';

const CHROMIUM = '/usr/bin/chromium';
const shots = join(repoRoot, 'build', 'screenshots');
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run 'bash scripts/setup.sh --test' (installs Debian's chromium)`);
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
});
afterAll(async () => browser?.close());

/** Opens a file, waits for `expected` plotly charts to draw, returns console errors and the chart count. */
async function openAndCount(file: string, expected: number, shot: string): Promise<{ errors: string[]; charts: number }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`file://${file}`);
  await page.waitForFunction((n) => document.querySelectorAll('.ql-plot .main-svg').length >= n, expected, { timeout: 30_000 });
  const charts = await page.evaluate(() => document.querySelectorAll('.ql-plot').length);
  // drawn = plotly rendered at least one trace group with marks into the plot area of the chart's SVG
  const drawn = await page.evaluate(() =>
    Array.from(document.querySelectorAll('.ql-plot')).filter((d) => d.querySelectorAll('.main-svg .cartesianlayer g.trace, .main-svg .cartesianlayer image').length > 0).length,
  );
  expect(drawn).toBe(charts);
  // titles sit above the legend and inside the chart: the boxes of title text and legend never intersect
  const clashes = await page.evaluate(() =>
    Array.from(document.querySelectorAll('.ql-plot')).flatMap((d, i) => {
      const box = d.getBoundingClientRect();
      const title = d.querySelector('.g-gtitle text')?.getBoundingClientRect();
      const legend = d.querySelector('.legend')?.getBoundingClientRect();
      const out: string[] = [];
      if (title && title.top < box.top - 1) out.push(`chart ${i}: title starts ${box.top - title.top}px above the chart`);
      if (title && legend && title.bottom > legend.top + 1 && title.top < legend.bottom && title.left < legend.right && title.right > legend.left) out.push(`chart ${i}: title overlaps the legend`);
      return out;
    }),
  );
  expect(clashes).toEqual([]);
  await page.screenshot({ path: join(shots, shot), fullPage: true });
  await page.close();
  return { errors, charts };
}

describe('charts in a real browser', () => {
  it('a saved report draws every chart offline, without console errors', async () => {
    const bars = btc1h();
    const eq = Float64Array.from(bars.close, (c) => (10_000 * c) / bars.close[0]!);
    const path = saveReport(join(mkdtempSync(join(tmpdir(), 'ql-report-')), 'report.html'), 'browser test report', [
      { heading: 'Price' },
      { figure: candlestickFigure(sliceBars(bars, bars.ts.length - 2000)) },
      { figure: equityFigure({ ts: bars.ts, equity: eq, drawdown: drawdownSeries(eq, eq[0]!), benchmark: bars.close }) },
      { figure: monthlyReturnsFigure(bars.ts, eq) },
      { table: [{ stat: 'bars', value: bars.ts.length }] },
    ]);
    const r = await openAndCount(path, 3, 'report.png');
    expect(r.charts).toBe(3);
    expect(r.errors).toEqual([]);
    expect(statSync(path).size).toBeLessThan(12_000_000);
  });

  it('a backtest report draws its five charts', async () => {
    const bars = btc1h();
    const path = backtestReport(backtest('sma-cross', bars, { fast: 10, slow: 50 }), bars, { path: join(mkdtempSync(join(tmpdir(), 'ql-bt-')), 'bt.html') });
    const r = await openAndCount(path, 5, 'backtest-report.png');
    expect(r.charts).toBe(5);
    expect(r.errors).toEqual([]);
  });

  it('the HTML export of an executed notebook (01-explore-data) draws its chart; the saved notebook carries no plotly.js', async () => {
    execFileSync('bash', [join(repoRoot, 'scripts/notebook-assets.sh')], { stdio: 'pipe' }); // what setup installs (idempotent)
    const out = mkdtempSync(join(tmpdir(), 'ql-nb-'));
    // the project environment (scripts/env.sh): its kernel, and its nbconvert config that inlines plotly.js once per export
    const env = { ...process.env, JUPYTER_PATH: join(repoRoot, '.jupyter/share/jupyter'), JUPYTER_CONFIG_DIR: join(repoRoot, '.jupyter/config'), PYDEVD_DISABLE_FILE_VALIDATION: '1' };
    execFileSync('/usr/bin/jupyter', ['nbconvert', '--to', 'notebook', '--execute', '--output-dir', out, join(repoRoot, 'notebooks/01-explore-data.ipynb')], { env, stdio: 'pipe', timeout: 300_000 });
    const saved = join(out, '01-explore-data.ipynb');
    expect(readFileSync(saved, 'utf8')).toContain('class=\\"ql-plot\\"'); // the chart output is there...
    expect(statSync(saved).size).toBeLessThan(1_000_000); // ...without the 4.6 MB bundle
    execFileSync('/usr/bin/jupyter', ['nbconvert', '--to', 'html', '--output-dir', out, saved], { env, stdio: 'pipe', timeout: 120_000 });
    const html = readFileSync(join(out, '01-explore-data.html'), 'utf8');
    expect(html.split('window.define=undefined;\n').length - 1).toBe(1); // plotly.js inlined once
    const r = await openAndCount(join(out, '01-explore-data.html'), 1, 'notebook-01.png');
    expect(r.charts).toBe(1);
    expect(r.errors).toEqual([]);

    // exported without the project config, a chart says why it cannot draw instead of leaving an empty box
    const bare = mkdtempSync(join(tmpdir(), 'ql-nb-bare-'));
    const envBare = { ...env, JUPYTER_CONFIG_DIR: bare };
    execFileSync('/usr/bin/jupyter', ['nbconvert', '--to', 'html', '--output-dir', bare, saved], { env: envBare, stdio: 'pipe', timeout: 120_000 });
    const page = await browser.newPage();
    await page.goto(`file://${join(bare, '01-explore-data.html')}`);
    await page.waitForFunction(() => document.querySelector('.ql-plot p'), undefined, { timeout: 15_000 });
    expect(await page.textContent('.ql-plot p')).toMatch(/cannot draw: plotly\.js is not on this page.*source scripts\/env\.sh/);
    await page.close();
  }, 360_000);
});
