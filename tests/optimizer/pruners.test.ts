import { describe, expect, it } from 'vitest';
import { medianPruner, percentileOf, percentilePruner, prunerFrom, successiveHalvingPruner } from '../../lib/optimizer/pruners';
import { createStudy } from '../../lib/optimizer/study';
import type { TrialRecord } from '../../lib/optimizer/trial';
import { float } from '../../lib/params';

const rec = (number: number, intermediate: Record<number, number>, state: TrialRecord['state'] = 'complete'): TrialRecord => ({
  number,
  params: {},
  values: state === 'complete' ? [0] : null,
  state,
  intermediate,
  datetimeStart: 0,
  datetimeComplete: 0,
  heartbeat: 0,
  worker: '',
});

describe('percentile / median pruner', () => {
  const others = [1, 2, 3, 4, 5].map((v, i) => rec(i, { 0: v, 1: v * 10 }));

  it('percentile is the linear-interpolated one', () => {
    expect(percentileOf([4, 1, 3, 2], 25)).toBe(1.75);
    expect(percentileOf([5], 90)).toBe(5);
    expect(percentileOf([1, 2, 3, 4, 5], 50)).toBe(3);
  });

  it('minimise: prunes a trial whose best value so far is above the median of completed trials at that step', () => {
    const p = medianPruner();
    const judge = (im: Record<number, number>, step: number, direction: 'minimize' | 'maximize' = 'minimize') => p.prune({ trial: rec(9, im, 'running'), step, trials: others, direction });
    expect(judge({ 0: 3.5 }, 0)).toBe(true);
    expect(judge({ 0: 2.5 }, 0)).toBe(false);
    expect(judge({ 0: 3 }, 0)).toBe(false); // equal to the median: keep
    // best so far: 1 at step 0 counts at step 1 (median 30)
    expect(judge({ 0: 1, 1: 99 }, 1)).toBe(false);
    expect(judge({ 0: 50, 1: 40 }, 1)).toBe(true);
    // maximise: worse = below the median
    expect(judge({ 0: 2.5 }, 0, 'maximize')).toBe(true);
    expect(judge({ 0: 3.5 }, 0, 'maximize')).toBe(false);
    expect(judge({ 0: NaN }, 0)).toBe(true);
  });

  it('start-up trials, warm-up steps, interval and minimum trials hold it back', () => {
    const trial = rec(9, { 0: 100, 1: 100, 2: 100, 3: 100 }, 'running');
    const ctx = (step: number, trials = others) => ({ trial, step, trials, direction: 'minimize' as const });
    expect(medianPruner({ startupTrials: 6 }).prune(ctx(0))).toBe(false);
    expect(medianPruner({ warmupSteps: 2 }).prune(ctx(1))).toBe(false);
    expect(medianPruner({ warmupSteps: 2 }).prune({ ...ctx(2), trials: others.map((t) => ({ ...t, intermediate: { ...t.intermediate, 2: 1 } })) })).toBe(true);
    expect(medianPruner({ warmupSteps: 1, intervalSteps: 2 }).prune(ctx(2))).toBe(false); // (2 − 1) % 2 ≠ 0
    expect(medianPruner({ minTrials: 6 }).prune(ctx(0))).toBe(false);
    // only completed trials count, not running or pruned ones
    const mixed = [...others.slice(0, 4), rec(5, { 0: 0 }, 'running')];
    expect(medianPruner().prune(ctx(0, mixed))).toBe(false); // 4 complete < 5 start-up trials
    expect(percentilePruner(90).prune({ trial: rec(9, { 0: 4.5 }, 'running'), step: 0, trials: others, direction: 'minimize' })).toBe(false);
  });

  it('rejects bad settings and unknown names', () => {
    expect(() => percentilePruner(120)).toThrow(/expected percentile in \[0, 100\], found 120/);
    expect(() => prunerFrom('hyperband' as never)).toThrow(/pruner: expected 'none', 'median' or 'successive-halving', found "hyperband"/);
  });
});

describe('successive halving pruner', () => {
  // rungs at steps 1, 4, 16 (minResource 1, η 4)
  const p = successiveHalvingPruner({ minResource: 1, reductionFactor: 4 });
  const judge = (im: Record<number, number>, step: number, trials: TrialRecord[], direction: 'minimize' | 'maximize' = 'minimize') =>
    p.prune({ trial: rec(99, im, 'running'), step, trials, direction });

  it('no judgement before the first rung; the first trials always continue (at least the best one is promoted)', () => {
    expect(judge({ 0: 1e9 }, 0, [])).toBe(false);
    expect(judge({ 1: 1e9 }, 1, [])).toBe(false); // alone at the rung: it is the best
  });

  it('keeps the best 1/η at a rung: with 8 others (9 competitors) the top 2 continue', () => {
    const others = [1, 2, 3, 4, 5, 6, 7, 8].map((v, i) => rec(i, { 1: v }, i % 2 ? 'complete' : 'pruned'));
    expect(judge({ 1: 0.5 }, 1, others)).toBe(false);
    expect(judge({ 1: 2 }, 1, others)).toBe(false); // 2nd of 9
    expect(judge({ 1: 2.5 }, 1, others)).toBe(true); // 3rd of 9
    expect(judge({ 1: 7.5 }, 1, others, 'maximize')).toBe(false);
    expect(judge({ 1: 6.5 }, 1, others, 'maximize')).toBe(true);
  });

  it('judges a rung once, when a report crosses it; a trial that skipped to a later step is judged at every crossed rung', () => {
    const others = [1, 2, 3, 4, 5, 6, 7, 8].map((v, i) => rec(i, { 1: v, 4: v }));
    // reported step 1 earlier (judged then); step 2 and 3 cross no rung
    expect(judge({ 1: 8, 2: 8 }, 2, others)).toBe(false);
    // a report at step 4 crosses rung 1 (step 4): judged there
    expect(judge({ 1: 1, 4: 8 }, 4, others)).toBe(true);
    // the first report at step 5 crosses rungs 0 and 1 at once
    expect(judge({ 5: 8 }, 5, others)).toBe(true);
  });
});

describe('pruning inside a study (an intermediate value per fold)', () => {
  it('stops unpromising trials early: fewer folds evaluated, pruned trials count toward the total', async () => {
    const run = async (pruner: 'none' | 'median' | 'successive-halving') => {
      let folds = 0;
      const study = await createStudy({ space: { x: float(-3, 3) }, sampler: 'random', seed: 5, pruner, direction: 'minimize' });
      const r = await study.optimize(
        async (t) => {
          const x = t.params.x as number;
          let acc = 0;
          for (let fold = 0; fold < 8; fold++) {
            folds++;
            acc += x * x + fold * 0.01;
            await t.report(acc / (fold + 1), fold);
            if (await t.shouldPrune()) throw t.pruned();
          }
          return acc / 8;
        },
        { trials: 40 },
      );
      return { folds, r };
    };
    const none = await run('none');
    const med = await run('median');
    const sh = await run('successive-halving');
    expect(none.folds).toBe(320);
    expect(med.folds).toBeLessThan(250);
    expect(sh.folds).toBeLessThan(250);
    for (const x of [med, sh]) {
      expect(x.r.trials.filter((t) => t.state === 'pruned').length).toBeGreaterThan(5);
      expect(x.r.trials.filter((t) => t.state === 'complete' || t.state === 'pruned').length).toBe(40);
      // the same seed samples the same x's: pruning never loses the best trial here (values only grow with x²)
      expect(x.r.best!.values![0]).toBeCloseTo(none.r.best!.values![0]!, 12);
    }
    const pruned = med.r.trials.find((t) => t.state === 'pruned')!;
    expect(Object.keys(pruned.intermediate).length).toBeLessThan(8);
  });
});
