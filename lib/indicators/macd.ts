import { check, type Series, type Stream } from '../core';
import { BLOCK } from './kernels/blocks';
import { checkPeriod } from './kernels/checks';
import { emaWithAlpha, emaWithAlphaStream } from './kernels/ema-alpha';
import { defineIndicator, intParam, series } from './descriptor';

/** MACD line, signal line and histogram. */
export interface MacdResult {
  macd: Float64Array;
  signal: Float64Array;
  hist: Float64Array;
}

/** One MACD reading. */
export interface MacdValue {
  macd: number;
  signal: number;
  hist: number;
}

/**
 * MACD: EMA(fast) − EMA(slow), its EMA(signal) and the difference. First slow+signal−2 values of all three
 * are NaN. Matches TA-Lib MACD exactly, including two quirks: all outputs start with the signal line (the
 * MACD line could start at slow−1), and the fast EMA is seeded with the SMA of x[slow−fast .. slow−1]
 * rather than of the first `fast` values. technicalindicators' MACD seeds the fast EMA at the start (so
 * early values differ slightly) and returns shorter arrays of objects; TradingView's `ta.macd` likewise.
 * Periods must be >= 2 (TA-Lib's signal period 1 returns misaligned garbage) and fast < slow.
 * NaN policy: as {@link ema}: a NaN after the warm-up gives NaN at that bar and the averages carry on.
 * @example
 * const { close } = await ql.loadDataset('BTCUSDT', '1h');
 * macd(close, 12, 26, 9).hist.findIndex(Number.isFinite) // 33 (NaN for the first 33 bars)
 */
export function macd(x: Series, fast = 12, slow = 26, signal = 9): MacdResult {
  checkMacd('macd', fast, slow, signal);
  const len = x.length;
  const off = slow - fast;
  const f = new Float64Array(len);
  f.fill(NaN, 0, Math.min(off, len));
  if (off < len) emaWithAlpha(x.subarray(off), fast, 2 / (fast + 1), f.subarray(off));
  const s = emaWithAlpha(x, slow, 2 / (slow + 1));
  const m = f; // the fast EMA becomes the MACD line, and the slow EMA's buffer the histogram (fewer fresh arrays)
  for (let b = 0; b < len; b += BLOCK) subtractBlock(f, s, b, b + BLOCK < len ? b + BLOCK : len, m);
  const sig = emaWithAlpha(m, signal, 2 / (signal + 1));
  const hist = s;
  let start = 0; // the MACD line starts with its signal line
  while (start < len && sig[start]! !== sig[start]!) start++;
  m.fill(NaN, 0, start);
  for (let b = 0; b < len; b += BLOCK) subtractBlock(m, sig, b, b + BLOCK < len ? b + BLOCK : len, hist);
  return { macd: m, signal: sig, hist };
}

/** out[i] = a[i] - b[i] over [s, e) (`out` may be `a` or `b`; blocks: see kernels/blocks.ts). */
function subtractBlock(a: Series, b: Series, s: number, e: number, out: Series): void {
  for (let i = s; i < e; i++) out[i] = a[i]! - b[i]!;
}

function checkMacd(fn: string, fast: number, slow: number, signal: number): void {
  checkPeriod(fn, fast, 2);
  checkPeriod(fn, slow, 2);
  checkPeriod(fn, signal, 2);
  check(fast < slow, `${fn}: fast period must be < slow period, found fast ${fast} and slow ${slow}`);
}

/** Streaming twin of {@link macd}: returns a fresh `{ macd, signal, hist }` per value. */
export function macdStream(fast = 12, slow = 26, signal = 9): Stream<number, MacdValue> {
  checkMacd('macdStream', fast, slow, signal);
  const off = slow - fast;
  const f = emaWithAlphaStream(fast, 2 / (fast + 1));
  const s = emaWithAlphaStream(slow, 2 / (slow + 1));
  const g = emaWithAlphaStream(signal, 2 / (signal + 1));
  let count = 0;
  let started = false;
  return {
    update(v: number): MacdValue {
      const fv = count >= off ? f.update(v) : NaN;
      count++;
      let m = fv - s.update(v);
      const sig = g.update(m);
      if (!started && sig === sig) started = true;
      if (!started) m = NaN;
      return { macd: m, signal: sig, hist: m - sig };
    },
    reset() {
      f.reset();
      s.reset();
      g.reset();
      count = 0;
      started = false;
    },
  };
}

/** Descriptor of {@link macd}. */
export const macdDescriptor = defineIndicator({
  name: 'macd',
  title: 'MACD line, signal and histogram',
  inputs: [series('x', 'close')],
  params: { fast: intParam(12, 2), slow: intParam(26, 2), signal: intParam(9, 2) },
  outputs: ['macd', 'signal', 'hist'],
  check: (p) => (p.fast < p.slow ? undefined : `fast (${p.fast}) must be < slow (${p.slow})`),
  warmup: (p) => p.slow + p.signal - 2,
  talib: {
    fn: 'MACD',
    options: { fast: 'optInFastPeriod', slow: 'optInSlowPeriod', signal: 'optInSignalPeriod' },
    outputs: { macd: 'outMACD', signal: 'outMACDSignal', hist: 'outMACDHist' },
  },
  whole: ([x], p) => macd(x!, p.fast, p.slow, p.signal),
  stream: (p) => macdStream(p.fast, p.slow, p.signal),
});
