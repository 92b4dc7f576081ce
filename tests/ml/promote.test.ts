/**
 * A model-driven strategy through promotion and a paper session: the model is frozen to JSON, a strategy file
 * loads it (what run.ts imports), promote() validates it, and the paper runner — features from the streaming
 * twins, the model's row rule bar by bar — trades exactly what the backtest of the same bars shows.
 */
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sliceBars } from '../../lib/core';
import { promote } from '../../lib/live/promote';
import { paperSession } from '../../lib/live/session';
import { ind, type AnyStrategy } from '../../lib/strategy';
import { dataset, features, labels, pastReturn, saveModel, train } from '../../lib/ml';
import { btc1h } from '../helpers/datasets';
import { ROOT, tempDir } from '../helpers/runner';

describe('promoting a model strategy', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true }))); // removes the node_modules link, not its target
  it('promote() freezes it with its file; the paper session equals the backtest trade for trade', { timeout: 120_000 }, async () => {
    const root = tempDir('ml-promote');
    dirs.push(root);
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules')); // run.ts (in the temporary folder) imports 'quantlab/live'
    const bars = sliceBars(btc1h(), 50000, 58000);
    const specs = { rsi: ind.rsi(14), r24: pastReturn(24) };
    const d = dataset(features(bars, specs), labels.forwardReturn(bars, 12, { kind: 'sign' }));
    const modelPath = join(root, 'model.json');
    saveModel(modelPath, train('gbdt', d.X, d.y, { rounds: 30 }));
    const file = join(root, 'btc-model.ts');
    writeFileSync(
      file,
      `import { ml, ind } from '${ROOT}/lib/index';
const { model } = ml.loadModel(${JSON.stringify(modelPath)});
export const btcModel = ml.mlStrategy({ name: 'btc-model-test', model, features: { rsi: ind.rsi(14), r24: ml.pastReturn(24) }, entry: 0.505, exit: 0.495 });
`,
    );
    const mod = (await import(pathToFileURL(file).href)) as { btcModel: AnyStrategy };
    const p = await promote(mod.btcModel, {}, { symbol: 'BTC/USDT', timeframe: '1h', data: sliceBars(btc1h(), 58000, 59000), experimentsDir: root, strategyFile: file });
    const s = await paperSession({ promoted: p, window: 300 });
    expect(s.parity.equal).toBe(true);
    expect(s.parity.vacuous).toBe(false);
    expect(s.trades.length).toBeGreaterThan(0);
    expect(s.trades).toEqual(s.backtestTrades);
  });
});
