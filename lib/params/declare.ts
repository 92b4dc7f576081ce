import { QuantlabError } from '../core';
import { declarationError, paramError } from './validate';

/**
 * The parameter vocabulary shared by strategies, the optimiser and research: a declaration says which values
 * are legal. Plain objects of these shapes work too (they are checked by `checkSpace`).
 */

/** A value a parameter can take. */
export type Choice = string | number | boolean;

/** A conditional parameter is active only while `param` is active and takes one of `in`. */
export interface Condition {
  readonly param: string;
  readonly in: readonly Choice[];
}

export interface IntParam {
  readonly kind: 'int';
  readonly low: number;
  readonly high: number;
  readonly step: number;
  readonly default?: number;
  readonly when?: Condition;
}
export interface FloatParam {
  readonly kind: 'float';
  readonly low: number;
  readonly high: number;
  /** grid spacing; 0 = continuous. */
  readonly step: number;
  readonly default?: number;
  readonly when?: Condition;
}
export interface LogFloatParam {
  readonly kind: 'logFloat';
  readonly low: number;
  readonly high: number;
  readonly default?: number;
  readonly when?: Condition;
}
export interface ChoiceParam<T extends Choice = Choice> {
  readonly kind: 'choice';
  readonly choices: readonly T[];
  readonly default?: T;
  readonly when?: Condition;
}
export type ParamSpec = IntParam | FloatParam | LogFloatParam | ChoiceParam;
/** Named declarations, in order (a conditional parameter follows the one it depends on). */
export type ParamSpace = Readonly<Record<string, ParamSpec>>;

/** The values a space declares: numbers, or the choice type. */
export type ParamValues<S extends ParamSpace> = { -readonly [K in keyof S]: S[K] extends ChoiceParam<infer T> ? T : number };

/** One parameter set (a trial's values; active parameters only when the space has conditions). */
export type Params = Record<string, Choice>;

/** True when the parameter set is allowed; false or a message (the reason) when not. */
export type Constraint = (params: Params) => boolean | string;

const fail = (msg: string): never => {
  throw new QuantlabError('BAD_ARGUMENT', msg);
};

function made<P extends ParamSpec>(call: string, spec: P, dflt: unknown): P {
  const err = declarationError(spec);
  if (err) fail(`${call}: ${err}`);
  if (dflt === undefined) return spec;
  const bad = paramError(spec, dflt);
  if (bad) fail(`${call}: default: ${bad}`);
  return { ...spec, default: dflt };
}

/**
 * An integer in [low, high] on a grid of `step` from low.
 * @example int(10, 200, { step: 2 }) // { kind: 'int', low: 10, high: 200, step: 2 }
 */
export function int(low: number, high: number, options: { step?: number; default?: number } = {}): IntParam {
  return made(`int(${low}, ${high})`, { kind: 'int', low, high, step: options.step ?? 1 }, options.default);
}

/** A real number in [low, high] (on a grid of `step` when step > 0). */
export function float(low: number, high: number, options: { step?: number; default?: number } = {}): FloatParam {
  return made(`float(${low}, ${high})`, { kind: 'float', low, high, step: options.step ?? 0 }, options.default);
}

/** A positive real number in [low, high], sampled uniformly in log space (rates, thresholds spanning decades). */
export function logFloat(low: number, high: number, options: { default?: number } = {}): LogFloatParam {
  return made(`logFloat(${low}, ${high})`, { kind: 'logFloat', low, high }, options.default);
}

/** One of a fixed list of values. */
export function choice<const T extends Choice>(choices: readonly T[], options: { default?: T } = {}): ChoiceParam<T> {
  return made('choice(choices)', { kind: 'choice', choices }, options.default);
}

/**
 * Returns `spec` made conditional: active only while parameter `param` takes one of `values`
 * (`checkSpace` checks that `param` is declared before it and that the values are legal for it).
 * @example when('ma', ['kama'], int(2, 10)).when // { param: 'ma', in: ['kama'] }
 */
export function when<P extends ParamSpec>(param: string, values: readonly Choice[], spec: P): P & { when: Condition } {
  if (typeof param !== 'string' || !param) fail(`when(param, values, spec): expected a parameter name, found ${JSON.stringify(param)}`);
  if (!Array.isArray(values) || !values.length) fail(`when('${param}', values, spec): expected at least one value, found ${JSON.stringify(values)}`);
  return { ...spec, when: { param, in: [...values] } };
}
