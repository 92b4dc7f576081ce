/** Text and table views of a study result (for notebooks and the CLI). */
import type { TrialRecord } from '../optimizer';
import type { OptimizeResult } from '../research';

/**
 * Columns of the trial records for a table (`aq.table(trialColumns(r.trials))`): number, state, value(s), one
 * column per parameter, seconds, and `infeasible` (the reason, or null) when some trial broke a constraint.
 */
export function trialColumns(trials: readonly TrialRecord[]): Record<string, unknown[]> {
  const names = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
  const k = Math.max(1, ...trials.map((t) => t.values?.length ?? 0));
  const cols: Record<string, unknown[]> = { number: [], state: [] };
  const anyInfeasible = trials.some((t) => t.infeasible);
  for (let j = 0; j < k; j++) cols[k === 1 ? 'value' : `value${j}`] = [];
  for (const n of names) cols[n] = [];
  cols.seconds = [];
  for (const t of trials) {
    cols.number!.push(t.number);
    cols.state!.push(t.state);
    for (let j = 0; j < k; j++) cols[k === 1 ? 'value' : `value${j}`]!.push(t.values?.[j] ?? null);
    for (const n of names) cols[n]!.push(t.params[n] ?? null);
    cols.seconds!.push(t.datetimeComplete === null ? null : (t.datetimeComplete - t.datetimeStart) / 1000);
    if (anyInfeasible) (cols.infeasible ??= []).push(t.infeasible ?? null);
  }
  return cols;
}

/** A text block: the best parameters and their figures, with the overfitting statistics beside them. */
export function optimizeSummary(r: OptimizeResult): string {
  const lines: string[] = [];
  const done = r.trials.filter((t) => t.state === 'complete').length;
  const pruned = r.trials.filter((t) => t.state === 'pruned').length;
  const failed = r.trials.filter((t) => t.state === 'fail').length;
  const infeasible = r.trials.filter((t) => t.infeasible);
  const inf = infeasible.length ? ` (${infeasible.length} infeasible)` : '';
  lines.push(`study ${r.studyName} (${r.storage}): ${r.strategy}, sampler ${r.sampler}, ${done} complete${inf}, ${pruned} pruned, ${failed} failed, ${r.seconds.toFixed(1)} s`);
  if (infeasible.length) {
    // the reasons by the rule they break ('trades 3 < minTrades 30' → 'minTrades')
    const why = new Map<string, number>();
    for (const t of infeasible) {
      const rule = /\b(minTrades|maxDrawdown|minExposure)\b/.exec(t.infeasible!)?.[1] ?? t.infeasible!;
      why.set(rule, (why.get(rule) ?? 0) + 1);
    }
    lines.push(`infeasible (never best): ${[...why].map(([k, v]) => `${v} ${k}`).join(', ')}; e.g. #${infeasible[0]!.number}: ${infeasible[0]!.infeasible}`);
  }
  if (!r.best) {
    if (done && done === infeasible.length) lines.push('no feasible trial: every complete trial breaks a constraint');
    if (r.bestTrials.length) lines.push(`Pareto front: ${r.bestTrials.length} trials (${r.objectives.join(', ')})`);
    return lines.join('\n');
  }
  const b = r.best;
  const s = b.stats;
  const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));
  const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : String(x));
  const left = [
    `best trial #${b.number}: ${JSON.stringify(b.params)}`,
    `${r.objectives[0]} ${f4(b.value)}`,
    `sharpe ${f4(s.sharpe)}  return ${pct(s.totalReturn)}`,
    `max drawdown ${pct(s.maxDrawdown)}  trades ${s.trades}`,
  ];
  const o = r.overfitting;
  const right = o
    ? [
        `overfitting checks (${o.trials} trials)`,
        `deflated Sharpe ${f4(o.deflated.deflatedSharpe)} (PSR ${f4(o.deflated.probabilisticSharpe)})`,
        o.pbo ? `PBO ${pct(o.pbo.pbo)} (CSCV, ${o.pbo.configurations} configs, ${o.pbo.blocks} blocks)` : 'PBO n/a (too few configurations)',
        `neighbours: ${o.stability.count}, mean drop ${pct(o.stability.meanDrop)}, ${pct(o.stability.within20)} within 20%`,
      ]
    : [];
  const w = Math.max(...left.map((x) => x.length)) + 4;
  for (let i = 0; i < Math.max(left.length, right.length); i++) lines.push(`${(left[i] ?? '').padEnd(w)}${right[i] ?? ''}`.trimEnd());
  return lines.join('\n');
}
