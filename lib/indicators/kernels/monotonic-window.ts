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
