import { createHash } from 'node:crypto';
import { makeBars, type Bars } from '../core';
import { rng } from '../optimizer/rng';
import { sampleValid, type Params, type SearchSpace } from '../optimizer/space';
import { defaultValue, type ParamSpace } from '../params';
import { backtest, type AnyStrategy } from '../strategy';

// Light on imports (no storages): worker threads load it to check the strategy they were given.

let probe: Bars | null = null;
/** 1,500 hourly bars of a seeded random walk (with trends and reversals): the same everywhere. */
function probeBars(): Bars {
  if (probe) return probe;
  const n = 1500;
  const r = rng(20240601, 7);
  const ts = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  let p = 100;
  for (let i = 0; i < n; i++) {
    ts[i] = Date.UTC(2024, 0, 1) + i * 3_600_000;
    const drift = 0.002 * Math.sin(i / 90);
    const o = p;
    p = Math.max(1, p * (1 + drift + 0.012 * (r.next() - 0.5)));
    open[i] = o;
    close[i] = p;
    high[i] = Math.max(o, p) * (1 + 0.004 * r.next());
    low[i] = Math.min(o, p) * (1 - 0.004 * r.next());
    volume[i] = 100 + 900 * r.next();
  }
  probe = makeBars({ ts, open, high, low, close, volume }, 'PROBE', '1h');
  return probe;
}

/**
 * A fingerprint of what a strategy does: SHA-256 of its targets at the default parameters and at four seeded
 * valid parameter sets, on a fixed synthetic series (and on `bars` too when given). Two strategies with the
 * same fingerprint gave the same targets everywhere they were tried; null when the strategy cannot run on
 * the synthetic series.
 */
export function strategyRulesHash(strategy: AnyStrategy, bars?: Bars): string | null {
  const declared = strategy.params as ParamSpace;
  const defaults: Params = Object.fromEntries(Object.entries(declared).map(([k, d]) => [k, defaultValue(d)]));
  const sets: Params[] = [defaults];
  const constraint = (p: Params) => (strategy.check ? strategy.check(p as never) : true);
  try {
    const r = rng(9001, 3);
    for (let i = 0; i < 4; i++) sets.push(sampleValid(declared as SearchSpace, r, constraint, 200));
  } catch {
    // no valid random point in 200 draws: the defaults alone
  }
  const h = createHash('sha256');
  try {
    for (const b of bars ? [probeBars(), bars] : [probeBars()]) {
      for (const p of sets) {
        const t = backtest(strategy, b, p).targets;
        h.update(JSON.stringify(p));
        h.update(new Uint8Array(t.buffer, t.byteOffset, t.byteLength));
      }
    }
  } catch {
    return null;
  }
  return h.digest('hex');
}

