import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRefusal, type Storage } from '../../lib/optimizer/storage';
import type { TrialRecord } from '../../lib/optimizer/trial';

/**
 * The one test suite every storage passes. `open` returns a fresh handle on the same backing store each
 * time (for memory: the same object), so that handles can be checked to see each other's writes.
 */
export function storageSuite(label: string, open: () => Promise<Storage>, options: { shared: boolean }): void {
  describe(`storage suite: ${label}`, () => {
    let s: Storage;
    let n = 0;
    const fresh = () => `suite-${label}-${process.pid}-${Date.now().toString(36)}-${n++}`;
    const claim = async (study: string, extra: Partial<Parameters<Storage['claimTrial']>[1]> = {}) => {
      const r = await s.claimTrial(study, { params: { a: 1 }, worker: 'w1', now: 1000, ...extra });
      if (isRefusal(r)) throw new Error(`refused: ${r.refused}`);
      return r;
    };
    beforeAll(async () => {
      s = await open();
    });
    afterAll(async () => {
      await s?.close();
    });

    it('creates a study, returns the same one for the same name and directions, refuses a clash in directions', async () => {
      const name = fresh();
      const a = await s.createStudy({ name, directions: ['maximize'], space: { x: { kind: 'int', low: 1, high: 5, step: 1 } }, meta: { seed: 7, strategy: 'sma-cross' } });
      expect(a.name).toBe(name);
      expect(a.directions).toEqual(['maximize']);
      expect(a.space).toEqual({ x: { kind: 'int', low: 1, high: 5, step: 1 } });
      expect(a.meta).toEqual({ seed: 7, strategy: 'sma-cross' });
      const b = await s.createStudy({ name, directions: ['maximize'] });
      expect(b.created).toBe(a.created);
      expect(b.meta).toEqual(a.meta);
      await expect(s.createStudy({ name, directions: ['minimize'] })).rejects.toThrow(
        new RegExp(`study '${name}' exists with directions \\[maximize\\]; expected \\[minimize\\]`),
      );
      expect(await s.getStudy(name)).toEqual(a);
      expect(await s.getStudy(fresh())).toBeNull();
    });

    it('names the storage and the study when the study does not exist', async () => {
      const name = fresh();
      await expect(s.claimTrial(name, { params: {}, worker: 'w', now: 1 })).rejects.toThrow(new RegExp(`no study named '${name}'`));
      await expect(s.getTrials(name)).rejects.toThrow(/no study named/);
    });

    it('numbers trials 0, 1, 2 … and stores exactly the plain record', async () => {
      const name = fresh();
      await s.createStudy({ name, directions: ['minimize'] });
      const params = { fast: 10, ratio: 0.1 + 0.2, ma: 'ema', long: true, tiny: 1e-300 };
      const t0 = await claim(name, { params, worker: 'host:1:a', now: 1234567890123 });
      const t1 = await claim(name);
      expect([t0.number, t1.number]).toEqual([0, 1]);
      const expected: TrialRecord = {
        number: 0,
        params,
        values: null,
        state: 'running',
        intermediate: {},
        datetimeStart: 1234567890123,
        datetimeComplete: null,
        heartbeat: 1234567890123,
        worker: 'host:1:a',
      };
      expect(t0).toEqual(expected);
      const [back] = await s.getTrials(name);
      expect(back).toEqual(expected);
      expect(back!.params.ratio).toBe(0.30000000000000004);
    });

    it('keeps intermediate values and objective values exactly, including NaN and ±Infinity, several objectives', async () => {
      const name = fresh();
      await s.createStudy({ name, directions: ['maximize', 'minimize'] });
      const t = await claim(name);
      await s.reportIntermediate(name, t.number, 0, 1.5);
      await s.reportIntermediate(name, t.number, 3, NaN);
      await s.reportIntermediate(name, t.number, 7, -Infinity);
      await s.reportIntermediate(name, t.number, 0, 2.25); // overwrite
      expect(await s.finishTrial(name, t.number, 'complete', [Infinity, 0.1], 5000)).toBe(true);
      const [r] = await s.getTrials(name);
      expect(r!.intermediate).toEqual({ 0: 2.25, 3: NaN, 7: -Infinity });
      expect(r!.values).toEqual([Infinity, 0.1]);
      expect(r!.state).toBe('complete');
      expect(r!.datetimeComplete).toBe(5000);
    });

    it('finishes a trial once: finishing a trial that is no longer running changes nothing', async () => {
      const name = fresh();
      await s.createStudy({ name, directions: ['minimize'] });
      const t = await claim(name);
      expect(await s.finishTrial(name, t.number, 'pruned', null, 2000)).toBe(true);
      expect(await s.finishTrial(name, t.number, 'complete', [1], 3000)).toBe(false);
      const [r] = await s.getTrials(name);
      expect(r!.state).toBe('pruned');
      expect(r!.values).toBeNull();
      expect(r!.datetimeComplete).toBe(2000);
    });

    it('refuses a claim past the limit (complete + pruned + running count; failed trials do not)', async () => {
      const name = fresh();
      await s.createStudy({ name, directions: ['minimize'] });
      const a = await claim(name, { limit: 3 });
      const b = await claim(name, { limit: 3 });
      await claim(name, { limit: 3 });
      expect(await s.claimTrial(name, { params: {}, worker: 'w', now: 1, limit: 3 })).toEqual({ refused: 'limit' });
      await s.finishTrial(name, a.number, 'complete', [1], 2);
      await s.finishTrial(name, b.number, 'fail', null, 2);
      const d = await claim(name, { limit: 3 });
      expect(d.number).toBe(3);
      expect(await s.claimTrial(name, { params: {}, worker: 'w', now: 1, limit: 3 })).toEqual({ refused: 'limit' });
    });

    it('refuses a duplicate of a live trial when asked for unique parameters; a failed one can be retried', async () => {
      const name = fresh();
      await s.createStudy({ name, directions: ['minimize'] });
      const a = await claim(name, { params: { x: 1, y: 'a' }, unique: true });
      expect(await s.claimTrial(name, { params: { y: 'a', x: 1 }, worker: 'w', now: 1, unique: true })).toEqual({ refused: 'duplicate' });
      await claim(name, { params: { x: 1, y: 'a' } }); // not unique: allowed
      await claim(name, { params: { x: 2, y: 'a' }, unique: true });
      await s.finishTrial(name, a.number, 'fail', null, 2);
      const all = await s.getTrials(name);
      await s.finishTrial(name, all[1]!.number, 'fail', null, 2);
      const again = await claim(name, { params: { x: 1, y: 'a' }, unique: true });
      expect(again.number).toBe(3);
    });

    it('replaces a running trial’s parameters', async () => {
      const name = fresh();
      await s.createStudy({ name, directions: ['minimize'] });
      const t = await claim(name, { params: { x: 1 } });
      await s.setParams(name, t.number, { x: 2, m: 'b' });
      expect((await s.getTrials(name))[0]!.params).toEqual({ x: 2, m: 'b' });
    });

    it('marks failed the running trials whose heartbeat is stale, and only those', async () => {
      const name = fresh();
      await s.createStudy({ name, directions: ['minimize'] });
      const a = await claim(name, { now: 1000 });
      const b = await claim(name, { now: 1000 });
      const c = await claim(name, { now: 1000 });
      await s.finishTrial(name, c.number, 'complete', [3], 1500);
      await s.heartbeat(name, [b.number], 9000);
      expect(await s.failStaleTrials(name, 5000, 10_000)).toEqual([a.number]);
      const all = await s.getTrials(name);
      expect(all.map((t) => t.state)).toEqual(['fail', 'running', 'complete']);
      expect(all[0]!.datetimeComplete).toBe(10_000);
      expect(all[1]!.heartbeat).toBe(9000);
      expect(all[2]!.heartbeat).toBe(1000); // a finished trial's heartbeat does not move
      expect(await s.failStaleTrials(name, 5000, 10_000)).toEqual([]);
    });

    it('filters trials by state and by first number', async () => {
      const name = fresh();
      await s.createStudy({ name, directions: ['minimize'] });
      for (let i = 0; i < 5; i++) {
        const t = await claim(name, { params: { i } });
        if (i % 2 === 0) await s.finishTrial(name, t.number, 'complete', [i], 2000);
      }
      expect((await s.getTrials(name, { states: ['complete'] })).map((t) => t.number)).toEqual([0, 2, 4]);
      expect((await s.getTrials(name, { from: 3 })).map((t) => t.number)).toEqual([3, 4]);
      expect((await s.getTrials(name, { states: ['running'], from: 2 })).map((t) => t.number)).toEqual([3]);
    });

    it('lists studies with counts per state and the best value', async () => {
      const name = fresh();
      await s.createStudy({ name, directions: ['maximize'] });
      for (const [state, v] of [
        ['complete', 3],
        ['complete', 7],
        ['pruned', null],
        ['fail', null],
      ] as const) {
        const t = await claim(name);
        await s.finishTrial(name, t.number, state, v === null ? null : [v], 2);
      }
      await claim(name);
      const row = (await s.listStudies()).find((x) => x.name === name)!;
      expect(row.counts).toEqual({ running: 1, complete: 2, pruned: 1, fail: 1 });
      expect(row.bestValue).toBe(7);
    });

    it('keeps the reason of an infeasible trial (complete trials only); it is never the best value', async () => {
      const name = fresh();
      await s.createStudy({ name, directions: ['maximize'] });
      const a = await claim(name);
      await s.finishTrial(name, a.number, 'complete', [3], 2);
      const b = await claim(name);
      await s.finishTrial(name, b.number, 'complete', [9], 2, 'trades 2 < minTrades 30');
      const c = await claim(name);
      await s.finishTrial(name, c.number, 'fail', null, 2, 'ignored: not complete');
      const [ta, tb, tc] = await s.getTrials(name);
      expect(ta!.infeasible).toBeUndefined();
      expect(tb).toMatchObject({ state: 'complete', values: [9], infeasible: 'trades 2 < minTrades 30' });
      expect(tc!.infeasible).toBeUndefined();
      expect((await s.listStudies()).find((x) => x.name === name)!.bestValue).toBe(3);
    });

    it('hands out numbers atomically under concurrent claims and never exceeds the limit', async () => {
      const name = fresh();
      await s.createStudy({ name, directions: ['minimize'] });
      const handles = options.shared ? [s, await open(), await open()] : [s];
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => handles[i % handles.length]!.claimTrial(name, { params: { i }, worker: `w${i % 3}`, now: 1, limit: 40 })),
      );
      const ok = results.filter((r) => !isRefusal(r)) as TrialRecord[];
      expect(ok.length).toBe(40);
      expect(ok.map((t) => t.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      expect((await s.getTrials(name)).length).toBe(40);
      for (const h of handles.slice(1)) await h.close();
    });

    it.runIf(options.shared)('a second handle sees the first one’s writes', async () => {
      const name = fresh();
      await s.createStudy({ name, directions: ['minimize'] });
      const other = await open();
      const t = await claim(name);
      await other.finishTrial(name, t.number, 'complete', [42], 9);
      expect((await s.getTrials(name))[0]!.values).toEqual([42]);
      await other.close();
    });

    it('deletes a study with its trials', async () => {
      const name = fresh();
      await s.createStudy({ name, directions: ['minimize'] });
      await claim(name);
      await s.deleteStudy(name);
      expect(await s.getStudy(name)).toBeNull();
      await s.createStudy({ name, directions: ['maximize'] });
      expect(await s.getTrials(name)).toEqual([]);
    });
  });
}
