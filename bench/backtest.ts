/**
 * Backtester benchmark. Prints one JSON object:
 * - W1: one sma-cross 10/50 backtest on BTCUSDT 1h (66,677 bars), 'close' fill, fee 0.001, including indicators,
 *   full statistics and the trade list, through backtest(). Goal: under 5 ms after warm-up.
 * - W2: the full grid fast 2..50 × slow 10..200 step 2 with fast < slow (4,263 combinations) through the public
 *   API (backtestSummary with one indicator cache for the window), each combination's final equity and Sharpe.
 *   Goal: at least 4,000 combinations per second on one core, peak memory under 300 MB. Beside it, the same grid
 *   with a plain hand-written loop (SMA arrays computed once, one pass per combination), so the ratio shows what
 *   the API costs, and a check that both agree.
 * Times are wall clock (median of the runs) with process CPU time beside them: on a busy machine the CPU figure
 * is the steadier one. Memory: process RSS and heap high-water marks sampled during each section, after a GC.
 * Run: npx tsx bench/backtest.ts [--quick]   (--quick: fewer W1 runs, one W2 run)
 */
import { cpus, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadDataset } from '../lib/data';
import { backtest, backtestSummary, type IndicatorCache } from '../lib/strategy';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const quick = process.argv.includes('--quick');
const W1_RUNS = quick ? 30 : 300;
const W2_RUNS = quick ? 1 : 3;

let peakRss = 0;
let peakHeap = 0;
/** Collects garbage and restarts the high-water marks (the next section's peak is its own). */
function resetPeaks(): number {
  gc();
  peakRss = 0;
  peakHeap = 0;
  sampleMemory();
  return process.memoryUsage().rss;
}
function sampleMemory(): void {
  const m = process.memoryUsage();
  if (m.rss > peakRss) peakRss = m.rss;
  if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
}
const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const mb = (b: number): number => Math.round((b / 2 ** 20) * 10) / 10;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const GRID: [number, number][] = [];
for (let fast = 2; fast <= 50; fast++) for (let slow = 10; slow <= 200; slow += 2) if (fast < slow) GRID.push([fast, slow]);

/** The plain hand-written loop: sma-cross, all-in, 'close' fill, fee per side; final equity and Sharpe. */
function handSma(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(x.length);
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i]!;
    if (i >= n) s -= x[i - n]!;
    out[i] = i >= n - 1 ? s / n : NaN;
  }
  return out;
}
function handRun(close: Float64Array, f: Float64Array, s: Float64Array, fee: number, cash0: number, barsPerYear: number): { finalEquity: number; sharpe: number } {
  const n = close.length;
  let cash = cash0;
  let units = 0;
  let prev = cash0;
  let sr = 0;
  let sr2 = 0;
  for (let t = 0; t < n; t++) {
    const p = close[t]!;
    if (t > 0) {
      const a = f[t]!;
      const b = s[t]!;
      const pa = f[t - 1]!;
      const pb = s[t - 1]!;
      if (a > b && pa <= pb && units === 0) {
        units = cash / (p * (1 + fee));
        cash -= units * p * (1 + fee);
      } else if (a < b && pa >= pb && units !== 0) {
        cash += units * p * (1 - fee);
        units = 0;
      }
    }
    const eq = cash + units * p;
    const r = eq / prev - 1;
    sr += r;
    sr2 += r * r;
    prev = eq;
  }
  const m = sr / n;
  const sd = Math.sqrt((sr2 - sr * m) / (n - 1));
  return { finalEquity: prev, sharpe: (m / sd) * Math.sqrt(barsPerYear) };
}

async function main(): Promise<void> {
  const bars = await loadDataset('BTCUSDT', '1h');
  const rssBefore = resetPeaks();
  const opts = { fill: 'close', fee: 0.001, cash: 10_000 } as const;

  // W1
  for (let i = 0; i < 20; i++) backtest('sma-cross', bars, { fast: 10, slow: 50 }, opts);
  const w1Wall: number[] = [];
  const w1Cpu: number[] = [];
  let last!: ReturnType<typeof backtest>;
  for (let i = 0; i < W1_RUNS; i++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    last = backtest('sma-cross', bars, { fast: 10, slow: 50 }, opts);
    w1Wall.push(performance.now() - t0);
    w1Cpu.push(cpuMs() - c0);
  }
  sampleMemory();

  const w1Peak = { rssMB: mb(peakRss), heapUsedMB: mb(peakHeap) };

  // W2 through the API
  const w2Start = resetPeaks();
  const apiRuns: { wall: number; cpu: number }[] = [];
  const api = new Float64Array(GRID.length * 2);
  for (let run = 0; run < W2_RUNS; run++) {
    const cache: IndicatorCache = new Map(); // a fresh window each run: indicators are computed inside the timing
    const c0 = cpuMs();
    const t0 = performance.now();
    for (let i = 0; i < GRID.length; i++) {
      const [fast, slow] = GRID[i]!;
      const s = backtestSummary('sma-cross', bars, { fast, slow }, { ...opts, cache });
      api[2 * i] = s.finalEquity;
      api[2 * i + 1] = s.sharpe;
      if ((i & 255) === 0) sampleMemory();
    }
    apiRuns.push({ wall: performance.now() - t0, cpu: cpuMs() - c0 });
    sampleMemory();
  }

  const w2Peak = { rssAtStartMB: mb(w2Start), peakRssMB: mb(peakRss), peakHeapUsedMB: mb(peakHeap) };

  // W2 by hand
  const handStart = resetPeaks();
  const handRuns: { wall: number; cpu: number }[] = [];
  const hand = new Float64Array(GRID.length * 2);
  for (let run = 0; run < W2_RUNS; run++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    const smas = new Map<number, Float64Array>();
    const get = (n: number) => smas.get(n) ?? (smas.set(n, handSma(bars.close, n)), smas.get(n)!);
    for (let i = 0; i < GRID.length; i++) {
      const [fast, slow] = GRID[i]!;
      const s = handRun(bars.close, get(fast), get(slow), opts.fee, opts.cash, 8760);
      hand[2 * i] = s.finalEquity;
      hand[2 * i + 1] = s.sharpe;
    }
    handRuns.push({ wall: performance.now() - t0, cpu: cpuMs() - c0 });
    sampleMemory();
  }
  const handPeak = { rssAtStartMB: mb(handStart), peakRssMB: mb(peakRss), peakHeapUsedMB: mb(peakHeap) };
  let maxRel = 0;
  for (let i = 0; i < api.length; i++) maxRel = Math.max(maxRel, Math.abs(api[i]! - hand[i]!) / Math.max(1e-12, Math.abs(hand[i]!)));

  const rate = (runs: { wall: number; cpu: number }[]) => {
    const wall = median(runs.map((r) => r.wall));
    const cpu = median(runs.map((r) => r.cpu));
    return { wallMs: Math.round(wall), cpuMs: Math.round(cpu), combosPerSecond: Math.round((GRID.length / wall) * 1000), combosPerCpuSecond: Math.round((GRID.length / cpu) * 1000) };
  };
  const a = rate(apiRuns);
  const h = rate(handRuns);
  console.log(
    JSON.stringify(
      {
        machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, loadAverage: loadavg().map((x) => Math.round(x * 100) / 100) },
        quick,
        bars: bars.close.length,
        W1: {
          what: "sma-cross 10/50, 'close' fill, fee 0.001, indicators + simulation + full statistics + trade list",
          runs: W1_RUNS,
          medianMs: r3(median(w1Wall)),
          p10Ms: r3([...w1Wall].sort((x, y) => x - y)[Math.floor(W1_RUNS * 0.1)]!),
          medianCpuMs: r3(median(w1Cpu)),
          goalMs: 5,
          trades: last.stats.trades,
          finalEquity: last.finalEquity,
          memory: w1Peak,
        },
        W2: {
          what: 'sma-cross grid fast 2..50 × slow 10..200 step 2, fast < slow: final equity and Sharpe per combination',
          combinations: GRID.length,
          runs: W2_RUNS,
          api: { how: 'backtestSummary() with one IndicatorCache per window (targetEvents + fast kernel)', ...a, memory: w2Peak },
          handLoop: { how: 'plain loop over cached SMA arrays, one pass per combination', ...h, memory: handPeak },
          apiCostRatio: Math.round((a.cpuMs / h.cpuMs) * 100) / 100,
          resultsAgree: { maxRelativeDifference: maxRel, ok: maxRel < 1e-9 },
          goalCombosPerSecond: 4000,
        },
        memory: { rssAfterLoadingDataMB: mb(rssBefore), goalPeakMB: 300, note: 'peaks are per section, after a GC; RSS includes node, tsx and the loaded modules' },
      },
      null,
      2,
    ),
  );
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
