/** `--grid name=spec` of `quantlab sweep`: the text form of a parameter grid. */
import { QuantlabError } from '../core';
import { range } from '../params';

/** Parses '2:50:1' (low:high[:step], high included when on the step, as `range`) or '5,10,20' (a list) into grid values. */
export function parseGridText(name: string, text: string): number[] | string[] {
  const m = /^\s*(-?[\d.e+-]+)\s*:\s*(-?[\d.e+-]+)\s*(?::\s*([\d.e+-]+))?\s*$/i.exec(text);
  if (m) {
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    if (![lo, hi, step].every(Number.isFinite) || !(step > 0) || hi < lo) {
      throw new QuantlabError('BAD_ARGUMENT', `--grid ${name}=${text}: expected low:high[:step] with low <= high and step > 0`);
    }
    return range(lo, hi, step);
  }
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (!parts.length) throw new QuantlabError('BAD_ARGUMENT', `--grid ${name}=${text}: expected low:high[:step] or a comma-separated list`);
  return parts.every((p) => p !== '' && Number.isFinite(Number(p))) ? parts.map(Number) : parts;
}
