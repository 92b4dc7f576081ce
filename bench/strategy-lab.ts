/**
 * Strategy-lab speed: a 1,000-combination sweep of the multi-timeframe built-in beside W2 in the same run.
 * - W2: sweep() of sma-cross over fast 2..50 × slow 10..200 step 2, fast < slow (4,263 combinations), 'close'
 *   fill, fee 0.001, objective Sharpe, grid study in memory — as bench/backtest.ts measures it.
 * - MTF: sweep() of daily-trend-cross (hourly SMA cross with a daily SMA trend filter through .on('1d')) over
 *   fast {3,5,8,12,20} × slow {30..120 step 10} × trend {2..40 step 2} = 1,000 combinations, same options.
 * Both on BTCUSDT 1h, interleaved round by round (round 0 warms up and is not counted); combos/s from the
 * median wall time, CPU time beside it. Goal: MTF combos/s >= 50 % of W2's (ratio paired by round, median).
 * Also: checkBias on BTCUSDT 1h for daily-trend-cross (goal < 2 s), when lib/strategy has it.
 * Run: npx tsx bench/strategy-lab.ts [--quick]   (--quick: two counted rounds instead of four)
 */
import { cpus, loadavg } from 'node:os';
import { loadDataset } from '../lib/data';
import { sweep } from '../lib/research';
import * as strategy from '../lib/strategy';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 2 : 4;
const range = (lo: number, hi: number, step = 1): number[] => Array.from({ length: Math.floor((hi - lo) / step) + 1 }, (_, i) => lo + i * step);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const r2 = (x: number): number => Math.round(x * 100) / 100;
const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
interface Timing {
  wall: number;
  cpu: number;
  combos: number;
}
async function timed(fn: () => Promise<number>): Promise<Timing> {
  const c0 = cpuMs();
  const t0 = performance.now();
  const combos = await fn();
  return { wall: performance.now() - t0, cpu: cpuMs() - c0, combos };
}
const rate = (runs: Timing[]) => {
  const wall = median(runs.map((r) => r.wall));
  const cpu = median(runs.map((r) => r.cpu));
  const combos = runs[0]!.combos;
  return { combinations: combos, wallMs: Math.round(wall), cpuMs: Math.round(cpu), combosPerSecond: Math.round((combos / wall) * 1000), combosPerCpuSecond: Math.round((combos / cpu) * 1000) };
};

async function main(): Promise<void> {
  const bars = await loadDataset('BTCUSDT', '1h');
  const opts = { fill: 'close', fee: 0.001, cash: 10_000 } as const;
  const w2Grid = { fast: range(2, 50), slow: range(10, 200, 2) };
  const mtfGrid = { fast: [3, 5, 8, 12, 20], slow: range(30, 120, 10), trend: range(2, 40, 2) };
  const w2: Timing[] = [];
  const mtf: Timing[] = [];
  let best: unknown = null;
  for (let round = 0; round <= ROUNDS; round++) {
    const a = await timed(async () => (await sweep('sma-cross', bars, { grid: w2Grid, objective: 'sharpe', backtest: opts, progress: false, overfitting: false })).trials.length);
    const b = await timed(async () => {
      const r = await sweep('daily-trend-cross', bars, { grid: mtfGrid, objective: 'sharpe', backtest: opts, progress: false, overfitting: false });
      best = r.best ? { params: r.best.params, sharpe: r2(r.best.value) } : null;
      return r.trials.length;
    });
    if (round === 0) continue;
    w2.push(a);
    mtf.push(b);
  }
  const ratios = mtf.map((m, i) => (m.combos / m.wall) / (w2[i]!.combos / w2[i]!.wall));
  const cpuRatios = mtf.map((m, i) => (m.combos / m.cpu) / (w2[i]!.combos / w2[i]!.cpu));
  const ratio = r2(median(ratios));

  let bias: unknown = 'checkBias is not in lib/strategy';
  const check = (strategy as Record<string, unknown>).checkBias as ((s: string, b: typeof bars, p: object) => { ok: boolean; seconds: number; failed: string[] }) | undefined;
  if (typeof check === 'function') {
    check('daily-trend-cross', bars, {}); // warm
    const t0 = performance.now();
    const rep = check('daily-trend-cross', bars, {});
    const s = (performance.now() - t0) / 1000;
    bias = { ok: rep.ok, failed: rep.failed, seconds: r2(s), goalSeconds: 2, goalMet: s < 2 };
  }
  console.log(
    JSON.stringify(
      {
        machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, loadAverage: loadavg().map(r2) },
        quick,
        bars: bars.close.length,
        rounds: ROUNDS,
        W2: { what: "sweep() sma-cross fast 2..50 × slow 10..200 step 2, fast < slow, 'close' fill, fee 0.001, objective sharpe", ...rate(w2) },
        MTF: { what: "sweep() daily-trend-cross fast {3,5,8,12,20} × slow 30..120 step 10 × trend 2..40 step 2 (daily SMA via .on('1d')), same options", ...rate(mtf), best },
        ratio: { mtfOverW2CombosPerSecond: ratio, cpu: r2(median(cpuRatios)), perRound: ratios.map(r2), goal: 0.5, goalMet: ratio >= 0.5 },
        checkBias: bias,
      },
      null,
      2,
    ),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
