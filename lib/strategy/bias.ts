import { isoTime, QuantlabError, type Bars } from '../core';
import { checkLookAhead, type LookAheadFinding, type LookAheadReport } from './bias-lookahead';
import { checkParity, type ParityDifference, type ParityReport } from './bias-parity';
import { checkWarmup, WARMUP_CONCLUSIVE_BARS, type WarmupReport } from './bias-warmup';
import { computeIndicators } from './compute';
import { streamTargets } from './cursor';
import type { AnyStrategy } from './define';
import type { IndicatorSpecs } from './indicator';
import { targetForms } from './bias-series';
import { getStrategy } from './registry';

export type { LookAheadFinding, LookAheadReport } from './bias-lookahead';
export type { ParityDifference, ParityReport } from './bias-parity';
export { WARMUP_CONCLUSIVE_BARS, type WarmupEntry, type WarmupReport } from './bias-warmup';

export interface BiasOptions {
  /** truncation points spread over the data for the look-ahead check (default 20; four more near the end). */
  cuts?: number;
  /** relative tolerance of the look-ahead comparison (default 1e-12). */
  tolerance?: number;
  /** relative tolerance of the warm-up agreement and of indicator twins in the parity check (default 1e-9). */
  warmupTolerance?: number;
}

/** What checkBias found: three checks, each with its verdict; `ok` when all three pass. */
export interface BiasReport {
  ok: boolean;
  strategy: string;
  params: Record<string, unknown>;
  data: { symbol: string; timeframe: string; bars: number; from: string; to: string };
  /** the names of the failed checks ('look-ahead', 'warm-up', 'parity'). */
  failed: string[];
  lookAhead: LookAheadReport;
  warmup: WarmupReport;
  parity: ParityReport;
  seconds: number;
}

/**
 * Checks a strategy for the biases a backtest cannot show: look-ahead (indicators and targets computed on
 * data cut at many points — and with the future changed — must not move at or before the cut), warm-up
 * (how much history each indicator and the runner's targets need to agree to 1e-9 with the full-history
 * values: `warmup.bars` is the runner's startup history) and three-form parity (targets(), the decide()
 * loop and the streaming twins agree bar for bar). Never throws on a finding: read `ok` and `failed`,
 * or print `biasText(report)`.
 * @example
 * const bars = ql.sliceBars(await ql.loadDataset('BTCUSDT', '1d'), 0, 800);
 * const r = checkBias('sma-cross', bars, { fast: 10, slow: 30 });
 * r.ok // true
 * r.warmup.bars // 30
 */
export function checkBias(strategyIn: AnyStrategy | string, bars: Bars, paramsIn: Record<string, unknown> = {}, options: BiasOptions = {}): BiasReport {
  const t0 = performance.now();
  const strategy = typeof strategyIn === 'string' ? getStrategy(strategyIn) : strategyIn;
  const params = strategy.resolveParams(paramsIn) as Record<string, unknown>;
  const n = bars.close.length;
  if (n < 10) throw new QuantlabError('BAD_ARGUMENT', `checkBias: expected at least 10 bars to cut and restart, found ${n}`);
  for (const [k, v] of Object.entries(options)) {
    if (!['cuts', 'tolerance', 'warmupTolerance'].includes(k)) throw new QuantlabError('BAD_ARGUMENT', `checkBias option '${k}': expected one of cuts, tolerance, warmupTolerance, found an unknown option`);
    const ok = k === 'cuts' ? Number.isInteger(v) && (v as number) >= 1 : typeof v === 'number' && v >= 0;
    if (v !== undefined && !ok) throw new QuantlabError('BAD_ARGUMENT', `checkBias option '${k}': expected ${k === 'cuts' ? 'an integer >= 1' : 'a number >= 0'}, found ${String(v)}`);
  }
  const specs = strategy.indicators(params as never) as IndicatorSpecs;
  const computed = computeIndicators(specs, bars) as Record<string, unknown>;
  const full = { computed, stream: streamTargets(strategy, bars, params), forms: targetForms(strategy, bars, params, computed) };
  const lookAhead = checkLookAhead(strategy, bars, params, { cuts: options.cuts, tolerance: options.tolerance }, full);
  const warmup = checkWarmup(strategy, bars, params, { tolerance: options.warmupTolerance }, full);
  const parity = checkParity(strategy, bars, params, { tolerance: options.warmupTolerance }, full);
  const failed = [...(lookAhead.ok ? [] : ['look-ahead']), ...(warmup.ok ? [] : ['warm-up']), ...(parity.ok ? [] : ['parity'])];
  return {
    ok: failed.length === 0,
    strategy: strategy.name,
    params,
    data: { symbol: bars.symbol, timeframe: bars.timeframe, bars: n, from: isoTime(bars.ts[0]!), to: isoTime(bars.ts[n - 1]!) },
    failed,
    lookAhead,
    warmup,
    parity,
    seconds: (performance.now() - t0) / 1000,
  };
}

const num = (x: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(10))) : String(x));

/** One line for a look-ahead finding. */
function lookAheadLine(f: LookAheadFinding): string {
  const what = f.kind === 'indicator' ? `indicator '${f.name}' (${f.key})` : `target of ${f.name}`;
  const how = f.how === 'truncated' ? `the data was cut after bar ${f.cut} (${f.cutTime})` : `the bars after ${f.cut} (${f.cutTime}) were changed`;
  return `${what} moved at bar ${f.bar} (${f.time}) when ${how}: ${num(f.full)} on the full data, ${num(f.cutValue)} on the cut data`;
}

function parityLine(d: ParityDifference): string {
  if (d.indicator) return `indicator '${d.indicator.name}' (${d.indicator.key}): its streaming twin differs from the whole-array form at bar ${d.bar} (${d.time}): ${num(d.values[1])} vs ${num(d.values[0])}`;
  return `${d.forms[1]} differs from ${d.forms[0]} at bar ${d.bar} (${d.time}): ${num(d.values[1])} vs ${num(d.values[0])}`;
}

/** The first thing the report found, as one sentence (or 'no bias found'). */
export function biasHeadline(r: BiasReport): string {
  if (r.ok) return 'no bias found';
  if (!r.lookAhead.ok) return `look-ahead: ${lookAheadLine(r.lookAhead.findings[0]!)}`;
  if (!r.parity.ok) return `parity: ${parityLine(r.parity.firstDifference!)}`;
  return `warm-up: the targets restarted at bars ${r.warmup.starts.join(', ')} did not settle on the full-history targets within the data (${r.data.bars} bars): a cumulative or path-dependent indicator, or too few bars to show the warm-up`;
}

/** The report as text: one line per check, then the details of what failed. */
export function biasText(r: BiasReport): string {
  const lines: string[] = [];
  const d = r.data;
  lines.push(`bias check: ${r.strategy} ${JSON.stringify(r.params)} on ${d.symbol || '?'} ${d.timeframe || ''} (${d.bars} bars, ${d.from} .. ${d.to}): ${r.ok ? 'passed' : `FAILED (${r.failed.join(', ')})`}`);
  const la = r.lookAhead;
  const mark = (ok: boolean) => (ok ? 'ok  ' : 'FAIL');
  lines.push(`  look-ahead  ${mark(la.ok)}  ${la.cuts.length} cuts, ${la.futureChanged.length} with the future changed: ${la.ok ? 'nothing at or before a cut moved' : `${la.findings.length} series moved`}`);
  for (const f of la.findings.slice(0, 12)) lines.push(`      ${lookAheadLine(f)}`);
  if (la.findings.length > 12) lines.push(`      … and ${la.findings.length - 12} more`);
  const w = r.warmup;
  const entries = w.indicators.map((e) => `${e.name} ${e.bars}${e.converged ? '' : ' (not settled)'}`).join(', ');
  lines.push(`  warm-up     ${mark(w.ok)}  runner history ${w.bars} bar${w.bars === 1 ? '' : 's'} (agreement to ${w.tolerance}): ${entries || 'no indicators'}; targets ${w.targets.bars}${w.targets.converged ? '' : w.conclusive ? ' (not settled)' : ` (not settled: too few bars to tell, under ${WARMUP_CONCLUSIVE_BARS})`}`);
  const p = r.parity;
  lines.push(`  parity      ${mark(p.ok)}  ${p.forms.join(' = ')} on ${p.bars} bars (${p.signals} signals)${p.ok ? '' : `: ${p.differences.length} difference(s)`}`);
  for (const x of p.differences.slice(0, 12)) lines.push(`      ${parityLine(x)}`);
  return lines.join('\n');
}

/** The BIAS error for a failed report (message: the headline; details: { report }). */
export function biasError(r: BiasReport, doing = 'checkBias'): QuantlabError {
  return new QuantlabError('BIAS', `${doing}: ${r.strategy} failed the bias check (${r.failed.join(', ')}): ${biasHeadline(r)}`, { report: r });
}
