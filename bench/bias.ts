/**
 * Bias-check benchmark. Prints one JSON object: checkBias() of every built-in strategy (default parameters)
 * on BTCUSDT 1h (66,677 bars) — 24 truncations and 3 changed futures for look-ahead, 8 late starts for the
 * warm-up, the four target forms and every indicator twin for parity — beside one backtest() of the same
 * strategy measured in the same run (the reference: what the check costs in backtests). Goal: under 2 s per
 * built-in. Times are wall clock (median of the runs after one warm-up run) with process CPU time beside them:
 * on a busy machine the CPU figure is the steadier one. Also records what the check found on each built-in.
 * Run: npx tsx bench/bias.ts [--quick]   (--quick: one timed run per strategy)
 */
import { cpus, loadavg } from 'node:os';
import { loadDataset } from '../lib/data';
import { backtest, BUILTIN_STRATEGIES, checkBias } from '../lib/strategy';

const quick = process.argv.includes('--quick');
const RUNS = quick ? 1 : 3;
const GOAL_S = 2;

const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

function time<T>(f: () => T): { wall: number; cpu: number; value: T } {
  const c0 = cpuMs();
  const t0 = performance.now();
  const value = f();
  return { wall: (performance.now() - t0) / 1000, cpu: (cpuMs() - c0) / 1000, value };
}

async function main(): Promise<void> {
  const bars = await loadDataset('BTCUSDT', '1h');
  const strategies = [];
  for (const s of BUILTIN_STRATEGIES) {
    checkBias(s, bars, {}); // warm-up run (JIT)
    backtest(s, bars, {});
    const walls: number[] = [];
    const cpuTimes: number[] = [];
    const refs: number[] = [];
    let report = checkBias(s, bars, {});
    for (let i = 0; i < RUNS; i++) {
      const ref = time(() => backtest(s, bars, {}));
      const t = time(() => checkBias(s, bars, {}));
      refs.push(ref.wall);
      walls.push(t.wall);
      cpuTimes.push(t.cpu);
      report = t.value;
    }
    const wall = median(walls);
    strategies.push({
      strategy: s.name,
      seconds: r3(wall),
      cpuSeconds: r3(median(cpuTimes)),
      backtestSeconds: r3(median(refs)),
      backtests: Math.round(wall / median(refs)),
      goalMet: wall < GOAL_S,
      goalMetCpu: median(cpuTimes) < GOAL_S,
      found: {
        ok: report.ok,
        failed: report.failed,
        cuts: report.lookAhead.cuts.length,
        futureChanged: report.lookAhead.futureChanged.length,
        warmupBars: report.warmup.bars,
        warmup: Object.fromEntries(report.warmup.indicators.map((e) => [e.name, e.bars])),
        targetsWarmup: report.warmup.targets.bars,
        parityForms: report.parity.forms,
        signals: report.parity.signals,
      },
    });
  }
  const slowest = strategies.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  console.log(
    JSON.stringify(
      {
        bench: 'bias',
        data: { symbol: 'BTCUSDT', timeframe: '1h', bars: bars.close.length },
        runs: RUNS,
        goal: `checkBias under ${GOAL_S} s per built-in on BTCUSDT 1h`,
        goalMet: strategies.every((s) => s.goalMet),
        // on a machine shared with other work the wall clock waits for the CPU: the CPU figure is what the check costs
        goalMetCpu: strategies.every((s) => s.goalMetCpu),
        slowest: { strategy: slowest.strategy, seconds: slowest.seconds },
        strategies,
        machine: { cpus: cpus().length, load1: r3(loadavg()[0]!), node: process.version },
      },
      null,
      2,
    ),
  );
}

void main();
