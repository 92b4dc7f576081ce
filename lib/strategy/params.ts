import { QuantlabError } from '../core';
import { defaultValue, paramError, type ParamSpace, type ParamValues } from '../params';

/** The parameter vocabulary (lib/params), with `defineStrategy`, so a strategy file imports both from one place. */
export * from '../params';

const fail = (msg: string): never => {
  throw new QuantlabError('BAD_ARGUMENT', msg);
};

/**
 * Fills defaults and checks every value against its declaration, then the strategy's own `check`.
 * Throws BAD_ARGUMENT naming the strategy and parameter, the expected range and the value found.
 * Conditional parameters (`when`) are filled and checked too, so the strategy always sees every value.
 */
export function resolveParams<S extends ParamSpace>(
  owner: string,
  space: S,
  given: Partial<Record<string, unknown>> = {},
  check?: (p: ParamValues<S>) => boolean | string,
): ParamValues<S> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(given)) {
    if (!(k in space) && given[k] !== undefined) {
      fail(`${owner}: unknown parameter '${k}'; expected one of ${Object.keys(space).join(', ') || '(none)'}`);
    }
  }
  for (const [k, spec] of Object.entries(space)) {
    const v = given[k] === undefined ? defaultValue(spec) : given[k];
    const err = paramError(spec, v);
    if (err) fail(`${owner} parameter '${k}': ${err}`);
    out[k] = v;
  }
  const p = out as ParamValues<S>;
  if (check) {
    const res = check(p);
    if (res !== true) fail(`${owner}: ${typeof res === 'string' ? res : `parameters ${JSON.stringify(p)} fail the strategy's check`}`);
  }
  return p;
}
