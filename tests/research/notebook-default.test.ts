/**
 * Studies persist by default in notebooks (QUANTLAB_NOTEBOOK=1 stands for the kernel here): without `storage`,
 * optimize / sweep / walkForwardOptimize keep the study in <experiments>/studies.db under a name derived from
 * what defines it, so the same call again resumes the finished study, runs nothing and returns the same result;
 * another call is another study (never a STUDY_MISMATCH); `storage: false` / 'memory' and scripts stay in memory.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sliceBars } from '../../lib/core';
import { openStorage } from '../../lib/optimizer';
import { optimize } from '../../lib/research/optimize';
import { sweep } from '../../lib/research/sweep';
import { walkForwardOptimize } from '../../lib/research/walk-forward';
import { smaCross } from '../../lib/strategy';
import { int } from '../../lib/strategy/params';
import type { TrialResult } from '../../lib/research/objectives';
import { btc1h } from '../helpers/datasets';

const all = btc1h();
const bars = sliceBars(all, all.close.length - 3000);
const root = mkdtempSync(join(tmpdir(), 'ql-nb-default-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const saved = { nb: process.env.QUANTLAB_NOTEBOOK, ex: process.env.QUANTLAB_EXPERIMENTS };
let experiments = '';
let stderr: string[] = [];
beforeEach(() => {
  experiments = mkdtempSync(join(root, 'experiments-'));
  process.env.QUANTLAB_NOTEBOOK = '1';
  process.env.QUANTLAB_EXPERIMENTS = experiments;
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (stderr.push(String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const [k, v] of [['QUANTLAB_NOTEBOOK', saved.nb], ['QUANTLAB_EXPERIMENTS', saved.ex]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const space = { fast: int(2, 40), slow: int(10, 120, { step: 2 }) };

describe('notebook default: studies persist under a name derived from their identity', () => {
  it('the same optimize call twice: the second runs no trial and returns the same best, trials and overfitting statistics', async () => {
    let calls = 0;
    const counted = { name: 'counted-sharpe', direction: 'maximize' as const, value: (r: TrialResult) => (calls++, r.stats.sharpe) };
    const run = () => optimize(smaCross, bars, { trials: 16, objective: counted, space, progress: false }); // no seed: a random one, kept by the study
    const a = await run();
    const first = calls;
    expect(first).toBeGreaterThanOrEqual(16); // 16 trials, plus the neighbourhood of the best
    expect(a.storage).toBe(`sqlite:${join(experiments, 'studies.db')}`);
    expect(a.studyName).toMatch(/^nb-sma-cross-[0-9a-f]{8}$/);
    expect(existsSync(join(experiments, 'studies.db'))).toBe(true);
    expect(a.ran).toBe(16);
    const b = await run();
    expect(calls - first).toBe(0); // no trial, no neighbourhood re-evaluated
    expect(b.ran).toBe(0);
    expect(b.studyName).toBe(a.studyName);
    expect(b.best).toEqual(a.best);
    expect(b.trials).toEqual(a.trials);
    expect(b.overfitting).toEqual(a.overfitting);
    expect(a.overfitting!.stability.count).toBeGreaterThan(0);
    // one line each time saying where the study lives and that re-running resumes it
    const lines = stderr.join('').split('\n').filter((l) => l.startsWith('study '));
    expect(lines).toEqual([
      `study ${a.studyName} in ${join(experiments, 'studies.db')}: re-running this cell resumes it (storage: false keeps it in memory only)`,
      `study ${a.studyName} in ${join(experiments, 'studies.db')} (resumed: 16 of 16 trials stored): re-running this cell resumes it (storage: false keeps it in memory only)`,
    ]);
  }, 120_000);

  it('any change to the call is a new study name (never STUDY_MISMATCH); storage: false / "memory" and scripts stay in memory', async () => {
    const base = { trials: 6, seed: 2, space, progress: false, overfitting: false } as const;
    const a = await optimize(smaCross, bars, base);
    const names = new Set([a.studyName]);
    for (const changed of [{ backtest: { fee: 0.002 } }, { trials: 7 }, { seed: 3 }, { sampler: 'random' as const }, { objective: 'sortino' as const }, { space: { fast: int(2, 30), slow: int(10, 120, { step: 2 }) } }]) {
      const r = await optimize(smaCross, bars, { ...base, ...changed });
      expect(r.storage).toBe(a.storage);
      expect(r.ran).toBe(r.trials.length); // a new study: every trial ran now
      names.add(r.studyName);
    }
    expect(names.size).toBe(7);
    const other = await optimize(smaCross, sliceBars(bars, 1), base); // other data
    expect(other.studyName).not.toBe(a.studyName);
    const studies = openStorage(a.storage);
    expect((await studies.listStudies()).length).toBe(8);
    await studies.close();

    for (const storage of [false, 'memory'] as const) {
      const m = await optimize(smaCross, bars, { ...base, storage });
      expect(m.storage).toBe('memory:');
      expect(m.studyName).toBe('sma-cross-BTCUSDT-1h');
      expect(m.ran).toBe(6);
    }
    process.env.QUANTLAB_NOTEBOOK = '0'; // a script: nothing changes
    const s = await optimize(smaCross, bars, base);
    expect(s.storage).toBe('memory:');
    expect(s.studyName).toBe('sma-cross-BTCUSDT-1h');
    expect(stderr.join('')).not.toContain('memory only)\nstudy sma-cross');
  }, 120_000);

  it('an experiments folder that cannot hold the study is refused with the way out named', async () => {
    const file = join(experiments, 'not-a-folder');
    writeFileSync(file, 'x');
    process.env.QUANTLAB_EXPERIMENTS = file;
    await expect(optimize(smaCross, bars, { trials: 3, seed: 1, space, progress: false })).rejects.toThrow(/not-a-folder.*storage: false to keep this one in memory/s);
    const m = await optimize(smaCross, bars, { trials: 3, seed: 1, space, progress: false, storage: false });
    expect(m.ran).toBe(3);
  });

  it('sweep and walkForwardOptimize resume the same way', async () => {
    const grid = { fast: [5, 10, 15], slow: [20, 40] };
    const a = await sweep(smaCross, bars, { grid, progress: false });
    const b = await sweep(smaCross, bars, { grid, progress: false });
    expect(a.studyName).toMatch(/^nb-sma-cross-[0-9a-f]{8}$/);
    expect([a.ran, b.ran]).toEqual([6, 0]);
    expect(b.best).toEqual(a.best);

    let progressCalls = 0;
    const wfRun = () => walkForwardOptimize(smaCross, bars, { train: 1200, test: 400, mode: 'rolling', trials: 5, seed: 1, space, progress: () => void progressCalls++ });
    const w1 = await wfRun();
    const firstCalls = progressCalls;
    expect(firstCalls).toBe(5 * w1.folds.length);
    const w2 = await wfRun();
    expect(progressCalls).toBe(firstCalls); // every fold's study was finished: no trial ran
    expect(w2.folds).toEqual(w1.folds);
    expect(w2.oosEquity).toEqual(w1.oosEquity);
    const studies = openStorage(`sqlite:${join(experiments, 'studies.db')}`);
    const wfNames = (await studies.listStudies()).map((s) => s.name).filter((n) => n.includes('-wf-')).sort();
    await studies.close();
    expect(wfNames).toHaveLength(w1.folds.length);
    for (const n of wfNames) expect(n).toMatch(/^nb-sma-cross-wf-[0-9a-f]{8}-fold\d+$/);
    expect(stderr.join('').split('\n').filter((l) => l.startsWith('walk-forward studies '))).toHaveLength(2);
    // another split is another set of studies
    const w3 = await walkForwardOptimize(smaCross, bars, { train: 1000, test: 400, mode: 'rolling', trials: 5, seed: 1, space, progress: false });
    expect(w3.folds.length).toBeGreaterThan(0);
  }, 180_000);
});
