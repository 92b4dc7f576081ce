/** One TA-Lib candle setting: what to measure, over how many prior candles, and the factor. */
export interface CandleSetting {
  readonly range: 'realBody' | 'highLow' | 'shadows';
  /** Number of prior candles averaged; 0 means "the judged candle's own measure". */
  readonly period: number;
  readonly factor: number;
}

/** TA-Lib's default candle settings (TA_RestoreCandleDefaultSettings). Patterns here use these. */
export const CANDLE_SETTINGS = {
  bodyLong: { range: 'realBody', period: 10, factor: 1.0 },
  bodyVeryLong: { range: 'realBody', period: 10, factor: 3.0 },
  bodyShort: { range: 'realBody', period: 10, factor: 1.0 },
  bodyDoji: { range: 'highLow', period: 10, factor: 0.1 },
  shadowLong: { range: 'realBody', period: 0, factor: 1.0 },
  shadowVeryLong: { range: 'realBody', period: 0, factor: 2.0 },
  shadowShort: { range: 'shadows', period: 10, factor: 1.0 },
  shadowVeryShort: { range: 'highLow', period: 10, factor: 0.1 },
  near: { range: 'highLow', period: 5, factor: 0.2 },
  far: { range: 'highLow', period: 5, factor: 0.6 },
  equal: { range: 'highLow', period: 5, factor: 0.05 },
} as const satisfies Record<string, CandleSetting>;
