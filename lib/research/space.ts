import { QuantlabError } from '../core';
import { checkSpace, type Constraint, type ParamDecl, type Params, type SearchSpace } from '../optimizer';
import type { AnyStrategy } from '../strategy';

/** The strategy's declarations, overridden by `space` and without the `fixed` ones. */
export function strategySpace(strategy: AnyStrategy, options: { space?: Record<string, ParamDecl>; fixed?: Params } = {}): SearchSpace {
  const out: Record<string, ParamDecl> = {};
  const declared: SearchSpace = strategy.params;
  for (const k of Object.keys(options.space ?? {})) {
    if (!(k in declared)) throw new QuantlabError('BAD_ARGUMENT', `optimize: strategy '${strategy.name}' has no parameter '${k}'; it has ${Object.keys(declared).join(', ')}`);
  }
  for (const k of Object.keys(options.fixed ?? {})) {
    if (!(k in declared)) throw new QuantlabError('BAD_ARGUMENT', `optimize: fixed parameter '${k}' is not a parameter of '${strategy.name}'; it has ${Object.keys(declared).join(', ')}`);
  }
  for (const [k, d] of Object.entries(declared)) {
    if (options.fixed && k in options.fixed) continue;
    out[k] = options.space?.[k] ?? d;
  }
  checkSpace(out, `strategy '${strategy.name}' search space`);
  return out;
}

/** The strategy's own check over the full parameter set (fixed ones included), then the extra constraint. */
export function strategyConstraint(strategy: AnyStrategy, fixed: Params | undefined, extra: Constraint | undefined): Constraint {
  return (p) => {
    const full = { ...fixed, ...p };
    if (strategy.check) {
      const r = strategy.check(full as never);
      if (r !== true) return typeof r === 'string' ? r : `${JSON.stringify(full)} fails the check of '${strategy.name}'`;
    }
    return extra ? extra(full) : true;
  };
}
