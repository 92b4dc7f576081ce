import type { Bar, Series, Stream } from '../core';
import { checkLengths, checkPeriod } from './kernels/checks';
import { defineIndicator, intParam } from './descriptor';

const EPS = 1e-14; // TA-Lib's "is zero" threshold

/** Wilder's directional movement system. */
export interface AdxResult {
  /** Average directional index. First 2n-1 values are NaN (TA-Lib ADX). */
  adx: Float64Array;
  /** +DI. First n values are NaN (TA-Lib PLUS_DI). */
  plusDI: Float64Array;
  /** −DI. First n values are NaN (TA-Lib MINUS_DI). */
  minusDI: Float64Array;
  /** Directional movement index. First n values are NaN (TA-Lib DX). */
  dx: Float64Array;
}

/** One ADX reading. */
export interface AdxValue {
  adx: number;
  plusDI: number;
  minusDI: number;
  dx: number;
}

/**
 * Wilder's ADX with +DI, −DI and DX: DM and true range summed over the first n−1 changes, then
 * Wilder-smoothed (s − s/n + new); DI = 100·DM/TR; DX = 100·|+DI − −DI|/(+DI + −DI); ADX = mean of the first
 * n DX values, then Wilder-smoothed. First 2n-1 values of adx and n of the others are NaN. Matches TA-Lib
 * ADX, PLUS_DI, MINUS_DI and DX, including their zero-range rules (DI 0; DX and ADX keep their previous
 * value). TradingView's `ta.dmi` seeds its RMAs differently; technicalindicators' ADX returns shorter
 * arrays of objects.
 * NaN policy: a bar with a NaN high, low or close gives NaN in every output and is skipped: the next
 * bar's movement is taken against the last finite bar, as {@link ema} carries on.
 * @example
 * const { high, low, close } = await ql.loadDataset('BTCUSDT', '1h');
 * adx(high, low, close, 14).adx.findIndex(Number.isFinite) // 27 (NaN for the first 2n − 1 bars)
 */
export function adx(high: Series, low: Series, close: Series, n = 14): AdxResult {
  checkPeriod('adx', n, 2);
  const len = checkLengths('adx', { high, low, close });
  const ax = new Float64Array(len);
  const pdi = new Float64Array(len);
  const mdi = new Float64Array(len);
  const dxo = new Float64Array(len);
  // the same recursion as AdxState (the streaming form), inlined with locals for speed
  let c = 0;
  let ph = 0;
  let pl = 0;
  let pc = 0;
  let pdm = 0;
  let mdm = 0;
  let ttr = 0;
  let sumDx = 0;
  let lastAdx = 0;
  let lastDx = 0;
  const n1 = n - 1;
  const n2 = 2 * n - 1;
  for (let i = 0; i < len; i++) {
    const h = high[i]!;
    const l = low[i]!;
    const cl = close[i]!;
    if (h !== h || l !== l || cl !== cl || c === 0) {
      ax[i] = pdi[i] = mdi[i] = dxo[i] = NaN;
      if (h === h && l === l && cl === cl) {
        ph = h;
        pl = l;
        pc = cl;
        c = 1;
      }
      continue;
    }
    const diffP = h - ph;
    const diffM = pl - l;
    let tr = h - l;
    const t1 = Math.abs(h - pc);
    if (t1 > tr) tr = t1;
    const t2 = Math.abs(l - pc);
    if (t2 > tr) tr = t2;
    ph = h;
    pl = l;
    pc = cl;
    const minus = diffM > 0 && diffP < diffM;
    const plus = !minus && diffP > 0 && diffP > diffM;
    if (c < n) {
      if (minus) mdm += diffM;
      else if (plus) pdm += diffP;
      ttr += tr;
      ax[i] = pdi[i] = mdi[i] = dxo[i] = NaN;
      c++;
      continue;
    }
    mdm -= mdm / n;
    pdm -= pdm / n;
    if (minus) mdm += diffM;
    else if (plus) pdm += diffP;
    ttr = ttr - ttr / n + tr;
    let md = 0.0;
    let pd = 0.0;
    let dx = NaN;
    if (!(ttr > -EPS && ttr < EPS)) {
      md = 100.0 * (mdm / ttr);
      pd = 100.0 * (pdm / ttr);
      const sum = md + pd;
      if (!(sum > -EPS && sum < EPS)) dx = 100.0 * (Math.abs(md - pd) / sum);
    }
    mdi[i] = md;
    pdi[i] = pd;
    if (dx === dx) lastDx = dx;
    else if (c === n) lastDx = 0.0;
    dxo[i] = lastDx;
    if (c < n2) {
      if (dx === dx) sumDx += dx;
      ax[i] = NaN;
    } else if (c === n2) {
      if (dx === dx) sumDx += dx;
      lastAdx = sumDx / n;
      ax[i] = lastAdx;
    } else {
      if (dx === dx) lastAdx = (lastAdx * n1 + dx) / n;
      ax[i] = lastAdx;
    }
    c++;
  }
  return { adx: ax, plusDI: pdi, minusDI: mdi, dx: dxo };
}

/**
 * @internal The recursion behind {@link adx} and {@link adxStream}; after `update` the four fields hold
 * the outputs for that bar.
 */
class AdxState {
  adx = NaN;
  plusDI = NaN;
  minusDI = NaN;
  dx = NaN;
  private c = 0; // finite bars seen before this one
  private ph = 0;
  private pl = 0;
  private pc = 0;
  private pdm = 0;
  private mdm = 0;
  private tr = 0;
  private sumDx = 0;
  private lastAdx = 0;
  private lastDx = 0;

  constructor(private readonly n: number) {}

  update(h: number, l: number, cl: number): void {
    if (h !== h || l !== l || cl !== cl) {
      this.adx = this.plusDI = this.minusDI = this.dx = NaN;
      return;
    }
    const n = this.n;
    const c = this.c++;
    if (c === 0) {
      this.ph = h;
      this.pl = l;
      this.pc = cl;
      return;
    }
    const diffP = h - this.ph;
    const diffM = this.pl - l;
    let tr = h - l;
    const t1 = Math.abs(h - this.pc);
    if (t1 > tr) tr = t1;
    const t2 = Math.abs(l - this.pc);
    if (t2 > tr) tr = t2;
    this.ph = h;
    this.pl = l;
    this.pc = cl;
    const minus = diffM > 0 && diffP < diffM;
    const plus = !minus && diffP > 0 && diffP > diffM;
    if (c < n) {
      if (minus) this.mdm += diffM;
      else if (plus) this.pdm += diffP;
      this.tr += tr;
      return; // outputs stay NaN
    }
    this.mdm -= this.mdm / n;
    this.pdm -= this.pdm / n;
    if (minus) this.mdm += diffM;
    else if (plus) this.pdm += diffP;
    this.tr = this.tr - this.tr / n + tr;
    const ttr = this.tr;
    let mdi = 0.0;
    let pdi = 0.0;
    let dx = NaN; // NaN: no new DX this bar (zero range)
    if (!(ttr > -EPS && ttr < EPS)) {
      mdi = 100.0 * (this.mdm / ttr);
      pdi = 100.0 * (this.pdm / ttr);
      const sum = mdi + pdi;
      if (!(sum > -EPS && sum < EPS)) dx = 100.0 * (Math.abs(mdi - pdi) / sum);
    }
    this.minusDI = mdi;
    this.plusDI = pdi;
    if (dx === dx) this.lastDx = dx;
    else if (c === n) this.lastDx = 0.0;
    this.dx = this.lastDx;
    if (c < 2 * n - 1) {
      if (dx === dx) this.sumDx += dx;
      this.adx = NaN;
    } else if (c === 2 * n - 1) {
      if (dx === dx) this.sumDx += dx;
      this.lastAdx = this.sumDx / n;
      this.adx = this.lastAdx;
    } else {
      if (dx === dx) this.lastAdx = (this.lastAdx * (n - 1) + dx) / n;
      this.adx = this.lastAdx;
    }
  }

  reset(): void {
    this.adx = this.plusDI = this.minusDI = this.dx = NaN;
    this.c = 0;
    this.pdm = this.mdm = this.tr = this.sumDx = this.lastAdx = this.lastDx = 0;
  }
}

/** Streaming twin of {@link adx}: returns a fresh `{ adx, plusDI, minusDI, dx }` per bar. */
export function adxStream(n = 14): Stream<Bar, AdxValue> {
  checkPeriod('adxStream', n, 2);
  const st = new AdxState(n);
  return {
    update(b: Bar): AdxValue {
      st.update(b.high, b.low, b.close);
      return { adx: st.adx, plusDI: st.plusDI, minusDI: st.minusDI, dx: st.dx };
    },
    reset: () => st.reset(),
  };
}

/** Descriptor of {@link adx} (TA-Lib ADX; +DI, −DI and DX are PLUS_DI, MINUS_DI and DX). */
export const adxDescriptor = defineIndicator({
  name: 'adx',
  title: 'Average directional index with +DI, −DI and DX',
  inputs: ['high', 'low', 'close'],
  params: { n: intParam(14, 2) },
  outputs: ['adx', 'plusDI', 'minusDI', 'dx'],
  warmup: (p) => ({ adx: 2 * p.n - 1, plusDI: p.n, minusDI: p.n, dx: p.n }),
  talib: [
    { fn: 'ADX', options: { n: 'optInTimePeriod' }, outputs: { adx: 'outReal' } },
    { fn: 'PLUS_DI', options: { n: 'optInTimePeriod' }, outputs: { plusDI: 'outReal' } },
    { fn: 'MINUS_DI', options: { n: 'optInTimePeriod' }, outputs: { minusDI: 'outReal' } },
    { fn: 'DX', options: { n: 'optInTimePeriod' }, outputs: { dx: 'outReal' } },
  ],
  whole: ([h, l, c], p) => adx(h!, l!, c!, p.n),
  stream: (p) => adxStream(p.n),
});
