import { readFileSync } from 'node:fs';
import { QuantlabError } from '../core';
import { writeFileAtomic } from '../core/files';
import type { IndicatorSpecs } from '../strategy/indicator';
import type { Model, ModelJSON } from './models/model';
import { fromJSON, modelHash } from './train';

/** What a frozen model carries besides its parameters. */
export interface ModelEvidence {
  /** The feature specs' names and keys, in order (what the model must be fed). */
  features?: Record<string, string>;
  /** The bars the model was trained on, as ISO times (first and last). */
  trainWindow?: { from: string; to: string };
  /** Cross-validation scores (e.g. `crossValidate(...).mean`). */
  cv?: Record<string, number>;
  notes?: string;
}

export interface ModelFile {
  format: 'quantlab-model';
  version: 1;
  hash: string;
  savedAt: string;
  evidence: ModelEvidence;
  model: ModelJSON;
}

/** The `features` entry of the evidence from feature specs: name → spec key. */
export const featureKeys = (specs: IndicatorSpecs): Record<string, string> => Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, s.key]));

/**
 * Freezes a model into a JSON file (written atomically) with its hash and evidence; `loadModel` gives it back
 * bit for bit and refuses a file whose parameters no longer match the hash.
 * @example
 * const m = ql.ml.train('logistic', [[0], [1], [2], [3]], [0, 0, 1, 1]);
 * const saved = saveModel('experiments/m.json', m, { notes: 'toy' });
 * loadModel('experiments/m.json').model.predictProba([[1.2]])[0] === m.predictProba([[1.2]])[0] // true
 * loadModel('experiments/m.json').hash === saved.hash // true
 */
export function saveModel(path: string, model: Model, evidence: ModelEvidence = {}): { path: string; hash: string } {
  if (!model || typeof model.toJSON !== 'function') throw new QuantlabError('BAD_ARGUMENT', 'saveModel: expected a model from ml.train or ml.fromJSON');
  const hash = modelHash(model);
  const file: ModelFile = { format: 'quantlab-model', version: 1, hash, savedAt: new Date().toISOString(), evidence, model: model.toJSON() };
  return { path: writeFileAtomic(path, `${JSON.stringify(file)}\n`, 'saveModel'), hash };
}

/** Reads a model frozen by `saveModel`; checks the format and that the parameters still hash to what was saved. */
export function loadModel(path: string): { model: Model; hash: string; evidence: ModelEvidence; savedAt: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new QuantlabError('NOT_FOUND', `loadModel: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let file: ModelFile;
  try {
    file = JSON.parse(text) as ModelFile;
  } catch (e) {
    throw new QuantlabError('PARSE_ERROR', `loadModel: ${path} is not JSON (${(e as Error).message})`);
  }
  if (!file || file.format !== 'quantlab-model' || file.version !== 1) throw new QuantlabError('BAD_ARGUMENT', `loadModel: ${path}: expected a model saved by ml.saveModel (format 'quantlab-model', version 1), found format ${JSON.stringify(file?.format)}`);
  const model = fromJSON(file.model);
  const hash = modelHash(model);
  if (hash !== file.hash) throw new QuantlabError('STATE_DAMAGED', `loadModel: ${path}: the model's parameters hash to ${hash}, the file says ${file.hash}; it was changed after it was saved`);
  return { model, hash, evidence: file.evidence ?? {}, savedAt: file.savedAt };
}
