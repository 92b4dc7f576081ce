import { isoTime, QuantlabError } from '../core';
import { isoCell, isPlainDecimal } from './cells';
import { excerpt } from './excerpt';

/** Unit of epoch numbers in a time column. */
export type TimeUnit = 's' | 'ms' | 'us' | 'ns';
export const TIME_UNITS: readonly TimeUnit[] = ['s', 'ms', 'us', 'ns'];
const UNIT_NAME: Record<TimeUnit, string> = { s: 'epoch seconds', ms: 'epoch milliseconds', us: 'epoch microseconds', ns: 'epoch nanoseconds' };

/** Earliest plausible crypto candle: the first Bitcoin block, 2009-01-03. */
export const CRYPTO_EPOCH = Date.UTC(2009, 0, 3);
/** A guessed unit that puts times before 1970 or from 2100 on cannot be right: the load stops. */
const GUESS_MIN = 0;
const GUESS_MAX = Date.UTC(2100, 0, 1);
/** The largest time a JavaScript Date can hold (±8.64e15 ms). */
const DATE_MAX = 8.64e15;

/** Magnitude class of an epoch number: 0 seconds (< 1e11), 1 ms (< 1e14), 2 µs (< 1e17), 3 ns. */
const magnitude = (v: number): number => {
  const a = Math.abs(v);
  return a < 1e11 ? 0 : a < 1e14 ? 1 : a < 1e17 ? 2 : 3;
};

/** An epoch number in `unit` as ms (seconds rounded to the ms; µs and ns floored). */
export function toMs(v: number, unit: TimeUnit): number {
  return unit === 's' ? Math.round(v * 1000) : unit === 'ms' ? v : unit === 'us' ? Math.floor(v / 1000) : Math.floor(v / 1e6);
}

/** Parses a timeUnit option ('s', 'ms', 'us', 'ns'; also 'µs'); throws BAD_ARGUMENT otherwise. */
export function parseTimeUnit(text: string): TimeUnit {
  const t = String(text).trim().replace('µ', 'u') as TimeUnit;
  if (!TIME_UNITS.includes(t)) throw new QuantlabError('BAD_ARGUMENT', `timeUnit: expected one of s, ms, us, ns, found '${excerpt(String(text), 20)}'`);
  return t;
}

/**
 * Collects one time column cell by cell and decides its unit for the whole column at the end: ISO-8601 text
 * is stored as ms at once; epoch numbers are stored as found and scaled in {@link finish}, which refuses a
 * column mixing text and numbers or numbers of different magnitudes (seconds and milliseconds), naming the
 * first row of the smaller group, unless `unit` is given.
 */
export class TimeColumn {
  private iso = 0;
  private firstIso = -1;
  private nums = 0;
  private firstNum = -1;
  private readonly counts = [0, 0, 0, 0];
  private readonly firsts = [-1, -1, -1, -1];

  constructor(private readonly unit?: TimeUnit) {}

  /** A text cell (unquoted, trimmed) for row `row`; returns the value to store, NaN when it is not a time. */
  text(s: string, row: number): number {
    if (isPlainDecimal(s)) return this.number(Number(s), row);
    const t = isoCell(s);
    if (t === t) {
      if (this.iso++ === 0) this.firstIso = row;
    }
    return t;
  }

  /** An epoch number for row `row`; returns it unscaled (see {@link finish}). */
  number(v: number, row: number): number {
    if (this.nums++ === 0) this.firstNum = row;
    if (this.unit === undefined) {
      const k = magnitude(v);
      if (this.counts[k]!++ === 0) this.firsts[k] = row;
    }
    return v;
  }

  /** An ISO or Date value already in ms (Parquet TIMESTAMP/DATE). */
  ms(v: number, row: number): number {
    if (this.iso++ === 0) this.firstIso = row;
    return v;
  }

  /**
   * Scales the numbers in `ts` to ms with the column's unit and checks the range. `where(i)` names row i
   * (`row 3 (line 4)`). Returns how the times were read and warnings (times before 2009 or more than a year
   * ahead, naming the first such row); throws MIXED_UNITS for a mixed column, PARSE_ERROR for times a Date
   * cannot hold or that a guessed unit puts before 1970 or after 2099.
   */
  finish(ts: Float64Array, file: string, where: (i: number) => string, schemaUnit?: string): { timeUnit: string; warnings: string[] } {
    const n = ts.length;
    if (n === 0) return { timeUnit: schemaUnit ?? 'none (no rows)', warnings: [] };
    if (this.iso && this.nums) {
      const [a, b] = this.iso <= this.nums ? [this.firstIso, this.firstNum] : [this.firstNum, this.firstIso];
      throw new QuantlabError(
        'MIXED_UNITS',
        `${file}: the time column mixes ISO-8601 text (${this.iso} rows, first ${where(this.firstIso)}) and epoch numbers (${this.nums} rows, first ${where(this.firstNum)}); expected one kind for the whole column. First of the smaller group: ${where(a)}, found ${fmtCell(ts[a]!, this.iso <= this.nums)}; the other kind starts at ${where(b)}`,
      );
    }
    let unit: TimeUnit | undefined;
    let how: string;
    let guessed = false;
    if (!this.nums) {
      how = schemaUnit ?? 'ISO-8601 text';
    } else if (this.unit) {
      unit = this.unit;
      how = `${UNIT_NAME[unit]} (timeUnit option)`;
    } else {
      const present = [0, 1, 2, 3].filter((k) => this.counts[k]! > 0);
      if (present.length > 1) {
        const minority = present.reduce((a, b) => (this.counts[b]! < this.counts[a]! ? b : a));
        const majority = present.reduce((a, b) => (this.counts[b]! > this.counts[a]! ? b : a));
        const r = this.firsts[minority]!;
        throw new QuantlabError(
          'MIXED_UNITS',
          `${file}: the time column mixes ${present.map((k) => `${UNIT_NAME[TIME_UNITS[k]!]} (${this.counts[k]} rows)`).join(' and ')}; expected one unit for the whole column. ` +
            `First row in ${UNIT_NAME[TIME_UNITS[minority]!]}: ${where(r)}, found ${ts[r]} (${safeIso(toMs(ts[r]!, TIME_UNITS[minority]!))} in that unit, ${safeIso(toMs(ts[r]!, TIME_UNITS[majority]!))} in ${UNIT_NAME[TIME_UNITS[majority]!]}). Pass { timeUnit } (--time-unit) only if one unit really is meant`,
        );
      }
      unit = TIME_UNITS[present[0]!]!;
      how = `${UNIT_NAME[unit]} (by magnitude${schemaUnit ? `, ${schemaUnit}` : ''})`;
      guessed = true;
    }
    let lo = Infinity, hi = -Infinity, loAt = -1, hiAt = -1, rawLo = NaN, rawHi = NaN;
    for (let i = 0; i < n; i++) {
      const v = ts[i]!;
      const t = unit ? toMs(v, unit) : v;
      ts[i] = t;
      if (t < lo) rawLo = v;
      if (t > hi) rawHi = v;
      if (t < lo) (lo = t), (loAt = i);
      if (t > hi) (hi = t), (hiAt = i);
    }
    if (!(Math.abs(lo) <= DATE_MAX && Math.abs(hi) <= DATE_MAX)) {
      const i = Math.abs(lo) > DATE_MAX ? loAt : hiAt;
      throw new QuantlabError('PARSE_ERROR', `${file} ${where(i)}: time ${ts[i]} ms is out of range (expected within ±8.64e15 ms of 1970, what a date can hold; read as ${how})`);
    }
    if (guessed && (lo < GUESS_MIN || hi >= GUESS_MAX)) {
      let i = 0;
      while (i < n && ts[i]! >= GUESS_MIN && ts[i]! < GUESS_MAX) i++; // the first row out of range
      const found = ts[i]! === lo ? rawLo : ts[i]! === hi ? rawHi : unitValue(ts[i]!, unit!);
      const others = TIME_UNITS.filter((u) => u !== unit).map((u) => `${u} ${safeIso(toMs(found, u))}`).join(', ');
      throw new QuantlabError(
        'PARSE_ERROR',
        `${file} ${where(i)}: time ${excerpt(String(found), 30)} read as ${how} is ${isoTime(ts[i]!)}, outside 1970..2099; expected epoch times of real candles. In other units it would be: ${others}. Pass { timeUnit: 's' | 'ms' | 'us' | 'ns' } (--time-unit) to say which unit the file holds`,
      );
    }
    const warnings: string[] = [];
    if (!this.unit) {
      const ahead = Date.now() + 366 * 86_400_000;
      let early = -1, late = -1;
      for (let i = 0; i < n && (early < 0 || late < 0); i++) {
        const t = ts[i]!;
        if (early < 0 && t < CRYPTO_EPOCH) early = i;
        if (late < 0 && t > ahead) late = i;
      }
      const hint = unit ? ` (times read as ${how}; pass { timeUnit } if that is wrong)` : '';
      if (early >= 0) warnings.push(`${file} ${where(early)}: time ${isoTime(ts[early]!)} is before 2009-01-03, the first Bitcoin block, so it cannot be a crypto candle${hint}`);
      if (late >= 0) warnings.push(`${file} ${where(late)}: time ${isoTime(ts[late]!)} is more than a year in the future${hint}`);
    }
    return { timeUnit: how, warnings };
  }
}

/** A ms time back in `unit` (for messages). */
const unitValue = (ms: number, unit: TimeUnit): number => (unit === 's' ? ms / 1000 : unit === 'ms' ? ms : unit === 'us' ? ms * 1000 : ms * 1e6);
const safeIso = (ms: number): string => (Math.abs(ms) <= DATE_MAX ? isoTime(ms) : 'out of range');
const fmtCell = (v: number, isIso: boolean): string => (isIso ? isoTime(v) : String(v));
