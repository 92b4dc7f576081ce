import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isoTime, sliceBars } from '../../lib/core';
import { ind, streamTargets } from '../../lib/strategy';
import { crossValidate, dataset, featureKeys, features, labels, loadModel, mlStrategy, pastReturn, purgedKFold, saveModel, train } from '../../lib/ml';
import { btc1h } from '../helpers/datasets';

const dir = mkdtempSync(join(tmpdir(), 'quantlab-ml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('freezing a model', () => {
  const bars = sliceBars(btc1h(), 50000, 56000);
  const specs = { rsi: ind.rsi(14), r24: pastReturn(24) };
  const d = dataset(features(bars, specs), labels.forwardReturn(bars, 12, { kind: 'sign' }));
  const model = train('gbdt', d.X, d.y, { rounds: 20 });
  const cv = crossValidate('gbdt', d, purgedKFold(d, { folds: 3 }), { options: { rounds: 20 } });

  it('saves with hash and evidence; loads bit for bit; the strategy it drives is unchanged', () => {
    const path = join(dir, 'gbdt.json');
    const evidence = { features: featureKeys(specs), trainWindow: { from: isoTime(bars.ts[d.start[0]!]!), to: isoTime(bars.ts[d.start[d.X.rows - 1]!]!) }, cv: cv.mean };
    const saved = saveModel(path, model, evidence);
    const back = loadModel(path);
    expect(back.hash).toBe(saved.hash);
    expect(back.evidence).toEqual(evidence);
    expect(back.evidence.features).toEqual({ rsi: 'rsi(14,close)', r24: 'pastReturn(24)' });
    const a = streamTargets(mlStrategy({ model, features: specs }), bars, {});
    const b = streamTargets(mlStrategy({ model: back.model, features: specs }), bars, {});
    for (let t = 0; t < a.length; t++) if (!Object.is(a[t], b[t])) throw new Error(`bar ${t}`);
  });

  it('refuses a changed file, a foreign file and a missing one', () => {
    const path = join(dir, 'tampered.json');
    saveModel(path, model);
    const f = JSON.parse(readFileSync(path, 'utf8'));
    f.model.learningRate = 0.2;
    writeFileSync(path, JSON.stringify(f));
    expect(() => loadModel(path)).toThrow(/changed after it was saved/);
    writeFileSync(join(dir, 'other.json'), '{"a":1}');
    expect(() => loadModel(join(dir, 'other.json'))).toThrow(/format 'quantlab-model'/);
    writeFileSync(join(dir, 'bad.json'), '{');
    expect(() => loadModel(join(dir, 'bad.json'))).toThrow(/is not JSON/);
    expect(() => loadModel(join(dir, 'none.json'))).toThrow(/cannot read/);
  });
});
