import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { QuantlabError } from '../core';
import { experimentsRoot } from '../data';

export { experimentsRoot };
import { getStrategy, type AnyStrategy } from '../strategy';
import { readConfig, type RunnerConfig } from './config';
import { importModule } from './load-module';
import { checkPromotedName, PROMOTED_NAME } from './promoted-name';
import type { ValidationEvidence } from './promote';

/**
 * Reading a promoted folder (`<experiments>/promoted/<name>/`): the folder of a name (a plain folder name,
 * checked before anything is read), its config and evidence, and the strategy it trades.
 */

/** The promoted folder of a name under an experiments folder (default <project>/experiments). The name is checked first. */
export function promotedDir(name: string, experimentsDir?: string): string {
  checkPromotedName(name);
  return join(experimentsRoot(experimentsDir), 'promoted', name);
}

/** The names of the promoted folders under an experiments folder (those holding a run.ts). */
export function promotedNames(experimentsDir?: string): string[] {
  const root = join(experimentsRoot(experimentsDir), 'promoted');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((n) => PROMOTED_NAME.test(n) && existsSync(join(root, n, 'run.ts')))
    .sort();
}

/** Like promotedDir, and the folder must hold a promoted strategy: NOT_FOUND lists the names that exist. */
export function existingPromotedDir(name: string, experimentsDir?: string): string {
  const dir = promotedDir(name, experimentsDir);
  if (!existsSync(join(dir, 'run.ts'))) {
    const names = promotedNames(experimentsDir);
    const root = join(experimentsRoot(experimentsDir), 'promoted');
    throw new QuantlabError(
      'NOT_FOUND',
      `${dir}: no promoted strategy '${name}' (expected ${join(dir, 'run.ts')}); ${names.length ? `${root} holds: ${names.join(', ')}` : `${root} holds none`}${experimentsDir ? '' : ' (another experiments folder: --experiments <dir>)'}`,
    );
  }
  return dir;
}

/** Reads a JSON file of a promoted folder; BAD_CONFIG naming the file when it is not JSON. */
function readJson(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new QuantlabError('BAD_CONFIG', `${path}: expected JSON, found text that does not parse (${(e as Error).message}); fix the file or promote the strategy again`);
  }
}

/** Reads a promoted folder: its config and evidence, and the module path of run.ts. */
export function readPromoted(dir: string): { config: RunnerConfig; evidence: ValidationEvidence; runPath: string } {
  const runPath = join(dir, 'run.ts');
  if (!existsSync(runPath)) throw new QuantlabError('NOT_FOUND', `${dir}: no promoted strategy here (no run.ts); promote it first`);
  if (!statSync(runPath).isFile()) throw new QuantlabError('BAD_CONFIG', `${runPath}: expected a file, found a folder`);
  const config = readConfig(dir);
  const evidencePath = join(dir, 'validation.json');
  const evidence = existsSync(evidencePath) ? (readJson(evidencePath) as ValidationEvidence) : ({} as ValidationEvidence);
  if (!evidence || typeof evidence !== 'object') throw new QuantlabError('BAD_CONFIG', `${evidencePath}: expected the validation evidence (a JSON object), found ${JSON.stringify(evidence)}`);
  return { config, evidence, runPath };
}

/**
 * The strategy and parameters a promoted folder trades, without running its script: a registered strategy
 * (the built-ins) with the validated parameters from validation.json; other strategies through run.ts.
 */
export async function promotedStrategy(dir: string): Promise<{ strategy: AnyStrategy; params: Record<string, unknown>; config: RunnerConfig }> {
  const { config, evidence } = readPromoted(dir);
  let strategy: AnyStrategy | undefined;
  try {
    strategy = evidence.strategy ? getStrategy(evidence.strategy) : undefined;
  } catch {
    strategy = undefined;
  }
  if (strategy && evidence.params) return { strategy, params: evidence.params, config };
  return loadPromoted(dir);
}

/** Imports a promoted folder's run.ts and returns the strategy and frozen parameters it exports. */
export async function loadPromoted(dir: string): Promise<{ strategy: AnyStrategy; params: Record<string, unknown>; config: RunnerConfig }> {
  const { config, runPath } = readPromoted(dir);
  const mod = (await importModule(runPath)) as Record<string, unknown> & { default?: Record<string, unknown> };
  const pick = (k: string) => mod[k] ?? mod.default?.[k];
  const strategy = pick('strategy') as AnyStrategy | undefined;
  const params = pick('params') as Record<string, unknown> | undefined;
  if (!strategy || strategy.kind !== 'strategy' || !params) throw new QuantlabError('BAD_CONFIG', `${runPath}: expected it to export { strategy, params } (as promote() writes it)`);
  return { strategy, params, config };
}
