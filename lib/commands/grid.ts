/** `--grid name=spec` of `quantlab sweep`: the text form of a parameter grid. */
import { QuantlabError } from '../core';
import { paramError, range, type ParamSpec } from '../params';

/**
 * Parses '2:50:1' (low:high[:step], high included when on the step, as `range`) or '5,10,20' (a list) into grid
 * values. With the parameter's declaration, a range reaching outside the declared one is refused before it is
 * expanded, and every value must be one the declaration allows (so a grid can never parse to nothing).
 */
export function parseGridText(name: string, text: string, spec?: ParamSpec): number[] | string[] {
  const values = parseValues(name, text, spec);
  if (spec) {
    const bad = (values as (number | string)[]).map((v) => [v, paramError(spec, v)] as const).find(([, e]) => e);
    if (bad) throw new QuantlabError('BAD_ARGUMENT', `--grid ${name}=${text}: value ${JSON.stringify(bad[0])}: ${bad[1]}`);
  }
  if (!values.length) throw new QuantlabError('BAD_ARGUMENT', `--grid ${name}=${text}: expected at least one value`);
  return values;
}

function parseValues(name: string, text: string, spec?: ParamSpec): number[] | string[] {
  const m = /^\s*(-?[\d.e+-]+)\s*:\s*(-?[\d.e+-]+)\s*(?::\s*([\d.e+-]+))?\s*$/i.exec(text);
  if (m) {
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    if (![lo, hi, step].every(Number.isFinite) || !(step > 0) || hi < lo) {
      throw new QuantlabError('BAD_ARGUMENT', `--grid ${name}=${text}: expected low:high[:step] with low <= high and step > 0`);
    }
    if (spec && spec.kind !== 'choice' && (lo < spec.low || hi > spec.high)) {
      throw new QuantlabError('BAD_ARGUMENT', `--grid ${name}=${text}: expected a range inside the declared ${spec.low}..${spec.high}, found ${lo}..${hi}`);
    }
    return range(lo, hi, step);
  }
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (!parts.length) throw new QuantlabError('BAD_ARGUMENT', `--grid ${name}=${text}: expected low:high[:step] or a comma-separated list`);
  return parts.every((p) => p !== '' && Number.isFinite(Number(p))) ? parts.map(Number) : parts;
}
