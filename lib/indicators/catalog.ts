import { QuantlabError } from '../core';
import {
  isIndicatorDescriptor,
  rangeText,
  talibRefs,
  resolveIndicatorParams,
  type AnyDescriptor,
  type IndicatorDescriptor,
  type ParamDefs,
} from './descriptor';
import * as all from './index';

// Every descriptor exported by an indicator file (through ./index), by name. Nothing is listed by hand:
// an indicator file that exports a descriptor and has its line in ./index joins `ind.*`, the shared test,
// the TA-Lib agreement helper and the README table.

type Mod = typeof all;
/** The descriptors by indicator name, typed. */
export type IndicatorCatalog = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly [K in keyof Mod as Mod[K] extends IndicatorDescriptor<infer N, any, any> ? N : never]: Mod[K];
};

function collect(): IndicatorCatalog {
  const out: Record<string, AnyDescriptor> = {};
  for (const v of Object.values(all)) {
    if (!isIndicatorDescriptor(v)) continue;
    if (out[v.name] && out[v.name] !== v) throw new QuantlabError('INTERNAL', `two indicator descriptors are named '${v.name}'`);
    out[v.name] = v;
  }
  const sorted: Record<string, AnyDescriptor> = {};
  for (const k of Object.keys(out).sort((a, b) => a.localeCompare(b))) sorted[k] = out[k]!;
  return Object.freeze(sorted) as unknown as IndicatorCatalog;
}

/** Every indicator's descriptor, by name (sorted). */
export const INDICATORS: IndicatorCatalog = collect();

/** The descriptor called `name`; BAD_ARGUMENT listing the names when there is none. */
export function indicatorDescriptor(name: string): AnyDescriptor {
  const d = (INDICATORS as unknown as Record<string, AnyDescriptor>)[name];
  if (!d) throw new QuantlabError('BAD_ARGUMENT', `no indicator named '${name}'; known: ${Object.keys(INDICATORS).join(', ')}`);
  return d;
}

const code = (s: string): string => `\`${s}\``;

/** The markers around the generated table in README.md. */
export const INDICATOR_TABLE_START = '<!-- indicator-table:start (generated from the descriptors: npx tsx scripts/indicator-table.ts --write) -->';
export const INDICATOR_TABLE_END = '<!-- indicator-table:end -->';

/** `text` (the README) with the part between the table markers replaced by {@link indicatorTable}; BAD_ARGUMENT without the markers. */
export function withIndicatorTable(text: string): string {
  const a = text.indexOf(INDICATOR_TABLE_START);
  const b = text.indexOf(INDICATOR_TABLE_END);
  if (a < 0 || b < a) throw new QuantlabError('BAD_ARGUMENT', `README: expected the markers ${INDICATOR_TABLE_START} … ${INDICATOR_TABLE_END}, found ${a < 0 ? 'no start marker' : 'no end marker after it'}`);
  return `${text.slice(0, a + INDICATOR_TABLE_START.length)}\n${indicatorTable()}\n${text.slice(b)}`;
}

/** The README's indicator table (Markdown), one row per descriptor: call, inputs, parameters, outputs, warm-up, TA-Lib. */
export function indicatorTable(): string {
  const rows = ['| `ind.` | what | inputs | parameters (default, valid range) | outputs | warm-up at defaults | TA-Lib |', '|---|---|---|---|---|---|---|'];
  for (const d of Object.values(INDICATORS) as AnyDescriptor[]) {
    const inputs = d.inputs.map((i) => (typeof i === 'string' ? i : `${i.series}${i.default ? ` = ${i.default}` : ''}${i.constant ? ' (or a number)' : ''}`));
    const params = Object.entries(d.params as ParamDefs).map(([k, def]) => `${k} = ${String(def.default)} (${rangeText(def)})`);
    const p = resolveIndicatorParams(d);
    const w = d.warmup(p);
    const warm = d.nan === 'never-nan' ? 'none (never NaN)' : typeof w === 'number' ? String(w) : Object.entries(w).map(([k, v]) => `${k} ${v}`).join(', ');
    const talib = talibRefs(d).map((r) => r.fn).join(', ');
    rows.push(
      `| ${code(d.name)} | ${d.title} | ${inputs.join(', ')} | ${params.join('; ') || '—'} | ${(d.outputs ?? ['value']).join(', ')} | ${warm} | ${talib} |`,
    );
  }
  return rows.join('\n');
}
