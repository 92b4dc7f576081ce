import { QuantlabError, type Bars } from '../core';
import type { ParamDecl, Params } from '../optimizer';
import { defaultValue, type ParamSpace } from '../params';
import { getStrategy, type AnyStrategy } from '../strategy';
import { optimize } from './optimize';
import type { OptimizeOptions } from './options';
import type { OptimizeResult } from './result';

export interface SweepOptions extends Omit<OptimizeOptions, 'sampler' | 'trials' | 'space'> {
  /** Values per parameter: a list, or a declaration; parameters not given keep their default (fixed). */
  grid: Record<string, readonly (number | string | boolean)[] | ParamDecl>;
}

/**
 * Exhaustive grid over the given values (the strategy's check and any constraint skip invalid combinations),
 * in grid order; a study like any other (resumable, several jobs).
 * @example
 * const bars = await ql.loadDataset('BTCUSDT', '1h');
 * const r = await sweep('sma-cross', bars, { grid: { fast: ql.range(5, 20, 5), slow: ql.range(10, 100, 30) }, objective: 'finalEquity' });
 * r.trials.length // 13 (16 pairs; the 3 with fast ≥ slow = 10 break fast < slow and are skipped)
 */
export async function sweep(strategyOrName: AnyStrategy | string, bars: Bars, options: SweepOptions): Promise<OptimizeResult> {
  const strategy = typeof strategyOrName === 'string' ? getStrategy(strategyOrName) : strategyOrName;
  const declared: ParamSpace = strategy.params;
  const space: Record<string, ParamDecl> = {};
  const fixed: Params = { ...options.fixed };
  for (const [k, v] of Object.entries(options.grid)) {
    if (!(k in declared)) throw new QuantlabError('BAD_ARGUMENT', `sweep: strategy '${strategy.name}' has no parameter '${k}'; it has ${Object.keys(declared).join(', ')}`);
    space[k] = Array.isArray(v) ? { kind: 'choice', choices: [...v] } : (v as ParamDecl);
  }
  for (const [k, d] of Object.entries(declared)) {
    if (!(k in space) && !(k in fixed)) fixed[k] = defaultValue(d);
  }
  const { grid: _g, ...rest } = options;
  void _g;
  return optimize(strategy, bars, { overfitting: false, ...rest, sampler: 'grid', space, fixed });
}
