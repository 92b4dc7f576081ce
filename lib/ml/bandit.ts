import { QuantlabError, type Bar, type Series } from '../core';
import { rng } from '../optimizer/rng';
import type { AnySpec, IndicatorSpec } from '../strategy/indicator';
import { regimeSwitch, strategySignal, type Candidate } from './select';
import type { AnyStrategy } from '../strategy/define';

export interface ThompsonOptions {
  seed?: number;
  /** Forgetting factor per bar for the evidence (1 = remember everything; 0.999 ≈ a 1,000-bar memory). Default 0.999. */
  decay?: number;
  /** Bars of evidence before the first choice (until then: candidate 0). Default 24. */
  warmup?: number;
}

/**
 * The state of Thompson sampling over candidates, fed one bar at a time with each candidate's position and
 * the close: the return of bar t, position(t−1) × (close_t / close_{t−1} − 1), is each candidate's reward.
 * The posterior of a candidate's mean reward is taken as Normal(mean, var / n) from the (decayed) evidence;
 * each bar one draw per candidate, the largest is chosen. The same object runs the whole-array and the
 * streaming form, so both give the same choices for a seed.
 */
function sampler(k: number, o: Required<ThompsonOptions>) {
  const r = rng(o.seed, 0x74686f);
  const n = new Float64Array(k);
  const s = new Float64Array(k);
  const q = new Float64Array(k);
  const lastPos = new Float64Array(k).fill(0);
  let lastClose = NaN;
  let bars = 0;
  return {
    step(close: number, pos: ArrayLike<number>): number {
      const ret = close / lastClose - 1;
      if (!Number.isNaN(ret)) {
        for (let c = 0; c < k; c++) {
          const x = lastPos[c]! * ret;
          n[c] = o.decay * n[c]! + 1;
          s[c] = o.decay * s[c]! + x;
          q[c] = o.decay * q[c]! + x * x;
        }
        bars++;
      }
      lastClose = close;
      for (let c = 0; c < k; c++) lastPos[c] = Number.isNaN(pos[c]!) ? 0 : pos[c]!;
      // one draw per candidate on every bar (also during the warm-up), so the stream of draws never depends on the data
      let best = 0;
      let bestDraw = -Infinity;
      for (let c = 0; c < k; c++) {
        const z = r.normal();
        if (n[c]! <= 0) continue;
        const m = s[c]! / n[c]!;
        const v = Math.max(q[c]! / n[c]! - m * m, 1e-12);
        const d = m + z * Math.sqrt(v / n[c]!);
        if (d > bestDraw) {
          bestDraw = d;
          best = c;
        }
      }
      return bars < o.warmup ? 0 : best;
    },
  };
}

/**
 * The index of the candidate Thompson sampling picks on each bar, as an indicator spec (whole-array and
 * streaming forms share one sampler), for `regimeSwitch` or any strategy.
 */
export function thompsonChoice(candidates: Candidate[], options: ThompsonOptions = {}): IndicatorSpec<Series> {
  if (!Array.isArray(candidates) || candidates.length < 2) throw new QuantlabError('BAD_ARGUMENT', 'thompsonChoice: expected at least two candidates { strategy, params }');
  const o: Required<ThompsonOptions> = { seed: options.seed ?? 0, decay: options.decay ?? 0.999, warmup: options.warmup ?? 24 };
  if (!(o.decay > 0 && o.decay <= 1)) throw new QuantlabError('BAD_ARGUMENT', `thompsonChoice: expected decay in (0, 1], found ${o.decay}`);
  if (!(Number.isInteger(o.warmup) && o.warmup >= 0)) throw new QuantlabError('BAD_ARGUMENT', `thompsonChoice: expected warmup to be an integer >= 0, found ${o.warmup}`);
  const signals: AnySpec[] = candidates.map(strategySignal);
  const k = signals.length;
  return {
    key: `thompson(${signals.map((s) => s.key).join(';')},${o.seed},${o.decay},${o.warmup})`,
    compute: (bars) => {
      const pos = signals.map((s) => s.compute(bars) as Float64Array);
      const smp = sampler(k, o);
      const row = new Float64Array(k);
      return Float64Array.from(bars.close, (c, t) => {
        for (let i = 0; i < k; i++) row[i] = pos[i]![t]!;
        return smp.step(c, row);
      });
    },
    stream: () => {
      let streams = signals.map((s) => s.stream());
      let smp = sampler(k, o);
      const row = new Float64Array(k);
      return {
        update(bar: Bar): number {
          for (let i = 0; i < k; i++) row[i] = streams[i]!.update(bar) as number;
          return smp.step(bar.close, row);
        },
        reset() {
          streams = signals.map((s) => s.stream());
          smp = sampler(k, o);
        },
      };
    },
  };
}

/**
 * The online "adaptive" meta-strategy: each bar, hold the position of the candidate Thompson sampling picks from
 * the candidates' realised per-bar returns so far (no training period; it learns as it goes).
 * @example
 * import { smaCross, rsiReversion } from 'quantlab';
 * const bars = await ql.loadDataset('BTCUSDT', '1d');
 * const s = thompsonSwitch([{ strategy: smaCross }, { strategy: rsiReversion }], { seed: 1 });
 * ql.backtest(s, bars).trades.length > 0 // true
 */
export function thompsonSwitch(candidates: Candidate[], options: ThompsonOptions & { name?: string } = {}): AnyStrategy {
  return regimeSwitch({ name: options.name ?? 'thompson-switch', regime: thompsonChoice(candidates, options), choices: candidates });
}
