/**
 * A table-driven suite for indicators: TA-Lib agreement, streaming twin == whole-array form, warm-up
 * length, bad periods and the NaN policy, all on the real BTCUSDT 1h bars. Each indicator is described
 * by a {@link Case}; `runCase` registers the vitest tests for it.
 */
import { expect, it } from 'vitest';
import { QuantlabError, type Bar, type Bars } from '../../lib/core';
import { btc1h } from './datasets';
import { maxRelDiff, talibRun } from './talib';

export type Outputs = Record<string, Float64Array>;
export type Reading = Record<string, number>;
export type Params = readonly number[];

export interface TalibRef {
  /** TA-Lib function name, e.g. 'STOCH'. */
  name: string;
  /** TA-Lib inputs from the bars: 'close' means inReal = close; 'hlc', 'hl', 'hlcv' pass those columns. */
  inputs: 'close' | 'hl' | 'hlc' | 'hlcv';
  /** TA-Lib options for our parameters. */
  opts: (p: Params) => Record<string, number>;
  /** our output name -> TA-Lib output name (outReal, outSlowK, ...) */
  map: Record<string, string>;
}

export interface Case {
  name: string;
  /** 'close': the kernel reads close only (stream fed numbers); 'bars': it reads bar fields (stream fed Bars). */
  input: 'close' | 'bars';
  whole: (b: Bars, p: Params) => Outputs;
  stream: (p: Params) => { update(v: number | Bar): Reading; reset(): void };
  /** Parameter sets to test; the first is the default. */
  params: Params[];
  talib?: TalibRef[];
  /** Leading NaN count per output, for a parameter set. */
  warmup: (p: Params) => Record<string, number>;
  /**
   * NaN policy. 'window': an output whose window (lookback + 1 bars) contains a bad bar is NaN, later
   * outputs equal a fresh run started after the bad bar. 'skip': the bad bar's outputs are NaN and every
   * other output equals a run on the series with that bar removed.
   */
  policy: { kind: 'window'; lookback: (p: Params) => number } | { kind: 'skip' } | { kind: 'custom' };
  /** A call with a bad period, for the error test, and the function name the message must carry. */
  bad: { call: (period: number) => unknown; fn: string; min: number };
  /** Bad values for the error test (default: 0, min−1, 2.5, NaN). */
  badValues?: number[];
  /** Set when an output may legitimately be NaN after the warm-up on real data (e.g. zero volume). */
  nanAfterWarmupOk?: boolean;
  /** Which column a bad tick is injected into for the NaN-policy test (default: close). */
  nanColumn?: 'close' | 'high' | 'low' | 'volume';
}

let barsCache: Bar[] | undefined;
/** The BTCUSDT 1h bars as Bar objects (built once). */
export function barObjects(b: Bars = btc1h()): Bar[] {
  if (b === btc1h() && barsCache) return barsCache;
  const out: Bar[] = new Array(b.ts.length);
  for (let i = 0; i < b.ts.length; i++) {
    out[i] = { ts: b.ts[i]!, open: b.open[i]!, high: b.high[i]!, low: b.low[i]!, close: b.close[i]!, volume: b.volume[i]! };
  }
  if (b === btc1h()) barsCache = out;
  return out;
}

/** Feeds every bar (or close) to a fresh stream and collects each output column. */
export function streamAll(c: Case, p: Params, b: Bars, keys: string[]): Outputs {
  const s = c.stream(p);
  const n = b.ts.length;
  const out: Outputs = {};
  for (const k of keys) out[k] = new Float64Array(n);
  const bars = c.input === 'bars' ? barObjects(b) : undefined;
  for (let i = 0; i < n; i++) {
    const r = s.update(bars ? bars[i]! : b.close[i]!);
    for (const k of keys) out[k]![i] = r[k]!;
  }
  return out;
}

/** Index of the first difference (Object.is: NaN equals NaN, bits otherwise), or -1. */
export function firstDiff(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** Bars with column `col` set to NaN at index j (a copy). */
export function withBadTick(b: Bars, col: 'close' | 'high' | 'low' | 'volume', j: number): Bars {
  const copy = { ...b, [col]: Float64Array.from(b[col]) } as Bars;
  (copy[col] as Float64Array)[j] = NaN;
  return copy;
}

/** Bars without index j (copies). */
export function withoutBar(b: Bars, j: number): Bars {
  const drop = (x: Float64Array) => {
    const o = new Float64Array(x.length - 1);
    o.set(x.subarray(0, j));
    o.set(x.subarray(j + 1), j);
    return o;
  };
  return { ...b, ts: drop(b.ts), open: drop(b.open), high: drop(b.high), low: drop(b.low), close: drop(b.close), volume: drop(b.volume) };
}

/** Bars [from, end) as copies. */
export function barsFrom(b: Bars, from: number): Bars {
  const s = (x: Float64Array) => x.slice(from);
  return { ...b, ts: s(b.ts), open: s(b.open), high: s(b.high), low: s(b.low), close: s(b.close), volume: s(b.volume) };
}

const talibInputs = (b: Bars, kind: TalibRef['inputs']): Record<string, Float64Array> => {
  switch (kind) {
    case 'close':
      return { inReal: b.close };
    case 'hl':
      return { high: b.high, low: b.low };
    case 'hlc':
      return { high: b.high, low: b.low, close: b.close };
    case 'hlcv':
      return { high: b.high, low: b.low, close: b.close, volume: b.volume };
  }
};

/** Registers the standard tests for one indicator (call inside a describe block). */
export function runCase(c: Case): void {
  const b = btc1h();

  for (const ref of c.talib ?? []) {
    it.each(c.params.map((p) => [p.join(', '), p] as const))(
      `matches TA-Lib ${ref.name} to 1e-9 relative with identical NaN positions on BTCUSDT 1h (%s)`,
      (_label, p) => {
        const ours = c.whole(b, p);
        const theirs = talibRun(ref.name, talibInputs(b, ref.inputs), ref.opts(p));
        for (const [k, tk] of Object.entries(ref.map)) {
          const d = maxRelDiff(ours[k]!, theirs[tk]!);
          expect(d.nanMismatch, `${k} vs ${tk}: first NaN mismatch`).toBe(-1);
          expect(d.max, `${k} vs ${tk} at ${d.at}`).toBeLessThan(1e-9);
        }
      },
    );
  }

  it.each(c.params.map((p) => [p.join(', '), p] as const))(
    'streaming twin equals the whole-array form bit for bit on the full series (%s)',
    (_label, p) => {
      const whole = c.whole(b, p);
      const keys = Object.keys(whole);
      const streamed = streamAll(c, p, b, keys);
      for (const k of keys) expect(firstDiff(streamed[k]!, whole[k]!), k).toBe(-1);
    },
  );

  it.each(c.params.map((p) => [p.join(', '), p] as const))('has the documented warm-up (%s)', (_label, p) => {
    const whole = c.whole(b, p);
    for (const [k, w] of Object.entries(c.warmup(p))) {
      const col = whole[k]!;
      expect(col.subarray(0, w).every(Number.isNaN), `${k}: first ${w} NaN`).toBe(true);
      expect(Number.isFinite(col[w]!), `${k}: value at ${w}`).toBe(true);
      // and no NaN after the warm-up on clean data
      if (!c.nanAfterWarmupOk) expect(col.subarray(w).some(Number.isNaN), `${k}: NaN after warm-up`).toBe(false);
    }
  });

  it('rejects a bad period with a BAD_ARGUMENT naming the function and the value', () => {
    for (const bad of c.badValues ?? [0, c.bad.min - 1, 2.5, NaN]) {
      let err: unknown;
      try {
        c.bad.call(bad);
      } catch (e) {
        err = e;
      }
      expect(err, `period ${bad}`).toBeInstanceOf(QuantlabError);
      expect((err as QuantlabError).code).toBe('BAD_ARGUMENT');
      expect((err as Error).message).toContain(`${c.bad.fn}:`);
      expect((err as Error).message).toContain(`found ${bad}`);
    }
  });

  if (c.policy.kind !== 'custom') {
    const policy = c.policy;
    it(`NaN policy (${policy.kind}): a bad tick inside the series, both forms`, () => {
      const p = c.params[0]!;
      const j = 5000;
      const col = c.nanColumn ?? 'close';
      const bad = withBadTick(b, col, j);
      const got = c.whole(bad, p);
      const keys = Object.keys(got);
      // the streaming twin follows the same policy
      const streamed = streamAll(c, p, bad, keys);
      for (const k of keys) expect(firstDiff(streamed[k]!, got[k]!), `stream ${k}`).toBe(-1);
      if (policy.kind === 'skip') {
        const ref = c.whole(withoutBar(b, j), p);
        for (const k of keys) {
          const expected = new Float64Array(got[k]!.length);
          expected.set(ref[k]!.subarray(0, j));
          expected[j] = NaN;
          expected.set(ref[k]!.subarray(j), j + 1);
          expect(firstDiff(got[k]!, expected), k).toBe(-1);
        }
      } else {
        const lb = policy.lookback(p);
        const clean = c.whole(b, p);
        const after = c.whole(barsFrom(b, j + 1), p);
        for (const k of keys) {
          const g = got[k]!;
          expect(firstDiff(g.subarray(0, j), clean[k]!.subarray(0, j)), `${k} before`).toBe(-1);
          expect(g.subarray(j, j + lb + 1).every(Number.isNaN), `${k}: NaN over [j, j+lookback]`).toBe(true);
          expect(Number.isFinite(g[j + lb + 1]!), `${k}: value at j+lookback+1`).toBe(true);
          expect(firstDiff(g.subarray(j + 1), after[k]!), `${k} after`).toBe(-1);
        }
      }
    });
  }
}
