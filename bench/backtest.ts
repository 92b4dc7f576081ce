/**
 * Backtester benchmark. Prints one JSON object:
 * - W1: one sma-cross 10/50 backtest on BTCUSDT 1h (66,677 bars), 'close' fill, fee 0.001, including indicators,
 *   full statistics and the trade list, through backtest(). Goal: under 5 ms after warm-up.
 * - W2: the full grid fast 2..50 × slow 10..200 step 2 with fast < slow (4,263 combinations), 'close' fill, fee
 *   0.001, measured four ways in this one process run, interleaved round by round so that a busy machine hits
 *   them alike:
 *   - bareLoop: the reference — a hand-written loop that computes only final equity per combination (SMA arrays
 *     computed once per window inside the timing, one pass over the bars per combination, all-in at the close);
 *   - apiSweep: `sweep()` of lib/research (a grid study in memory, objective Sharpe): what a user calls. The
 *     kernel computes final equity, Sharpe and max drawdown for every combination;
 *   - apiSummary: backtestSummary() per combination with one IndicatorCache (the kernel without the study);
 *   - cli: `bin/quantlab sweep ... --json` in a child process; combos/s from the `seconds` the command reports
 *     (the study's own time: no process start, module loading, data loading or best-trial statistics), with
 *     the child's wall time beside it.
 *   Ratios are API combos/s ÷ bare-loop combos/s: per round (paired), then the median. Goal: >= 1.0.
 * Times are wall clock (median of the runs) with process CPU time beside them: on a busy machine the CPU figure
 * is the steadier one. Memory: process RSS and heap high-water marks sampled during each section, after a GC.
 * Run: npx tsx bench/backtest.ts [--quick]   (--quick: fewer W1 runs, two W2 rounds, one CLI run)
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadDataset } from '../lib/data';
import { sweep } from '../lib/research';
import { backtest, backtestSummary, type IndicatorCache } from '../lib/strategy';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const quick = process.argv.includes('--quick');
const W1_RUNS = quick ? 30 : 300;
const W2_ROUNDS = quick ? 2 : 5;
const CLI_RUNS = quick ? 1 : 3;

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
const r2 = (x: number): number => Math.round(x * 100) / 100;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const FAST = { low: 2, high: 50 };
const SLOW = { low: 10, high: 200, step: 2 };
const range = (lo: number, hi: number, step = 1): number[] => Array.from({ length: Math.floor((hi - lo) / step) + 1 }, (_, i) => lo + i * step);
const GRID: [number, number][] = [];
for (const fast of range(FAST.low, FAST.high)) for (const slow of range(SLOW.low, SLOW.high, SLOW.step)) if (fast < slow) GRID.push([fast, slow]);

/** The bare loop's SMA: a running sum, NaN for the first n − 1 bars. */
function bareSma(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(x.length);
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i]!;
    if (i >= n) s -= x[i - n]!;
    out[i] = i >= n - 1 ? s / n : NaN;
  }
  return out;
}
/** The bare loop proper: sma-cross all-in at the close, fee per side; final equity only. */
function bareRun(close: Float64Array, f: Float64Array, s: Float64Array, fee: number, cash0: number): number {
  const n = close.length;
  let cash = cash0;
  let units = 0;
  for (let t = 1; t < n; t++) {
    const a = f[t]!;
    const b = s[t]!;
    const pa = f[t - 1]!;
    const pb = s[t - 1]!;
    if (a > b && pa <= pb && units === 0) {
      const p = close[t]!;
      units = cash / (p * (1 + fee));
      cash = 0;
    } else if (a < b && pa >= pb && units !== 0) {
      cash += units * close[t]! * (1 - fee);
      units = 0;
    }
  }
  return cash + units * close[n - 1]!;
}

interface Timing {
  wall: number;
  cpu: number;
}
const timed = async (fn: () => unknown): Promise<Timing> => {
  const c0 = cpuMs();
  const t0 = performance.now();
  await fn();
  return { wall: performance.now() - t0, cpu: cpuMs() - c0 };
};
const rate = (runs: Timing[]) => {
  const wall = median(runs.map((r) => r.wall));
  const cpu = median(runs.map((r) => r.cpu));
  return { wallMs: Math.round(wall), cpuMs: Math.round(cpu), combosPerSecond: Math.round((GRID.length / wall) * 1000), combosPerCpuSecond: Math.round((GRID.length / cpu) * 1000) };
};
/** Median over rounds of (bare wall or CPU time ÷ other's): the combos/s ratio other ÷ bare, paired by round. */
const ratio = (other: Timing[], bare: Timing[]) => ({
  wall: r2(median(other.map((o, i) => bare[i]!.wall / o.wall))),
  cpu: r2(median(other.map((o, i) => bare[i]!.cpu / o.cpu))),
});

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

  // W2, in-process: the three ways interleaved, round by round (round 0 warms up and is not counted)
  const w2Start = resetPeaks();
  const bare: Timing[] = [];
  const api: Timing[] = [];
  const summary: Timing[] = [];
  const bareEquity = new Float64Array(GRID.length);
  const summaryEquity = new Float64Array(GRID.length);
  const summarySharpe = new Float64Array(GRID.length);
  let sweepSharpe = new Map<string, number>();
  const grid = { fast: range(FAST.low, FAST.high), slow: range(SLOW.low, SLOW.high, SLOW.step) };
  for (let round = 0; round <= W2_ROUNDS; round++) {
    const b = await timed(() => {
      const smas = new Map<number, Float64Array>();
      const get = (n: number) => smas.get(n) ?? (smas.set(n, bareSma(bars.close, n)), smas.get(n)!);
      for (let i = 0; i < GRID.length; i++) bareEquity[i] = bareRun(bars.close, get(GRID[i]![0]), get(GRID[i]![1]), opts.fee, opts.cash);
    });
    sampleMemory();
    const a = await timed(async () => {
      const r = await sweep('sma-cross', bars, { grid, objective: 'sharpe', backtest: opts, progress: false });
      sweepSharpe = new Map(r.trials.map((t) => [`${t.params.fast}/${t.params.slow}`, t.values![0]!]));
    });
    sampleMemory();
    const s = await timed(() => {
      const cache: IndicatorCache = new Map(); // a fresh window each round: indicators are computed inside the timing
      for (let i = 0; i < GRID.length; i++) {
        const [fast, slow] = GRID[i]!;
        const r = backtestSummary('sma-cross', bars, { fast, slow }, { ...opts, cache });
        summaryEquity[i] = r.finalEquity;
        summarySharpe[i] = r.sharpe;
      }
    });
    sampleMemory();
    if (round === 0) continue;
    bare.push(b);
    api.push(a);
    summary.push(s);
  }
  const w2Peak = { rssAtStartMB: mb(w2Start), peakRssMB: mb(peakRss), peakHeapUsedMB: mb(peakHeap) };
  let maxRelEquity = 0;
  let sharpeMismatches = 0;
  for (let i = 0; i < GRID.length; i++) {
    maxRelEquity = Math.max(maxRelEquity, Math.abs(summaryEquity[i]! - bareEquity[i]!) / Math.abs(bareEquity[i]!));
    const sw = sweepSharpe.get(`${GRID[i]![0]}/${GRID[i]![1]}`);
    if (!(sw === summarySharpe[i] || (sw === -Infinity && summarySharpe[i] !== summarySharpe[i]))) sharpeMismatches++;
  }

  // W2 through the command line, in child processes (the CLI prints the study's own seconds)
  const cliSeconds: number[] = [];
  const cliWall: number[] = [];
  let cliCombos = 0;
  const cmd = join(__dirname, '..', 'bin', 'quantlab');
  const args = ['sweep', '-d', 'BTCUSDT', '-s', 'sma-cross', '--grid', `fast=${FAST.low}:${FAST.high}`, '--grid', `slow=${SLOW.low}:${SLOW.high}:${SLOW.step}`];
  args.push('--fill', opts.fill, '--fee', String(opts.fee), '--cash', String(opts.cash), '--objective', 'sharpe', '--json', '--no-progress');
  for (let i = 0; i < CLI_RUNS; i++) {
    const t0 = performance.now();
    const out = JSON.parse(execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 })) as { combos: number; seconds: number };
    cliWall.push(performance.now() - t0);
    cliSeconds.push(out.seconds);
    cliCombos = out.combos;
  }
  const bareRate = rate(bare);
  const cliRate = Math.round(cliCombos / median(cliSeconds));
  console.log(
    JSON.stringify(
      {
        machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, loadAverage: loadavg().map(r2) },
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
          what: "sma-cross grid fast 2..50 × slow 10..200 step 2, fast < slow, 'close' fill, fee 0.001",
          combinations: GRID.length,
          rounds: W2_ROUNDS,
          bareLoop: { how: 'hand-written loop, cached SMA arrays, one pass per combination, final equity only', ...bareRate },
          apiSweep: { how: "sweep() from lib/research (grid study in memory, objective 'sharpe'; kernel: final equity, Sharpe, max drawdown)", ...rate(api) },
          apiSummary: { how: 'backtestSummary() per combination, one IndicatorCache per round (no study)', ...rate(summary) },
          cli: {
            how: 'bin/quantlab sweep ... --json in a child process; combos/s from the seconds it reports (the study, without process start or data loading)',
            runs: CLI_RUNS,
            seconds: r3(median(cliSeconds)),
            combosPerSecond: cliRate,
            childWallMs: Math.round(median(cliWall)),
          },
          ratios: {
            what: 'combos/s ÷ bare-loop combos/s (paired by round, median); cli against the median bare loop',
            apiSweep: ratio(api, bare),
            apiSummary: ratio(summary, bare),
            cli: r2(cliRate / bareRate.combosPerSecond),
            goal: 1,
          },
          resultsAgree: { finalEquityMaxRelativeDifference: maxRelEquity, sweepSharpeEqualsSummary: sharpeMismatches === 0, ok: maxRelEquity < 1e-9 && sharpeMismatches === 0 },
          memory: w2Peak,
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
