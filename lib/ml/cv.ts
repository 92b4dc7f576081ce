import { QuantlabError } from '../core';
import { rng } from '../optimizer/rng';
import { walkForwardSplits, type SplitOptions } from '../optimizer/walk-forward';

/** One cross-validation split: row indices (into the dataset) to train on and to test on. */
export interface Split {
  readonly fold: number;
  readonly train: Int32Array;
  readonly test: Int32Array;
  /** Training rows removed because their label span overlaps the test rows' (purge) or follows them (embargo). */
  readonly purged: number;
  readonly embargoed: number;
}

/** What the splitters need of a dataset: each row's bar and the last bar its label reads, in bar order. */
export interface Spans {
  readonly start: Int32Array;
  readonly end: Int32Array;
}

const bad = (fn: string, m: string) => new QuantlabError('BAD_ARGUMENT', `${fn}: ${m}`);

function checkSpans(fn: string, d: Spans): number {
  if (!d || !(d.start instanceof Int32Array) || !(d.end instanceof Int32Array) || d.start.length !== d.end.length) {
    throw bad(fn, 'expected a dataset (ml.dataset(features, labels)) with start and end Int32Arrays of equal length');
  }
  for (let i = 0; i < d.start.length; i++) {
    if (d.end[i]! < d.start[i]!) throw bad(fn, `row ${i}: label ends at bar ${d.end[i]}, before its start ${d.start[i]}`);
    if (i && d.start[i]! <= d.start[i - 1]!) throw bad(fn, `rows must be in bar order: row ${i} starts at bar ${d.start[i]}, row ${i - 1} at ${d.start[i - 1]}`);
  }
  return d.start.length;
}

/** The longest label span of the dataset, in bars (end − start). */
export function maxSpan(d: Spans): number {
  let m = 0;
  for (let i = 0; i < d.start.length; i++) m = Math.max(m, d.end[i]! - d.start[i]!);
  return m;
}

/**
 * Training rows for a contiguous block of test rows [a, b): drops every row whose label span [start, end]
 * overlaps the test block's bars [start[a], max end in the block] (purge), and the rows starting within
 * `embargo` bars after that block (embargo: features that look back into the test period).
 */
function purgedTrain(d: Spans, a: number, b: number, embargo: number, candidates: Iterable<number>): { train: Int32Array; purged: number; embargoed: number } {
  const lo = d.start[a]!;
  let hi = lo;
  for (let i = a; i < b; i++) hi = Math.max(hi, d.end[i]!);
  const out: number[] = [];
  let purged = 0;
  let embargoed = 0;
  for (const i of candidates) {
    if (i >= a && i < b) continue;
    if (d.start[i]! <= hi && d.end[i]! >= lo) purged++;
    else if (d.start[i]! > hi && d.start[i]! <= hi + embargo) embargoed++;
    else out.push(i);
  }
  return { train: Int32Array.from(out), purged, embargoed };
}

export interface PurgedKFoldOptions {
  /** Number of folds (contiguous test blocks in bar order). Default 5. */
  folds?: number;
  /** Bars after each test block whose rows leave the training set. Default: the longest label span. */
  embargo?: number;
}

/**
 * Purged k-fold (López de Prado, AFML ch. 7): k contiguous test blocks; training rows whose label spans
 * overlap a test block are purged and the rows just after it are embargoed.
 * @example
 * import { ind } from 'quantlab';
 * const bars = await ql.loadDataset('BTCUSDT', '1d');
 * const d = ql.ml.dataset(ql.ml.features(bars, { rsi: ind.rsi(14) }), ql.ml.labels.forwardReturn(bars, 5));
 * const s = purgedKFold(d, { folds: 5 });
 * s.length // 5
 * s[2].purged // 10
 * s[2].embargoed // 5
 */
export function purgedKFold(d: Spans, options: PurgedKFoldOptions = {}): Split[] {
  const n = checkSpans('purgedKFold', d);
  const k = options.folds ?? 5;
  if (!(Number.isInteger(k) && k >= 2)) throw bad('purgedKFold', `expected folds to be an integer >= 2, found ${k}`);
  if (n < k) throw bad('purgedKFold', `expected at least ${k} rows for ${k} folds, found ${n}`);
  const embargo = options.embargo ?? maxSpan(d);
  if (!(Number.isInteger(embargo) && embargo >= 0)) throw bad('purgedKFold', `expected embargo to be an integer >= 0, found ${embargo}`);
  const all = Array.from({ length: n }, (_, i) => i);
  const out: Split[] = [];
  for (let f = 0; f < k; f++) {
    const a = Math.floor((f * n) / k);
    const b = Math.floor(((f + 1) * n) / k);
    const { train, purged, embargoed } = purgedTrain(d, a, b, embargo, all);
    out.push({ fold: f, train, test: Int32Array.from({ length: b - a }, (_, i) => a + i), purged, embargoed });
  }
  return out;
}

/**
 * Plain k-fold over rows, shuffled with a seed by default: no purge, no embargo. With overlapping labels it
 * leaks the test labels into training — it is here as the naive baseline the purged split is compared with.
 */
export function kFold(rows: number, options: { folds?: number; shuffle?: boolean; seed?: number } = {}): Split[] {
  const k = options.folds ?? 5;
  if (!(Number.isInteger(k) && k >= 2)) throw bad('kFold', `expected folds to be an integer >= 2, found ${k}`);
  if (!(Number.isInteger(rows) && rows >= k)) throw bad('kFold', `expected at least ${k} rows, found ${rows}`);
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  if (options.shuffle ?? true) {
    const r = rng(options.seed ?? 0, 0x6b66);
    for (let i = rows - 1; i > 0; i--) {
      const j = r.int(i + 1);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
  }
  const out: Split[] = [];
  for (let f = 0; f < k; f++) {
    const a = Math.floor((f * rows) / k);
    const b = Math.floor(((f + 1) * rows) / k);
    const test = order.slice(a, b).sort();
    const train = Int32Array.from([...order.slice(0, a), ...order.slice(b)]).sort();
    out.push({ fold: f, train, test, purged: 0, embargoed: 0 });
  }
  return out;
}

/**
 * Walk-forward splits over the dataset's rows (the optimiser's `walkForwardSplits`, in rows), with the
 * training rows whose labels reach into the test window purged: a model is trained only on labels that
 * were known before the first test bar.
 * @example
 * import { ind } from 'quantlab';
 * const bars = await ql.loadDataset('BTCUSDT', '1d');
 * const d = ql.ml.dataset(ql.ml.features(bars, { rsi: ind.rsi(14) }), ql.ml.labels.forwardReturn(bars, 5));
 * const s = walkForwardCV(d, { train: 1000, test: 200 });
 * s[0].train.length // 995
 * s[0].purged // 5
 */
export function walkForwardCV(d: Spans, options: SplitOptions): Split[] {
  const n = checkSpans('walkForwardCV', d);
  return walkForwardSplits(n, options).map((f) => {
    const cand = Array.from({ length: f.train.end - f.train.start }, (_, i) => f.train.start + i);
    const { train, purged, embargoed } = purgedTrain(d, f.test.start, f.test.end, 0, cand);
    return { fold: f.fold, train, test: Int32Array.from({ length: f.test.end - f.test.start }, (_, i) => f.test.start + i), purged, embargoed };
  });
}
