import { QuantlabError } from './errors';

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** A bar length: the text form ('15m') and its length in milliseconds. */
export interface Timeframe {
  readonly name: string;
  readonly ms: number;
}

/** Parses '1m', '5m', '1h', '4h', '1d', '1w' (also '30s'). Returns the timeframe; throws BAD_TIMEFRAME otherwise. */
export function parseTimeframe(text: string): Timeframe {
  const m = /^(\d+)([smhdw])$/.exec(String(text).trim());
  if (!m || Number(m[1]) <= 0) {
    throw new QuantlabError(
      'BAD_TIMEFRAME',
      `timeframe: expected a number followed by s, m, h, d or w (e.g. '1m', '4h', '1d'), found '${printable(String(text))}'`,
    );
  }
  const n = Number(m[1]);
  const unit = m[2] as string;
  return { name: `${n}${unit}`, ms: n * (UNIT_MS[unit] as number) };
}

/** Returns the shortest name for a bar length in ms ('1h' for 3600000), or `${ms}ms` if none fits. */
export function timeframeName(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's']) {
    const u = UNIT_MS[unit] as number;
    if (ms >= u && ms % u === 0) return `${ms / u}${unit}`;
  }
  return `${ms}ms`;
}

/** Bars per 365-day year for a timeframe (crypto trades around the clock). */
export function barsPerYear(timeframe: string | Timeframe): number {
  const tf = typeof timeframe === 'string' ? parseTimeframe(timeframe) : timeframe;
  return (365 * UNIT_MS.d!) / tf.ms;
}

/** ISO-8601 UTC text of an epoch-ms time, without milliseconds when they are zero. */
export function isoTime(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (Math.abs(ms) > 8.64e15) return `${ms} ms (out of the date range)`; // toISOString would throw
  const s = new Date(ms).toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, -5)}Z` : s;
}

/** At most 40 characters of `s` with control characters escaped (the text may come from a file). */
function printable(s: string): string {
  const t = s.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return t.length > 40 ? `${t.slice(0, 40)}…` : t;
}
