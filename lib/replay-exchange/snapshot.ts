import { existsSync, readFileSync } from 'node:fs';
import { QuantlabError, writeFileAtomic } from '../core';
import type { EngineState } from './engine';

/**
 * The replay exchange's state file: the engine snapshot as JSON (clock, accounts by key hash, orders,
 * trades; never a credential). Written to a temporary file and renamed into place, so a crash leaves
 * either the old or the new state, never half of one.
 */
export function writeStateFile(path: string, state: EngineState): void {
  writeFileAtomic(path, `${JSON.stringify(state)}\n`, 'replay exchange state');
}

/** Reads a state file; undefined when it does not exist. Throws naming the file when it is not a state. */
export function readStateFile(path: string): EngineState | undefined {
  if (!existsSync(path)) return undefined;
  let s: unknown;
  try {
    s = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new QuantlabError('PARSE_ERROR', `${path}: expected a replay exchange state (JSON), found unreadable text (${(e as Error).message})`);
  }
  const st = s as Partial<EngineState>;
  if (!st || st.version !== 1 || !Array.isArray(st.orders) || !Array.isArray(st.accounts)) {
    throw new QuantlabError('PARSE_ERROR', `${path}: expected a replay exchange state with version 1, orders and accounts, found keys ${Object.keys(st ?? {}).join(', ')}`);
  }
  return st as EngineState;
}
