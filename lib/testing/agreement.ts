/**
 * TA-Lib agreement straight from the indicator descriptors: which TA-Lib function, which option carries
 * which parameter, which output is which — all declared once in each indicator's file.
 */
import { QuantlabError, type Bars, type Series } from '../core';
import { indicatorDescriptor, INDICATORS } from '../indicators/catalog';
import { paramKeyTexts, resolveIndicatorParams, talibRefs, type AnyDescriptor, type ParamValue, type TalibRef } from '../indicators/descriptor';
import { agreementRow, talibRun, type AgreementRow } from './talib';

/** An indicator to compare: its name (defaults), or its name with parameters by name. */
export type AgreementItem = string | { name: string; params?: Readonly<Record<string, ParamValue>> };

/** The TA-Lib inputs and options an indicator's descriptor maps its inputs and parameters `p` to. */
export function talibCall(
  d: AnyDescriptor,
  ref: TalibRef | undefined,
  bars: Bars,
  p: Readonly<Record<string, unknown>>,
): { fn: string; inputs: Record<string, Series>; options: Record<string, number> } {
  if (!ref) {
    const have = (Object.values(INDICATORS) as AnyDescriptor[]).filter((x) => talibRefs(x).length > 0).map((x) => x.name);
    throw new QuantlabError('BAD_ARGUMENT', `talibAgreement: ${d.name} has no TA-Lib counterpart; those that do: ${have.join(', ')}`);
  }
  const inputs: Record<string, Series> = {};
  d.inputs.forEach((inp, i) => {
    const col = typeof inp === 'string' ? inp : (inp.default ?? 'close');
    if (col !== 'open' && col !== 'high' && col !== 'low' && col !== 'close' && col !== 'volume') {
      throw new QuantlabError('BAD_ARGUMENT', `talibAgreement: ${d.name} reads '${col}', which TA-Lib cannot be given`);
    }
    const name = ref.inputs?.[i] ?? (typeof inp === 'string' ? inp : 'inReal');
    inputs[name] = bars[col];
  });
  const options: Record<string, number> = { ...ref.fixed };
  for (const [k, opt] of Object.entries(ref.options ?? {}) as [string, string | readonly string[]][]) {
    const v = p[k];
    const codes = ref.codes?.[k] as Readonly<Record<string, number>> | undefined;
    const num = codes ? codes[String(v)]! : typeof v === 'boolean' ? Number(v) : (v as number);
    for (const o of typeof opt === 'string' ? [opt] : opt) options[o] = num;
  }
  return { fn: ref.fn, inputs, options };
}

/**
 * Compares quantlab's indicators with TA-Lib on `bars`, one row per compared output:
 * `talibAgreement(bars, ['rsi', 'bbands', { name: 'macd', params: { fast: 5, slow: 35 } }])`.
 * Inputs, options and output names come from each indicator's descriptor; series inputs read their
 * default source. Unknown names and indicators TA-Lib lacks are refused (BAD_ARGUMENT, listing the names).
 */
export function talibAgreement(bars: Bars, items: readonly AgreementItem[]): AgreementRow[] {
  const rows: AgreementRow[] = [];
  for (const item of items) {
    const name = typeof item === 'string' ? item : item.name;
    const d = indicatorDescriptor(name);
    const p = resolveIndicatorParams(d, typeof item === 'string' ? {} : (item.params ?? {}));
    const cols = d.inputs.map((inp) => bars[(typeof inp === 'string' ? inp : (inp.default ?? 'close')) as 'close']);
    const ours = d.whole(cols, p as never) as Series | Record<string, Series>;
    const label = `${d.name}(${paramKeyTexts(d, p).join(',')})`;
    const refs = talibRefs(d);
    if (refs.length === 0) talibCall(d, undefined, bars, p); // throws, naming the indicators that have one
    for (const ref of refs) {
      const call = talibCall(d, ref, bars, p);
      const theirs = talibRun(call.fn, call.inputs, call.options);
      for (const [mine, their] of Object.entries(ref.outputs ?? { value: 'outReal' })) {
        const a = ours instanceof Float64Array ? ours : ours[mine];
        const b = theirs[their];
        if (!a || !b) {
          throw new QuantlabError('INTERNAL', `talibAgreement: ${d.name} declares output ${mine} = TA-Lib ${call.fn}.${their}, found ${!a ? 'no such output of ours' : `TA-Lib outputs ${Object.keys(theirs).join(', ')}`}`);
        }
        rows.push(agreementRow(ours instanceof Float64Array ? label : `${label}.${mine}`, `${call.fn}.${their}`, a, b));
      }
    }
  }
  return rows;
}

/** The largest relative difference a descriptor accepts as agreement with TA-Lib (default 1e-9). */
export const talibTolerance = (name: string): number => Math.max(...talibRefs(indicatorDescriptor(name)).map((r) => r.tolerance ?? 1e-9), 1e-9);
