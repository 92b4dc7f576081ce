import type { Bar, Series, Stream } from '../core';
import { BLOCK } from './kernels/blocks';
import { checkLengths } from './kernels/checks';
import { defineIndicator } from './descriptor';

/**
 * On-balance volume: starts at volume[0], then adds the bar's volume when close rises, subtracts it
 * when close falls. No warm-up (first value is volume[0]). Matches TA-Lib OBV. (TradingView's
 * `ta.obv` starts from 0 instead of volume[0]: the curves differ by that constant.)
 * NaN policy (cumulative family): a bar with a NaN close or volume outputs NaN and is skipped; the
 * next bar compares with the last finite close. Leading NaN bars are NaN; the first finite bar starts.
 * @example obv(Float64Array.of(10, 11, 11, 9), Float64Array.of(5, 3, 2, 4)) // [5, 8, 8, 4]
 */
export function obv(close: Series, volume: Series, out: Series = new Float64Array(close.length)): Series {
  checkLengths('obv', { close, volume });
  const len = close.length;
  let i = 0;
  for (; i < len; i++) {
    const c = close[i]!;
    const v = volume[i]!;
    if (c === c && v === v) break;
    out[i] = NaN; // before the first finite bar
  }
  if (i === len) return out;
  // state = [running total, previous finite close]; blocks: see kernels/blocks.ts
  const st = Float64Array.of(volume[i]!, close[i]!);
  out[i] = st[0]!;
  for (let s = i + 1; s < len; s += BLOCK) obvBlock(close, volume, s, s + BLOCK < len ? s + BLOCK : len, out, st);
  return out;
}

function obvBlock(close: Series, volume: Series, s: number, e: number, out: Series, st: Float64Array): void {
  let acc = st[0]!;
  let prev = st[1]!;
  for (let i = s; i < e; i++) {
    const c = close[i]!;
    const v = volume[i]!;
    if (c !== c || v !== v) {
      out[i] = NaN;
      continue;
    }
    acc += v * (+(c > prev) - +(c < prev)); // as step(), inlined
    prev = c;
    out[i] = acc;
  }
  st[0] = acc;
  st[1] = prev;
}

/**
 * acc + v if the close rose, acc − v if it fell, acc if unchanged — as v times the sign of the change,
 * without branches (up and down are a coin flip on real prices). Equal to TA-Lib's branches bit for bit
 * (adding v·0 = ±0 leaves acc as it is) unless a volume is −0.
 */
const step = (acc: number, v: number, c: number, prev: number): number => acc + v * (+(c > prev) - +(c < prev));

/** Streaming twin of {@link obv}. */
export function obvStream(): Stream<Bar, number> {
  let started = false;
  let acc = 0;
  let prev = 0;
  return {
    update(bar: Bar): number {
      const c = bar.close;
      const v = bar.volume;
      if (c !== c || v !== v) return NaN;
      if (!started) {
        started = true;
        acc = v;
      } else acc = step(acc, v, c, prev);
      prev = c;
      return acc;
    },
    reset() {
      started = false;
      acc = 0;
      prev = 0;
    },
  };
}

/** Descriptor of {@link obv}. */
export const obvDescriptor = defineIndicator({
  name: 'obv',
  title: 'On-balance volume',
  inputs: ['close', 'volume'],
  params: {},
  warmup: () => 0,
  talib: { fn: 'OBV', inputs: ['inReal', 'volume'] },
  whole: ([c, v]) => obv(c!, v!),
  stream: () => obvStream(),
});
