/**
 * promote() always runs the bias check: a strategy that fails it is refused with BIAS and nothing is written;
 * one that passes carries the report in validation.json, and the runner's startup history (config.json
 * runner.warmupBars) is the measured warm-up unless one is given.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { QuantlabError, sliceBars, type Bars, type Series } from '../../lib/core';
import { promote } from '../../lib/live/promote';
import { customIndicator, defineStrategy, smaCross } from '../../lib/strategy';
import { btc1h } from '../helpers/datasets';
import { barCounterPhase, centredMean } from './fixtures/bias-planted';

const root = mkdtempSync(join(tmpdir(), 'quantlab-bias-promote-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const bars = sliceBars(btc1h(), 60_000, 62_000);
const options = (name: string) => ({ symbol: 'BTC/USDT', timeframe: '1h', data: bars, experimentsDir: root, name });

async function refusal(p: Promise<unknown>): Promise<QuantlabError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof QuantlabError) return e;
    throw e;
  }
  throw new Error('promote did not refuse');
}

/**
 * A streaming twin that replays the whole-array values of the last compute(): the bar-by-bar form then equals
 * the vector form on the validation data (promote's own parity check passes), but both read the future.
 */
const replayed = (() => {
  let last: Series = new Float64Array(0);
  return defineStrategy({
    name: 'planted-replayed-centred',
    params: {},
    indicators: () => ({
      avg: customIndicator<Series>(
        'centred(close,12)',
        (b: Bars) => (last = centredMean(b.close, 12)),
        () => {
          let i = 0;
          return { update: () => last[i++] ?? NaN, reset: () => void (i = 0) };
        },
      ),
    }),
    decide: (bar) => (bar.close > bar.avg ? 1 : bar.close < bar.avg ? 0 : NaN),
  });
})();

describe('promote() and the bias check', () => {
  it('refuses a look-ahead its step-vs-vector comparison cannot see, with BIAS naming the indicator; writes nothing', async () => {
    const e = await refusal(promote(replayed, {}, options('replayed')));
    expect(e.code).toBe('BIAS');
    expect(e.message).toMatch(/^promote: planted-replayed-centred failed the bias check \(look-ahead.*\): look-ahead: indicator 'avg' \(centred\(close,12\)\) moved at bar \d+/);
    expect(existsSync(join(root, 'promoted', 'replayed'))).toBe(false);
  });

  it('refuses targets that never settle from a late start (warm-up)', async () => {
    const e = await refusal(promote(barCounterPhase, {}, options('counter')));
    expect(e.code).toBe('BIAS');
    expect(e.message).toMatch(/failed the bias check \(warm-up\)/);
    expect(existsSync(join(root, 'promoted', 'counter'))).toBe(false);
  });

  it('a clean strategy: the report is in validation.json and the runner history is the measured warm-up', async () => {
    const p = await promote(smaCross, { fast: 43, slow: 74 }, options('clean'));
    const ev = JSON.parse(readFileSync(p.evidencePath, 'utf8'));
    expect(ev.bias.ok).toBe(true);
    expect(ev.bias.failed).toEqual([]);
    expect(ev.bias.lookAhead.cuts.length).toBeGreaterThanOrEqual(20);
    expect(ev.bias.warmup.indicators.map((x: { name: string; bars: number }) => [x.name, x.bars])).toEqual([
      ['fast', 43],
      ['slow', 74],
    ]);
    const config = JSON.parse(readFileSync(p.configPath, 'utf8'));
    expect(config.runner.warmupBars).toBe(ev.bias.warmup.bars);
    expect(config.runner.warmupBars).toBeGreaterThanOrEqual(74);
    // a history given explicitly is kept
    const q = await promote(smaCross, { fast: 43, slow: 74 }, { ...options('clean'), overwrite: true, runner: { warmupBars: 321 } });
    expect(q.config.runner.warmupBars).toBe(321);
    expect(q.evidence.bias.ok).toBe(true);
  });
});
