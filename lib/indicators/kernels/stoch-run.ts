import type { Series, Stream } from '../../core';
import { rollingSuffix } from './block-extremes';
import { MonotonicWindow } from './monotonic-window';
import { smaRunStream } from './sma-run';

/** @internal Small rings reused across runs by {@link stochRun}. */
export interface StochScratch {
  sufH: Float64Array;
  sufL: Float64Array;
  kRing: Float64Array;
  dRing: Float64Array;
}

/** @internal Scratch for {@link stochRun}. */
export const stochScratch = (fastK: number, slowK: number, slowD: number): StochScratch => ({
  sufH: new Float64Array(fastK),
  sufL: new Float64Array(fastK),
  kRing: new Float64Array(slowK),
  dRing: new Float64Array(slowD),
});

/**
 * @internal One pass of TA-Lib's STOCH over [s, e) (no NaN inside): fast %K from block-wise rolling extremes, then
 * the two SMAs with TA-Lib's running-sum order (add, divide, drop the oldest). slowK = 1 gives STOCHF.
 * k and d are written over [s, e), NaN until both exist.
 */
export function stochRun(
  high: Series,
  low: Series,
  close: Series,
  fastK: number,
  slowK: number,
  slowD: number,
  s: number,
  e: number,
  k: Series,
  d: Series,
  sufH: Float64Array,
  sufL: Float64Array,
  kRing: Float64Array,
  dRing: Float64Array,
): void {
  const n = fastK;
  // index thresholds instead of counters: the warm-up branches hold no arithmetic of their own
  const rawStart = s + n - 1; // first raw %K
  const kStart = rawStart + slowK - 1; // first %K
  const dStart = kStart + slowD - 1; // first %D (and first output)
  let pos = 0; // position of i in its block of n bars (blocks start at s)
  let ph = 0; // highest high of the block so far
  let pl = 0;
  let ks = 0; // ring slot of the oldest raw %K
  let ksum = 0;
  let ds = 0;
  let dsum = 0;
  for (let i = s; i < e; i++) {
    // rolling highest high / lowest low over n bars as (suffix of the previous block) ∪ (prefix of this
    // one): O(1) amortised, no data-dependent loops (van Herk / Gil-Werman)
    if (pos === 0 && i > s) rollingSuffix(high, low, i - n, n, sufH, sufL);
    const h = high[i]!;
    const l = low[i]!;
    if (pos === 0) {
      ph = h;
      pl = l;
    } else {
      if (h > ph) ph = h;
      if (l < pl) pl = l;
    }
    let hi = ph;
    let lo = pl;
    if (pos !== n - 1) {
      const a = sufH[pos + 1]!;
      const b = sufL[pos + 1]!;
      if (a > hi) hi = a;
      if (b < lo) lo = b;
    }
    pos = pos + 1 === n ? 0 : pos + 1;
    if (i < dStart) {
      k[i] = NaN;
      d[i] = NaN;
      if (i < rawStart) continue;
    }
    const diff = (hi - lo) / 100.0;
    const raw = diff !== 0.0 ? (close[i]! - lo) / diff : 0.0;
    // %K = SMA(raw, slowK): add, divide, then drop the oldest (TA-Lib's order)
    kRing[ks] = raw;
    ks = ks + 1 === slowK ? 0 : ks + 1; // now the oldest slot
    ksum += raw;
    if (i < kStart) continue;
    const kv = ksum / slowK;
    ksum -= kRing[ks]!;
    // %D = SMA(%K, slowD)
    dRing[ds] = kv;
    ds = ds + 1 === slowD ? 0 : ds + 1;
    dsum += kv;
    if (i < dStart) continue;
    const dv = dsum / slowD;
    dsum -= dRing[ds]!;
    k[i] = kv;
    d[i] = dv;
  }
}

/**
 * @internal The state behind the stochastic streams: feed high, low, close; NaN in any of them resets.
 * After `update`, `k` and `d` hold the outputs (NaN while warming up). slowK = 1 gives STOCHF.
 */
export class StochState {
  k = NaN;
  d = NaN;
  private readonly hw: MonotonicWindow;
  private readonly lw: MonotonicWindow;
  private readonly smoothK: Stream<number, number>;
  private readonly smoothD: Stream<number, number>;

  constructor(
    private readonly fastK: number,
    slowK: number,
    slowD: number,
  ) {
    this.hw = new MonotonicWindow(fastK, 'max');
    this.lw = new MonotonicWindow(fastK, 'min');
    this.smoothK = smaRunStream(slowK);
    this.smoothD = smaRunStream(slowD);
  }

  update(h: number, l: number, c: number): void {
    this.k = NaN;
    this.d = NaN;
    if (h !== h || l !== l || c !== c) {
      this.reset();
      return;
    }
    this.hw.push(h);
    this.lw.push(l);
    if (this.hw.length < this.fastK) return;
    const lo = this.lw.value;
    const diff = (this.hw.value - lo) / 100.0;
    const raw = diff !== 0.0 ? (c - lo) / diff : 0.0;
    const k = this.smoothK.update(raw);
    if (k !== k) return;
    const d = this.smoothD.update(k);
    if (d !== d) return;
    this.k = k;
    this.d = d;
  }

  reset(): void {
    this.hw.reset();
    this.lw.reset();
    this.smoothK.reset();
    this.smoothD.reset();
    this.k = NaN;
    this.d = NaN;
  }
}
