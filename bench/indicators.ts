/**
 * Indicator benchmark. Prints one JSON object: for every quantlab kernel that technicalindicators also
 * has (and STOCH, ADX, BBANDS... the classic set), the median wall time (ms) on N bars of
 * - quantlab: the whole-array kernel on Float64Array columns (a fresh output, as a user calls it);
 * - technicalindicators (3.1): its documented API (`RSI.calculate({ values, period })` ...) on number[];
 * - talib (npm talib 1.1.6): `talib.execute({ name, startIdx, endIdx, inReal | high/low/close, ...opts })` on
 *   number[] (it segfaults on typed arrays), the way a user calls it; null where TA-Lib has no such function;
 * the speed-ups of quantlab over each, and `goalsMet`: every kernel >= 10x technicalindicators and faster
 * than talib, with the cases that miss.
 * Data: the real Binance BTCUSDT 1h bars (66,677, ../shared/datasets) concatenated with themselves until N
 * bars (the tiles are copies, not a random walk; times continue across tiles). Inputs are built once,
 * outside the timings. Each timing: warm-up calls (3 for quantlab, whose kernels must reach optimised code,
 * 1 for the others), then the median of `runs` calls, with a GC before each call.
 *
 * Run: npx tsx bench/indicators.ts [--bars N] [--runs N] [--quick] [--only A,B]
 *   --bars N   series length (default 1,000,000)
 *   --runs N   timed calls per library and indicator (default 7; technicalindicators, the slowest, gets
 *              at most 5)
 *   --quick    CI mode: 2 timed calls each (use with --bars 100000 for a short run)
 *   --only     comma-separated case names or prefixes (`--only ATR,EMA`)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as ti from 'technicalindicators';
import { ad } from '../lib/indicators/ad';
import { adx } from '../lib/indicators/adx';
import { atr } from '../lib/indicators/atr';
import { bbands } from '../lib/indicators/bbands';
import { cci } from '../lib/indicators/cci';
import { crossover } from '../lib/indicators/cross';
import { ema } from '../lib/indicators/ema';
import { ichimoku } from '../lib/indicators/ichimoku';
import { keltner } from '../lib/indicators/keltner';
import { macd } from '../lib/indicators/macd';
import { mfi } from '../lib/indicators/mfi';
import { obv } from '../lib/indicators/obv';
import { roc } from '../lib/indicators/roc';
import { rollingMax, rollingMin, rollingSum } from '../lib/indicators/rolling';
import { rsi } from '../lib/indicators/rsi';
import { sar } from '../lib/indicators/sar';
import { sma } from '../lib/indicators/sma';
import { stddev } from '../lib/indicators/stddev';
import { stoch, stochFast } from '../lib/indicators/stoch';
import { stochRsi } from '../lib/indicators/stochrsi';
import { trange } from '../lib/indicators/trange';
import { trix } from '../lib/indicators/trix';
import { sessionVwap } from '../lib/indicators/vwap';
import { willr } from '../lib/indicators/willr';
import { wma } from '../lib/indicators/wma';

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
const only = arg('--only')?.split(',').filter(Boolean);
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
const src = { ts: [] as number[], high: [] as number[], low: [] as number[], close: [] as number[], volume: [] as number[] };
for (const line of lines) {
  const f = line.split(',');
  src.ts.push(Date.parse(f[0]!));
  src.high.push(Number(f[2]));
  src.low.push(Number(f[3]));
  src.close.push(Number(f[4]));
  src.volume.push(Number(f[5]));
}
const m = lines.length;
const tile = (x: number[]): Float64Array => Float64Array.from({ length: bars }, (_, i) => x[i % m]!);
const span = src.ts[m - 1]! - src.ts[0]! + 3_600_000; // times continue across tiles
const ts = Float64Array.from({ length: bars }, (_, i) => src.ts[i % m]! + Math.floor(i / m) * span);
const high = tile(src.high);
const low = tile(src.low);
const close = tile(src.close);
const volume = tile(src.volume);
const slow = sma(close, 50); // the second line for crossover (computed once, outside the timings)
const plain = { high: Array.from(high), low: Array.from(low), close: Array.from(close) };
const plainVolume = Array.from(volume);
const plainSlow = Array.from(slow, (v) => (v === v ? v : close[0]!)); // technicalindicators wants numbers

const WARMUP_QUANTLAB = 3; // calls before timing: lets V8 finish tiering up the kernels
const WARMUP_OTHERS = 1; // native code (talib) / already-measured JS (technicalindicators): one call is enough

function median(fn: () => unknown, n: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) fn();
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

const ta = (name: string, inputs: Record<string, number[]>, opts: Record<string, number> = {}) => () =>
  talib.execute({ name, startIdx: 0, endIdx: bars - 1, ...inputs, ...opts });
const hlc = plain;
const hlcv = { ...plain, volume: plainVolume };

interface Case {
  name: string;
  quantlab: () => unknown;
  technicalindicators: (() => unknown) | null;
  talib: (() => unknown) | null;
}

const cases: Case[] = [
  {
    name: 'SMA(20)',
    quantlab: () => sma(close, 20),
    technicalindicators: () => ti.SMA.calculate({ values: plain.close, period: 20 }),
    talib: ta('SMA', { inReal: plain.close }, { optInTimePeriod: 20 }),
  },
  {
    name: 'EMA(20)',
    quantlab: () => ema(close, 20),
    technicalindicators: () => ti.EMA.calculate({ values: plain.close, period: 20 }),
    talib: ta('EMA', { inReal: plain.close }, { optInTimePeriod: 20 }),
  },
  {
    name: 'WMA(20)',
    quantlab: () => wma(close, 20),
    technicalindicators: () => ti.WMA.calculate({ values: plain.close, period: 20 }),
    talib: ta('WMA', { inReal: plain.close }, { optInTimePeriod: 20 }),
  },
  {
    name: 'RSI(14)',
    quantlab: () => rsi(close, 14),
    technicalindicators: () => ti.RSI.calculate({ values: plain.close, period: 14 }),
    talib: ta('RSI', { inReal: plain.close }, { optInTimePeriod: 14 }),
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
    name: 'BBANDS(20,2)',
    quantlab: () => bbands(close, 20, 2),
    technicalindicators: () => ti.BollingerBands.calculate({ values: plain.close, period: 20, stdDev: 2 }),
    talib: ta('BBANDS', { inReal: plain.close }, { optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 }),
  },
  {
    name: 'STDDEV(20)',
    quantlab: () => stddev(close, 20),
    technicalindicators: () => ti.SD.calculate({ values: plain.close, period: 20 }),
    talib: ta('STDDEV', { inReal: plain.close }, { optInTimePeriod: 20, optInNbDev: 1 }),
  },
  {
    name: 'ROC(10)',
    quantlab: () => roc(close, 10),
    technicalindicators: () => ti.ROC.calculate({ values: plain.close, period: 10 }),
    talib: ta('ROC', { inReal: plain.close }, { optInTimePeriod: 10 }),
  },
  {
    name: 'TRIX(18)',
    quantlab: () => trix(close, 18),
    technicalindicators: () => ti.TRIX.calculate({ values: plain.close, period: 18 }),
    talib: ta('TRIX', { inReal: plain.close }, { optInTimePeriod: 18 }),
  },
  {
    name: 'MAX(20)',
    quantlab: () => rollingMax(close, 20),
    technicalindicators: () => ti.Highest.calculate({ values: plain.close, period: 20 }),
    talib: ta('MAX', { inReal: plain.close }, { optInTimePeriod: 20 }),
  },
  {
    name: 'MIN(20)',
    quantlab: () => rollingMin(close, 20),
    technicalindicators: () => ti.Lowest.calculate({ values: plain.close, period: 20 }),
    talib: ta('MIN', { inReal: plain.close }, { optInTimePeriod: 20 }),
  },
  {
    name: 'SUM(20)',
    quantlab: () => rollingSum(close, 20),
    technicalindicators: () => ti.Sum.calculate({ values: plain.close, period: 20 }),
    talib: ta('SUM', { inReal: plain.close }, { optInTimePeriod: 20 }),
  },
  {
    name: 'TRANGE',
    quantlab: () => trange(high, low, close),
    technicalindicators: () => ti.TrueRange.calculate(hlc),
    talib: ta('TRANGE', hlc),
  },
  {
    name: 'ATR(14)',
    quantlab: () => atr(high, low, close, 14),
    technicalindicators: () => ti.ATR.calculate({ ...hlc, period: 14 }),
    talib: ta('ATR', hlc, { optInTimePeriod: 14 }),
  },
  {
    name: 'ADX(14)',
    quantlab: () => adx(high, low, close, 14),
    technicalindicators: () => ti.ADX.calculate({ ...hlc, period: 14 }),
    talib: ta('ADX', hlc, { optInTimePeriod: 14 }),
  },
  {
    name: 'STOCH(5,3,3)',
    quantlab: () => stoch(high, low, close, 5, 3, 3),
    // technicalindicators' Stochastic has no %K slowing: its closest call (period 5, signal 3) is STOCHF
    technicalindicators: () => ti.Stochastic.calculate({ ...hlc, period: 5, signalPeriod: 3 }),
    talib: ta('STOCH', hlc, {
      optInFastK_Period: 5,
      optInSlowK_Period: 3,
      optInSlowK_MAType: 0,
      optInSlowD_Period: 3,
      optInSlowD_MAType: 0,
    }),
  },
  {
    name: 'STOCHF(14,3)',
    quantlab: () => stochFast(high, low, close, 14, 3),
    technicalindicators: () => ti.Stochastic.calculate({ ...hlc, period: 14, signalPeriod: 3 }),
    talib: ta('STOCHF', hlc, { optInFastK_Period: 14, optInFastD_Period: 3, optInFastD_MAType: 0 }),
  },
  {
    name: 'STOCHRSI(14,14,3)',
    quantlab: () => stochRsi(close, 14, 14, 3),
    technicalindicators: () =>
      ti.StochasticRSI.calculate({ values: plain.close, rsiPeriod: 14, stochasticPeriod: 14, kPeriod: 1, dPeriod: 3 }),
    talib: ta('STOCHRSI', { inReal: plain.close }, { optInTimePeriod: 14, optInFastK_Period: 14, optInFastD_Period: 3, optInFastD_MAType: 0 }),
  },
  {
    name: 'WILLR(14)',
    quantlab: () => willr(high, low, close, 14),
    technicalindicators: () => ti.WilliamsR.calculate({ ...hlc, period: 14 }),
    talib: ta('WILLR', hlc, { optInTimePeriod: 14 }),
  },
  {
    name: 'CCI(20)',
    quantlab: () => cci(high, low, close, 20),
    technicalindicators: () => ti.CCI.calculate({ ...hlc, period: 20 }),
    talib: ta('CCI', hlc, { optInTimePeriod: 20 }),
  },
  {
    name: 'MFI(14)',
    quantlab: () => mfi(high, low, close, volume, 14),
    technicalindicators: () => ti.MFI.calculate({ ...hlcv, period: 14 }),
    talib: ta('MFI', hlcv, { optInTimePeriod: 14 }),
  },
  {
    name: 'SAR(0.02,0.2)',
    quantlab: () => sar(high, low, 0.02, 0.2),
    technicalindicators: () => ti.PSAR.calculate({ high: plain.high, low: plain.low, step: 0.02, max: 0.2 }),
    talib: ta('SAR', { high: plain.high, low: plain.low }, { optInAcceleration: 0.02, optInMaximum: 0.2 }),
  },
  {
    name: 'OBV',
    quantlab: () => obv(close, volume),
    technicalindicators: () => ti.OBV.calculate({ close: plain.close, volume: plainVolume }),
    talib: ta('OBV', { inReal: plain.close, volume: plainVolume }),
  },
  {
    name: 'AD',
    quantlab: () => ad(high, low, close, volume),
    technicalindicators: () => ti.ADL.calculate(hlcv),
    talib: ta('AD', hlcv),
  },
  {
    name: 'VWAP',
    quantlab: () => sessionVwap(ts, high, low, close, volume),
    technicalindicators: () => ti.VWAP.calculate(hlcv),
    talib: null,
  },
  {
    name: 'KELTNER(20,2,10)',
    quantlab: () => keltner(high, low, close, 20, 2, 10),
    technicalindicators: () => ti.KeltnerChannels.calculate({ ...hlc, maPeriod: 20, atrPeriod: 10, useSMA: false, multiplier: 2 }),
    talib: null,
  },
  {
    name: 'ICHIMOKU(9,26,52,26)',
    quantlab: () => ichimoku(high, low, close, 9, 26, 52, 26),
    technicalindicators: () =>
      ti.IchimokuCloud.calculate({ high: plain.high, low: plain.low, conversionPeriod: 9, basePeriod: 26, spanPeriod: 52, displacement: 26 }),
    talib: null,
  },
  {
    name: 'CROSSOVER',
    quantlab: () => crossover(close, slow),
    technicalindicators: () => ti.CrossUp.calculate({ lineA: plain.close, lineB: plainSlow }),
    talib: null,
  },
];

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;
const load0 = loadavg()[0]!;
const selected = only ? cases.filter((c) => only.some((o) => c.name.startsWith(o))) : cases;
if (selected.length === 0) throw new Error(`--only: no case matches ${only!.join(',')} (cases: ${cases.map((c) => c.name).join(', ')})`);
type Row = {
  quantlab_ms: number;
  talib_ms: number | null;
  technicalindicators_ms: number | null;
  speedup_vs_talib: number | null;
  speedup_vs_technicalindicators: number | null;
};
const results: Record<string, Row> = {};
for (const c of selected) {
  const q = median(c.quantlab, runs, WARMUP_QUANTLAB);
  const t = c.talib ? median(c.talib, runs, WARMUP_OTHERS) : null;
  const i = c.technicalindicators ? median(c.technicalindicators, tiRuns, WARMUP_OTHERS) : null;
  results[c.name] = {
    quantlab_ms: round(q),
    talib_ms: t === null ? null : round(t),
    technicalindicators_ms: i === null ? null : round(i),
    speedup_vs_talib: t === null ? null : round(t / q, 1),
    speedup_vs_technicalindicators: i === null ? null : round(i / q, 1),
  };
}

const rows = Object.entries(results);
const belowTi = rows.filter(([, r]) => r.speedup_vs_technicalindicators !== null && r.speedup_vs_technicalindicators < 10).map(([k]) => k);
const belowTalib = rows.filter(([, r]) => r.speedup_vs_talib !== null && r.speedup_vs_talib <= 1).map(([k]) => k);
const perMillion = (name: string): number | null => {
  const r = results[name];
  return r ? (r.quantlab_ms * 1_000_000) / bars : null;
};
const underMs = (name: string, ms: number): boolean | null => {
  const v = perMillion(name);
  return v === null ? null : v < ms;
};
console.log(
  JSON.stringify(
    {
      bench: 'indicators',
      bars,
      data: `Binance BTCUSDT 1h (${m} real bars) concatenated with itself to ${bars} bars`,
      runs: {
        quantlab: runs,
        talib: runs,
        technicalindicators: tiRuns,
        warmup: { quantlab: WARMUP_QUANTLAB, others: WARMUP_OTHERS },
        statistic: 'median ms, GC before each call',
      },
      node: process.version,
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? '', loadavg_1m_at_start: round(load0, 2), loadavg_1m_at_end: round(loadavg()[0]!, 2) },
      results,
      goalsMet: {
        'every kernel >= 10x technicalindicators': belowTi.length === 0,
        'every kernel faster than talib.execute': belowTalib.length === 0,
        'EMA(20) < 5 ms per 1e6 bars': underMs('EMA(20)', 5),
        'RSI(14) < 15 ms per 1e6 bars': underMs('RSI(14)', 15),
        below_10x_technicalindicators: belowTi,
        not_faster_than_talib: belowTalib,
        kernels: rows.length,
      },
      notes: [
        'quantlab returns Float64Arrays aligned with the input; technicalindicators returns shorter number[] / object[]; talib returns number[] from begIndex.',
        "technicalindicators' Stochastic has no %K slowing (it is STOCHF): STOCH(5,3,3) is timed against its Stochastic(5,3), STOCHF(14,3) against Stochastic(14,3).",
        "technicalindicators' VWAP is cumulative from the first bar; quantlab's is sessionVwap (daily sessions): the same work per bar.",
        "technicalindicators' StochasticRSI is called with kPeriod 1 (no %K smoothing), which is TA-Lib STOCHRSI and quantlab stochRsi.",
        'talib: null where TA-Lib has no such function (VWAP, Keltner, Ichimoku, crossover).',
        "Not timed: technicalindicators' candlestick patterns (they judge the last candles of the input, not a series), and its indicators quantlab does not have (WEMA as a public function, KST, ForceIndex, AwesomeOscillator, VolumeProfile, Renko, HeikinAshi, ChandelierExit, AverageGain/Loss, fibonacci).",
        'talib timings include its conversion of number[] inputs and outputs, which is part of calling it from JavaScript.',
      ],
    },
    null,
    2,
  ),
);
