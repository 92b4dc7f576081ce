import { QuantlabError } from '../core';
import type { Params, SearchSpace } from './space';
import type { Direction, StudyRecord, StudySummary, TrialRecord, TrialState } from './trial';

/**
 * Where studies and their trial records live. Every operation is atomic; several processes (or machines,
 * for PostgreSQL) may share one study: trial numbers are allocated inside a transaction, the trial limit is
 * checked inside the same transaction, and a trial is written only by its owner while it runs.
 */
export interface Storage {
  /** 'memory:', 'sqlite:PATH' or 'postgres://…' (password hidden). */
  readonly url: string;
  /**
   * Creates the study, or returns the existing one with the same name when its directions agree. A name
   * clash with different directions is an error naming both.
   */
  createStudy(study: NewStudy): Promise<StudyRecord>;
  getStudy(name: string): Promise<StudyRecord | null>;
  listStudies(): Promise<StudySummary[]>;
  deleteStudy(name: string): Promise<void>;
  /**
   * Adds a running trial numbered one past the highest, in one transaction. Refuses with 'limit' when
   * `limit` is given and complete + pruned + running trials already reach it, and with 'duplicate' when
   * `unique` and a trial that has not failed has the same parameters.
   */
  claimTrial(study: string, claim: TrialClaim): Promise<TrialRecord | Refusal>;
  /** Replaces a running trial's parameters (its owner re-sampled them). */
  setParams(study: string, number: number, params: Params): Promise<void>;
  reportIntermediate(study: string, number: number, step: number, value: number): Promise<void>;
  /** Sets the heartbeat of these running trials to `now`. */
  heartbeat(study: string, numbers: readonly number[], now: number): Promise<void>;
  /**
   * Moves a running trial to a final state. Returns false (and changes nothing) when the trial is no longer
   * running, e.g. because another process marked it failed after its heartbeat went stale. `infeasible`
   * (a reason) marks a complete trial whose result breaks a constraint.
   */
  finishTrial(study: string, number: number, state: Exclude<TrialState, 'running'>, values: number[] | null, now: number, infeasible?: string | null): Promise<boolean>;
  /** Marks failed every running trial whose heartbeat is older than `staleBefore`; returns their numbers. */
  failStaleTrials(study: string, staleBefore: number, now: number): Promise<number[]>;
  /** The study's trials by number, optionally only those in `states` and numbered `from` or higher. */
  getTrials(study: string, filter?: TrialFilter): Promise<TrialRecord[]>;
  close(): Promise<void>;
}

export interface NewStudy {
  name: string;
  directions: Direction[];
  space?: SearchSpace | null;
  meta?: Record<string, unknown>;
}

export interface TrialClaim {
  params: Params;
  worker: string;
  now: number;
  limit?: number;
  unique?: boolean;
}

export interface TrialFilter {
  states?: readonly TrialState[];
  from?: number;
}

export interface Refusal {
  refused: 'limit' | 'duplicate';
}

export const isRefusal = (x: TrialRecord | Refusal): x is Refusal => 'refused' in x;

export function noStudy(url: string, name: string): QuantlabError {
  return new QuantlabError('NOT_FOUND', `storage ${url}: no study named '${name}'`);
}

export function directionClash(url: string, name: string, found: readonly Direction[], wanted: readonly Direction[]): QuantlabError {
  return new QuantlabError(
    'BAD_ARGUMENT',
    `storage ${url}: study '${name}' exists with directions [${found.join(', ')}]; expected [${wanted.join(', ')}] — pick another name or the same directions`,
    { reason: 'STUDY_CLASH' },
  );
}

export function notRunning(url: string, name: string, number: number, state: string): QuantlabError {
  return new QuantlabError('BAD_ARGUMENT', `storage ${url}: study '${name}' trial ${number} is ${state}; expected a running trial`);
}

/** Empty per-state counts. */
export const zeroCounts = (): Record<TrialState, number> => ({ running: 0, complete: 0, pruned: 0, fail: 0 });

/** Hides the password of a connection URL. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+):[^@]*@/, '$1:***@');
}
