import type { Series } from '../core';
import { atr, atrStream } from '../indicators/atr';
import { bbands, bbandsStream, type Bands } from '../indicators/bbands';
import { donchian, donchianStream } from '../indicators/donchian';
import { ema, emaStream } from '../indicators/ema';
import { macd, macdStream, type MacdResult } from '../indicators/macd';
import { rsi, rsiStream } from '../indicators/rsi';
import { sma, smaStream } from '../indicators/sma';
import { supertrend, supertrendStream, type SuperTrend } from '../indicators/supertrend';
import { onSource, sourceSeries, type IndicatorSpec, type Source } from './indicator';

const BANDS = ['upper', 'middle', 'lower'] as const;

/**
 * Indicator specs for strategies (`indicators: (p) => ({ fast: ind.sma(p.fast) })`). Each wraps the
 * whole-array function and its streaming twin from lib/indicators; the key names the parameters and input.
 */
export const ind = {
  sma: (n: number, source: Source = 'close'): IndicatorSpec<Series> => ({
    key: `sma(${n},${source})`,
    compute: (b) => sma(sourceSeries(b, source), n),
    stream: () => onSource(smaStream(n), source),
  }),
  ema: (n: number, source: Source = 'close'): IndicatorSpec<Series> => ({
    key: `ema(${n},${source})`,
    compute: (b) => ema(sourceSeries(b, source), n),
    stream: () => onSource(emaStream(n), source),
  }),
  rsi: (n = 14, source: Source = 'close'): IndicatorSpec<Series> => ({
    key: `rsi(${n},${source})`,
    compute: (b) => rsi(sourceSeries(b, source), n),
    stream: () => onSource(rsiStream(n), source),
  }),
  atr: (n = 14): IndicatorSpec<Series> => ({
    key: `atr(${n})`,
    compute: (b) => atr(b.high, b.low, b.close, n),
    stream: () => atrStream(n),
  }),
  bbands: (n = 20, k = 2, source: Source = 'close'): IndicatorSpec<Bands> => ({
    key: `bbands(${n},${k},${source})`,
    fields: BANDS,
    compute: (b) => bbands(sourceSeries(b, source), n, k),
    stream: () => onSource(bbandsStream(n, k), source),
  }),
  macd: (fast = 12, slow = 26, signal = 9, source: Source = 'close'): IndicatorSpec<MacdResult> => ({
    key: `macd(${fast},${slow},${signal},${source})`,
    fields: ['macd', 'signal', 'hist'],
    compute: (b) => macd(sourceSeries(b, source), fast, slow, signal),
    stream: () => onSource(macdStream(fast, slow, signal), source),
  }),
  /** Donchian channel; `excludeCurrent` gives the channel of the n bars before this one (breakout rules). */
  donchian: (n = 20, excludeCurrent = false): IndicatorSpec<Bands> => ({
    key: `donchian(${n},${excludeCurrent ? 'prior' : 'incl'})`,
    fields: BANDS,
    compute: (b) => donchian(b.high, b.low, n, { excludeCurrent }),
    stream: () => donchianStream(n, { excludeCurrent }),
  }),
  supertrend: (n = 10, mult = 3): IndicatorSpec<SuperTrend> => ({
    key: `supertrend(${n},${mult})`,
    fields: ['line', 'direction'],
    compute: (b) => supertrend(b.high, b.low, b.close, n, mult),
    stream: () => supertrendStream(n, mult),
  }),
};
