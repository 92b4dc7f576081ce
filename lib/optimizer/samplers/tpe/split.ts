import { crowding, lastIntermediate, minimised, nonDominatedFronts, type Direction, type TrialRecord } from '../../trial';

/** The observations of each trial group, split good/bad. */
export interface Split {
  below: TrialRecord[];
  above: TrialRecord[];
}

/**
 * Ranks the finished trials and puts the best γ(n) in the good group. Single objective: complete by value,
 * then pruned by the step reached and the last value. Several objectives: non-dominated fronts, the last
 * front that fits cut by crowding distance; pruned trials rank last.
 */
export function split(history: readonly TrialRecord[], directions: readonly Direction[], gamma: (n: number) => number): Split {
  const nBelow = Math.max(0, Math.min(history.length, gamma(history.length)));
  let ranked: TrialRecord[];
  if (directions.length === 1) return splitSingle(history, directions[0]!, nBelow);
  else {
    const done = history.filter((t) => t.state === 'complete');
    const rest = history.filter((t) => t.state !== 'complete');
    const pts = done.map((t) => minimised(t, directions));
    ranked = [];
    for (const front of nonDominatedFronts(pts)) {
      if (ranked.length + front.length <= nBelow) ranked.push(...front.map((i) => done[i]!));
      else {
        const cd = crowding(front.map((i) => pts[i]!));
        const order = front.map((i, j) => [i, cd[j]!] as const).sort((a, b) => b[1] - a[1] || done[a[0]]!.number - done[b[0]]!.number);
        ranked.push(...order.map(([i]) => done[i]!));
      }
    }
    ranked.push(...rest);
  }
  const byNumber = (a: TrialRecord, b: TrialRecord) => a.number - b.number;
  return { below: ranked.slice(0, nBelow).sort(byNumber), above: ranked.slice(nBelow).sort(byNumber) };
}

/**
 * Single objective: the best nBelow trials (same order as sortBest: complete by value, then pruned by step
 * reached and last value, ties by number) by one pass with a small sorted buffer; the rest stay in number order.
 */
function splitSingle(history: readonly TrialRecord[], direction: Direction, nBelow: number): Split {
  const sg = direction === 'minimize' ? 1 : -1;
  const n = history.length;
  const k1 = new Float64Array(n); // 0 complete, 1 pruned
  const k2 = new Float64Array(n); // −step for pruned
  const k3 = new Float64Array(n); // signed value (Infinity for NaN)
  for (let i = 0; i < n; i++) {
    const t = history[i]!;
    if (t.state === 'complete') {
      const v = t.values?.[0] ?? NaN;
      k3[i] = v === v ? sg * v : Infinity;
    } else {
      k1[i] = 1;
      const last = lastIntermediate(t);
      if (!last || last[1] !== last[1]) k3[i] = Infinity;
      else {
        k2[i] = -last[0];
        k3[i] = sg * last[1];
      }
    }
  }
  const less = (a: number, b: number): boolean =>
    k1[a]! !== k1[b]! ? k1[a]! < k1[b]! : k2[a]! !== k2[b]! ? k2[a]! < k2[b]! : k3[a]! !== k3[b]! ? k3[a]! < k3[b]! : history[a]!.number < history[b]!.number;
  const top: number[] = [];
  for (let i = 0; i < n && nBelow > 0; i++) {
    if (top.length === nBelow && !less(i, top[nBelow - 1]!)) continue;
    let j = top.length === nBelow ? nBelow - 1 : top.length;
    if (top.length < nBelow) top.push(i);
    while (j > 0 && less(i, top[j - 1]!)) {
      top[j] = top[j - 1]!;
      j--;
    }
    top[j] = i;
  }
  const inBelow = new Uint8Array(n);
  for (const i of top) inBelow[i] = 1;
  const below: TrialRecord[] = [];
  const above: TrialRecord[] = [];
  for (let i = 0; i < n; i++) (inBelow[i] ? below : above).push(history[i]!);
  return { below, above };
}
