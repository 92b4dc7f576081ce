import { rng } from '../rng';
import { emptySpaceError, gridPoints, paramsKey, type Params } from '../space';
import type { Sampler } from './types';

export interface GridOptions {
  /** Points per continuous parameter (discrete ones use every value). Default 10. */
  points?: number;
  /** Visit the grid in a shuffled (seeded) order instead of grid order. Default false. */
  shuffle?: boolean;
}

/**
 * Exhaustive grid in a deterministic order (first parameter slowest), constraint-invalid points skipped.
 * Each point is run once: points of live trials (running, complete, pruned) are skipped, failed ones retried.
 * Returns null when every point is taken.
 */
export function gridSampler(options: GridOptions = {}): Sampler {
  interface State {
    space: object;
    study: string;
    seed: number;
    points: Params[];
    keys: string[];
    index: Map<string, number>;
    /** grid points taken by final (complete or pruned) trials: these never free up again. */
    taken: Uint8Array;
    seen: Set<number>;
    /** every point before this one is taken by a final trial. */
    first: number;
  }
  let st: State | null = null;
  return {
    name: 'grid',
    unique: true,
    sample(ctx) {
      if (!st || st.space !== ctx.space || st.study !== ctx.study || st.seed !== ctx.seed || ctx.history.length < st.seen.size) {
        const points = gridPoints(ctx.space, ctx.constraint, options.points ?? 10);
        if (!points.length) throw emptySpaceError(ctx.space, ctx.constraint, `study '${ctx.study}'`, 0, 'no grid point allowed');
        if (options.shuffle) {
          // Fisher–Yates with a stream that depends on the seed only (not on the trial number)
          const g = rng(ctx.seed, 0x67726964);
          for (let i = points.length - 1; i > 0; i--) {
            const j = g.int(i + 1);
            [points[i], points[j]] = [points[j]!, points[i]!];
          }
        }
        const keys = points.map(paramsKey);
        st = { space: ctx.space, study: ctx.study, seed: ctx.seed, points, keys, index: new Map(keys.map((k, i) => [k, i])), taken: new Uint8Array(points.length), seen: new Set(), first: 0 };
      }
      const s = st;
      // history only grows (final records never change): look for the new records from the end
      let missing = ctx.history.length - s.seen.size;
      for (let j = ctx.history.length - 1; j >= 0 && missing > 0; j--) {
        const t = ctx.history[j]!;
        if (s.seen.has(t.number)) continue;
        s.seen.add(t.number);
        missing--;
        const i = s.index.get(paramsKey(t.params));
        if (i !== undefined) s.taken[i] = 1;
      }
      while (s.first < s.points.length && s.taken[s.first]) s.first++;
      const pending = new Set(ctx.pending.map(paramsKey));
      for (let i = s.first; i < s.points.length; i++) {
        if (!s.taken[i] && !pending.has(s.keys[i]!)) return { ...s.points[i]! };
      }
      return null;
    },
  };
}

/** The grid's size after the constraint (what a full sweep runs). */
export const gridCount = (space: Parameters<typeof gridPoints>[0], constraint?: Parameters<typeof gridPoints>[1], points = 10): number =>
  gridPoints(space, constraint, points).length;
