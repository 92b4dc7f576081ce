/**
 * promote() takes what a search returned as its evidence — `optimize`, `sweep`, `walkForwardOptimize` — and
 * validates on the bars that search ran on: other bars are refused (STUDY_MISMATCH, naming both), no bars
 * finds the shipped dataset that is the study's, and the evidence records the study's name, its trial count and
 * the deflated Sharpe the study computed on those bars. Promoting twice needs `overwrite`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sliceBars, type Bars } from '../../lib/core';
import { datasetPath, loadDataset } from '../../lib/data';
import { simOptionsOf } from '../../lib/live/config';
import { promote } from '../../lib/live/promote';
import { optimize, sweep, walkForwardOptimize } from '../../lib/research';
import { int } from '../../lib/params';
import { backtest } from '../../lib/strategy';
import { tempDir } from '../helpers/runner';

const space = { fast: int(5, 20), slow: int(21, 60) };
let futures: Bars;
let spot: Bars;
const load = async () => {
  futures ??= await loadDataset('BTCUSDT', '1h', { market: 'futures' });
  spot ??= await loadDataset('BTCUSDT', '1h');
};

describe('promote() with the result of ql.optimize as validation', () => {
  it('records the study, its finished trials and the deflated Sharpe the study computed on its own bars', { timeout: 60_000 }, async () => {
    await load();
    const study = await optimize('sma-cross', futures, { trials: 12, seed: 3, progress: false, space });
    const root = tempDir('promote-ev');
    const p = await promote('sma-cross', study.best!.params, { symbol: 'BTC/USDT:USDT', timeframe: '1h', data: futures, validation: study, experimentsDir: root });
    const ev = JSON.parse(readFileSync(p.evidencePath, 'utf8'));
    expect(ev.study).toMatchObject({ name: study.studyName, kind: 'optimize', trials: 12, complete: 12, finished: 12, sampler: 'tpe', sameData: true });
    expect(study.overfitting).not.toBeNull();
    expect(ev.overfitting.trials).toBe(study.overfitting!.trials);
    expect(ev.overfitting.deflatedSharpe).toBe(study.overfitting!.deflated.deflatedSharpe);
    // beside it, the promoted backtest's own figure, deflated by the same trial count on the same bars
    const bt = backtest('sma-cross', futures, study.best!.params, { ...simOptionsOf(p.config), trials: 12 });
    expect(ev.overfitting.backtestDeflatedSharpe).toBe(bt.stats.deflatedSharpe);
    expect(ev.data).toMatchObject({ bars: futures.ts.length, from: study.best!.stats.start, to: study.best!.stats.end, file: datasetPath('BTCUSDT', '1h', 'futures') });

    // a second run without overwrite is refused, with it replaces the folder's files
    await expect(promote('sma-cross', study.best!.params, { symbol: 'BTC/USDT:USDT', timeframe: '1h', data: futures, validation: study, experimentsDir: root })).rejects.toThrow(/overwrite: true/);
    const again = await promote('sma-cross', study.best!.params, { symbol: 'BTC/USDT:USDT', timeframe: '1h', data: futures, validation: study, experimentsDir: root, overwrite: true });
    expect(again.dir).toBe(p.dir);

    // without data: the shipped dataset that is the study's bars (here the futures file), hashed
    const found = await promote('sma-cross', study.best!.params, { symbol: 'BTC/USDT:USDT', timeframe: '1h', validation: study, experimentsDir: root, overwrite: true });
    expect(found.evidence.data.file).toBe(datasetPath('BTCUSDT', '1h', 'futures'));
  });

  it('refuses bars other than the study’s: another market, another window — and says which', { timeout: 60_000 }, async () => {
    await load();
    const window = sliceBars(spot, 40_000, 44_000);
    const study = await optimize('sma-cross', window, { trials: 6, seed: 1, progress: false, space, overfitting: false });
    const root = tempDir('promote-ev');
    const o = { symbol: 'BTC/USDT', timeframe: '1h', validation: study, experimentsDir: root };
    await expect(promote('sma-cross', study.best!.params, { ...o, data: spot })).rejects.toMatchObject({ code: 'STUDY_MISMATCH', message: expect.stringMatching(/searched 4000 bars, found 66677/) });
    await expect(promote('sma-cross', study.best!.params, { ...o, data: sliceBars(spot, 40_001, 44_001) })).rejects.toMatchObject({ code: 'STUDY_MISMATCH', message: expect.stringMatching(/first bar opened at/) });
    // the same hours from the futures market: same span and count, other prices
    const t0 = window.ts[0]!;
    const at = futures.ts.indexOf(t0);
    expect(at).toBeGreaterThanOrEqual(0);
    const sameHours = sliceBars(futures, at, at + 4000);
    expect(sameHours.ts[3999]).toBe(window.ts[3999]);
    await expect(promote('sma-cross', study.best!.params, { ...o, data: sameHours })).rejects.toMatchObject({ code: 'STUDY_MISMATCH', message: expect.stringMatching(/other prices/) });
    // no data and no shipped dataset holds that window: refused, not validated elsewhere
    await expect(promote('sma-cross', study.best!.params, o)).rejects.toMatchObject({ code: 'STUDY_MISMATCH', message: expect.stringMatching(/pass data: the bars the study searched/) });
    // a study that cannot say which bars it searched (no complete trial): refused without data, never validated elsewhere
    // (what optimize returns when every trial failed: best null, trials failed)
    const failing = { ...study, best: null, trials: study.trials.map((t) => ({ ...t, state: 'fail' as const, values: null })) };
    await expect(promote('sma-cross', { fast: 5, slow: 30 }, { ...o, validation: failing })).rejects.toThrow(/study '.*' does not say which bars it searched \(0 complete trials\); pass data/);
    // the study's own bars pass; the deflated Sharpe is the promoted backtest's, deflated by the 6 trials
    const p = await promote('sma-cross', study.best!.params, { ...o, data: window });
    expect(p.evidence.overfitting.trials).toBe(6);
    expect(p.evidence.overfitting.deflatedSharpe).toBe(backtest('sma-cross', window, study.best!.params, { ...simOptionsOf(p.config), trials: 6 }).stats.deflatedSharpe);
  });

  it('takes ql.sweep and walkForwardOptimize results too', { timeout: 90_000 }, async () => {
    await load();
    const window = sliceBars(futures, 0, 6000);
    const grid = await sweep('sma-cross', window, { grid: { fast: [5, 10, 15], slow: [30, 50] }, progress: false });
    const root = tempDir('promote-ev');
    const a = await promote('sma-cross', grid.best!.params, { symbol: 'BTC/USDT:USDT', timeframe: '1h', data: window, validation: grid, experimentsDir: root });
    expect(a.evidence.study).toMatchObject({ name: grid.studyName, kind: 'sweep', trials: 6, sampler: 'grid' });
    expect(a.evidence.overfitting.trials).toBe(6);

    const wf = await walkForwardOptimize('sma-cross', window, { train: 3000, test: 1000, mode: 'rolling', trials: 5, seed: 2, progress: false, space });
    const last = wf.folds[wf.folds.length - 1]!.params;
    const b = await promote('sma-cross', last, { symbol: 'BTC/USDT:USDT', timeframe: '1h', data: window, validation: { study: wf, notes: 'last fold' }, experimentsDir: root, overwrite: true });
    expect(b.evidence.study).toMatchObject({ kind: 'walk-forward', trials: 0, sameData: true });
    expect(b.evidence.overfitting).toMatchObject({ trials: 1, folds: wf.folds.length, wfe: wf.wfe, oosBars: wf.oosTs.length });
    // the trials each fold's study ran are not in the result: given, they deflate the Sharpe
    const c = await promote('sma-cross', last, { symbol: 'BTC/USDT:USDT', timeframe: '1h', data: window, validation: { study: wf, trials: wf.folds.length * 5 }, experimentsDir: root, overwrite: true });
    expect(c.evidence.overfitting.trials).toBe(wf.folds.length * 5);
    expect(c.evidence.overfitting.deflatedSharpe).toBe(backtest('sma-cross', window, last, { ...simOptionsOf(c.config), trials: wf.folds.length * 5 }).stats.deflatedSharpe);
    await expect(promote('sma-cross', last, { symbol: 'BTC/USDT:USDT', timeframe: '1h', data: sliceBars(futures, 1, 6001), validation: wf, experimentsDir: root, overwrite: true })).rejects.toMatchObject({ code: 'STUDY_MISMATCH' });
  });
});
