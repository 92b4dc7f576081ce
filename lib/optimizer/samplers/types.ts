import type { Rng } from '../rng';
import type { Constraint, Params, SearchSpace } from '../space';
import type { Direction, TrialRecord } from '../trial';

/** Everything a sampler may look at to propose the next trial's parameters. */
export interface SampleContext {
  readonly space: SearchSpace;
  readonly directions: readonly Direction[];
  /** Complete and pruned trials, by number. */
  readonly history: readonly TrialRecord[];
  /** Parameters of trials still running (not their results). */
  readonly pending: readonly Params[];
  /** The number the new trial will get. */
  readonly number: number;
  /** The random stream of this trial: derived from (study seed, trial number). */
  readonly rng: Rng;
  readonly seed: number;
  readonly constraint?: Constraint;
  /** Study name, for error messages. */
  readonly study: string;
}

/**
 * Proposes parameters from finished trial records. Samplers are stateless between calls except for caches
 * that they rebuild from the records, so that a study can resume in another process.
 */
export interface Sampler {
  readonly name: string;
  /** Exhaustive samplers (grid) ask the storage to refuse a trial whose parameters another live trial already has. */
  readonly unique?: boolean;
  /** A legal, constraint-satisfying parameter set, or null when the sampler has nothing left (grid exhausted). */
  sample(ctx: SampleContext): Params | null;
}
