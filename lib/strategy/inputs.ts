import { parseTimeframe, QuantlabError, type Bar, type Bars, type Series, type Stream } from '../core';
import type { IndicatorOutput, IndicatorSpec, PointOf } from './indicator';
import { onTimeframe } from './timeframe';

/**
 * Other symbols as strategy inputs.
 *
 * A strategy declares them (`inputs: { btc: { symbol: 'BTCUSDT' } }`) and reads them through
 * `onInput('btc', spec)`: the spec is computed on the input's own bars (its whole history, at the base
 * timeframe), and each value becomes visible on the base bar with the same open time — hence the same close —
 * the no-look-ahead rule of `onTimeframe`. Anything further (`onInput('btc', ind.sma(50)).on('1d')`,
 * ratios, z-scores) composes on the base timeline.
 *
 * Gaps (a base bar with no input bar at the same time) follow the `gaps` option, default `'hold'`:
 * - `'hold'`: the input's latest closed value (it was known then; never a later one);
 * - `'nan'`: NaN at that bar;
 * - `'error'`: the run stops with VALIDATION_FAILED naming the bar.
 * Either way {@link inputsReport} counts them. Input bars that fall in a gap of the base bars are still
 * computed on (the input's history is its own), they just never show on a base bar of their own.
 *
 * The bars travel attached to the base bars' time column (`withInputs`), so windows and slices of the base
 * bars (walk-forward folds, bias-check cuts) keep them.
 */

/** An extra input a strategy declares. */
export interface InputDecl {
  /** the symbol it expects, e.g. 'BTCUSDT' (checked against the bars given when both say). */
  symbol: string;
  description?: string;
}
export type InputDecls = Readonly<Record<string, InputDecl>>;

/** What a base bar without an input bar at the same time shows. */
export type InputGaps = 'hold' | 'nan' | 'error';

/** The input bars closed since the previous base bar, per input name: what a streaming twin is fed. */
export type InputBarsFeed = Readonly<Record<string, readonly Bar[]>>;

/** A base bar with its inputs' newly closed bars (the runner's and streamTargets()'s bar). */
export interface BarWithInputs extends Bar {
  readonly inputs?: InputBarsFeed;
}

interface Attached {
  inputs: Readonly<Record<string, Bars>>;
  gaps: InputGaps;
}

const attached = new WeakMap<ArrayBufferLike, Attached>();
const memo = new WeakMap<Bars, { inputs: Readonly<Record<string, Bars>>; gaps: InputGaps; bars: Bars }[]>();
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The inputs attached to `bars` (or to the bars a slice of them was cut from), if any. */
export function inputsOf(bars: Bars): Attached | undefined {
  return attached.get(bars.ts.buffer);
}

/**
 * `bars` with other symbols' bars attached as named inputs (same timeframe, sorted). Returns a new Bars over
 * the same prices (its own time column carries the inputs); the same arguments give the same object back,
 * so an indicator cache keeps working across calls.
 * @example
 * const btc = await ql.loadDataset('BTCUSDT', '1h');
 * const eth = await ql.loadDataset('ETHUSDT', '1h');
 * const both = withInputs(btc, { eth });
 * Object.keys(inputsOf(both)!.inputs) // ['eth']
 * inputsOf(ql.sliceBars(both, 100, 200))!.gaps // 'hold'
 */
export function withInputs(bars: Bars, inputs: Readonly<Record<string, Bars>>, options: { gaps?: InputGaps } = {}): Bars {
  const gaps = options.gaps ?? 'hold';
  if (!['hold', 'nan', 'error'].includes(gaps)) throw new QuantlabError('BAD_ARGUMENT', `input gaps: expected 'hold', 'nan' or 'error', found ${JSON.stringify(gaps)}`);
  if (!inputs || typeof inputs !== 'object') throw new QuantlabError('BAD_ARGUMENT', `inputs: expected { name: Bars }, found ${String(inputs)}`);
  const names = Object.keys(inputs);
  for (const name of names) {
    const b = inputs[name] as Bars | undefined;
    if (!NAME.test(name)) throw new QuantlabError('BAD_ARGUMENT', `input '${name}': expected a name of letters, digits and _ (not starting with a digit)`);
    if (!b || !(b.ts instanceof Float64Array) || !(b.close instanceof Float64Array)) throw new QuantlabError('BAD_ARGUMENT', `input '${name}': expected Bars (loadDataset, loadBars), found ${typeof b}`);
    if (bars.timeframe && b.timeframe && parseTimeframe(b.timeframe).ms !== parseTimeframe(bars.timeframe).ms) {
      throw new QuantlabError('TIMEFRAME_MISMATCH', `input '${name}' (${b.symbol || 'bars'}): expected the base bars' timeframe ${bars.timeframe}, found ${b.timeframe} (use .on('${b.timeframe}') on the input's indicators for a higher timeframe)`);
    }
    for (let i = 1; i < b.ts.length; i++) {
      if (!(b.ts[i]! > b.ts[i - 1]!)) throw new QuantlabError('UNSORTED', `input '${name}' (${b.symbol || 'bars'}): bars must be sorted and unique; bar ${i} (${new Date(b.ts[i]!).toISOString()}) is not after bar ${i - 1}`);
    }
  }
  const prior = inputsOf(bars);
  const all = { ...(prior?.inputs ?? {}), ...inputs };
  const list = memo.get(bars) ?? [];
  const same = (a: Readonly<Record<string, Bars>>) => Object.keys(a).length === Object.keys(all).length && Object.entries(all).every(([k, v]) => a[k] === v);
  const hit = list.find((e) => e.gaps === gaps && same(e.inputs));
  if (hit) return hit.bars;
  const ts = Float64Array.from(bars.ts);
  const out: Bars = { ts, open: bars.open, high: bars.high, low: bars.low, close: bars.close, volume: bars.volume, symbol: bars.symbol, timeframe: bars.timeframe };
  attached.set(ts.buffer, { inputs: all, gaps });
  list.push({ inputs: all, gaps, bars: out });
  memo.set(bars, list);
  return out;
}

/** Throws unless `bars` carry every input `decls` names (with the declared symbol when both say one). */
export function requireInputs(what: string, decls: InputDecls | undefined, bars: Bars): void {
  if (!decls) return;
  const have = inputsOf(bars)?.inputs ?? {};
  for (const [name, d] of Object.entries(decls)) {
    const b = have[name];
    if (!b) {
      throw new QuantlabError(
        'BAD_ARGUMENT',
        `${what} needs input '${name}' (${d.symbol}); pass its bars: { inputs: { ${name}: <${d.symbol} bars> } } (API) or --input ${name}=${d.symbol} (CLI)${Object.keys(have).length ? `; given: ${Object.keys(have).join(', ')}` : ''}`,
      );
    }
    if (d.symbol && b.symbol && b.symbol.toUpperCase() !== d.symbol.toUpperCase()) {
      throw new QuantlabError('BAD_ARGUMENT', `${what}: input '${name}' expects ${d.symbol}, found bars of ${b.symbol}`);
    }
  }
}

const iso = (t: number) => new Date(t).toISOString();

function inputBars(key: string, name: string, bars: Bars): { input: Bars; gaps: InputGaps } {
  const a = inputsOf(bars);
  const input = a?.inputs[name];
  if (!a || !input) {
    throw new QuantlabError('BAD_ARGUMENT', `indicator ${key}: needs the bars of input '${name}'; pass them with { inputs: { ${name}: <Bars> } }${a ? ` (given: ${Object.keys(a.inputs).join(', ') || 'none'})` : ''}`);
  }
  return { input, gaps: a.gaps };
}

/** Per base bar: the index of the latest input bar opened at or before it (-1 before the first). */
function latestAtOrBefore(inputTs: Float64Array, baseTs: Float64Array): Int32Array {
  const out = new Int32Array(baseTs.length);
  let j = -1;
  for (let t = 0; t < baseTs.length; t++) {
    while (j + 1 < inputTs.length && inputTs[j + 1]! <= baseTs[t]!) j++;
    out[t] = j;
  }
  return out;
}

function gapError(key: string, name: string, t: number, ts: number): QuantlabError {
  return new QuantlabError('VALIDATION_FAILED', `indicator ${key}: input '${name}' has no bar at ${iso(ts)} (base bar ${t}); with gaps: 'error' a gap stops the run (use 'hold' or 'nan')`);
}

function mapSeries(src: Series, idx: Int32Array, inputTs: Float64Array, baseTs: Float64Array, gaps: InputGaps, key: string, name: string): Series {
  const n = idx.length;
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const j = idx[t]!;
    if (j < 0) out[t] = NaN;
    else if (inputTs[j] !== baseTs[t]) {
      if (gaps === 'error') throw gapError(key, name, t, baseTs[t]!);
      out[t] = gaps === 'nan' ? NaN : src[j]!;
    } else out[t] = src[j]!;
  }
  return out;
}

/**
 * `spec` computed on the bars of the input `name`, shown on the base bars by time (see the module comment).
 * Key: `${name}:${spec.key}`. Also `ind.input(name, spec)`.
 * @example
 * const btc = await ql.loadDataset('BTCUSDT', '1h');
 * const eth = await ql.loadDataset('ETHUSDT', '1h');
 * const ethClose = onInput('eth', ql.customIndicator('close', (b) => b.close, () => ({ update: (x) => x.close, reset() {} })));
 * const v = ethClose.compute(withInputs(btc, { eth }));
 * v[100] === eth.close[eth.ts.indexOf(btc.ts[100])] // true
 * ethClose.key // 'eth:close'
 */
export function onInput<O extends IndicatorOutput>(name: string, spec: IndicatorSpec<O>): IndicatorSpec<O> {
  if (!NAME.test(name)) throw new QuantlabError('BAD_ARGUMENT', `input '${name}': expected a name of letters, digits and _ (not starting with a digit)`);
  const key = `${name}:${spec.key}`;
  const out = {
    key,
    fields: spec.fields,
    input: name,
    inner: spec,
    compute(bars: Bars): O {
      const { input, gaps } = inputBars(key, name, bars);
      const v = spec.compute(input);
      const idx = latestAtOrBefore(input.ts, bars.ts);
      if (v instanceof Float64Array) return mapSeries(v, idx, input.ts, bars.ts, gaps, key, name) as O;
      const o: Record<string, Series> = {};
      for (const [k, s] of Object.entries(v as Record<string, Series>)) o[k] = mapSeries(s, idx, input.ts, bars.ts, gaps, key, name);
      return o as O;
    },
    stream(): Stream<Bar, PointOf<O>> {
      return inputStream(name, spec, key);
    },
    on(timeframe: string): IndicatorSpec<O> {
      return onTimeframe(out as IndicatorSpec<O>, timeframe);
    },
  };
  return out as IndicatorSpec<O>;
}

function inputStream<O extends IndicatorOutput>(name: string, spec: IndicatorSpec<O>, key: string, gapsOverride?: InputGaps): Stream<Bar, PointOf<O>> {
  const blank = (): PointOf<O> => (spec.fields ? (Object.fromEntries(spec.fields.map((f) => [f, NaN])) as PointOf<O>) : (NaN as PointOf<O>));
  let inner = spec.stream();
  let last = blank();
  let lastTs = NaN;
  return {
    update(bar: Bar): PointOf<O> {
      const b = bar as BarWithInputs;
      const fed = b.inputs?.[name];
      if (!fed) throw new QuantlabError('BAD_ARGUMENT', `indicator ${key}: the bar at ${bar.ts === undefined ? '?' : iso(bar.ts)} carries no bars of input '${name}' (a feed must pass bar.inputs.${name}, [] when none closed)`);
      for (const x of fed) {
        const t = x.ts ?? NaN;
        if (!(t > lastTs) && lastTs === lastTs) throw new QuantlabError('UNSORTED', `indicator ${key}: input '${name}' bar ${iso(t)} is not after ${iso(lastTs)}`);
        if (bar.ts !== undefined && t > bar.ts) throw new QuantlabError('BAD_ARGUMENT', `indicator ${key}: input '${name}' bar ${iso(t)} is later than the base bar ${iso(bar.ts)} (look-ahead)`);
        const v = inner.update(x);
        last = (typeof v === 'object' && v !== null ? { ...(v as object) } : v) as PointOf<O>;
        lastTs = t;
      }
      const gaps = gapsOverride ?? (b.inputs as { gaps?: InputGaps } | undefined)?.gaps ?? 'hold';
      if (lastTs === lastTs && lastTs !== bar.ts && gaps !== 'hold') {
        if (gaps === 'error') throw gapError(key, name, -1, bar.ts ?? NaN);
        return blank();
      }
      return last;
    },
    reset() {
      inner = spec.stream();
      last = blank();
      lastTs = NaN;
    },
  };
}

/**
 * Feeds for a streaming run over `bars`: for base bar t, each input's bars opened after base bar t−1 and at
 * or before base bar t (at t = 0: all before). Undefined when `bars` carry no inputs.
 */
export function inputFeeder(bars: Bars): ((t: number) => InputBarsFeed) | undefined {
  const a = inputsOf(bars);
  if (!a) return undefined;
  const names = Object.keys(a.inputs);
  const ptr = new Int32Array(names.length);
  let lastT = -1;
  return (t: number) => {
    if (t !== lastT + 1) {
      // random access: restart the pointers at the right place
      for (let k = 0; k < names.length; k++) {
        const its = a.inputs[names[k]!]!.ts;
        const bound = t > 0 ? bars.ts[t - 1]! : -Infinity;
        let j = 0;
        while (j < its.length && its[j]! <= bound) j++;
        ptr[k] = j;
      }
    }
    lastT = t;
    const feed: Record<string, Bar[]> = {};
    for (let k = 0; k < names.length; k++) {
      const ib = a.inputs[names[k]!]!;
      const list: Bar[] = [];
      let j = ptr[k]!;
      while (j < ib.ts.length && ib.ts[j]! <= bars.ts[t]!) {
        list.push({ ts: ib.ts[j]!, open: ib.open[j]!, high: ib.high[j]!, low: ib.low[j]!, close: ib.close[j]!, volume: ib.volume[j]! });
        j++;
      }
      ptr[k] = j;
      feed[names[k]!] = list;
    }
    Object.defineProperty(feed, 'gaps', { value: a.gaps, enumerable: false });
    return feed;
  };
}

/** What aligning the inputs to the base bars finds, per input. */
export interface InputReport {
  symbol: string;
  bars: number;
  /** base bars with no input bar at the same time (shown per the gaps option). */
  missing: number;
  /** open times (ISO) of the first 20 of them. */
  missingAt: string[];
  /** input bars inside the base range that fall in a gap of the base bars (computed on, never shown on a bar of their own). */
  extra: number;
  /** the gaps option in force. */
  gaps: InputGaps;
}

/**
 * Gap report of the inputs attached to `bars` (empty when none).
 * @example
 * const btc = await ql.loadDataset('BTCUSDT', '1h');
 * const eth = await ql.loadDataset('ETHUSDT', '1h');
 * inputsReport(withInputs(btc, { eth })).eth.gaps // 'hold'
 */
export function inputsReport(bars: Bars): Record<string, InputReport> {
  const a = inputsOf(bars);
  const out: Record<string, InputReport> = {};
  if (!a) return out;
  const n = bars.ts.length;
  for (const [name, ib] of Object.entries(a.inputs)) {
    let missing = 0;
    let extra = 0;
    const missingAt: string[] = [];
    let j = 0;
    for (let t = 0; t < n; t++) {
      while (j < ib.ts.length && ib.ts[j]! < bars.ts[t]!) {
        if (t > 0) extra++;
        j++;
      }
      if (j < ib.ts.length && ib.ts[j] === bars.ts[t]) j++;
      else {
        missing++;
        if (missingAt.length < 20) missingAt.push(iso(bars.ts[t]!));
      }
    }
    out[name] = { symbol: ib.symbol, bars: ib.ts.length, missing, missingAt, extra, gaps: a.gaps };
  }
  return out;
}
