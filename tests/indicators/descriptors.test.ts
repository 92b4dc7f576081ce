/**
 * The shared indicator test: one parametrised case per descriptor in lib/indicators (INDICATORS), on the
 * real BTCUSDT 1h bars. For each: the strategy spec's whole-array output equals its streaming twin bit for
 * bit (default parameters and a second set), the warm-up is as declared, the warm-up propagates through a
 * composed input as documented, the declared minimum parameters are accepted by the kernel, bad parameters
 * are refused naming indicator, parameter, range and value, and TA-Lib agrees where it has the indicator.
 */
import { describe, expect, it } from 'vitest';
import { QuantlabError, type Bars } from '../../lib/core';
import { INDICATORS } from '../../lib/indicators/catalog';
import { rangeText, resolveIndicatorParams, seriesInputs, talibRefs, type AnyDescriptor, type ParamDef, type ParamDefs } from '../../lib/indicators/descriptor';
import { specFromDescriptor } from '../../lib/strategy/compose';
import { ind } from '../../lib/strategy/ind';
import type { AnySpec } from '../../lib/strategy/indicator';
import { talibAgreement, talibTolerance } from '../../lib/testing/agreement';
import { btc1h } from '../helpers/datasets';
import { barObjects, firstDiff } from '../helpers/indicator-suite';

const b = btc1h();
const all = Object.values(INDICATORS) as AnyDescriptor[];

/** Series inputs without a default (crossings) get close and open: they cross often. */
const requiredInputs = (d: AnyDescriptor): string[] => seriesInputs(d).map((s, i) => s.default ?? (i === 0 ? 'close' : 'open'));
const specOf = (d: AnyDescriptor, params: Record<string, unknown> = {}, inputs: unknown[] = requiredInputs(d)): AnySpec =>
  specFromDescriptor(d, [...inputs, params]);

/** Columns of a spec's output by name ('value' for one series). */
const columns = (out: unknown): Record<string, Float64Array> => (out instanceof Float64Array ? { value: out } : (out as Record<string, Float64Array>));

function streamed(spec: AnySpec, bars: Bars, names: string[]): Record<string, Float64Array> {
  const s = spec.stream();
  const n = bars.close.length;
  const out: Record<string, Float64Array> = Object.fromEntries(names.map((k) => [k, new Float64Array(n)]));
  const objs = barObjects(bars);
  for (let i = 0; i < n; i++) {
    const r = s.update(objs[i]!) as number | Record<string, number>;
    for (const k of names) out[k]![i] = typeof r === 'number' ? r : r[k]!;
  }
  return out;
}

const leadingNaNs = (x: Float64Array): number => {
  let i = 0;
  while (i < x.length && Number.isNaN(x[i]!)) i++;
  return i;
};

/** A second parameter set: every number moved up a little, booleans flipped, the next choice. */
function variant(d: AnyDescriptor): Record<string, unknown> | undefined {
  const p: Record<string, unknown> = {};
  for (const [k, def] of Object.entries(d.params as ParamDefs)) {
    if (def.kind === 'int') p[k] = (def.default as number) + 3;
    else if (def.kind === 'float') p[k] = (def.default as number) * 1.5;
    else if (def.kind === 'bool') p[k] = !def.default;
    else p[k] = def.values!.find((v) => v !== def.default);
  }
  if (Object.keys(p).length === 0) return undefined;
  try {
    resolveIndicatorParams(d, p);
    return p;
  } catch {
    return undefined;
  }
}

/** Values a parameter must refuse. */
function badValues(def: ParamDef<unknown & (number | string | boolean)>): unknown[] {
  switch (def.kind) {
    case 'bool':
      return ['yes', 1];
    case 'choice':
      return ['nope', 3];
    default: {
      const min = def.min ?? -Infinity;
      const out: unknown[] = [NaN, Infinity, 'ten'];
      if (Number.isFinite(min)) out.push(def.minExclusive ? min : min - 1);
      if (def.kind === 'int') out.push((def.default as number) + 0.5);
      return out;
    }
  }
}

describe('the catalogue', () => {
  it('holds every indicator of lib/indicators (about 60), each name once', () => {
    expect(all.length).toBeGreaterThanOrEqual(55);
    expect(new Set(all.map((d) => d.name)).size).toBe(all.length);
  });

  it('gives every indicator an ind.<name> spec', () => {
    for (const d of all) expect(typeof (ind as unknown as Record<string, unknown>)[d.name], d.name).toBe('function');
  });
});

describe.each(all.map((d) => [d.name, d] as const))('%s', (_name, d) => {
  const sets = [{}, variant(d)].filter((p): p is Record<string, unknown> => p !== undefined);

  it.each(sets.map((p) => [JSON.stringify(p), p] as const))('streaming twin equals the whole-array form bit for bit (%s)', (_l, p) => {
    const spec = specOf(d, p);
    const whole = columns(spec.compute(b));
    const names = Object.keys(whole);
    expect(names).toEqual(d.outputs ? [...d.outputs] : ['value']);
    const s = streamed(spec, b, names);
    for (const k of names) expect(firstDiff(s[k]!, whole[k]!), `${spec.key} ${k}: first difference`).toBe(-1);
  });

  it.each(sets.map((p) => [JSON.stringify(p), p] as const))('has the declared warm-up (%s)', (_l, p) => {
    const spec = specOf(d, p);
    const whole = columns(spec.compute(b));
    const resolved = resolveIndicatorParams(d, p);
    const w = d.warmup(resolved);
    for (const [k, col] of Object.entries(whole)) {
      if (d.nan === 'never-nan') {
        expect(col.some(Number.isNaN), `${k}: never NaN`).toBe(false);
        continue;
      }
      const expected = typeof w === 'number' ? w : w[k]!;
      expect(leadingNaNs(col), `${spec.key} ${k}: leading NaNs`).toBe(expected);
      expect(spec.fieldWarmup?.[k] ?? spec.warmup, `${spec.key} ${k}: spec warm-up`).toBe(expected);
    }
  });

  if (seriesInputs(d).length > 0 && d.nan !== 'never-nan') {
    it('warm-up propagates through a composed input: first value at input warm-up + own warm-up', () => {
      const inner = ind.sma(10); // 9 leading NaNs
      const inputs = requiredInputs(d).map((x, i) => (i === 0 ? inner : x));
      const spec = specOf(d, {}, inputs);
      const w = d.warmup(resolveIndicatorParams(d));
      for (const [k, col] of Object.entries(columns(spec.compute(b)))) {
        const expected = 9 + (typeof w === 'number' ? w : w[k]!);
        expect(leadingNaNs(col), `${spec.key} ${k}`).toBe(expected);
        expect(spec.fieldWarmup?.[k] ?? spec.warmup, `${spec.key} ${k}: spec warm-up`).toBe(expected);
      }
      const names = Object.keys(columns(spec.compute(b)));
      const s = streamed(spec, b, names);
      const whole = columns(spec.compute(b));
      for (const k of names) expect(firstDiff(s[k]!, whole[k]!), `${spec.key} ${k}: stream`).toBe(-1);
    });
  }

  it('reads no future bar: on the data cut at t, every value before t is unchanged', () => {
    const spec = specOf(d);
    const full = columns(spec.compute(b));
    for (const cut of [500, 20_011, 50_000]) {
      const part = { ...b, ts: b.ts.slice(0, cut), open: b.open.slice(0, cut), high: b.high.slice(0, cut), low: b.low.slice(0, cut), close: b.close.slice(0, cut), volume: b.volume.slice(0, cut) } as Bars;
      const got = columns(spec.compute(part));
      for (const [k, col] of Object.entries(full)) expect(firstDiff(got[k]!, col.subarray(0, cut)), `${spec.key} ${k} cut at ${cut}`).toBe(-1);
    }
  });

  it('accepts every parameter at the bound of its declared range (the kernel agrees with the descriptor)', () => {
    const short = { ...b, ts: b.ts.subarray(0, 3000), open: b.open.subarray(0, 3000), high: b.high.subarray(0, 3000), low: b.low.subarray(0, 3000), close: b.close.subarray(0, 3000), volume: b.volume.subarray(0, 3000) } as Bars;
    for (const [k, def] of Object.entries(d.params as ParamDefs)) {
      if (def.kind !== 'int' && def.kind !== 'float') continue;
      const min = def.min ?? 0;
      const edge = def.minExclusive ? (def.kind === 'int' ? min + 1 : min + 1e-6) : min;
      let p: Record<string, unknown> = { [k]: edge };
      try {
        resolveIndicatorParams(d, p);
      } catch {
        // a cross-parameter rule (fast < slow) refuses the edge alone: move the others out of the way
        p = Object.fromEntries(Object.entries(d.params as ParamDefs).map(([j, dj]) => [j, j === k ? edge : dj.kind === 'int' ? (dj.default as number) + 50 : dj.default]));
        try {
          resolveIndicatorParams(d, p);
        } catch {
          continue;
        }
      }
      expect(() => specOf(d, p).compute(short), `${d.name} ${k} = ${edge}`).not.toThrow();
    }
  });

  it('refuses bad parameters with BAD_ARGUMENT naming indicator, parameter, range and value', () => {
    for (const [k, def] of Object.entries(d.params as ParamDefs)) {
      for (const bad of badValues(def)) {
        let err: unknown;
        try {
          specOf(d, { [k]: bad });
        } catch (e) {
          err = e;
        }
        expect(err, `${d.name} ${k} = ${String(bad)}`).toBeInstanceOf(QuantlabError);
        const m = (err as Error).message;
        expect((err as QuantlabError).code).toBe('BAD_ARGUMENT');
        expect(m).toContain(`${d.name}:`);
        expect(m).toContain(`'${k}'`);
        expect(m).toContain(rangeText(def));
        expect(m).toContain(`found ${typeof bad === 'string' ? `'${bad}'` : String(bad)}`);
      }
    }
    expect(() => specOf(d, { nosuch: 1 })).toThrow(new RegExp(`${d.name}: unknown parameter 'nosuch'`));
  });

  if (talibRefs(d).length > 0) {
    it.each(sets.map((p) => [JSON.stringify(p), p] as const))('agrees with TA-Lib, same warm-up NaNs (%s)', (_l, p) => {
      const rows = talibAgreement(b, [{ name: d.name, params: p as never }]);
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) {
        expect(r.same_warmup, `${r.indicator} vs ${r.talib}`).toBe(true);
        expect(r.max_rel_diff, `${r.indicator} vs ${r.talib}`).toBeLessThan(talibTolerance(d.name));
        expect(r.values).toBeGreaterThan(60_000);
      }
    });
  }
});
