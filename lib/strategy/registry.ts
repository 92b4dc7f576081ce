import { QuantlabError } from '../core';
import { BUILTIN_STRATEGIES, MULTI_INPUT_STRATEGIES } from './builtins';
import type { AnyStrategy } from './define';
import { importStrategyFile } from './load-file';
import { describeParam, defaultValue, type ParamSpace } from './params';

const registry = new Map<string, AnyStrategy>();
for (const s of [...BUILTIN_STRATEGIES, ...MULTI_INPUT_STRATEGIES]) registry.set(s.name, s);

/** Adds a strategy under its name. Throws when the name is taken, unless `replace`. Returns the strategy. */
export function registerStrategy<S extends AnyStrategy>(strategy: S, options: { replace?: boolean } = {}): S {
  if (!strategy || strategy.kind !== 'strategy') throw new QuantlabError('BAD_ARGUMENT', 'registerStrategy: expected a strategy made by defineStrategy()');
  if (registry.has(strategy.name) && !options.replace && registry.get(strategy.name) !== strategy) {
    throw new QuantlabError('BAD_ARGUMENT', `registerStrategy: a strategy named '${strategy.name}' is already registered (pass { replace: true } to replace it)`);
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
