/**
 * Dashboard benchmark: a year of hourly history (8,760 bars with equity, a trade every ~3 bars: ~2,900 round
 * trips, ~5,800 orders and fills) in a real state file, served by the ops server, opened in Debian's chromium
 * (headless, playwright-core). Prints one JSON object:
 * - dashboard: ms from navigation start until the equity chart has drawn and both tables are filled (first
 *   full paint, API calls included), and the API answer times (status, equity, a trades page);
 * - reference: the same 8,760 points drawn by the same chart library (lightweight-charts) from data embedded
 *   in a static page (no API, no tables) in the same browser: the floor the dashboard is compared with; and
 *   plotly doing the same (the notebooks' library), which the dashboard does not use because its bundle
 *   alone takes longer to load than the goal allows.
 * Goal: first paint under 1 s. Run: npx tsx bench/dashboard.ts [--runs N]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { loadDataset } from '../lib/data';
import { checkConfig, type RunnerConfig } from '../lib/live/config';
import { StateStore } from '../lib/live/state-store';
import { startOpsServer } from '../lib/ops';
import { plotlyPath } from '../lib/plot';
import { existsSync } from 'node:fs';

const at = process.argv.indexOf('--runs');
const RUNS = at >= 0 ? Number(process.argv[at + 1]) : 5;
const N = 8760;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'quantlab-bench-dash-'));
  const h1 = await loadDataset('BTCUSDT', '1h');
  const from = h1.ts.length - N;
  const store = new StateStore(join(dir, 'paper.db'));
  store.setMeta({ session: 'bench', strategy: 'sma-cross', paramsHash: 'x', symbol: 'BTC/USDT', timeframe: '1h', mode: 'paper', initialCash: '10000' });
  // a position flipped every 3 bars, all-in: cash and position follow the fills
  let cash = 10_000;
  let pos = 0;
  store.tx(() => {
    for (let i = 0; i < N; i++) {
      const k = from + i;
      const close = h1.close[k]!;
      const equity = cash + pos * close;
      store.putBar({ ts: h1.ts[k]!, open: h1.open[k]!, high: h1.high[k]!, low: h1.low[k]!, close, volume: h1.volume[k]!, target: i % 6 < 3 ? 1 : 0, phase: 'done', equity, position: pos, cash, refPrice: NaN, refTs: NaN });
      if (i % 3 === 0 && i + 1 < N) {
        const price = h1.open[k + 1]!;
        const want = pos === 0 ? (0.99 * equity) / price : 0;
        const delta = want - pos;
        const fee = Math.abs(delta) * price * 0.001;
        const id = `bench-${i}`;
        store.addOrders([{ clientId: id, barTs: h1.ts[k]!, leg: 'a', symbol: 'BTC/USDT', side: delta > 0 ? 'buy' : 'sell', amount: Math.abs(delta), reduceOnly: false, reason: 'signal', target: pos === 0 ? 1 : 0, expectedPrice: price }]);
        store.updateOrder(id, { status: 'filled', filled: Math.abs(delta), average: price, fee, feeCurrency: 'USDT', fillTs: h1.ts[k + 1]! });
        store.addFill(id, { ts: h1.ts[k + 1]!, barTs: h1.ts[k]!, delta, price, fee, reason: 'signal' });
        cash -= delta * price + fee;
        pos = want;
      }
    }
  });
  const config = checkConfig({
    version: 1, name: 'bench', strategy: 'sma-cross', symbol: 'BTC/USDT', timeframe: '1h',
    exchange: { id: 'binance', marketType: 'spot', keyEnv: 'K', secretEnv: 'S' },
    execution: { cash: 10_000, fee: 0.001 }, risk: {}, runner: { warmupBars: 100, pollMs: 1000, flattenOnStop: false, onMismatch: 'stop' },
  } as unknown as RunnerConfig);
  const token = 'bench-token';
  const server = await startOpsServer({ sources: [{ name: 'bench', dir, mode: 'paper', config, store }], token });
  const timeApi = async (path: string) => {
    const t: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await (await fetch(new URL(path, server.url), { headers: { authorization: `Bearer ${token}` } })).arrayBuffer();
      t.push(performance.now() - t0);
    }
    return Math.round(median(t) * 10) / 10;
  };
  const api = { statusMs: await timeApi('/api/status'), equityMs: await timeApi('/api/equity'), tradesPageMs: await timeApi('/api/trades?page=1&size=50') };

  // the reference page: the same points, embedded, plotly only
  const eq = store.bars(['done']).map((b) => [b.ts, b.equity]);
  const plotly = readFileSync(plotlyPath());
  const lcPath = (require.resolve.paths('lightweight-charts') ?? []).map((d) => join(d, 'lightweight-charts/dist/lightweight-charts.standalone.production.js')).find((p) => existsSync(p))!;
  const lc = readFileSync(lcPath);
  const plotlyHtml = `<!doctype html><html><body><div id="c" style="height:380px"></div><script src="/plotly.js"></script><script>
    const d = ${JSON.stringify(eq)}; Plotly.newPlot('c', [{ x: d.map(p => new Date(p[0])), y: d.map(p => p[1]), type: 'scatter', mode: 'lines' }]).then(() => { window.drawn = performance.now(); });
  </script></body></html>`;
  const lcHtml = `<!doctype html><html><body><div id="c" style="height:380px"></div><script src="/lc.js"></script><script>
    const d = ${JSON.stringify(eq)}; const ch = LightweightCharts.createChart(document.getElementById('c'), { autoSize: true });
    ch.addSeries(LightweightCharts.LineSeries).setData(d.map(p => ({ time: Math.floor(p[0] / 1000), value: p[1] }))); ch.timeScale().fitContent();
    requestAnimationFrame(() => requestAnimationFrame(() => { window.drawn = performance.now(); }));
  </script></body></html>`;
  const ref = createServer((req, res) => {
    if (req.url === '/plotly.js') return void res.end(plotly);
    if (req.url === '/lc.js') return void res.end(lc);
    res.setHeader('content-type', 'text/html');
    res.end(req.url === '/plotly' ? plotlyHtml : lcHtml);
  });
  await new Promise<void>((r) => ref.listen(0, '127.0.0.1', () => r()));
  const refUrl = `http://127.0.0.1:${(ref.address() as AddressInfo).port}/`;

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const dash: number[] = [];
  const floor: number[] = [];
  const plotlyFloor: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      await page.goto(`${server.url}#token=${token}`);
      await page.waitForFunction((n) => (window as unknown as { __qlEquityPoints: number }).__qlEquityPoints >= n && document.querySelectorAll('#trades-table tbody tr').length > 0 && document.querySelectorAll('#orders-table tbody tr').length > 0, N, { timeout: 30_000 });
      // one more frame: the chart paints on the next animation frame after its data
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
      dash.push(await page.evaluate(() => performance.now()));
      await page.close();
      const p2 = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      await p2.goto(refUrl);
      await p2.waitForFunction(() => (window as unknown as { drawn?: number }).drawn !== undefined, undefined, { timeout: 30_000 });
      floor.push(await p2.evaluate(() => (window as unknown as { drawn: number }).drawn));
      await p2.close();
      const p3 = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      await p3.goto(`${refUrl}plotly`);
      await p3.waitForFunction(() => (window as unknown as { drawn?: number }).drawn !== undefined, undefined, { timeout: 30_000 });
      plotlyFloor.push(await p3.evaluate(() => (window as unknown as { drawn: number }).drawn));
      await p3.close();
    }
  } finally {
    await browser.close();
    await server.close();
    ref.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const trades = Math.floor(N / 6);
  console.log(
    JSON.stringify(
      {
        history: { bars: N, orders: Math.ceil(N / 3), roundTrips: trades },
        runs: RUNS,
        dashboard: { how: 'navigation start → equity chart drawn and both tables filled (API calls included)', firstPaintMs: Math.round(median(dash)), api },
        reference: { how: 'the same points embedded in a static page, lightweight-charts only', drawnMs: Math.round(median(floor)) },
        plotly: { how: 'the same points embedded in a static page, plotly only (not used by the dashboard)', drawnMs: Math.round(median(plotlyFloor)) },
        goal: { firstPaintMs: '< 1000' },
      },
      null,
      2,
    ),
  );
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
