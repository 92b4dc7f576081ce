import { QuantlabError, type Bar, type Bars, type Series, type Stream } from '../core';
import {
  paramKeyTexts,
  resolveIndicatorParams,
  seriesInputs,
  streamFeed,
  warmupOf,
  type AnyDescriptor,
  type BarField,
  type IndicatorDescriptor,
  type ParamDefs,
} from '../indicators/descriptor';
import { sourceSeries, sourceValue, type AnySpec, type ComputeContext, type IndicatorOutput, type IndicatorSpec, type PointOf, type Source } from './indicator';
import { onTimeframe } from './timeframe';

// Specs from descriptors, and composition: a series input may be a bar source ('close', 'hl2'…), another
// spec's single-series output, or a number where the descriptor allows it. Keys nest the inputs' keys, so
// equal keys mean equal outputs and a shared sub-indicator is computed once through the cache. Streaming
// twins nest the same way: the composite's stream feeds each input's stream the bar and its own twin the
// readings.

/** What a series input can be given: a bar source, a single-series spec, or (where allowed) a number. */
export type Operand = Source | IndicatorSpec<Series> | number;

const SOURCES: ReadonlySet<string> = new Set(['open', 'high', 'low', 'close', 'volume', 'hl2', 'hlc3', 'ohlc4']);
const isSource = (v: unknown): v is Source => typeof v === 'string' && SOURCES.has(v);
/** True for an indicator spec (an object with a key, compute and stream). */
export const isSpec = (v: unknown): v is AnySpec =>
  typeof v === 'object' && v !== null && typeof (v as AnySpec).key === 'string' && typeof (v as AnySpec).compute === 'function' && typeof (v as AnySpec).stream === 'function';

// `.on` lives on a shared prototype: building a spec stays a plain object allocation (sweeps build many).
const SPEC_PROTO = {
  on(this: AnySpec, timeframe: string): AnySpec {
    return onTimeframe(this, timeframe);
  },
};

/** Gives a spec object `.on(timeframe)` (every spec `ind.*` makes has it); frozen, as equal arguments share one spec. */
export function withOn<O extends IndicatorOutput>(spec: Omit<IndicatorSpec<O>, 'on'>): IndicatorSpec<O> {
  return Object.freeze(Object.assign(Object.create(SPEC_PROTO) as object, spec)) as IndicatorSpec<O>;
}

/** A resolved series input: how to read it whole-array and bar by bar, its key text and warm-up. */
interface Resolved {
  key: string;
  warmup: number | undefined;
  spec?: AnySpec;
  source?: Source;
  constant?: number;
}

function resolveOperand(owner: string, input: string, v: unknown, allowConstant: boolean): Resolved {
  if (isSource(v)) return { key: v, warmup: 0, source: v };
  if (typeof v === 'number') {
    if (!allowConstant) throw new QuantlabError('BAD_ARGUMENT', `${owner}: input '${input}' must be a series (a source name or an indicator), found the number ${v}`);
    if (!Number.isFinite(v)) throw new QuantlabError('BAD_ARGUMENT', `${owner}: input '${input}' must be a finite number, found ${v}`);
    return { key: String(v), warmup: 0, constant: v };
  }
  if (isSpec(v)) {
    if (v.fields) {
      throw new QuantlabError(
        'BAD_ARGUMENT',
        `${owner}: input '${input}' must be one series, found ${v.key} with outputs ${v.fields.join(', ')}; pick one with ind.field(spec, '${v.fields[0]}')`,
      );
    }
    return { key: v.key, warmup: v.warmup, spec: v };
  }
  throw new QuantlabError(
    'BAD_ARGUMENT',
    `${owner}: input '${input}' must be a source (${[...SOURCES].join(', ')}), an indicator spec${allowConstant ? ' or a number' : ''}, found ${typeof v === 'string' ? `'${v}'` : String(v)}`,
  );
}

function wholeOf(r: Resolved, bars: Bars, ctx: ComputeContext | undefined): Series {
  if (r.source) return sourceSeries(bars, r.source);
  if (r.spec) return (ctx ? ctx.input(r.spec) : r.spec.compute(bars)) as Series;
  return new Float64Array(bars.close.length).fill(r.constant!);
}

/** Per-bar reader of a resolved input (a fresh inner stream for spec inputs). */
function readerOf(r: Resolved): Stream<Bar, number> {
  if (r.source) {
    const src = r.source;
    return { update: (b) => sourceValue(b.open, b.high, b.low, b.close, b.volume, src), reset: () => {} };
  }
  if (r.spec) return r.spec.stream() as Stream<Bar, number>;
  const c = r.constant!;
  return { update: () => c, reset: () => {} };
}

const barColumn = (bars: Bars, f: BarField): Series => bars[f];

const maxWarmup = (ws: readonly (number | undefined)[]): number | undefined => {
  let m = 0;
  for (const w of ws) {
    if (w === undefined) return undefined;
    if (w > m) m = w;
  }
  return m;
};

/** Splits `ind.<name>(...)` arguments into named parameters and series inputs (see {@link specFromDescriptor}). */
function splitArgs(d: AnyDescriptor, args: readonly unknown[]): { params: Record<string, unknown>; operands: unknown[] } {
  const names = Object.keys(d.params as ParamDefs);
  const slots = seriesInputs(d);
  const params: Record<string, unknown> = {};
  const operands: unknown[] = [];
  let nextParam = 0;
  for (const a of args) {
    if (a === undefined) {
      nextParam++; // a skipped positional parameter keeps its default
      continue;
    }
    if (isSpec(a) || isSource(a)) {
      if (operands.length >= slots.length) {
        throw new QuantlabError('BAD_ARGUMENT', `${d.name}: takes ${slots.length ? `${slots.length} series input(s) (${slots.map((s) => s.series).join(', ')})` : 'no series input (it reads ' + d.inputs.join(', ') + ')'}, found an extra ${isSpec(a) ? a.key : `'${a}'`}`);
      }
      operands.push(a);
    } else if (typeof a === 'object' && a !== null) {
      Object.assign(params, a);
    } else if (nextParam < names.length) {
      params[names[nextParam++]!] = a;
    } else if (typeof a === 'number' && operands.length < slots.length && slots[operands.length]!.constant) {
      operands.push(a);
    } else {
      throw new QuantlabError('BAD_ARGUMENT', `${d.name}: too many arguments: takes ${names.length ? `parameters ${names.join(', ')}` : 'no parameters'}${slots.length ? ` and series ${slots.map((s) => s.series).join(', ')}` : ''}, found an extra ${String(a)}`);
    }
  }
  return { params, operands };
}

/**
 * The strategy spec of an indicator descriptor. Arguments, in any order of kinds: numbers / booleans /
 * strings fill the parameters in declaration order (`undefined` keeps a default), a plain object sets
 * parameters by name, and source names or specs fill the series inputs in order (defaults: the declared
 * sources). `ind.ema(9, ind.rsi(14))` and `ind.ema(ind.rsi(14), 9)` are the same spec,
 * key `ema(9,rsi(14,close))`.
 */
export function specFromDescriptor<O extends IndicatorOutput>(d: IndicatorDescriptor<string, ParamDefs, O>, args: readonly unknown[]): IndicatorSpec<O> {
  // specs are immutable: the same primitive arguments give the same spec object (sweeps ask again per trial)
  let memoKey: string | undefined = d.name;
  for (const a of args) {
    const t = typeof a;
    if (t === 'number' || t === 'boolean' || t === 'undefined') memoKey += `|${String(a)}`;
    else if (t === 'string') memoKey += `|'${a as string}`;
    else {
      memoKey = undefined;
      break;
    }
  }
  if (memoKey !== undefined) {
    const hit = memo.get(memoKey);
    if (hit && hit.descriptor === d) return hit.spec as IndicatorSpec<O>;
  }
  const spec = buildSpec(d, args);
  if (memoKey !== undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(memoKey, { descriptor: d, spec });
  }
  return spec;
}

const MEMO_LIMIT = 10_000;
const memo = new Map<string, { descriptor: AnyDescriptor; spec: AnySpec }>();

function buildSpec<O extends IndicatorOutput>(d: IndicatorDescriptor<string, ParamDefs, O>, args: readonly unknown[]): IndicatorSpec<O> {
  const { params, operands } = splitArgs(d, args);
  const p = resolveIndicatorParams(d, params) as Record<string, unknown>;
  const slots = seriesInputs(d);
  const resolved = slots.map((slot, i) => {
    const v = i < operands.length ? operands[i] : slot.default;
    if (v === undefined) throw new QuantlabError('BAD_ARGUMENT', `${d.name}: input '${slot.series}' is required (a source name, an indicator${slot.constant ? ' or a number' : ''})`);
    return resolveOperand(d.name, slot.series, v, slot.constant === true);
  });
  const key = `${d.name}(${[...paramKeyTexts(d, p), ...resolved.map((r) => r.key)].join(',')})`;
  const feed = streamFeed(d);
  const inputWarm = maxWarmup(resolved.map((r) => r.warmup));
  const shiftBy = (w: number): number | undefined => (d.nan === 'never-nan' ? 0 : inputWarm === undefined ? undefined : inputWarm + w);
  const ownWarm = d.warmup(p as never);
  const fieldWarmup = d.outputs && typeof ownWarm !== 'number' ? Object.fromEntries(d.outputs.map((f) => [f, shiftBy(ownWarm[f] ?? 0)!])) : undefined;
  const warmup = shiftBy(warmupOf(d, p));
  // bar-field inputs in declaration order, and where each series input sits among all inputs
  const order = d.inputs.map((inp) => (typeof inp === 'string' ? inp : null));
  const allSources = resolved.every((r) => r.source !== undefined);

  const compute = (bars: Bars, ctx?: ComputeContext): O => {
    let s = 0;
    const cols = order.map((f) => (f !== null ? barColumn(bars, f) : wholeOf(resolved[s++]!, bars, ctx)));
    return d.whole(cols, p as never);
  };

  const stream = (): Stream<Bar, PointOf<O>> => {
    const twin = d.stream(p as never) as Stream<unknown, PointOf<O>>;
    if (feed === 'bar') return twin as Stream<Bar, PointOf<O>>;
    if (feed === 'value') {
      const r = resolved[0]!;
      if (allSources) {
        const src = r.source!;
        return { update: (b: Bar) => twin.update(sourceValue(b.open, b.high, b.low, b.close, b.volume, src)), reset: () => twin.reset() };
      }
      const inner = readerOf(r);
      return {
        update: (b: Bar) => twin.update(inner.update(b)),
        reset: () => {
          inner.reset();
          twin.reset();
        },
      };
    }
    const readers = resolved.map(readerOf);
    const values = new Array<number>(d.inputs.length).fill(NaN);
    return {
      update: (b: Bar) => {
        let s = 0;
        for (let i = 0; i < order.length; i++) {
          const f = order[i];
          values[i] = f !== null ? (f === 'ts' ? (b.ts ?? NaN) : b[f]) : readers[s++]!.update(b);
        }
        return twin.update(values);
      },
      reset: () => {
        for (const r of readers) r.reset();
        twin.reset();
      },
    };
  };

  return withOn<O>({
    key,
    name: d.name,
    fields: d.outputs,
    inputs: resolved.flatMap((r) => (r.spec ? [r.spec] : [])),
    warmup,
    fieldWarmup,
    compute,
    stream,
  });
}

// ---- composition operators -------------------------------------------------------------------------

/** A bar source as a spec (`ind.field('volume')`), key = the source name. */
export function fieldSpec(source: Source): IndicatorSpec<Series> {
  if (!isSource(source)) throw new QuantlabError('BAD_ARGUMENT', `field: expected a bar source (${[...SOURCES].join(', ')}), found ${typeof source === 'string' ? `'${source}'` : String(source)}`);
  return withOn<Series>({
    key: source,
    name: 'field',
    warmup: 0,
    compute: (bars) => sourceSeries(bars, source),
    stream: () => ({ update: (b: Bar) => sourceValue(b.open, b.high, b.low, b.close, b.volume, source), reset: () => {} }),
  });
}

/** One output of a multi-series spec as a series spec (`ind.field(ind.bbands(20), 'upper')`), key `<key>.<field>`. */
export function pickSpec(spec: AnySpec, field: string): IndicatorSpec<Series> {
  if (!spec.fields) throw new QuantlabError('BAD_ARGUMENT', `field: ${spec.key} has one output; use it directly (no field to pick), found '${field}'`);
  if (!spec.fields.includes(field)) throw new QuantlabError('BAD_ARGUMENT', `field: ${spec.key} has outputs ${spec.fields.join(', ')}, found '${field}'`);
  return withOn<Series>({
    key: `${spec.key}.${field}`,
    name: 'field',
    inputs: [spec],
    warmup: spec.fieldWarmup?.[field] ?? spec.warmup,
    compute: (bars, ctx) => ((ctx ? ctx.input(spec) : spec.compute(bars)) as Record<string, Series>)[field]!,
    stream: () => {
      const inner = spec.stream() as Stream<Bar, Record<string, number>>;
      return { update: (b: Bar) => inner.update(b)[field]!, reset: () => inner.reset() };
    },
  });
}

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';
const OPS: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
};

/**
 * `op(a, b)` bar by bar over two operands (sources, series specs or numbers). NaN in either gives NaN;
 * `div` by 0 gives ±Infinity (or NaN for 0/0), as IEEE arithmetic does. Key `<op>(<a>,<b>)`; warm-up
 * the larger of the operands'.
 */
export function binarySpec(op: BinaryOp, a: Operand, b: Operand): IndicatorSpec<Series> {
  const ra = resolveOperand(op, 'a', a, true);
  const rb = resolveOperand(op, 'b', b, true);
  if (ra.constant !== undefined && rb.constant !== undefined) throw new QuantlabError('BAD_ARGUMENT', `${op}: at least one operand must be a series, found the numbers ${ra.constant} and ${rb.constant}`);
  const f = OPS[op];
  return withOn<Series>({
    key: `${op}(${ra.key},${rb.key})`,
    name: op,
    inputs: [ra, rb].flatMap((r) => (r.spec ? [r.spec] : [])),
    warmup: maxWarmup([ra.warmup, rb.warmup]),
    compute: (bars, ctx) => {
      const n = bars.close.length;
      const out = new Float64Array(n);
      if (rb.constant !== undefined) {
        const x = wholeOf(ra, bars, ctx);
        const c = rb.constant;
        for (let i = 0; i < n; i++) out[i] = f(x[i]!, c);
      } else if (ra.constant !== undefined) {
        const y = wholeOf(rb, bars, ctx);
        const c = ra.constant;
        for (let i = 0; i < n; i++) out[i] = f(c, y[i]!);
      } else {
        const x = wholeOf(ra, bars, ctx);
        const y = wholeOf(rb, bars, ctx);
        for (let i = 0; i < n; i++) out[i] = f(x[i]!, y[i]!);
      }
      return out;
    },
    stream: () => {
      const sa = readerOf(ra);
      const sb = readerOf(rb);
      return {
        update: (bar: Bar) => f(sa.update(bar), sb.update(bar)),
        reset: () => {
          sa.reset();
          sb.reset();
        },
      };
    },
  });
}
