/** Splitting columns into their NaN-free runs, so a windowed kernel gets "an output whose window holds a NaN is NaN" for free. */

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
