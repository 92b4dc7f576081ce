/** The TPE sampler: options and defaults, Parzen estimator (kernels, densities), good/bad split, the sampler loop. */
export { defaultGamma, defaultWeights, type TpeOptions } from './options';
export { parzenLogDensity } from './parzen';
export { tpeSampler } from './sampler';
