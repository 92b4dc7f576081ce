/**
 * The dashboard in a real browser (Debian's chromium, headless, via playwright-core) on a paper session
 * against the replay exchange: the equity chart grows as bars arrive (server-sent events), Pause stops new
 * orders, Resume resumes, Flatten closes the position, Stop trips the kill switch — each state screenshot
 * into build/screenshots/dashboard-*.png, and no console error.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveReplay } from '../../lib/live/session';
import { startOpsServer, type OpsServer } from '../../lib/ops';
import { newToken } from '../../lib/ops/token';
import { ROOT, futuresWindow, harness, waitFor, type Harness, type Opened } from '../helpers/runner';

const CHROMIUM = '/usr/bin/chromium';
const shots = join(ROOT, 'build/screenshots');
let browser: Browser;
let page: Page;
let h: Harness;
let r: Opened;
let server: OpsServer;
const errors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run 'bash scripts/setup.sh --test' (installs Debian's chromium)`);
  mkdirSync(shots, { recursive: true });
  h = await harness({ bars: await futuresWindow(300), warmup: 100 });
  r = h.open({ mode: 'paper' });
  const token = newToken(join(h.dir, 'dashboard.token'));
  server = await startOpsServer({ sources: [{ name: 'browser-test', dir: h.dir, mode: 'paper', config: h.config, store: r.store, runner: r.runner }], token, watchMs: 50 });
  await driveReplay(r.runner, h.ex, { steps: 30 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => void d.accept());
  await page.goto(`${server.url}#token=${token}`);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await h?.close();
});

/** Points drawn on the page's equity chart (the page counts what it handed to the chart). */
const chartPoints = (): Promise<number> => page.evaluate(() => (window as unknown as { __qlEquityPoints: number }).__qlEquityPoints);
/** Pixels of the chart's canvases that are not blank (the chart really drew). */
const inkedPixels = (id: string): Promise<number> =>
  page.evaluate((el) => {
    let n = 0;
    for (const c of Array.from(document.querySelectorAll<HTMLCanvasElement>(`#${el} canvas`))) {
      const ctx = c.getContext('2d');
      if (!ctx || !c.width || !c.height) continue;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
    }
    return n;
  }, id);
/** inkedPixels once the chart has painted (a chart draws on an animation frame after its data arrive), up to `ms`. */
async function paintedPixels(id: string, ms = 10_000): Promise<number> {
  const t0 = Date.now();
  let n = await inkedPixels(id);
  while (n <= 1000 && Date.now() - t0 < ms) {
    await new Promise((res) => setTimeout(res, 50));
    n = await inkedPixels(id);
  }
  return n;
}
const statusText = (): Promise<string> => page.evaluate(() => document.getElementById('status-line')!.textContent ?? '');
/** Steps the replay clock one bar at a time so the page sees every update. */
async function bars(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await driveReplay(r.runner, h.ex, { steps: 1 });
}

describe('dashboard in chromium', () => {
  it('draws the session and its chart grows as bars arrive, without a reload', async () => {
    await page.waitForFunction(() => (window as unknown as { __qlEquityPoints: number }).__qlEquityPoints > 0, undefined, { timeout: 30_000 });
    const first = await chartPoints();
    expect(await paintedPixels('equity-chart')).toBeGreaterThan(1000);
    expect(first).toBe(r.store.bars(['done', 'missed']).length);
    expect(await page.textContent('#trades-count')).toMatch(/\(\d+\)/);
    expect(await page.locator('#page-token, input[value]').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'dashboard-1-running.png'), fullPage: true });
    await bars(20);
    await page.waitForFunction((n) => (window as unknown as { __qlEquityPoints: number }).__qlEquityPoints >= n, first + 20, { timeout: 20_000 });
    expect(await chartPoints()).toBe(first + 20);
    await page.click('#btn-reconcile');
    await page.waitForFunction(() => ((window as unknown as { __qlReconcilePoints?: number }).__qlReconcilePoints ?? 0) > 0, undefined, { timeout: 30_000 }).catch(async (e: Error) => {
      throw new Error(`${e.message}; page errors: ${errors.join(' | ')}; reconcile text: ${await page.textContent('#reconcile')}`);
    });
    expect(await page.textContent('#reconcile')).toMatch(/\d+ match, 0 differ/);
    expect(await paintedPixels('reconcile-chart')).toBeGreaterThan(1000);
    await page.screenshot({ path: join(shots, 'dashboard-2-grown.png'), fullPage: true });
  }, 90_000);

  it('Pause stops new orders, Resume resumes', async () => {
    await page.click('#btn-pause');
    await waitFor(() => r.runner.operatorPause !== undefined, 'the pause to reach the runner', 10_000);
    await page.waitForFunction(() => document.getElementById('status-line')!.textContent!.includes('paused'), undefined, { timeout: 10_000 });
    const orders = r.store.orders().length;
    await bars(30);
    expect(r.store.orders().length).toBe(orders);
    await page.screenshot({ path: join(shots, 'dashboard-3-paused.png'), fullPage: true });
    await page.click('#btn-resume');
    await waitFor(() => r.runner.operatorPause === undefined, 'the resume to reach the runner', 10_000);
    await bars(40);
    expect(r.store.orders().length).toBeGreaterThan(orders);
    expect(await statusText()).toContain('running');
  }, 90_000);

  it('Flatten closes the position; Stop trips the kill switch', async () => {
    for (let k = 0; k < 80 && r.runner.snapshot().position === 0; k++) await bars(1);
    expect(r.runner.snapshot().position).not.toBe(0);
    await page.click('#btn-flatten');
    await waitFor(() => r.runner.snapshot().position === 0, 'the flatten', 10_000);
    await page.screenshot({ path: join(shots, 'dashboard-4-flattened.png'), fullPage: true });
    await page.click('#btn-stop');
    await waitFor(() => r.runner.stopped !== undefined, 'the kill switch', 10_000);
    await page.waitForFunction(() => document.getElementById('status-line')!.textContent!.includes('stopped'), undefined, { timeout: 10_000 });
    expect(await page.isDisabled('#btn-flatten')).toBe(true);
    await page.screenshot({ path: join(shots, 'dashboard-5-stopped.png'), fullPage: true });
    expect(r.store.get('kill_switch')).toContain('dashboard');
    expect(errors).toEqual([]);
  }, 90_000);
});
