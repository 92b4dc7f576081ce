import { defineStrategy } from '../define';
import { ind } from '../ind';
import { int } from '../params';
import { crossEvents, crossSignal, crossTargets } from '../signals';

/**
 * rsi-ema-cross: a composed indicator — line = EMA(smooth) of RSI(n) (`ind.ema(ind.rsi(n), smooth)`),
 * signal = EMA(signal) of that line;
 * target 1 when the line crosses above its signal, 0 when it crosses below, hold otherwise.
 */
export const rsiEmaCross = defineStrategy({
  name: 'rsi-ema-cross',
  description: 'EMA-smoothed RSI crossing its own EMA signal line: long on an up-cross, flat on a down-cross.',
  params: { n: int(2, 100, { default: 14 }), smooth: int(1, 100, { default: 5 }), signal: int(2, 200, { default: 9 }) },
  indicators: (p) => {
    const line = ind.ema(ind.rsi(p.n), p.smooth);
    return { line, signal: ind.ema(line, p.signal) };
  },
  decide: (bar, { prev }) => crossSignal(bar.line, bar.signal, prev.line, prev.signal, 1, 0),
  targets: (_bars, v, _p, out) => crossTargets(v.line, v.signal, 1, 0, out),
  targetEvents: (_bars, v, _p, out) => crossEvents(v.line, v.signal, 1, 0, out),
});
