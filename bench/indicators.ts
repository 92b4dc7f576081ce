/**
 * Indicator benchmark. Prints one JSON object: the median wall time (ms) of RSI(14), EMA(20), BBANDS(20,2),
 * MACD(12,26,9), ATR(14), ADX(14) and STOCH(5,3,3) on N bars for
 * - quantlab: the whole-array kernels on Float64Array columns;
 * - technicalindicators: its documented API (`RSI.calculate({ values, period })` ...) on number[];
 * - talib (npm talib 1.1.6): `talib.execute({ name, startIdx, endIdx, inReal | high/low/close, ...opts })` on
 *   number[] (it segfaults on typed arrays), the way a user calls it;
 * and the speed-ups of quantlab over each.
 * Data: the real Binance BTCUSDT 1h closes/highs/lows/volumes (66,677 bars, ../shared/datasets) concatenated
 * with themselves until N bars (the tiles are copies, not a random walk). Inputs are built once, outside the
 * timings. Each timing: three warm-up calls, then the median of `runs` calls, with a GC before each call.
 *
 * Run: npx tsx bench/indicators.ts [--bars N] [--runs N] [--quick]
 *   --bars N   series length (default 1,000,000)
 *   --runs N   timed calls per library and indicator (default 7; technicalindicators, the slowest, gets
 *              at most 5)
 *   --quick    CI mode: 2 timed calls each (use with --bars 100000 for a few seconds' run)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as ti from 'technicalindicators';
import { adx } from '../lib/indicators/adx';
import { atr } from '../lib/indicators/atr';
import { bbands } from '../lib/indicators/bbands';
import { ema } from '../lib/indicators/ema';
import { macd } from '../lib/indicators/macd';
import { rsi } from '../lib/indicators/rsi';
import { stoch } from '../lib/indicators/stoch';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const argv = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');
const bars = Number(arg('--bars') ?? 1_000_000);
const runs = quick ? 2 : Number(arg('--runs') ?? 7);
if (!Number.isInteger(bars) || bars < 100) throw new Error(`--bars: expected an integer >= 100, found ${arg('--bars')}`);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: expected an integer >= 1, found ${arg('--runs')}`);
const tiRuns = Math.min(runs, 5);

const requireCjs = createRequire(resolve(process.cwd(), 'package.json'));
const talib = requireCjs('talib') as {
  execute(args: Record<string, unknown>): { begIndex: number; nbElement: number; result: Record<string, number[]> };
};

// ---- data: the real BTCUSDT 1h series, tiled to `bars` ----
const csv = resolve(__dirname, '..', '..', 'shared', 'datasets', 'binance_BTCUSDT_1h.csv');
const lines = readFileSync(csv, 'utf8').trim().split('\n').slice(1);
const src = { high: [] as number[], low: [] as number[], close: [] as number[], volume: [] as number[] };
for (const line of lines) {
  const f = line.split(',');
  src.high.push(Number(f[2]));
  src.low.push(Number(f[3]));
  src.close.push(Number(f[4]));
  src.volume.push(Number(f[5]));
}
const tile = (x: number[]): Float64Array => Float64Array.from({ length: bars }, (_, i) => x[i % x.length]!);
const high = tile(src.high);
const low = tile(src.low);
const close = tile(src.close);
const plain = { high: Array.from(high), low: Array.from(low), close: Array.from(close) };

const WARMUP = 3; // calls before timing: lets V8 finish tiering up the kernels (and the other libraries)

function median(fn: () => unknown, n: number): number {
  for (let i = 0; i < WARMUP; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    gc();
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1]!;
}

const ta = (name: string, inputs: Record<string, number[]>, opts: Record<string, number>) => () =>
  talib.execute({ name, startIdx: 0, endIdx: bars - 1, ...inputs, ...opts });

const cases: { name: string; quantlab: () => unknown; technicalindicators: () => unknown; talib: () => unknown }[] = [
  {
    name: 'RSI(14)',
    quantlab: () => rsi(close, 14),
    technicalindicators: () => ti.RSI.calculate({ values: plain.close, period: 14 }),
    talib: ta('RSI', { inReal: plain.close }, { optInTimePeriod: 14 }),
  },
  {
    name: 'EMA(20)',
    quantlab: () => ema(close, 20),
    technicalindicators: () => ti.EMA.calculate({ values: plain.close, period: 20 }),
    talib: ta('EMA', { inReal: plain.close }, { optInTimePeriod: 20 }),
  },
  {
    name: 'BBANDS(20,2)',
    quantlab: () => bbands(close, 20, 2),
    technicalindicators: () => ti.BollingerBands.calculate({ values: plain.close, period: 20, stdDev: 2 }),
    talib: ta('BBANDS', { inReal: plain.close }, { optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 }),
  },
  {
    name: 'MACD(12,26,9)',
    quantlab: () => macd(close, 12, 26, 9),
    technicalindicators: () =>
      ti.MACD.calculate({
        values: plain.close,
        fastPeriod: 12,
        slowPeriod: 26,
        signalPeriod: 9,
        SimpleMAOscillator: false,
        SimpleMASignal: false,
      }),
    talib: ta('MACD', { inReal: plain.close }, { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 }),
  },
  {
    name: 'ATR(14)',
    quantlab: () => atr(high, low, close, 14),
    technicalindicators: () => ti.ATR.calculate({ high: plain.high, low: plain.low, close: plain.close, period: 14 }),
    talib: ta('ATR', plain, { optInTimePeriod: 14 }),
  },
  {
    name: 'ADX(14)',
    quantlab: () => adx(high, low, close, 14),
    technicalindicators: () => ti.ADX.calculate({ high: plain.high, low: plain.low, close: plain.close, period: 14 }),
    talib: ta('ADX', plain, { optInTimePeriod: 14 }),
  },
  {
    name: 'STOCH(5,3,3)',
    quantlab: () => stoch(high, low, close, 5, 3, 3),
    // technicalindicators' Stochastic has no %K slowing: its closest call (period 5, signal 3) is STOCHF
    technicalindicators: () =>
      ti.Stochastic.calculate({ high: plain.high, low: plain.low, close: plain.close, period: 5, signalPeriod: 3 }),
    talib: ta('STOCH', plain, {
      optInFastK_Period: 5,
      optInSlowK_Period: 3,
      optInSlowK_MAType: 0,
      optInSlowD_Period: 3,
      optInSlowD_MAType: 0,
    }),
  },
];

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;
const load0 = loadavg()[0]!;
const results: Record<string, Record<string, number>> = {};
for (const c of cases) {
  const q = median(c.quantlab, runs);
  const t = median(c.talib, runs);
  const i = median(c.technicalindicators, tiRuns);
  results[c.name] = {
    quantlab_ms: round(q),
    talib_ms: round(t),
    technicalindicators_ms: round(i),
    speedup_vs_talib: round(t / q, 1),
    speedup_vs_technicalindicators: round(i / q, 1),
  };
}

const perMillion = (ms: number): number => (ms * 1_000_000) / bars;
console.log(
  JSON.stringify(
    {
      bench: 'indicators',
      bars,
      data: `Binance BTCUSDT 1h (${lines.length} real bars) concatenated with itself to ${bars} bars`,
      runs: { quantlab: runs, talib: runs, technicalindicators: tiRuns, warmup: WARMUP, statistic: 'median ms, GC before each call' },
      node: process.version,
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? '', loadavg_1m_at_start: round(load0, 2) },
      results,
      targets: {
        'EMA(20) < 5 ms per 1e6 bars': perMillion(results['EMA(20)']!.quantlab_ms!) < 5,
        'RSI(14) < 15 ms per 1e6 bars': perMillion(results['RSI(14)']!.quantlab_ms!) < 15,
        'every kernel >= 10x technicalindicators': Object.values(results).every((r) => r.speedup_vs_technicalindicators! >= 10),
        'every kernel faster than talib.execute': Object.values(results).every((r) => r.speedup_vs_talib! > 1),
      },
      notes: [
        'quantlab returns Float64Arrays aligned with the input; technicalindicators returns shorter number[] / object[]; talib returns number[] from begIndex.',
        "technicalindicators' Stochastic has no %K slowing (it is STOCHF 5,3); quantlab and talib compute STOCH 5,3,3.",
        'talib timings include its conversion of number[] inputs and outputs, which is part of calling it from JavaScript.',
      ],
    },
    null,
    2,
  ),
);
