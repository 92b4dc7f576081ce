import { QuantlabError } from '../../core';
import { constraintError, declError, isActive, sampleDecl, sampleValid, type Params } from '../space';
import { crowding, minimised, nonDominatedFronts, type TrialRecord } from '../trial';
import type { Sampler } from './types';

/**
 * NSGA-II (Deb et al. 2002) for one or several objectives, with optuna's documented defaults: population 50,
 * uniform crossover with probability 0.9 (each parameter from the second parent with probability 0.5),
 * mutation of each parameter with probability 1/(number of parameters) to a uniform random value, parents
 * by binary tournament on (non-dominated rank, crowding distance), elitist survival over parents ∪ children.
 *
 * Generations are rebuilt from the records: complete trials in number order, `population` at a time. The
 * first generation is uniform random. The Pareto front is the study's `bestTrials`.
 */
export interface Nsga2Options {
  population?: number;
  crossoverProb?: number;
  swappingProb?: number;
  /** Per-parameter mutation probability. Default 1 / number of parameters. */
  mutationProb?: number;
}

/** Ranks (front index) and crowding distances of a population. */
function rankAndCrowd(pop: readonly TrialRecord[], pts: readonly number[][]): { rank: Int32Array; crowd: Float64Array } {
  const rank = new Int32Array(pop.length);
  const crowd = new Float64Array(pop.length);
  nonDominatedFronts(pts).forEach((front, r) => {
    const cd = crowding(front.map((i) => pts[i]!));
    front.forEach((i, j) => {
      rank[i] = r;
      crowd[i] = cd[j]!;
    });
  });
  return { rank, crowd };
}

/** The best `size` of `pool` by rank, then crowding distance (larger first), then trial number. */
export function selectElite(pool: readonly TrialRecord[], directions: Parameters<typeof minimised>[1], size: number): TrialRecord[] {
  if (pool.length <= size) return [...pool];
  const pts = pool.map((t) => minimised(t, directions));
  const out: TrialRecord[] = [];
  for (const front of nonDominatedFronts(pts)) {
    if (out.length + front.length <= size) {
      out.push(...front.map((i) => pool[i]!));
      if (out.length === size) break;
      continue;
    }
    const cd = crowding(front.map((i) => pts[i]!));
    const order = front.map((i, j) => ({ t: pool[i]!, cd: cd[j]! })).sort((a, b) => b.cd - a.cd || a.t.number - b.t.number);
    out.push(...order.slice(0, size - out.length).map((x) => x.t));
    break;
  }
  return out;
}

export function nsga2Sampler(options: Nsga2Options = {}): Sampler {
  const population = options.population ?? 50;
  const crossoverProb = options.crossoverProb ?? 0.9;
  const swappingProb = options.swappingProb ?? 0.5;
  if (!(Number.isInteger(population) && population >= 2)) throw new QuantlabError('BAD_ARGUMENT', `nsga2Sampler: expected population >= 2, found ${population}`);
  for (const [k, v] of [
    ['crossoverProb', crossoverProb],
    ['swappingProb', swappingProb],
    ['mutationProb', options.mutationProb ?? 0],
  ] as const) {
    if (!(v >= 0 && v <= 1)) throw new QuantlabError('BAD_ARGUMENT', `nsga2Sampler: expected ${k} in [0, 1], found ${v}`);
  }
  let cache: { study: string; parents: TrialRecord[][]; gens: TrialRecord[][] } | null = null;
  return {
    name: 'nsga2',
    sample(ctx) {
      const { space, directions, rng } = ctx;
      const owner = `study '${ctx.study}'`;
      const names = Object.keys(space);
      const done = ctx.history.filter(
        (t) => t.state === 'complete' && t.values && t.values.length === directions.length && t.values.every((v) => v === v) && names.every((k) => !(k in t.params) || declError(space[k]!, t.params[k]) === null),
      );
      const gens = Math.floor(done.length / population);
      if (gens === 0) return sampleValid(space, rng, ctx.constraint, 10_000, owner);
      if (!cache || cache.study !== ctx.study) cache = { study: ctx.study, parents: [], gens: [] };
      let valid = 0;
      while (valid < cache.gens.length && valid < gens && cache.gens[valid]!.every((t, i) => done[valid * population + i] === t)) valid++;
      cache.gens.length = valid;
      cache.parents.length = valid;
      for (let g = valid; g < gens; g++) {
        const members = done.slice(g * population, (g + 1) * population);
        const prev = g === 0 ? [] : cache.parents[g - 1]!;
        cache.parents.push(selectElite([...prev, ...members], directions, population));
        cache.gens.push(members);
      }
      const parents = cache.parents[gens - 1]!;
      const pts = parents.map((t) => minimised(t, directions));
      const { rank, crowd } = rankAndCrowd(parents, pts);
      const tournament = (): TrialRecord => {
        const a = rng.int(parents.length);
        const b = rng.int(parents.length);
        if (rank[a]! !== rank[b]!) return parents[rank[a]! < rank[b]! ? a : b]!;
        if (crowd[a]! !== crowd[b]!) return parents[crowd[a]! > crowd[b]! ? a : b]!;
        return parents[Math.min(a, b)]!;
      };
      const mutationProb = options.mutationProb ?? 1 / Math.max(1, names.length);
      for (let attempt = 0; attempt < 100; attempt++) {
        const p1 = tournament();
        const p2 = rng.next() < crossoverProb ? tournament() : p1;
        const child: Params = {};
        for (const k of names) {
          if (!isActive(space, k, child)) continue;
          const from = p1 !== p2 && rng.next() < swappingProb ? p2 : p1;
          const other = from === p1 ? p2 : p1;
          let v = k in from.params ? from.params[k] : k in other.params ? other.params[k] : undefined;
          if (v === undefined || rng.next() < mutationProb) v = sampleDecl(space[k]!, rng);
          child[k] = v;
        }
        if (constraintError(ctx.constraint, child) === null) return child;
      }
      return sampleValid(space, rng, ctx.constraint, 10_000, owner);
    },
  };
}
