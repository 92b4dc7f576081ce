import { defineStrategy } from '../define';
import { ind } from '../ind';
import { float, int } from '../params';

const rule = (direction: number): number => (direction > 0 ? 1 : direction < 0 ? 0 : NaN);

/** supertrend: target 1 in a SuperTrend up-trend (direction +1), 0 in a down-trend. */
export const supertrendStrategy = defineStrategy({
  name: 'supertrend',
  description: 'Long while SuperTrend points up, flat while it points down.',
  params: { n: int(2, 100, { default: 10 }), mult: float(0.5, 10, { default: 3 }) },
  indicators: (p) => ({ st: ind.supertrend(p.n, p.mult) }),
  decide: (bar) => rule(bar.st.direction),
  targets: (_bars, ind, _p, out) => {
    const d = ind.st.direction;
    for (let t = 0; t < d.length; t++) out[t] = rule(d[t]!);
    return out;
  },
});
