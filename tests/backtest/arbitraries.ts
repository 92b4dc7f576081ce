/** fast-check generators shared by the backtest property tests: real-data windows, targets and options. */
import fc from 'fast-check';
import { sliceBars, type Bars } from '../../lib/core';
import type { SimOptions, StopSpec } from '../../lib/backtest';
import { atr } from '../../lib/indicators/atr';
import { sharedBars } from '../helpers/datasets';

export const DATASETS = [
  'binance_BTCUSDT_1h.csv',
  'binance_ETHUSDT_1h.csv',
  'binanceusdm_BTCUSDT_1h.csv',
  'binance_SOLUSDT_1h.csv',
  'binance_XRPUSDT_1d.csv',
  'binance_BTCUSDT_1d.csv',
] as const;

export interface Window {
  bars: Bars;
  atr: Float64Array;
}

/** A window of 50..len real bars from one of the shipped datasets. */
export const windowArb = (maxLen = 1500): fc.Arbitrary<Window> =>
  fc
    .record({ file: fc.constantFrom(...DATASETS), start: fc.nat(), len: fc.integer({ min: 50, max: maxLen }) })
    .map(({ file, start, len }) => {
      const all = sharedBars(file);
      const l = Math.min(len, all.close.length);
      const s = start % (all.close.length - l + 1);
      const bars = sliceBars(all, s, s + l);
      return { bars, atr: atr(bars.high, bars.low, bars.close, 14) };
    });

/** Targets: sparse random levels, crossing-average signals, or dense noise; NaN = keep. */
export const targetsArb = (n: number, allowShort = true): fc.Arbitrary<Float64Array> => {
  const levels = allowShort ? [-1, -0.5, 0, 0.25, 0.5, 1, 1.5] : [0, 0.25, 0.5, 1];
  const sparse = fc
    .record({ seed: fc.integer(), p: fc.double({ min: 0.005, max: 0.3, noNaN: true }) })
    .map(({ seed, p }) => {
      let s = seed >>> 0 || 1;
      const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      return Float64Array.from({ length: n }, () => (rnd() < p ? levels[Math.floor(rnd() * levels.length)]! : NaN));
    });
  const dense = fc.array(fc.constantFrom(...levels, NaN), { minLength: n, maxLength: n }).map((a) => Float64Array.from(a));
  return fc.oneof({ arbitrary: sparse, weight: 3 }, { arbitrary: dense, weight: 1 });
};

const stopArb: fc.Arbitrary<StopSpec | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.double({ min: 0.003, max: 0.1, noNaN: true }),
  fc.record({ atr: fc.double({ min: 0.5, max: 4, noNaN: true }) }),
);

/** Any combination of simulator options. */
export const optionsArb = (n: number): fc.Arbitrary<SimOptions> =>
  fc
    .record(
      {
        cash: fc.constantFrom(1000, 10_000, 123_456.78),
        fill: fc.constantFrom('next-open' as const, 'close' as const),
        fee: fc.constantFrom(0, 0.0004, 0.001, 0.0075),
        makerFee: fc.constantFrom(-0.0001, 0, 0.0002),
        fixedFee: fc.constantFrom(0, 0, 1),
        slippage: fc.oneof(fc.constantFrom(0, 2, 10), fc.record({ bps: fc.constantFrom(0, 5), volumeImpact: fc.constantFrom(0.01, 0.1) })),
        sizing: fc.oneof(
          { arbitrary: fc.constant({ mode: 'percent' as const }), weight: 4 },
          fc.record({ mode: fc.constant('cash' as const), amount: fc.constantFrom(500, 5000) }),
          fc.record({ mode: fc.constant('units' as const), amount: fc.constantFrom(0.01, 0.5, 3) }),
          fc.record({ mode: fc.constant('risk' as const), risk: fc.constantFrom(0.01, 0.02), stop: stopArb.filter((s) => s !== undefined) }),
          fc.record({ mode: fc.constant('kelly' as const), fraction: fc.constantFrom(0.25, 0.5, 1), minTrades: fc.constantFrom(2, 5) }),
          fc.record({ mode: fc.constant('kelly' as const), fraction: fc.constant(0.5), winRate: fc.constant(0.55), payoff: fc.constant(1.3) }),
        ),
        rebalance: fc.boolean(),
        leverage: fc.oneof(fc.constantFrom(1, 1, 2, 5, 20, 125), fc.integer({ min: 1, max: 125 })),
        direction: fc.constantFrom('both' as const, 'long' as const, 'short' as const),
        maintenanceMargin: fc.constantFrom(0, 0.005, 0.05),
        funding: fc.oneof(
          fc.constant(undefined),
          fc.record({ rate: fc.constantFrom(0.0001, -0.0003), every: fc.constantFrom('8h', '4h', '1d') }),
          fc.integer().map((seed) => ({ rates: Float64Array.from({ length: n }, (_, i) => ((i * 7919 + seed) % 97 === 0 ? 0.001 : i % 5 === 0 ? -0.0002 : NaN)) })),
        ),
        stopLoss: stopArb,
        takeProfit: stopArb,
        trailingStop: stopArb,
        intrabar: fc.constantFrom('pessimistic' as const, 'optimistic' as const),
        lotSize: fc.constantFrom(0, 0, 0.001, 0.1),
        minNotional: fc.constantFrom(0, 0, 10, 100),
      },
      { requiredKeys: ['fill'] },
    )
    .map((o) => {
      // keep the 'risk' sizing stop well defined
      return o as SimOptions;
    });

/** Options inside the fast summary kernel's domain. */
export const fastOptionsArb: fc.Arbitrary<SimOptions> = fc.record(
  {
    cash: fc.constantFrom(1000, 10_000),
    fill: fc.constantFrom('next-open' as const, 'close' as const),
    fee: fc.constantFrom(0, 0.001, 0.0075),
    fixedFee: fc.constantFrom(0, 1),
    slippage: fc.constantFrom(0, 5),
    rebalance: fc.boolean(),
    leverage: fc.oneof(fc.constantFrom(1, 3, 25, 125), fc.integer({ min: 1, max: 125 })),
    direction: fc.constantFrom('both' as const, 'long' as const, 'short' as const),
    maintenanceMargin: fc.constantFrom(0, 0.01),
  },
  { requiredKeys: ['fill'] },
);

// margin stress: leverage 1..125, random fees, gaps and maintenance margins (tests/backtest/margin.test.ts)

/** Margin stress: a real window whose opens are pushed away from the previous close now and then (gaps of up to ±25 %). */
export const gappyArb = fc
  .record({ file: fc.constantFrom(...DATASETS), start: fc.nat(), len: fc.integer({ min: 50, max: 600 }), seed: fc.integer(), p: fc.constantFrom(0, 0.02, 0.1, 0.3), size: fc.constantFrom(0.02, 0.08, 0.25) })
  .map(({ file, start, len, seed, p, size }) => {
    const all = sharedBars(file);
    const l = Math.min(len, all.close.length);
    const s = start % (all.close.length - l + 1);
    const w = sliceBars(all, s, s + l);
    let r = seed >>> 0 || 1;
    const rnd = () => ((r = (Math.imul(r, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const open = Float64Array.from(w.open);
    const high = Float64Array.from(w.high);
    const low = Float64Array.from(w.low);
    for (let t = 1; t < l; t++) {
      if (rnd() >= p) continue;
      const o = w.close[t - 1]! * (1 + (rnd() * 2 - 1) * size);
      open[t] = o;
      if (o > high[t]!) high[t] = o;
      if (o < low[t]!) low[t] = o;
    }
    const bars: Bars = { ...w, open, high, low };
    return { bars, atr: atr(bars.high, bars.low, bars.close, 14) };
  });

const marginStopArb: fc.Arbitrary<StopSpec | undefined> = fc.oneof(fc.constant(undefined), fc.constant(undefined), fc.double({ min: 0.003, max: 0.1, noNaN: true }), fc.record({ atr: fc.double({ min: 0.5, max: 4, noNaN: true }) }));
const leverageArb = fc.oneof(fc.integer({ min: 1, max: 125 }), fc.constantFrom(1, 50, 100, 125), fc.double({ min: 1, max: 125, noNaN: true }));
const feeArb = fc.oneof(fc.constantFrom(0, 0.0002, 0.0004, 0.001), fc.double({ min: 0, max: 0.01, noNaN: true }));
const mmArb = fc.oneof(fc.constantFrom(0, 0, 0.004, 0.05), fc.double({ min: 0, max: 0.2, noNaN: true }));

export const marginOptionsArb = (n: number): fc.Arbitrary<SimOptions> =>
  fc.record(
    {
      cash: fc.constantFrom(1000, 10_000),
      fill: fc.constantFrom('next-open' as const, 'close' as const),
      fee: feeArb,
      fixedFee: fc.constantFrom(0, 0, 1, 50),
      slippage: fc.oneof(fc.constantFrom(0, 0, 5, 30), fc.record({ bps: fc.constantFrom(0, 5), volumeImpact: fc.constantFrom(0.01, 0.1) })),
      sizing: fc.oneof(
        { arbitrary: fc.constant({ mode: 'percent' as const }), weight: 4 },
        fc.record({ mode: fc.constant('cash' as const), amount: fc.constantFrom(500, 50_000, 5e6) }),
        fc.record({ mode: fc.constant('units' as const), amount: fc.constantFrom(0.01, 3, 1000) }),
        fc.record({ mode: fc.constant('risk' as const), risk: fc.constantFrom(0.01, 0.2), stop: fc.constantFrom(0.001, 0.02) }),
        fc.record({ mode: fc.constant('kelly' as const), fraction: fc.constantFrom(0.5, 1), minTrades: fc.constantFrom(2, 5) }),
      ),
      rebalance: fc.boolean(),
      leverage: leverageArb,
      direction: fc.constantFrom('both' as const, 'long' as const, 'short' as const),
      maintenanceMargin: mmArb,
      funding: fc.oneof(
        fc.constant(undefined),
        fc.constant(undefined),
        fc.record({ rate: fc.constantFrom(0.0001, -0.0003, 0.005) }),
        fc.integer().map((seed) => ({ rates: Float64Array.from({ length: n }, (_, i) => ((i * 7919 + seed) % 53 === 0 ? 0.02 : i % 5 === 0 ? -0.0002 : NaN)) })),
      ),
      stopLoss: marginStopArb,
      takeProfit: marginStopArb,
      trailingStop: marginStopArb,
      lotSize: fc.constantFrom(0, 0, 0.001),
      minNotional: fc.constantFrom(0, 0, 10),
    },
    { requiredKeys: ['fill', 'leverage', 'fee', 'maintenanceMargin'] },
  );

/** Options of the fast kernel's domain with the same random leverage, fees and maintenance margins. */
export const fastMarginArb: fc.Arbitrary<SimOptions> = fc.record(
  {
    cash: fc.constantFrom(1000, 10_000),
    fill: fc.constantFrom('next-open' as const, 'close' as const),
    fee: feeArb,
    fixedFee: fc.constantFrom(0, 1, 50),
    slippage: fc.constantFrom(0, 5, 30),
    rebalance: fc.boolean(),
    leverage: leverageArb,
    direction: fc.constantFrom('both' as const, 'long' as const, 'short' as const),
    maintenanceMargin: mmArb,
  },
  { requiredKeys: ['fill', 'leverage', 'fee', 'maintenanceMargin'] },
);

/** |a − b| <= tol · max(|b|, scale). */
export const near = (a: number, b: number, tol: number, scale = 1): boolean =>
  (Number.isNaN(a) && Number.isNaN(b)) || a === b || Math.abs(a - b) <= tol * Math.max(Math.abs(b), scale);
