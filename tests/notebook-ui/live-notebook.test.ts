/// <reference lib="dom" />
/**
 * The live notebook as a researcher uses it: the project's Jupyter server (scripts/env.sh's folders, the quantlab
 * kernel, the nbextensions scripts/notebook-assets.sh installs) on 127.0.0.1 with Debian's chromium driven by
 * playwright-core. One notebook goes through: run all → save and reload → clear all outputs and save → reload →
 * a new chart cell → re-run the first cell and another chart → "Download as HTML" opened offline. In every state
 * each chart must have drawn (plotly's SVG with marks, or a canvas) and the console must stay free of errors.
 * Screenshots of each state go to build/screenshots/notebook-ui-*.png (git-ignored) for a person to look at.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/datasets';

const CHROMIUM = '/usr/bin/chromium';
const shots = join(repoRoot, 'build', 'screenshots');
const jupyterEnv = {
  JUPYTER_PATH: join(repoRoot, '.jupyter/share/jupyter'),
  JUPYTER_CONFIG_DIR: join(repoRoot, '.jupyter/config'),
  JUPYTER_DATA_DIR: join(repoRoot, '.jupyter/data'),
  JUPYTER_RUNTIME_DIR: join(repoRoot, '.jupyter/runtime'),
  PYDEVD_DISABLE_FILE_VALIDATION: '1',
};

let server: ChildProcess | undefined;
let serverLog = '';
let browser: Browser;
let page: Page;
let base = '';
let notebookDir = '';
const errors: string[] = [];

let cellId = 0;
const code = (source: string) => ({ id: `cell-${cellId++}`, cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null });
/** A notebook of four charts: candles, equity (log, beside buy & hold), a table and a study chart. */
const NOTEBOOK = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'quantlab', display_name: 'quantlab (TypeScript)', language: 'typescript' } },
  cells: [
    code("import * as ql from 'quantlab';\nql.notebookSetup();\nconst bars = await ql.loadDataset('BTCUSDT', '1d');"),
    code("ql.show(ql.candlestickFigure(ql.sliceBars(bars, bars.ts.length - 300), { overlays: { 'SMA 50': ql.sma(ql.sliceBars(bars, bars.ts.length - 300).close, 50) } }));"),
    code("const result = ql.backtest('sma-cross', bars, { fast: 10, slow: 40 });\nql.show(result);"),
    code('ql.showTable(ql.tradeRows(result), 5);'),
    code("const study = await ql.optimize('sma-cross', bars, { sampler: 'random', trials: 12, seed: 1, progress: false });\nql.show(ql.historyFigure(study.trials));"),
    code('result'),
  ],
};
const CHARTS = 3; // candles, the equity chart of ql.show(result), the study history

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForServer(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > until) throw new Error(`the notebook server did not answer ${url} within ${ms} ms; its log:\n${serverLog.slice(-3000)}`);
    if (server?.exitCode !== null && server?.exitCode !== undefined) throw new Error(`the notebook server exited (${server.exitCode}):\n${serverLog.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run 'bash scripts/setup.sh --test' (installs Debian's chromium)`);
  if (!existsSync(join(repoRoot, '.jupyter/share/jupyter/kernels/quantlab/kernel.json'))) throw new Error("the quantlab kernel is not registered: run 'bash scripts/setup.sh'");
  execFileSync('bash', [join(repoRoot, 'scripts/notebook-assets.sh')], { stdio: 'pipe' }); // idempotent; setup runs it too
  mkdirSync(shots, { recursive: true });
  notebookDir = mkdtempSync(join(tmpdir(), 'ql-ui-'));
  writeFileSync(join(notebookDir, 'charts.ipynb'), JSON.stringify(NOTEBOOK));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const root = process.getuid?.() === 0 ? ['--allow-root'] : [];
  server = spawn(
    '/usr/bin/jupyter',
    ['notebook', ...root, '--no-browser', '--ip=127.0.0.1', `--port=${port}`, '--port-retries=0', `--notebook-dir=${notebookDir}`, '--NotebookApp.token=', '--NotebookApp.password=', '--NotebookApp.open_browser=False'],
    { env: { ...process.env, ...jupyterEnv }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  server.stdout!.on('data', (d) => (serverLog += String(d)));
  server.stderr!.on('data', (d) => (serverLog += String(d)));
  await waitForServer(`${base}/api`, 30_000);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`);
  });
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  if (server?.pid && server.exitCode === null) {
    try {
      process.kill(-server.pid, 'SIGTERM'); // the server and the kernels it started
    } catch {
      /* gone already */
    }
    const exited = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 5000);
      server!.once('exit', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    if (!exited) {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        /* gone already */
      }
    }
  }
});

/** Opens the notebook and waits until its kernel is connected and idle. */
async function openNotebook(): Promise<void> {
  await page.goto(`${base}/notebooks/charts.ipynb`, { waitUntil: 'load' });
  await page.waitForFunction(
    () => {
      const J = (window as unknown as { Jupyter?: { notebook?: { _fully_loaded?: boolean; kernel?: { is_connected(): boolean; info_reply?: unknown } } } }).Jupyter;
      return !!J?.notebook?._fully_loaded && !!J.notebook.kernel?.is_connected() && !!J.notebook.kernel.info_reply;
    },
    undefined,
    { timeout: 30_000 },
  );
}

/** Waits until no cell is running ('*') and every code cell of `upTo` cells has an execution count. */
async function waitForCells(upTo?: number): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const cells = (window as unknown as { Jupyter: { notebook: { get_cells(): Array<{ cell_type: string; input_prompt_number?: number | string | null }> } } }).Jupyter.notebook.get_cells();
      const code = cells.filter((c) => c.cell_type === 'code').slice(0, n ?? undefined);
      return code.every((c) => typeof c.input_prompt_number === 'number');
    },
    upTo,
    { timeout: 120_000, polling: 250 }, // a loaded machine type-checks the first cell slowly
  ).catch(async (e: unknown) => {
    await screenshot('timeout').catch(() => {});
    const prompts = await J<string>("JSON.stringify(nb.get_cells().map((c) => [c.cell_type, c.input_prompt_number === undefined ? null : c.input_prompt_number, c.output_area ? c.output_area.element.text().slice(0, 300) : '']))").catch(() => '?');
    throw new Error(`cells did not finish: ${prompts}\nconsole errors: ${errors.join('; ')}\nserver log: ${serverLog.slice(-2000)}\n${String(e)}`);
  });
}

/** Charts on the page, and how many have drawn: plotly's SVG with marks in the plot area, or a canvas. */
async function chartState(): Promise<{ charts: number; drawn: number; failed: string[] }> {
  return page.evaluate(() => {
    const charts = Array.from(document.querySelectorAll('.ql-plot'));
    const drawn = charts.filter(
      (d) => d.querySelectorAll('.main-svg .cartesianlayer g.trace, .main-svg .cartesianlayer image, .main-svg .parcoords-line, canvas').length > 0 && d.querySelectorAll('.main-svg path').length > 3,
    );
    const failed = charts.map((d) => d.querySelector('p')?.textContent ?? '').filter(Boolean);
    return { charts: charts.length, drawn: drawn.length, failed };
  });
}

/** The whole notebook: the page scrolls inside #site, so the viewport grows to the notebook's height for the shot. */
async function screenshot(name: string): Promise<void> {
  const h = await page.evaluate(() => Math.min(12_000, (document.querySelector('#notebook-container') as HTMLElement | null)?.scrollHeight ?? document.body.scrollHeight));
  await page.setViewportSize({ width: 1280, height: Math.max(1000, h + 140) });
  await page.screenshot({ path: join(shots, `notebook-ui-${name}.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 1000 });
}

/** Waits for `n` chart boxes on the page; on a timeout the error shows what the cells printed. */
async function waitForCharts(n: number): Promise<void> {
  await page.waitForFunction((k) => document.querySelectorAll('.ql-plot').length >= k, n, { timeout: 90_000 }).catch(async (e: unknown) => {
    await screenshot('timeout').catch(() => {});
    const outs = await J<string>("JSON.stringify(nb.get_cells().map((c) => [c.input_prompt_number === undefined ? null : c.input_prompt_number, c.output_area ? c.output_area.element.text().slice(0, 400) : '']))").catch(() => '?');
    throw new Error(`expected ${n} charts; cells: ${outs}\nconsole errors: ${errors.join('; ')}\nserver log: ${serverLog.slice(-1500)}\n${String(e)}`);
  });
}

async function expectDrawn(expected: number, shot: string): Promise<void> {
  await page
    .waitForFunction((n) => document.querySelectorAll('.ql-plot .main-svg').length >= n, expected, { timeout: 30_000 })
    .catch(() => {}); // the assertions below say what is missing
  await page.waitForTimeout(300); // plotly draws the marks right after the SVG
  await screenshot(shot);
  const s = await chartState();
  expect(s.failed).toEqual([]);
  expect(s.charts).toBe(expected);
  expect(s.drawn).toBe(expected);
}

const J = <T>(fn: string) => page.evaluate(`(() => { const nb = Jupyter.notebook; return ${fn}; })()`) as Promise<T>;

describe('the live notebook in a real browser', () => {
  it('charts draw after run all, reload, clear + save, a new chart cell, re-running the first cell, and in the HTML download', async () => {
    // 1. run all
    await openNotebook();
    await J('nb.execute_all_cells()');
    await waitForCells();
    await expectDrawn(CHARTS, '1-run-all');
    // printed results are short summaries, not Float64Array dumps
    const printed = await J<string>("nb.get_cell(5).output_area.element.text()");
    expect(printed.trim()).toMatch(/^BacktestResult sma-cross/);
    expect(printed.trim().split("\n").length).toBeLessThan(8);
    // the trade table: ISO times and long/short, in a box that scrolls sideways
    const table = await page.evaluate(() => {
      const t = document.querySelectorAll('.ql-table-wrap')[1] as HTMLElement | undefined;
      const td = t?.querySelector('td');
      return t && td ? { text: t.innerText, overflow: getComputedStyle(t).overflowX, wrap: getComputedStyle(td).whiteSpace } : null;
    });
    expect(table?.wrap).toBe('nowrap'); // an ISO time stays on one line (the notebook's own table style wraps)
    expect(table?.text).toMatch(/long/);
    expect(table?.text).toMatch(/\d{4}-\d\d-\d\dT00:00:00Z/);
    expect(table?.overflow).toBe('auto');

    // 2. save, reload: the saved outputs draw again (plotly is loaded by the charts themselves)
    await J('nb.save_checkpoint()');
    await page.waitForTimeout(1000);
    await openNotebook();
    await expectDrawn(CHARTS, '2-reloaded');

    // 3. clear all outputs, save, reload: nothing left to draw, nothing broken
    await J('nb.clear_all_output()');
    await J('nb.save_checkpoint()');
    await page.waitForTimeout(1000);
    await openNotebook();
    expect((await chartState()).charts).toBe(0);
    await screenshot('3-cleared');

    // 4. a new chart cell in the same kernel (its variables are still there): it draws on a page with no plotly yet
    expect(await page.evaluate(() => 'Plotly' in window)).toBe(false);
    await J("(() => { const c = nb.insert_cell_at_bottom('code'); c.set_text(\"ql.show(ql.equityFigure(result))\"); c.execute(); return 1; })()");
    await waitForCharts(1);
    await expectDrawn(1, '4-new-chart-cell');

    // 5. re-run the first cell, then another chart
    await J('nb.get_cell(0).execute()');
    await waitForCells(1);
    await J("(() => { const c = nb.insert_cell_at_bottom('code'); c.set_text(\"ql.show(ql.candlestickFigure(ql.sliceBars(bars, bars.ts.length - 120)))\"); c.execute(); return 1; })()");
    await waitForCharts(2);
    await expectDrawn(2, '5-first-cell-rerun');

    // 6. "Download as HTML" (the server's nbconvert, the project config inlines plotly once), opened offline
    await J('nb.save_checkpoint()');
    await page.waitForTimeout(1000);
    const html = await (await fetch(`${base}/nbconvert/html/charts.ipynb?download=true`)).text();
    expect(html.split('window.define=undefined;\n').length - 1).toBe(1);
    const file = join(notebookDir, 'charts.html');
    writeFileSync(file, html);
    const before = errors.length;
    await page.goto(`file://${file}`);
    await expectDrawn(2, '6-html-download');
    expect(errors.slice(before).filter((e) => !/cdnjs|mathjax|require\.min\.js|ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED/i.test(e))).toEqual([]);

    expect(errors.filter((e) => !e.includes(`file://${file}`) && !/cdnjs|mathjax|require\.min\.js|ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED/i.test(e))).toEqual([]);
  }, 300_000);
});
