/** One closed candle, as the streaming indicators and the runner see it. */
export interface Bar {
  readonly ts?: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/**
 * The streaming twin of a whole-array indicator: feed one closed bar (or one value) at a time,
 * get the latest output. After feeding x[0..t], `update` returns what the whole-array form has at t.
 */
export interface Stream<In, Out> {
  update(input: In): Out;
  /** Forgets everything fed so far. */
  reset(): void;
}
