/**
 * Sparse targets: the bars whose target is not NaN, in increasing bar order, with their targets. The same
 * information as a dense targets array (every other bar NaN) without touching every bar — what the fast
 * sweep kernel consumes. Reuse one instance across runs (`clear()`); it grows as needed.
 */
export class TargetEvents {
  index: Int32Array;
  value: Float64Array;
  length = 0;
  constructor(capacity = 256) {
    this.index = new Int32Array(capacity);
    this.value = new Float64Array(capacity);
  }
  clear(): this {
    this.length = 0;
    return this;
  }
  /** Appends target `v` at bar `i` (bars must come in increasing order; NaN targets are not events). */
  push(i: number, v: number): void {
    if (this.length === this.index.length) {
      const idx = new Int32Array(this.index.length * 2);
      idx.set(this.index);
      const val = new Float64Array(this.value.length * 2);
      val.set(this.value);
      this.index = idx;
      this.value = val;
    }
    this.index[this.length] = i;
    this.value[this.length++] = v;
  }
  /** Collects the non-NaN entries of a dense targets array. */
  static fromDense(targets: Float64Array, into: TargetEvents = new TargetEvents()): TargetEvents {
    into.clear();
    for (let t = 0; t < targets.length; t++) {
      const v = targets[t]!;
      if (v === v) into.push(t, v);
    }
    return into;
  }
  /** The dense form: NaN everywhere but at the events. */
  toDense(n: number, out: Float64Array = new Float64Array(n)): Float64Array {
    out.fill(NaN);
    for (let k = 0; k < this.length; k++) out[this.index[k]!] = this.value[k]!;
    return out;
  }
}
