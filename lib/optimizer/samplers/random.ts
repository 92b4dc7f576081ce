import { sampleValid } from '../space';
import type { Sampler } from './types';

/** Independent uniform sampling (log-uniform for logFloat), constraint by rejection. */
export function randomSampler(): Sampler {
  return {
    name: 'random',
    sample: (ctx) => sampleValid(ctx.space, ctx.rng, ctx.constraint, 10_000, `study '${ctx.study}'`),
  };
}
