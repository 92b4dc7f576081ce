import type { Bars } from '../core';
import { indexBlocks } from './blocks';
import type { ComputeContext, Computed, IndicatorOutput, IndicatorSpec, IndicatorSpecs } from './indicator';

/**
 * Indicator results keyed by bars window and spec key. Pass one Map to many backtests on the same Bars
 * object (a sweep, an optimiser study) so each distinct indicator is computed once per window.
 * Entries are never evicted: drop the Map when the window is done. Cached arrays are shared between runs:
 * never write into them (scans may keep block summaries of them).
 */
export type IndicatorCache = Map<string, unknown>;

const windowIds = new WeakMap<Bars, number>();
let nextWindow = 1;

/** A number that identifies this Bars object (window) for cache keys. */
function windowId(bars: Bars): number {
  let id = windowIds.get(bars);
  if (id === undefined) {
    id = nextWindow++;
    windowIds.set(bars, id);
  }
  return id;
}

/**
 * A {@link ComputeContext} over `bars`: inputs of composite specs come from `cache` (under the window's
 * prefix) when there is one, else from a map that lives as long as the context.
 */
export function computeContext(bars: Bars, cache?: IndicatorCache): ComputeContext {
  const store: Map<string, unknown> = cache ?? new Map();
  const prefix = cache ? `${windowId(bars)}|` : '';
  const ctx: ComputeContext = {
    input<O extends IndicatorOutput>(spec: IndicatorSpec<O>): O {
      const key = prefix + spec.key;
      let v = store.get(key) as O | undefined;
      if (v === undefined) {
        v = spec.compute(bars, ctx);
        store.set(key, v);
      }
      return v;
    },
  };
  return ctx;
}

/** Computes (or fetches from `cache`) every spec's whole-array output on `bars`; composites share their inputs. */
export function computeIndicators<I extends IndicatorSpecs>(specs: I, bars: Bars, cache?: IndicatorCache): Computed<I> {
  const out = {} as Record<string, unknown>;
  const prefix = cache ? `${windowId(bars)}|` : '';
  let ctx: ComputeContext | undefined;
  for (const name in specs) {
    const spec = specs[name]!;
    if (!cache) {
      out[name] = spec.compute(bars, (ctx ??= computeContext(bars)));
      continue;
    }
    const key = prefix + spec.key;
    let v = cache.get(key);
    if (v === undefined) {
      v = spec.compute(bars, (ctx ??= computeContext(bars, cache)));
      cache.set(key, v);
    } else if (v instanceof Float64Array) indexBlocks(v); // reused: worth block ranges for skipping scans
    out[name] = v;
  }
  return out as Computed<I>;
}
