import { defineStrategy } from '../define';
import { ind } from '../ind';
import { float, int } from '../params';

const rule = (close: number, lower: number, middle: number): number => (close < lower ? 1 : close > middle ? 0 : NaN);

/** bollinger-reversion: target 1 when the close is below the lower band, 0 once it is back above the middle band. */
export const bollingerReversion = defineStrategy({
  name: 'bollinger-reversion',
  description: 'Buy a close below the lower Bollinger band, exit at a close above the middle band.',
  params: { n: int(5, 200, { default: 20 }), k: float(0.5, 4, { default: 2 }) },
  indicators: (p) => ({ bb: ind.bbands(p.n, p.k) }),
  decide: (bar) => rule(bar.close, bar.bb.lower, bar.bb.middle),
  targets: (bars, ind, _p, out) => {
    const c = bars.close;
    const lo = ind.bb.lower;
    const mid = ind.bb.middle;
    for (let t = 0; t < c.length; t++) out[t] = rule(c[t]!, lo[t]!, mid[t]!);
    return out;
  },
});
