import { QuantlabError } from '../core';
import { BUILTIN_STRATEGIES, MULTI_INPUT_STRATEGIES } from './builtins';
import { defineStrategy, type AnyStrategy, type Strategy, type StrategyDefinition } from './define';
import type { IndicatorSpecs } from './indicator';
import { importStrategyFile } from './load-file';
import { describeParam, defaultValue, type ParamSpace } from './params';

const registry = new Map<string, AnyStrategy>();
for (const s of [...BUILTIN_STRATEGIES, ...MULTI_INPUT_STRATEGIES]) registry.set(s.name, s);

const BUILTIN_NAMES = new Set([...BUILTIN_STRATEGIES, ...MULTI_INPUT_STRATEGIES].map((s) => s.name));

/**
 * Registers a strategy under its name, so that `backtest('name', …)`, `optimize('name', …)`, worker threads
 * and the CLI find it. Returns the strategy. Two forms:
 *
 * - a strategy made by defineStrategy(): a name already taken by another strategy throws, unless `replace`;
 * - a definition (what defineStrategy() takes): defined and registered in one step. Running the cell again
 *   (or with an edit) replaces the earlier registration of that name; a built-in's name still needs `replace`.
 * @example
 * import { int, ind } from 'quantlab';
 * const aboveEma = registerStrategy({
 *   name: 'above-ema', params: { n: int(2, 400, { default: 30 }) },
 *   indicators: (p) => ({ avg: ind.ema(p.n) }),
 *   decide: (bar) => (bar.close > bar.avg ? 1 : 0),
 * });
 * getStrategy('above-ema') === aboveEma // true
 * registerStrategy({ ...aboveEma, name: 'sma-cross' }) // throws BAD_ARGUMENT
 */
export function registerStrategy<T extends AnyStrategy>(strategy: T, options?: { replace?: boolean }): T;
export function registerStrategy<S extends ParamSpace, I extends IndicatorSpecs>(definition: StrategyDefinition<S, I>, options?: { replace?: boolean }): Strategy<S, I>;
export function registerStrategy(given: AnyStrategy | StrategyDefinition<ParamSpace, IndicatorSpecs>, options: { replace?: boolean } = {}): AnyStrategy {
  if (!given || typeof given !== 'object') throw new QuantlabError('BAD_ARGUMENT', 'registerStrategy: expected a strategy made by defineStrategy(), or its definition { name, params, indicators, decide }');
  const isDefined = (given as AnyStrategy).kind === 'strategy';
  const strategy: AnyStrategy = isDefined ? (given as AnyStrategy) : defineStrategy(given as StrategyDefinition<ParamSpace, IndicatorSpecs>);
  const taken = registry.get(strategy.name);
  if (taken && taken !== strategy && !options.replace && (isDefined || BUILTIN_NAMES.has(strategy.name))) {
    throw new QuantlabError('BAD_ARGUMENT', `registerStrategy: a ${BUILTIN_NAMES.has(strategy.name) ? 'built-in ' : ''}strategy named '${strategy.name}' is already registered (pass { replace: true } to replace it)`);
  }
  registry.set(strategy.name, strategy);
  return strategy;
}

/** The strategy registered under `name`; NOT_FOUND lists the names there are. */
export function getStrategy(name: string): AnyStrategy {
  const s = registry.get(name);
  if (!s) throw new QuantlabError('NOT_FOUND', `no strategy named '${name}'; registered: ${[...registry.keys()].join(', ')}`);
  return s;
}

/** Name, description and parameter declarations (with defaults) of every registered strategy. */
export function listStrategies(): { name: string; description: string; params: Record<string, { accepts: string; default: unknown }> }[] {
  return [...registry.values()].map((s) => ({
    name: s.name,
    description: s.description ?? '',
    params: Object.fromEntries(Object.entries(s.params as ParamSpace).map(([k, spec]) => [k, { accepts: describeParam(spec), default: defaultValue(spec) }])),
  }));
}

/**
 * Imports a strategy file of your own (.ts or .js; in a notebook, from the CLI, under tsx or plain node) and
 * registers every export made by defineStrategy(). Returns the strategies it registered (replacing same-named
 * earlier registrations, so loading an edited file again takes the edit).
 */
export async function loadStrategyFile(path: string): Promise<AnyStrategy[]> {
  const mod = await importStrategyFile(path);
  const found = new Set<AnyStrategy>();
  const visit = (v: unknown) => {
    if (v && typeof v === 'object' && (v as AnyStrategy).kind === 'strategy') found.add(v as AnyStrategy);
  };
  for (const v of Object.values(mod)) {
    visit(v);
    if (v && typeof v === 'object' && !('kind' in v)) for (const w of Object.values(v)) visit(w); // CommonJS default export
  }
  if (!found.size) throw new QuantlabError('NOT_FOUND', `${path}: no export made by defineStrategy() found`);
  for (const s of found) registerStrategy(s, { replace: true });
  return [...found];
}
