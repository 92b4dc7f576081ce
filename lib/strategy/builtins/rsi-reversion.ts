import { defineStrategy } from '../define';
import { ind } from '../ind';
import { float, int } from '../params';
import { bandSignal, bandTargets } from '../signals';

/** rsi-reversion: target 1 while RSI(n) < lower (oversold), 0 while RSI > upper (overbought), hold between. */
export const rsiReversion = defineStrategy({
  name: 'rsi-reversion',
  description: 'Buy when RSI is oversold (below lower), exit when it is overbought (above upper).',
  params: { n: int(2, 100, { default: 14 }), lower: float(1, 50, { default: 30 }), upper: float(50, 99, { default: 70 }) },
  check: (p) => p.lower < p.upper || `lower (${p.lower}) must be < upper (${p.upper})`,
  indicators: (p) => ({ rsi: ind.rsi(p.n) }),
  decide: (bar, { params }) => bandSignal(bar.rsi, params.lower, params.upper, 1, 0),
  targets: (_bars, ind, p, out) => bandTargets(ind.rsi, p.lower, p.upper, 1, 0, out),
});
