import { isoTime } from '../core';
import { allocRaw, type RawOhlcv } from './raw';

/** Returns the rows sorted by time (stable: equal times keep file order). */
export function sortRaw(raw: RawOhlcv): RawOhlcv {
  const n = raw.ts.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => raw.ts[a]! - raw.ts[b]! || a - b);
  return pick(raw, order);
}

/**
 * Removes rows whose time equals the previous row's (input must be sorted). `keep` chooses which copy survives.
 * Returns the rows and how many identical and conflicting duplicates were removed.
 */
export function dropDuplicateRows(raw: RawOhlcv, keep: 'first' | 'last'): { raw: RawOhlcv; identical: number; conflicting: number; examples: string[] } {
  const n = raw.ts.length;
  const order: number[] = [];
  let identical = 0;
  let conflicting = 0;
  const examples: string[] = [];
  for (let i = 0; i < n; i++) {
    const last = order.length - 1;
    if (last >= 0 && raw.ts[order[last]!] === raw.ts[i]) {
      const j = order[last]!;
      const same = (['open', 'high', 'low', 'close', 'volume'] as const).every((k) => raw[k][i] === raw[k][j]);
      if (same) identical++;
      else {
        conflicting++;
        if (examples.length < 5) examples.push(`${isoTime(raw.ts[i]!)} (lines ${raw.line[j]} and ${raw.line[i]})`);
      }
      if (keep === 'last') order[last] = i;
    } else order.push(i);
  }
  return { raw: pick(raw, order), identical, conflicting, examples };
}

/**
 * Inserts a bar for every missing open time (input sorted, duplicate-free): open = high = low = close = the
 * previous close, volume 0, line 0 (no file line). Returns the rows and the number of bars inserted.
 */
export function forwardFillGaps(raw: RawOhlcv, tfMs: number): { raw: RawOhlcv; filled: number } {
  const n = raw.ts.length;
  let total = n;
  for (let i = 1; i < n; i++) total += Math.max(0, Math.round((raw.ts[i]! - raw.ts[i - 1]!) / tfMs) - 1);
  if (total === n) return { raw, filled: 0 };
  const out = allocRaw(total, raw.layout);
  let r = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      const c = raw.close[i - 1]!;
      for (let t = raw.ts[i - 1]! + tfMs; t < raw.ts[i]! - tfMs / 2; t += tfMs) {
        out.ts[r] = t;
        out.open[r] = out.high[r] = out.low[r] = out.close[r] = c;
        out.volume[r] = 0;
        out.line[r] = 0;
        r++;
      }
    }
    for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) out[k][r] = raw[k][i]!;
    out.line[r] = raw.line[i]!;
    r++;
  }
  return { raw: out, filled: total - n };
}

function pick(raw: RawOhlcv, order: number[]): RawOhlcv {
  const out = allocRaw(order.length, raw.layout);
  for (let r = 0; r < order.length; r++) {
    const i = order[r]!;
    out.ts[r] = raw.ts[i]!;
    out.open[r] = raw.open[i]!;
    out.high[r] = raw.high[i]!;
    out.low[r] = raw.low[i]!;
    out.close[r] = raw.close[i]!;
    out.volume[r] = raw.volume[i]!;
    out.line[r] = raw.line[i]!;
  }
  return out;
}
