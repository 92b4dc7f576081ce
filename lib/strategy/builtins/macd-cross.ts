import { defineStrategy } from '../define';
import { ind } from '../ind';
import { int } from '../params';
import { crossEvents, crossSignal, crossTargets } from '../signals';

/** macd-cross: target 1 when the MACD line crosses above its signal line, 0 when it crosses below. */
export const macdCross = defineStrategy({
  name: 'macd-cross',
  description: 'Long when MACD crosses above its signal line, flat when it crosses below.',
  params: { fast: int(2, 100, { default: 12 }), slow: int(3, 300, { default: 26 }), signal: int(2, 100, { default: 9 }) },
  check: (p) => p.fast < p.slow || `fast (${p.fast}) must be < slow (${p.slow})`,
  indicators: (p) => ({ macd: ind.macd(p.fast, p.slow, p.signal) }),
  decide: (bar, { prev }) => crossSignal(bar.macd.macd, bar.macd.signal, prev.macd.macd, prev.macd.signal, 1, 0),
  targets: (_bars, ind, _p, out) => crossTargets(ind.macd.macd, ind.macd.signal, 1, 0, out),
  targetEvents: (_bars, ind, _p, out) => crossEvents(ind.macd.macd, ind.macd.signal, 1, 0, out),
});
