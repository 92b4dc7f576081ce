/**
 * Loaded by worker threads (see workerPool in lib/optimize): builds the strategy objective from plain data.
 * The strategy is found by name in the registry (built-ins), after loading `strategyFile` when given (your
 * own strategies). The bars arrive as a SharedBars view (no copy).
 */
import { QuantlabError } from '../core';
import { sharedBarsView, type SharedBars } from '../optimizer/shared';
import type { Objective } from '../optimizer/study';
import { threadGc } from '../optimizer/thread-gc';
import { resolve } from 'node:path';
import { getStrategy, registerStrategy, withInputs, type AnyStrategy, type InputGaps } from '../strategy';
import { strategyRulesHash } from './fingerprint';
import { strategyObjectiveFor, type ScoreSpec } from './objectives';

export interface StrategyObjectiveInit {
  strategy: string;
  strategyFile?: string;
  bars: SharedBars;
  /** the strategy's other symbols (inputs), shared the same way. */
  inputs?: Record<string, SharedBars>;
  inputGaps?: InputGaps;
  spec: ScoreSpec;
  /** Fingerprint of the strategy the main thread runs (strategyRulesHash): the one loaded here must match. */
  rules?: string | null;
}

export async function strategyObjective(init: StrategyObjectiveInit): Promise<Objective> {
  if (init.strategyFile) {
    // require (not import): worker threads run TypeScript through tsx's require hook
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(resolve(init.strategyFile)) as Record<string, unknown>;
    for (const v of Object.values(mod)) if (v && typeof v === 'object' && (v as AnyStrategy).kind === 'strategy') registerStrategy(v as AnyStrategy, { replace: true });
  }
  let strategy;
  try {
    strategy = getStrategy(init.strategy);
  } catch (e) {
    throw new QuantlabError('NOT_FOUND', `worker thread: ${(e as Error).message}${init.strategyFile ? '' : ' (pass strategyFile so that worker threads can load your strategy)'}`);
  }
  if (init.rules !== undefined && strategyRulesHash(strategy) !== init.rules) {
    throw new QuantlabError(
      'STUDY_MISMATCH',
      `worker thread: strategy '${init.strategy}' loaded from ${init.strategyFile ?? 'the registry'} gives other targets than the one the study runs in the main thread (did the file change since it was imported there?) — reload it there, or use jobs: 1`,
    );
  }
  const base = sharedBarsView(init.bars);
  const bars = init.inputs ? withInputs(base, Object.fromEntries(Object.entries(init.inputs).map(([k, b]) => [k, sharedBarsView(b)])), { gaps: init.inputGaps }) : base;
  return strategyObjectiveFor(strategy, bars, init.spec, { collect: threadGc() });
}
