import { QuantlabError } from '../core';

function same(fn: string, a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (!a || !b || a.length !== b.length) throw new QuantlabError('BAD_ARGUMENT', `${fn}: expected y and predictions of equal length, found ${a?.length} and ${b?.length}`);
  if (a.length === 0) throw new QuantlabError('BAD_ARGUMENT', `${fn}: expected at least one row, found none`);
  return a.length;
}

/**
 * Share of rows where the predicted class equals the label.
 * @example accuracy([1, 0, 1, 1], [1, 1, 1, 0]) // 0.5
 */
export function accuracy(y: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const n = same('accuracy', y, predicted);
  let k = 0;
  for (let i = 0; i < n; i++) if (y[i] === predicted[i]) k++;
  return k / n;
}

/**
 * Mean binary cross-entropy of P(y = 1), probabilities clipped to [1e-15, 1 − 1e-15] (scikit-learn's
 * convention), natural log.
 * @example logLoss([1, 0], [0.5, 0.5]) // ≈ 0.6931471805599453
 */
export function logLoss(y: ArrayLike<number>, p: ArrayLike<number>): number {
  const n = same('logLoss', y, p);
  const eps = 1e-15;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const q = Math.min(1 - eps, Math.max(eps, p[i]!));
    s -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return s / n;
}

/**
 * Area under the ROC curve of scores for binary labels: the probability that a random positive scores above
 * a random negative, ties counting one half (Mann–Whitney).
 * @example rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) // 0.75
 */
export function rocAuc(y: ArrayLike<number>, score: ArrayLike<number>): number {
  const n = same('rocAuc', y, score);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a]! - score[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]!] === score[order[i]!]) j++;
    const mid = (i + j) / 2 + 1; // average 1-based rank of the tie group
    for (let k = i; k <= j; k++) if (y[order[k]!] === 1) {
      pos++;
      rankSum += mid;
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) throw new QuantlabError('BAD_ARGUMENT', `rocAuc: expected both classes among the labels, found ${pos} positives and ${neg} negatives`);
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Mean squared difference of P(y = 1) and the label. */
export function brierScore(y: ArrayLike<number>, p: ArrayLike<number>): number {
  const n = same('brierScore', y, p);
  let s = 0;
  for (let i = 0; i < n; i++) s += (p[i]! - y[i]!) ** 2;
  return s / n;
}

/** @example meanSquaredError([1, 2], [1, 4]) // 2 */
export function meanSquaredError(y: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const n = same('meanSquaredError', y, predicted);
  let s = 0;
  for (let i = 0; i < n; i++) s += (predicted[i]! - y[i]!) ** 2;
  return s / n;
}

/** Coefficient of determination, 1 − SSE/SST (0 for predicting the mean, negative when worse). */
export function r2Score(y: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const n = same('r2Score', y, predicted);
  let m = 0;
  for (let i = 0; i < n; i++) m += y[i]!;
  m /= n;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    sse += (y[i]! - predicted[i]!) ** 2;
    sst += (y[i]! - m) ** 2;
  }
  return 1 - sse / sst;
}
