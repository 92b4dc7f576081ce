import { QuantlabError } from '../core';

/**
 * Parameter-space declarations shared by strategies and the optimiser. A declaration says which values are
 * legal; `fromUnit` maps a uniform number in [0, 1) onto them (what samplers use), `gridValues` lists them.
 */
export interface IntParam {
  readonly kind: 'int';
  readonly low: number;
  readonly high: number;
  readonly step: number;
  readonly default?: number;
}
export interface FloatParam {
  readonly kind: 'float';
  readonly low: number;
  readonly high: number;
  /** grid spacing; 0 = continuous. */
  readonly step: number;
  readonly default?: number;
}
export interface LogFloatParam {
  readonly kind: 'logFloat';
  readonly low: number;
  readonly high: number;
  readonly default?: number;
}
export type Choice = string | number | boolean;
export interface ChoiceParam<T extends Choice = Choice> {
  readonly kind: 'choice';
  readonly choices: readonly T[];
  readonly default?: T;
}
export type ParamSpec = IntParam | FloatParam | LogFloatParam | ChoiceParam;
export type ParamSpace = Readonly<Record<string, ParamSpec>>;

/** The values a space declares: numbers, or the choice type. */
export type ParamValues<S extends ParamSpace> = { -readonly [K in keyof S]: S[K] extends ChoiceParam<infer T> ? T : number };

const fail = (msg: string): never => {
  throw new QuantlabError('BAD_ARGUMENT', msg);
};

function bounds(kind: string, low: number, high: number): void {
  if (!(Number.isFinite(low) && Number.isFinite(high) && low <= high)) fail(`${kind}(low, high): expected finite low <= high, found ${low}, ${high}`);
}

/** An integer in [low, high] on a grid of `step` from low. */
export function int(low: number, high: number, options: { step?: number; default?: number } = {}): IntParam {
  bounds('int', low, high);
  const step = options.step ?? 1;
  if (!Number.isInteger(low) || !Number.isInteger(high) || !Number.isInteger(step) || step < 1) {
    fail(`int(low, high, step): expected integers and step >= 1, found ${low}, ${high}, ${step}`);
  }
  return withDefault({ kind: 'int', low, high, step }, options.default);
}

/** A real number in [low, high] (on a grid of `step` when step > 0). */
export function float(low: number, high: number, options: { step?: number; default?: number } = {}): FloatParam {
  bounds('float', low, high);
  const step = options.step ?? 0;
  if (!(step >= 0)) fail(`float(low, high, step): expected step >= 0, found ${step}`);
  return withDefault({ kind: 'float', low, high, step }, options.default);
}

/** A positive real number in [low, high], sampled uniformly in log space (rates, thresholds spanning decades). */
export function logFloat(low: number, high: number, options: { default?: number } = {}): LogFloatParam {
  bounds('logFloat', low, high);
  if (!(low > 0)) fail(`logFloat(low, high): expected low > 0, found ${low}`);
  return withDefault({ kind: 'logFloat', low, high }, options.default);
}

/** One of a fixed list of values. */
export function choice<const T extends Choice>(choices: readonly T[], options: { default?: T } = {}): ChoiceParam<T> {
  if (!choices.length) fail('choice(choices): expected at least one choice, found none');
  return withDefault({ kind: 'choice', choices }, options.default);
}

function withDefault<P extends ParamSpec>(spec: P, dflt: unknown): P {
  if (dflt === undefined) return spec;
  const err = paramError(spec, dflt);
  if (err) fail(`default: ${err}`);
  return { ...spec, default: dflt };
}

/** What the declaration accepts, in words: 'an integer in [2, 100]'. */
export function describeParam(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'int':
      return `an integer in [${spec.low}, ${spec.high}]${spec.step > 1 ? ` on a step of ${spec.step}` : ''}`;
    case 'float':
      return `a number in [${spec.low}, ${spec.high}]${spec.step > 0 ? ` on a step of ${spec.step}` : ''}`;
    case 'logFloat':
      return `a number in [${spec.low}, ${spec.high}]`;
    case 'choice':
      return `one of ${spec.choices.map((c) => JSON.stringify(c)).join(', ')}`;
  }
}

/** Null when `value` is legal for `spec`, else a message saying what was expected and found. */
export function paramError(spec: ParamSpec, value: unknown): string | null {
  const ok = (() => {
    if (spec.kind === 'choice') return spec.choices.includes(value as Choice);
    if (typeof value !== 'number' || !(value >= spec.low && value <= spec.high)) return false;
    if (spec.kind === 'int') return Number.isInteger(value) && (value - spec.low) % spec.step === 0;
    if (spec.kind === 'float' && spec.step > 0) {
      const k = (value - spec.low) / spec.step;
      return Math.abs(k - Math.round(k)) < 1e-9;
    }
    return true;
  })();
  return ok ? null : `expected ${describeParam(spec)}, found ${JSON.stringify(value) ?? String(value)}`;
}

/** The declared default, else the low end (the first choice). */
export function defaultValue(spec: ParamSpec): Choice {
  if (spec.default !== undefined) return spec.default;
  return spec.kind === 'choice' ? spec.choices[0]! : spec.low;
}

/** Maps u in [0, 1) onto the declared values (uniform; log-uniform for logFloat). */
export function fromUnit(spec: ParamSpec, u: number): Choice {
  switch (spec.kind) {
    case 'int': {
      const count = Math.floor((spec.high - spec.low) / spec.step) + 1;
      return spec.low + Math.min(count - 1, Math.floor(u * count)) * spec.step;
    }
    case 'float': {
      if (spec.step > 0) {
        const count = Math.floor((spec.high - spec.low) / spec.step + 1e-9) + 1;
        return spec.low + Math.min(count - 1, Math.floor(u * count)) * spec.step;
      }
      return spec.low + u * (spec.high - spec.low);
    }
    case 'logFloat':
      return Math.exp(Math.log(spec.low) + u * (Math.log(spec.high) - Math.log(spec.low)));
    case 'choice':
      return spec.choices[Math.min(spec.choices.length - 1, Math.floor(u * spec.choices.length))]!;
  }
}

/** Every value of a discrete declaration in order; `count` evenly spaced values for continuous ones. */
export function gridValues(spec: ParamSpec, count = 10): Choice[] {
  switch (spec.kind) {
    case 'choice':
      return [...spec.choices];
    case 'int': {
      const out: number[] = [];
      for (let v = spec.low; v <= spec.high; v += spec.step) out.push(v);
      return out;
    }
    case 'float':
      if (spec.step > 0) {
        const m = Math.floor((spec.high - spec.low) / spec.step + 1e-9);
        return Array.from({ length: m + 1 }, (_, i) => spec.low + i * spec.step);
      }
      return Array.from({ length: count }, (_, i) => spec.low + ((spec.high - spec.low) * i) / Math.max(1, count - 1));
    case 'logFloat':
      return Array.from({ length: count }, (_, i) => Math.exp(Math.log(spec.low) + ((Math.log(spec.high) - Math.log(spec.low)) * i) / Math.max(1, count - 1)));
  }
}

/** Reads a value given as text (CLI `--param fast=10`) for this declaration. */
export function parseParamText(spec: ParamSpec, text: string): Choice {
  if (spec.kind !== 'choice') return text.trim() === '' ? NaN : Number(text);
  const hit = spec.choices.find((c) => String(c) === text);
  return hit ?? text;
}

/**
 * Fills defaults and checks every value against its declaration, then the strategy's own `check`.
 * Throws BAD_ARGUMENT naming the strategy and parameter, the expected range and the value found.
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
