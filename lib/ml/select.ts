import { QuantlabError, type Bar, type Bars, type Series } from '../core';
import { simulate } from '../backtest/simulate';
import type { SimOptions } from '../backtest';
import { paramsKey } from '../params/key';
import { createDecider, strategyTargets } from '../strategy/cursor';
import { defineStrategy, type AnyStrategy } from '../strategy/define';
import type { IndicatorSpec } from '../strategy/indicator';
import { regimeStats } from './regimes';

/** A registered strategy with parameters, as a candidate for selection. */
export interface Candidate {
  strategy: AnyStrategy;
  params?: Record<string, unknown>;
}

const label = (c: Candidate) => `${c.strategy.name}${c.params && Object.keys(c.params).length ? ` ${JSON.stringify(c.params)}` : ''}`;

/**
 * A strategy's position opinion as an indicator spec: its last finite target (0 before its first), from its
 * whole-array targets or, streaming, from its decider — so a meta-strategy that reads it keeps the
 * three-form parity of the strategy it reads.
 */
export function strategySignal(c: Candidate): IndicatorSpec<Series> {
  const params = c.strategy.resolveParams(c.params ?? {});
  return {
    key: `strategy(${c.strategy.name},${paramsKey(params as never)})`,
    compute: (bars) => {
      const t = strategyTargets(c.strategy, bars, params);
      let last = 0;
      return t.map((v) => (Number.isNaN(v) ? last : (last = v)));
    },
    stream: () => {
      const d = createDecider(c.strategy, params);
      let last = 0;
      return {
        update: (bar: Bar) => {
          const v = d.update(bar);
          return Number.isNaN(v) ? last : (last = v);
        },
        reset: () => {
          d.reset();
          last = 0;
        },
      };
    },
  };
}

/**
 * A meta-strategy: in regime r (an indicator spec giving 0 … k−1, e.g. `regimes(...).spec` or a classifier's
 * `modelIndicator(..., { output: 'predict' })`) it holds the position candidate `choices[r]` holds; NaN regime
 * (warm-up) holds. Defined through `defineStrategy`, so backtests, the runner and the parity checks apply.
 */
export function regimeSwitch(o: { name?: string; regime: IndicatorSpec<Series>; choices: Candidate[] }): AnyStrategy {
  if (!o || !o.regime || !Array.isArray(o.choices) || o.choices.length === 0) throw new QuantlabError('BAD_ARGUMENT', 'regimeSwitch: expected { regime: spec, choices: [{ strategy, params }, …] }');
  const signals = o.choices.map(strategySignal);
  const specs: Record<string, IndicatorSpec<Series>> = { regime: o.regime };
  signals.forEach((s, i) => (specs[`s${i}`] = s));
  const names = signals.map((_, i) => `s${i}`);
  const pick = (r: number, at: (i: number) => number): number => (Number.isInteger(r) && r >= 0 && r < names.length ? at(r) : NaN);
  return defineStrategy({
    name: o.name ?? 'regime-switch',
    description: `Holds, in regime r, the position of: ${o.choices.map((c, i) => `${i} → ${label(c)}`).join('; ')}.`,
    params: {},
    indicators: () => specs,
    decide: (bar) => pick(bar.regime as number, (i) => bar[names[i]!] as number),
    targets: (_bars, ind, _p, out) => {
      const r = ind.regime as Float64Array;
      const s = names.map((n) => ind[n] as Float64Array);
      for (let t = 0; t < r.length; t++) out[t] = pick(r[t]!, (i) => s[i]![t]!);
      return out;
    },
  });
}

export interface Selection {
  /** choices[r]: the candidate chosen for regime r (index into candidates). */
  choices: number[];
  /** inSample[c][r]: candidate c's mean per-bar return while the regime was r, on the training bars. */
  inSample: number[][];
  /** The candidate with the best total log growth on the training bars. */
  bestSingle: number;
  /** Out of sample (bars [trainEnd, n)): final equity / initial of the switch, the best single candidate, equal weight, buy & hold. */
  outOfSample: { regimeSwitch: number; bestSingle: number; equalWeight: number; buyAndHold: number } | null;
  strategy: AnyStrategy;
}

/**
 * Picks, for each regime, the candidate with the best mean per-bar return in that regime on bars
 * [0, trainEnd), and judges the resulting `regimeSwitch` on [trainEnd, n) against the in-sample best single
 * candidate and the equal-weight blend of all candidates (mean of their positions).
 * @example
 * import { smaCross, rsiReversion } from 'quantlab';
 * const bars = await ql.loadDataset('BTCUSDT', '1d');
 * const r = ql.ml.regimes(bars, { seed: 1, trainEnd: 1500 });
 * const s = selectByRegime(bars, { regime: r.spec, candidates: [{ strategy: smaCross }, { strategy: rsiReversion }], trainEnd: 1500 });
 * s.choices.length // 3
 * s.outOfSample.regimeSwitch > 0 // true
 */
export function selectByRegime(bars: Bars, o: { regime: IndicatorSpec<Series>; candidates: Candidate[]; trainEnd: number; sim?: SimOptions; name?: string }): Selection {
  const n = bars.close.length;
  const { candidates, trainEnd } = o;
  if (!Array.isArray(candidates) || candidates.length < 1) throw new QuantlabError('BAD_ARGUMENT', 'selectByRegime: expected at least one candidate { strategy, params }');
  if (!(Number.isInteger(trainEnd) && trainEnd > 1 && trainEnd <= n)) throw new QuantlabError('BAD_ARGUMENT', `selectByRegime: expected trainEnd to be a bar index in (1, ${n}], found ${trainEnd}`);
  const sim = { fill: 'next-open' as const, ...o.sim };
  const regime = o.regime.compute(bars);
  const trainRegime = regime.map((r, t) => (t < trainEnd ? r : NaN));
  let k = 0;
  for (const r of trainRegime) if (!Number.isNaN(r)) k = Math.max(k, r + 1);
  if (k === 0) throw new QuantlabError('BAD_ARGUMENT', `selectByRegime: no labelled regime before bar ${trainEnd}`);
  const signals = candidates.map((c) => strategySignal(c).compute(bars));
  const inSample = signals.map((s) => {
    const st = regimeStats(trainRegime, simulate(bars, s, sim).equity);
    return Array.from({ length: k }, (_, r) => (st[r] && st[r]!.bars ? st[r]!.meanReturn : -Infinity));
  });
  const choices = Array.from({ length: k }, (_, r) => {
    let best = 0;
    for (let c = 1; c < candidates.length; c++) if (inSample[c]![r]! > inSample[best]![r]!) best = c;
    return best;
  });
  const growth = signals.map((s) => {
    const eq = simulate(bars, s, sim).equity;
    return Math.log(eq[trainEnd - 1]! / eq[0]!);
  });
  let bestSingle = 0;
  for (let c = 1; c < candidates.length; c++) if (growth[c]! > growth[bestSingle]!) bestSingle = c;
  const strategy = regimeSwitch({ name: o.name, regime: o.regime, choices: choices.map((c) => candidates[c]!) });
  let outOfSample: Selection['outOfSample'] = null;
  if (trainEnd < n - 1) {
    const oos = (t: Float64Array) => {
      const part = t.slice(trainEnd);
      const b = { ...bars, ts: bars.ts.subarray(trainEnd), open: bars.open.subarray(trainEnd), high: bars.high.subarray(trainEnd), low: bars.low.subarray(trainEnd), close: bars.close.subarray(trainEnd), volume: bars.volume.subarray(trainEnd) };
      const r = simulate(b, part, sim);
      return r.finalEquity / r.initialCash;
    };
    const switched = strategyTargets(strategy, bars, {});
    const equal = new Float64Array(n);
    for (const s of signals) for (let t = 0; t < n; t++) equal[t]! += s[t]! / signals.length;
    outOfSample = { regimeSwitch: oos(switched), bestSingle: oos(signals[bestSingle]!), equalWeight: oos(equal), buyAndHold: bars.close[n - 1]! / bars.close[trainEnd]! };
  }
  return { choices, inSample, bestSingle, outOfSample, strategy };
}
