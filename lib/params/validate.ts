import { QuantlabError } from '../core';
import type { Choice, Constraint, Params, ParamSpace, ParamSpec } from './declare';
import { describeParam } from './describe';

const fail = (msg: string): never => {
  throw new QuantlabError('BAD_ARGUMENT', msg);
};

/** Null when the declaration itself is well formed (bounds, step, choices), else 'expected …, found …'. */
export function declarationError(s: ParamSpec): string | null {
  if (!s || typeof s !== 'object') return `expected a declaration (int, float, logFloat, choice), found ${String(s)}`;
  switch (s.kind) {
    case 'int':
    case 'float':
    case 'logFloat':
      if (!(Number.isFinite(s.low) && Number.isFinite(s.high) && s.low <= s.high)) return `expected finite low <= high, found ${s.low}, ${s.high}`;
      if (s.kind === 'int' && !(Number.isInteger(s.low) && Number.isInteger(s.high) && Number.isInteger(s.step) && s.step >= 1)) {
        return `expected integer low, high and step >= 1, found ${s.low}, ${s.high}, step ${s.step}`;
      }
      if (s.kind === 'float' && !(s.step >= 0)) return `expected step >= 0, found ${s.step}`;
      if (s.kind === 'logFloat' && !(s.low > 0)) return `log-uniform needs low > 0, found ${s.low}`;
      return null;
    case 'choice':
      return Array.isArray(s.choices) && s.choices.length ? null : 'expected at least one choice, found none';
    default:
      return `expected kind int, float, logFloat or choice, found ${JSON.stringify((s as { kind?: unknown }).kind)}`;
  }
}

/**
 * Null when `value` is legal for `spec`, else a message saying what was expected and found.
 * @example paramError({ kind: 'int', low: 2, high: 100, step: 1 }, 0) // 'expected an integer in [2, 100], found 0'
 */
export function paramError(spec: ParamSpec, value: unknown): string | null {
  let ok: boolean;
  if (spec.kind === 'choice') ok = spec.choices.includes(value as Choice);
  else if (typeof value !== 'number' || !(value >= spec.low && value <= spec.high)) ok = false;
  else if (spec.kind === 'int') ok = Number.isInteger(value) && (value - spec.low) % spec.step === 0;
  else if (spec.kind === 'float' && spec.step > 0) {
    const k = (value - spec.low) / spec.step;
    ok = Math.abs(k - Math.round(k)) < 1e-9;
  } else ok = true;
  return ok ? null : `expected ${describeParam(spec)}, found ${shown(value)}`;
}

/** A value as an error message shows it: NaN and Infinity as themselves (JSON would say null), strings quoted. */
function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
}

/** Checks every declaration and condition; throws BAD_ARGUMENT naming the owner and parameter, expected and found. */
export function checkSpace(space: ParamSpace, owner = 'search space'): void {
  const names = Object.keys(space);
  if (!names.length) fail(`${owner}: expected at least one parameter, found none`);
  names.forEach((name, i) => {
    const s = space[name]!;
    const where = `${owner} parameter '${name}'`;
    const err = declarationError(s);
    if (err) fail(`${where}: ${err}`);
    if (!s.when) return;
    const p = s.when.param;
    const j = names.indexOf(p);
    if (j < 0) fail(`${where}: condition on unknown parameter '${p}'; expected one of ${names.filter((n) => n !== name).join(', ') || '(none)'}`);
    if (j >= i) fail(`${where}: condition on '${p}', which is declared after it; declare '${p}' first`);
    for (const v of s.when.in) {
      const bad = paramError(space[p]!, v);
      if (bad) fail(`${where}: condition value for '${p}' ${bad}`);
    }
  });
}

/** Whether `name` is active given the values already chosen for the parameters declared before it. */
export function isActive(space: ParamSpace, name: string, params: Params): boolean {
  const w = space[name]?.when;
  if (!w) return true;
  if (!(w.param in params)) return false;
  return w.in.includes(params[w.param]!);
}

/** Names of the parameters active for `params`, in declaration order. */
export function activeNames(space: ParamSpace, params: Params): string[] {
  const out: string[] = [];
  const seen: Params = {};
  for (const name of Object.keys(space)) {
    if (!isActive(space, name, seen)) continue;
    out.push(name);
    if (name in params) seen[name] = params[name]!;
  }
  return out;
}

/** Null when `params` is a complete, legal point of `space` (active parameters only), else the first problem. */
export function paramsError(space: ParamSpace, params: Params): string | null {
  const active = activeNames(space, params);
  for (const name of active) {
    if (!(name in params)) return `parameter '${name}' is missing; expected ${describeParam(space[name]!)}`;
    const err = paramError(space[name]!, params[name]);
    if (err) return `parameter '${name}': ${err}`;
  }
  for (const name of Object.keys(params)) {
    if (!(name in space)) return `unknown parameter '${name}'; expected one of ${Object.keys(space).join(', ')}`;
    if (!active.includes(name)) return `parameter '${name}' is inactive here (condition ${JSON.stringify(space[name]!.when)}) but was given`;
  }
  return null;
}

/** Runs the constraint; returns null when allowed, else the reason. */
export function constraintError(constraint: Constraint | undefined, params: Params): string | null {
  if (!constraint) return null;
  const r = constraint(params);
  if (r === true) return null;
  return typeof r === 'string' ? r : `${JSON.stringify(params)} fails the constraint`;
}
