import type { Choice, ParamSpec } from './declare';
import { stepValue, valueCount } from './grid';

/**
 * The declared default, else the low end (the first choice).
 * @example defaultValue({ kind: 'choice', choices: ['sma', 'ema'] }) // 'sma'
 */
export function defaultValue(spec: ParamSpec): Choice {
  if (spec.default !== undefined) return spec.default;
  return spec.kind === 'choice' ? spec.choices[0]! : spec.low;
}

/** Maps u in [0, 1) onto the declared values (uniform; log-uniform for logFloat): what a sampler starts from. */
export function fromUnit(spec: ParamSpec, u: number): Choice {
  const n = valueCount(spec);
  const k = Math.min(n - 1, Math.floor(u * n));
  if (spec.kind === 'choice') return spec.choices[k]!;
  if (n === 1) return spec.low;
  if (spec.kind === 'logFloat') return Math.exp(Math.log(spec.low) + u * (Math.log(spec.high) - Math.log(spec.low)));
  if (spec.step > 0) return stepValue(spec, k);
  return spec.low + u * (spec.high - spec.low);
}

/**
 * Reads a value given as text (CLI `--param fast=10`) for this declaration; `paramError` then says whether it is legal.
 * @example parseParamText({ kind: 'int', low: 1, high: 9, step: 1 }, '7') // 7
 */
export function parseParamText(spec: ParamSpec, text: string): Choice {
  if (spec.kind !== 'choice') return text.trim() === '' ? NaN : Number(text);
  const hit = spec.choices.find((c) => String(c) === text);
  return hit ?? text;
}
