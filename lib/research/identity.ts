import { resolve } from 'node:path';
import { QuantlabError, sliceBars, type Bars } from '../core';
import { resolveOptions, SIM_OPTION_NAMES, type SimOptions } from '../backtest';
import type { Constraint, Params, SearchSpace, StudyIdentity } from '../optimizer';
import { defaultValue, type ParamSpace } from '../params';
import { BUILTIN_STRATEGIES, inputsOf, MULTI_INPUT_STRATEGIES, type AnyStrategy, type BacktestOptions } from '../strategy';
import { importStrategyFile } from '../strategy/load-file';
import { strategyRulesHash } from './fingerprint';
import { functionHash, sha256 } from './hash';

export { functionHash, strategyRulesHash };


/** SHA-256 over the bars' six columns (the bytes of the Float64Arrays, in column order ts, open, high, low, close, volume). */
export function barsContentHash(bars: Bars): string {
  return sha256(bars.ts, bars.open, bars.high, bars.low, bars.close, bars.volume);
}

const iso = (ms: number | undefined): string | null => (ms === undefined || ms !== ms ? null : new Date(ms).toISOString());

/** What identifies the data of a study: symbol, timeframe, first and last bar time, bar count, content hash. */
export function dataIdentity(bars: Bars): Record<string, unknown> {
  const n = bars.ts.length;
  return { symbol: bars.symbol, timeframe: bars.timeframe, first: iso(bars.ts[0]), last: iso(bars.ts[n - 1]), bars: n, sha256: barsContentHash(bars) };
}


/**
 * SHA-256 of what a strategy is written as: its name, parameter declarations, the source text of check,
 * decide, targets and targetEvents, and the cache keys of its indicators at the default parameters.
 */
export function strategySourceHash(strategy: AnyStrategy): string {
  const declared = strategy.params as ParamSpace;
  const defaults = Object.fromEntries(Object.entries(declared).map(([k, d]) => [k, defaultValue(d)]));
  let keys: string[] = [];
  try {
    keys = Object.entries(strategy.indicators(defaults as never) as Record<string, { key?: string }>).map(([k, s]) => `${k}=${s?.key ?? '?'}`);
  } catch (e) {
    keys = [`indicators threw: ${(e as Error).message}`];
  }
  return sha256(
    JSON.stringify({
      name: strategy.name,
      params: declared,
      check: strategy.check?.toString() ?? null,
      decide: strategy.decide.toString(),
      targets: strategy.targets?.toString() ?? null,
      targetEvents: strategy.targetEvents?.toString() ?? null,
      indicators: keys,
    }),
  );
}

/** Hashes typed arrays inside a value (funding rates …) so that it is small plain JSON. */
function plain(v: unknown): unknown {
  if (ArrayBuffer.isView(v)) return { length: (v as unknown as ArrayLike<number>).length, sha256: sha256(v) };
  if (Array.isArray(v)) return v.length > 64 ? { length: v.length, sha256: sha256(JSON.stringify(v)) } : v.map(plain);
  if (typeof v === 'function') return { function: functionHash(v) };
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** Backtest options with every default filled in (so that `{}` and `{ fee: 0.001 }` are the same study). */
export function resolvedBacktestOptions(options: Omit<BacktestOptions, 'cache'>, bars: Bars): Record<string, unknown> {
  const sim: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) continue;
    if (SIM_OPTION_NAMES.includes(k)) sim[k] = v;
    else extra[k] = v;
  }
  const echo = resolveOptions(sim as SimOptions, { length: bars.close.length, timeframe: bars.timeframe }).echo;
  return plain({ ...echo, ...extra }) as Record<string, unknown>;
}

export interface IdentityInput {
  strategy: AnyStrategy;
  bars: Bars;
  space: SearchSpace;
  /** Objective identities (names, or name + source hash of a function). */
  objectives: unknown[];
  /** Result constraints' identity (null when none). */
  constraints: unknown;
  backtest: Omit<BacktestOptions, 'cache'>;
  fixed: Params;
  folds: number;
  /** The extra parameter constraint (a function), if any. */
  paramConstraint?: Constraint;
}

/** Everything that defines a strategy study, as flat fields (see StudyIdentity). */
export function strategyStudyIdentity(x: IdentityInput): StudyIdentity {
  const data = dataIdentity(x.bars);
  // other symbols the strategy reads (inputs attached to the bars): each one's identity, and the gap rule
  const attached = inputsOf(x.bars);
  const inputs = attached
    ? { 'data.inputs': Object.fromEntries(Object.entries(attached.inputs).map(([k, b]) => [k, dataIdentity(b)])), 'data.inputGaps': attached.gaps ?? null }
    : {};
  return {
    'strategy.name': x.strategy.name,
    'strategy.source': strategySourceHash(x.strategy),
    'strategy.rules': strategyRulesHash(x.strategy),
    space: plain(x.space),
    'parameter constraint': functionHash(x.paramConstraint),
    objectives: x.objectives,
    constraints: x.constraints,
    backtest: resolvedBacktestOptions(x.backtest, x.bars),
    fixed: x.fixed,
    folds: x.folds,
    ...Object.fromEntries(Object.entries(data).map(([k, v]) => [`data.${k}`, v])),
    ...inputs,
  };
}

/**
 * With worker threads, trials are scored by the strategy that `strategyFile` exports under the same name,
 * while the best trial's statistics come from the strategy given here: refuses when the two are different
 * strategies (their targets differ on a synthetic series or on the first 2,000 of these bars).
 */
export async function checkStrategyFile(strategy: AnyStrategy, strategyFile: string, bars: Bars): Promise<void> {
  const path = resolve(strategyFile);
  // loaded as the workers will load it (the file as it is now: an edit since an earlier import is seen)
  const mod = await importStrategyFile(path);
  const found: AnyStrategy[] = [];
  const visit = (v: unknown) => {
    if (v && typeof v === 'object' && (v as AnyStrategy).kind === 'strategy' && (v as AnyStrategy).name === strategy.name) found.push(v as AnyStrategy);
  };
  for (const v of Object.values(mod)) {
    visit(v);
    if (v && typeof v === 'object' && !('kind' in v)) for (const w of Object.values(v)) visit(w);
  }
  if (!found.length) {
    if (BUILTIN_STRATEGIES.includes(strategy) || MULTI_INPUT_STRATEGIES.includes(strategy)) return; // workers use the built-in
    throw new QuantlabError('NOT_FOUND', `optimize: strategyFile ${path} exports no strategy named '${strategy.name}', so worker threads cannot score its trials`);
  }
  const file = found[0]!;
  if (file === strategy) return;
  const slice = sliceBars(bars, 0, Math.min(2000, bars.close.length));
  const diffs: string[] = [];
  if (JSON.stringify(file.params) !== JSON.stringify(strategy.params)) diffs.push(`parameter declarations: file ${JSON.stringify(file.params)}, given ${JSON.stringify(strategy.params)}`);
  else {
    const a = strategyRulesHash(file, slice);
    const b = strategyRulesHash(strategy, slice);
    if (a !== b) diffs.push(`targets on the same bars differ (rules fingerprint: file ${a?.slice(0, 12) ?? 'n/a'}, given ${b?.slice(0, 12) ?? 'n/a'})`);
  }
  if (diffs.length) {
    throw new QuantlabError(
      'STUDY_MISMATCH',
      `optimize: strategy '${strategy.name}' given here is not the one ${path} exports under that name (worker threads would score trials with the file's version, the best trial's statistics would come from this one): ${diffs.join('; ')} — pass the file's strategy (import it), update the file, or use jobs: 1`,
      { strategy: strategy.name, strategyFile: path, differences: diffs },
    );
  }
}
