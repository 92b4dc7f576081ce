import { constraintError, fromInternal, isActive, sampleValid, type Params, type SearchSpace } from '../../space';
import type { SampleContext, Sampler } from '../types';
import { resolveOptions, type Resolved, type TpeOptions } from './options';
import { coordsFor, logDensity, parzen, pickKernel, type Coords, type Parzen } from './parzen';
import { drawFromKernel } from './kernels';
import { split, type Split } from './split';

/** TPE sampler; see {@link TpeOptions}. Falls back to uniform sampling for the first `startupTrials` trials. */
export function tpeSampler(options: TpeOptions = {}): Sampler {
  const opts = resolveOptions(options);
  let coords: Coords | null = null;
  let coordsSpace: SearchSpace | null = null;
  return {
    name: opts.multivariate ? 'tpe-multivariate' : 'tpe',
    sample(ctx) {
      const owner = `study '${ctx.study}'`;
      const history = ctx.history.filter((t) => t.state === 'complete' || (t.state === 'pruned' && Object.keys(t.intermediate).length > 0));
      if (history.length < opts.startupTrials) return sampleValid(ctx.space, ctx.rng, ctx.constraint, 10_000, owner);
      const groups = split(history, ctx.directions, opts.gamma);
      if (!coords || coordsSpace !== ctx.space) {
        coords = coordsFor(ctx.space);
        coordsSpace = ctx.space;
      }
      const best = propose(ctx, groups, opts, ctx.constraint === undefined ? 1 : 8, coords);
      if (best) return best;
      return sampleValid(ctx.space, ctx.rng, ctx.constraint, 10_000, owner);
    },
  };
}

/**
 * Proposes parameters: the always-active parameters jointly (multivariate) or one by one, conditional ones
 * one by one in declaration order. With a constraint, whole candidate sets are scored (sum of per-group
 * log l/g) and invalid ones discarded; `rounds` batches of candidates are tried before giving up.
 */
function propose(ctx: SampleContext, groups: Split, opts: Resolved, rounds: number, coords: Coords): Params | null {
  const { space, rng, constraint } = ctx;
  const names = Object.keys(space);
  const jointNames = opts.multivariate ? names.filter((n) => !space[n]!.when) : [];
  const models = new Map<string, { l: Parzen; g: Parzen }>();
  const model = (key: string, ns: readonly string[], mv: boolean) => {
    let m = models.get(key);
    if (!m) models.set(key, (m = { l: parzen(space, ns, groups.below, opts, mv, coords), g: parzen(space, ns, groups.above, opts, mv, coords) }));
    return m;
  };
  // draw C candidates of one group, each with its score
  const candidatesOf = (ns: readonly string[], mv: boolean, count: number): { xs: Float64Array[]; score: Float64Array } => {
    const { l, g } = model(ns.join('\u0000'), ns, mv);
    const xs: Float64Array[] = [];
    const score = new Float64Array(count);
    // on a lattice, candidates repeat: score each distinct one once
    const discrete = l.dims.every((d) => d.kind === 'categorical' || d.q > 0);
    const cache = new Map<string, number>();
    const D = l.dims.length;
    for (let c = 0; c < count; c++) {
      const k = pickKernel(l, rng);
      const x = new Float64Array(D);
      for (let d = 0; d < D; d++) x[d] = drawFromKernel(l.dims[d]!, k, rng);
      let s: number | undefined;
      if (discrete) {
        const key = D === 1 ? String(x[0]) : x.join(',');
        s = cache.get(key);
        if (s === undefined) cache.set(key, (s = logDensity(l, x) - logDensity(g, x)));
      } else s = logDensity(l, x) - logDensity(g, x);
      xs.push(x);
      score[c] = s;
    }
    return { xs, score };
  };
  const toParams = (ns: readonly string[], x: Float64Array, into: Params) => ns.forEach((n, d) => (into[n] = fromInternal(space[n]!, x[d]!)));

  if (!constraint) {
    // independent argmax per group, as TPE does without constraints
    const out: Params = {};
    if (jointNames.length) {
      const { xs, score } = candidatesOf(jointNames, true, opts.candidates);
      toParams(jointNames, xs[argmax(score)]!, out);
    }
    for (const n of names) {
      if (jointNames.includes(n) || !isActive(space, n, out)) continue;
      const { xs, score } = candidatesOf([n], false, opts.candidates);
      toParams([n], xs[argmax(score)]!, out);
    }
    return out;
  }
  // with a constraint: score whole candidate sets, keep the best valid one
  for (let round = 0; round < rounds; round++) {
    const count = opts.candidates * (round + 1);
    const sets: Params[] = Array.from({ length: count }, () => ({}));
    const total = new Float64Array(count);
    if (jointNames.length) {
      const { xs, score } = candidatesOf(jointNames, true, count);
      for (let c = 0; c < count; c++) {
        toParams(jointNames, xs[c]!, sets[c]!);
        total[c]! += score[c]!;
      }
    }
    for (const n of names) {
      if (jointNames.includes(n)) continue;
      const { xs, score } = candidatesOf([n], false, count);
      for (let c = 0; c < count; c++) {
        if (!isActive(space, n, sets[c]!)) continue;
        toParams([n], xs[c]!, sets[c]!);
        total[c]! += score[c]!;
      }
    }
    let best = -1;
    for (let c = 0; c < count; c++) {
      if (constraintError(constraint, sets[c]!) !== null) continue;
      if (best < 0 || total[c]! > total[best]!) best = c;
    }
    if (best >= 0) return sets[best]!;
  }
  return null;
}

function argmax(x: Float64Array): number {
  let b = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[b]!) b = i;
  return b;
}
