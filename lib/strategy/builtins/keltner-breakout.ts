import { defineStrategy } from '../define';
import { ind } from '../ind';
import { float, int } from '../params';

const rule = (close: number, upper: number, middle: number): number => (close > upper ? 1 : close < middle ? 0 : NaN);

/**
 * keltner-breakout: a volatility breakout — target 1 when the close is above the upper Keltner band
 * (EMA(n) + mult × ATR(atr)), 0 when it falls below the middle line, hold between.
 */
export const keltnerBreakout = defineStrategy({
  name: 'keltner-breakout',
  description: 'Long on a close above EMA(n) + mult × ATR, flat on a close below the EMA.',
  params: { n: int(2, 300, { default: 20 }), mult: float(0.25, 6, { default: 2 }), atr: int(2, 200, { default: 10 }) },
  indicators: (p) => ({ kc: ind.keltner(p.n, p.mult, p.atr) }),
  decide: (bar) => rule(bar.close, bar.kc.upper, bar.kc.middle),
  targets: (bars, v, _p, out) => {
    const c = bars.close;
    const { upper, middle } = v.kc;
    for (let t = 0; t < c.length; t++) out[t] = rule(c[t]!, upper[t]!, middle[t]!);
    return out;
  },
});
