import { defineStrategy } from '../define';
import { ind } from '../ind';
import { int } from '../params';

const rule = (close: number, entryHigh: number, exitLow: number): number => (close > entryHigh ? 1 : close < exitLow ? 0 : NaN);

/**
 * donchian-breakout (turtle style): target 1 when the close breaks above the highest high of the previous
 * `entry` bars, 0 when it breaks below the lowest low of the previous `exit` bars.
 */
export const donchianBreakout = defineStrategy({
  name: 'donchian-breakout',
  description: 'Turtle-style breakout: enter above the prior entry-bar high, exit below the prior exit-bar low.',
  params: { entry: int(2, 300, { default: 20 }), exit: int(2, 300, { default: 10 }) },
  indicators: (p) => ({ entry: ind.donchian(p.entry, true), exit: ind.donchian(p.exit, true) }),
  decide: (bar) => rule(bar.close, bar.entry.upper, bar.exit.lower),
  targets: (bars, ind, _p, out) => {
    const c = bars.close;
    const hi = ind.entry.upper;
    const lo = ind.exit.lower;
    for (let t = 0; t < c.length; t++) out[t] = rule(c[t]!, hi[t]!, lo[t]!);
    return out;
  },
});
