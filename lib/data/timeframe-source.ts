import { basename } from 'node:path';
import { parseTimeframe, QuantlabError, timeframeName, type Timeframe } from '../core';
import { excerpt } from './excerpt';

/** Where a load's timeframe came from. */
export type TimeframeSource = 'option' | 'metadata' | 'file name' | 'inferred from spacing';

/** Timeframe tokens in a file name (`binance_BTCUSDT_1h.csv` → ['1h']); several distinct ones are all returned. */
export function nameTimeframes(path: string): string[] {
  const stem = basename(path).replace(/\.[^.]+$/, '');
  const found = stem.split(/[_\-.\s]+/).filter((t) => /^\d+[smhdw]$/.test(t));
  return [...new Set(found)];
}

/** The most common positive spacing between consecutive times, with how often it occurs; undefined with fewer than two distinct times. */
export function modalSpacing(times: Float64Array): { ms: number; count: number; steps: number } | undefined {
  let ts = times;
  for (let i = 1; i < times.length; i++) {
    if (times[i]! < times[i - 1]!) {
      ts = times.slice().sort(); // unsorted input (an error unless sorting is asked for): the spacing of the sorted times
      break;
    }
  }
  const counts = new Map<number, number>();
  let steps = 0;
  let last = NaN;
  let lastCount = 0;
  for (let i = 1; i < ts.length; i++) {
    const d = ts[i]! - ts[i - 1]!;
    if (!(d > 0)) continue;
    steps++;
    if (d === last) {
      lastCount++;
      continue;
    }
    if (lastCount) counts.set(last, (counts.get(last) ?? 0) + lastCount);
    last = d;
    lastCount = 1;
  }
  if (lastCount) counts.set(last, (counts.get(last) ?? 0) + lastCount);
  let best = 0;
  let bestCount = 0;
  for (const [d, c] of counts) if (c > bestCount || (c === bestCount && d < best)) [best, bestCount] = [d, c];
  return best ? { ms: best, count: bestCount, steps } : undefined;
}

export interface ResolvedTimeframe {
  tf: Timeframe;
  source: TimeframeSource;
  /** Disagreements an explicit option overrode. */
  warnings: string[];
}

/**
 * Decides a load's timeframe from the `option`, the file's `metadata`, the `file` name and the spacing of the
 * times `ts`. The option wins (disagreements become warnings). Otherwise every source present must agree:
 * when two disagree (the name says 3m, the data are hourly) the load stops with TIMEFRAME_MISMATCH listing
 * each source. With no source at all it is BAD_TIMEFRAME.
 */
export function resolveTimeframe(ts: Float64Array, file: string, shownFile: string, option?: string, metadata?: string): ResolvedTimeframe {
  const claims: Array<{ source: TimeframeSource; tf: Timeframe; text: string }> = [];
  if (metadata !== undefined) {
    let tf: Timeframe;
    try {
      tf = parseTimeframe(metadata);
    } catch {
      throw new QuantlabError('BAD_TIMEFRAME', `${shownFile}: the file metadata's timeframe '${excerpt(metadata, 30)}' is not a timeframe (expected e.g. 1m, 1h, 1d); pass { timeframe } (--timeframe) to say which it is`);
    }
    claims.push({ source: 'metadata', tf, text: `the file metadata says ${tf.name}` });
  }
  for (const t of nameTimeframes(file)) claims.push({ source: 'file name', tf: parseTimeframe(t), text: `the file name says ${t} (token '${excerpt(t, 12)}')` });
  const sp = modalSpacing(ts);
  if (sp) {
    const tf = { name: timeframeName(sp.ms), ms: sp.ms };
    claims.push({ source: 'inferred from spacing', tf, text: `the times are ${tf.name} apart (${sp.count} of ${sp.steps} steps)` });
  }
  if (option !== undefined) {
    const tf = parseTimeframe(option);
    const warnings = claims.filter((c) => c.tf.ms !== tf.ms).map((c) => `${shownFile}: ${c.text}, but the timeframe option ${tf.name} was used`);
    return { tf, source: 'option', warnings };
  }
  if (!claims.length) {
    throw new QuantlabError('BAD_TIMEFRAME', `${shownFile}: cannot tell the timeframe (fewer than two distinct times, and neither the metadata nor the file name gives one); pass { timeframe: '1h' } (--timeframe)`);
  }
  const declared = claims.filter((c) => c.source !== 'inferred from spacing');
  const spacing = claims.find((c) => c.source === 'inferred from spacing');
  const disagree = declared.some((c) => c.tf.ms !== declared[0]!.tf.ms) || (spacing && declared.length > 0 && spacingContradicts(spacing.tf.ms, declared[0]!.tf.ms, sp!));
  if (disagree) {
    throw new QuantlabError(
      'TIMEFRAME_MISMATCH',
      `${shownFile}: the timeframe sources disagree: ${claims.map((c) => c.text).join('; ')}. Expected them to agree; pass { timeframe } (--timeframe) to say which is right`,
      { claims: claims.map((c) => ({ source: c.source, timeframe: c.tf.name })) },
    );
  }
  return { tf: claims[0]!.tf, source: claims[0]!.source, warnings: [] };
}

/**
 * Whether the spacing of the times contradicts a declared timeframe. Bars further apart than declared, by a
 * whole multiple (hourly bars in a file named 3m), would pass the grid check as gaps everywhere, so any such
 * spacing contradicts. A spacing off the declared grid (90m against 1h) contradicts when at least two steps
 * and most steps show it; with less evidence the grid check reports the rows (OFF_GRID).
 */
function spacingContradicts(spacingMs: number, declaredMs: number, sp: { count: number; steps: number }): boolean {
  if (spacingMs === declaredMs) return false;
  if (spacingMs % declaredMs === 0) return true;
  return sp.count >= 2 && sp.count * 2 > sp.steps;
}
