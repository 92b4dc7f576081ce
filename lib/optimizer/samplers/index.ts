import { QuantlabError } from '../../core';
import { gridSampler } from './grid';
import { randomSampler } from './random';
import { tpeSampler } from './tpe';
import { cmaEsSampler } from './cmaes';
import { nsga2Sampler } from './nsga2';
import type { Sampler } from './types';

export * from './types';
export * from './grid';
export * from './random';
export * from './tpe';
export * from './cmaes';
export * from './nsga2';

export type SamplerName = 'grid' | 'random' | 'tpe' | 'tpe-multivariate' | 'cmaes' | 'nsga2';
export const SAMPLER_NAMES: readonly SamplerName[] = ['grid', 'random', 'tpe', 'tpe-multivariate', 'cmaes', 'nsga2'];

/** A sampler from its name with default options (CLI and string options). */
export function samplerFrom(s: Sampler | SamplerName | undefined, fallback: SamplerName = 'random'): Sampler {
  const x = s ?? fallback;
  if (typeof x !== 'string') return x;
  switch (x) {
    case 'grid':
      return gridSampler();
    case 'random':
      return randomSampler();
    case 'tpe':
      return tpeSampler();
    case 'tpe-multivariate':
      return tpeSampler({ multivariate: true });
    case 'cmaes':
      return cmaEsSampler();
    case 'nsga2':
      return nsga2Sampler();
    default:
      throw new QuantlabError('BAD_ARGUMENT', `sampler: expected one of ${SAMPLER_NAMES.join(', ')}, found ${JSON.stringify(x)}`);
  }
}
