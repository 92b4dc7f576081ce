import { QuantlabError } from './errors';

/**
 * Small building blocks shared by the windowed indicators: splitting a series into its NaN-free runs,
 * and a monotonic window (rolling highest / lowest with its position) for the streaming twins.
 */

/**
 * Calls `run(start, end)` for each maximal run [start, end) of indices where no column holds a NaN, and
 * writes NaN into every `outs` column at the indices where some column does. A windowed indicator that
 * runs its kernel on each run gets "an output whose window contains a NaN is NaN" for free.
 */
export function forEachFiniteRun(
  cols: readonly Float64Array[],
  len: number,
  outs: readonly Float64Array[],
  run: (start: number, end: number) => void,
): void {
  let start = 0;
  const k = cols.length;
  if (k === 0) {
    if (len > 0) run(0, len);
    return;
  }
  if (k > 4) {
    for (let i = 0; i < len; i++) {
      let bad = false;
      for (let c = 0; c < k; c++) {
        const v = cols[c]![i]!;
        if (v !== v) bad = true;
      }
      if (bad) {
        if (i > start) run(start, i);
        for (let j = 0; j < outs.length; j++) outs[j]![i] = NaN;
        start = i + 1;
      }
    }
  } else {
    // up to four columns through locals (a missing one repeats the first): one predictable pass
    const c0 = cols[0]!;
    const c1 = cols[k > 1 ? 1 : 0]!;
    const c2 = cols[k > 2 ? 2 : 0]!;
    const c3 = cols[k > 3 ? 3 : 0]!;
    for (let i = 0; i < len; i++) {
      // NaN poisons the sum; infinities are finite inputs here, so test them separately
      const v = c0[i]! + c1[i]! + c2[i]! + c3[i]!;
      if (v === v) continue;
      if (c0[i] === c0[i] && c1[i] === c1[i] && c2[i] === c2[i] && c3[i] === c3[i]) continue; // +inf + -inf
      if (i > start) run(start, i);
      for (let j = 0; j < outs.length; j++) outs[j]![i] = NaN;
      start = i + 1;
    }
  }
  if (len > start) run(start, len);
}

/**
 * Rolling highest (or lowest) of the last `size` values pushed, with the push count at which it was
 * seen (ties go to the most recent value, as TA-Lib's AROON does). O(1) amortised per push, no
 * allocation after construction.
 */
export class MonotonicWindow {
  private readonly vals: Float64Array;
  private readonly idxs: Float64Array;
  private readonly cap: number;
  private head = 0;
  private count = 0; // entries in the deque
  private pushed = 0; // values pushed since reset

  constructor(
    readonly size: number,
    readonly kind: 'max' | 'min',
  ) {
    this.cap = size + 1;
    this.vals = new Float64Array(this.cap);
    this.idxs = new Float64Array(this.cap);
  }

  /** Adds a value (the newest of the window). */
  push(v: number): void {
    const cap = this.cap;
    const vals = this.vals;
    const isMax = this.kind === 'max';
    // drop entries the new value dominates (ties: the newer one wins)
    while (this.count > 0) {
      const back = vals[(this.head + this.count - 1) % cap]!;
      if (isMax ? back <= v : back >= v) this.count--;
      else break;
    }
    const at = (this.head + this.count) % cap;
    vals[at] = v;
    this.idxs[at] = this.pushed;
    this.count++;
    this.pushed++;
    // drop the front when it left the window
    const oldest = this.pushed - this.size;
    while (this.idxs[this.head]! < oldest) {
      this.head = (this.head + 1) % cap;
      this.count--;
    }
  }

  /** The extreme of the window. */
  get value(): number {
    return this.vals[this.head]!;
  }

  /** How many pushes ago the extreme was seen (0 = the latest value). */
  get age(): number {
    return this.pushed - 1 - this.idxs[this.head]!;
  }

  /** Values pushed since the last reset. */
  get length(): number {
    return this.pushed;
  }

  reset(): void {
    this.head = 0;
    this.count = 0;
    this.pushed = 0;
  }
}

/**
 * Throws BAD_ARGUMENT naming the function unless every column has the length of the first one.
 * Returns that length.
 */
export function checkLengths(fn: string, cols: Record<string, ArrayLike<number>>): number {
  const names = Object.keys(cols);
  const first = names[0]!;
  const len = cols[first]!.length;
  for (const k of names) {
    const l = cols[k]!.length;
    if (l !== len) {
      throw new QuantlabError('BAD_ARGUMENT', `${fn}: ${k} has ${l} values, expected ${len} (the length of ${first})`);
    }
  }
  return len;
}
