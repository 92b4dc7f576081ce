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
  const keyOf = new WeakMap<object, string>();
  let cached: { spaceKey: string; points: Params[]; keys: string[] } | null = null;
  return {
    name: 'grid',
    unique: true,
    sample(ctx) {
      const spaceKey = JSON.stringify(ctx.space);
      if (!cached || cached.spaceKey !== spaceKey) {
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
        cached = { spaceKey, points, keys: points.map(paramsKey) };
      }
      const taken = new Set<string>();
      for (const t of ctx.history) {
        let k = keyOf.get(t);
        if (k === undefined) keyOf.set(t, (k = paramsKey(t.params)));
        taken.add(k);
      }
      for (const p of ctx.pending) taken.add(paramsKey(p));
      for (let i = 0; i < cached.points.length; i++) {
        if (!taken.has(cached.keys[i]!)) return { ...cached.points[i]! };
      }
      return null;
    },
  };
}

/** The grid's size after the constraint (what a full sweep runs). */
export const gridCount = (space: Parameters<typeof gridPoints>[0], constraint?: Parameters<typeof gridPoints>[1], points = 10): number =>
  gridPoints(space, constraint, points).length;
