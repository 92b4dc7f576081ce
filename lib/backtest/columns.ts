/** Why an order was placed or a trade ended. Index into {@link EXIT_REASONS}. */
export const REASON_SIGNAL = 0;
export const REASON_STOP_LOSS = 1;
export const REASON_TAKE_PROFIT = 2;
export const REASON_TRAILING_STOP = 3;
export const REASON_LIQUIDATION = 4;
/** a position still open after the last bar, marked to market at the last close without an exit fee. */
export const REASON_END = 5;
export const EXIT_REASONS = ['signal', 'stop-loss', 'take-profit', 'trailing-stop', 'liquidation', 'end'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

/** Every order that filled, as columns (one row per fill, in time order). */
export interface OrderColumns {
  bar: Int32Array;
  ts: Float64Array;
  asset: Uint16Array;
  /** signed units: > 0 bought, < 0 sold. */
  units: Float64Array;
  /** fill price after slippage. */
  price: Float64Array;
  /** rate fee + fixed fee, in cash. */
  fee: Float64Array;
  /** index into EXIT_REASONS ('signal' for target orders). */
  reason: Uint8Array;
  length: number;
}

/**
 * Round trips, as columns, in exit order. A trade opens when a position leaves zero (or flips side) and closes when it
 * returns to zero (or flips). Size changes inside a trade are averaged: entryPrice is the mean price of the units
 * added, exitPrice the mean price of the units removed, size the units added.
 * pnl = side·size·(exitPrice − entryPrice) − fees − funding; return = pnl / (size·entryPrice + entry fees).
 */
export interface TradeColumns {
  asset: Uint16Array;
  /** +1 long, −1 short. */
  side: Int8Array;
  entryBar: Int32Array;
  exitBar: Int32Array;
  entryTs: Float64Array;
  exitTs: Float64Array;
  size: Float64Array;
  entryPrice: Float64Array;
  exitPrice: Float64Array;
  fees: Float64Array;
  funding: Float64Array;
  pnl: Float64Array;
  returns: Float64Array;
  barsHeld: Int32Array;
  exitReason: Uint8Array;
  length: number;
}

type Ctor = Float64ArrayConstructor | Int32ArrayConstructor | Uint16ArrayConstructor | Uint8ArrayConstructor | Int8ArrayConstructor;

/** Growable typed-array columns; `finish()` returns trimmed copies. Growth doubles, so pushes are amortised O(1). */
export class ColumnBuilder<K extends string> {
  length = 0;
  private cap: number;
  readonly cols: Record<K, Float64Array | Int32Array | Uint16Array | Uint8Array | Int8Array>;
  constructor(
    private readonly types: Record<K, Ctor>,
    capacity = 64,
  ) {
    this.cap = capacity;
    this.cols = {} as typeof this.cols;
    for (const k of Object.keys(types) as K[]) this.cols[k] = new types[k](capacity);
  }
  /** Makes room for one more row and returns its index. */
  next(): number {
    if (this.length === this.cap) {
      this.cap *= 2;
      for (const k of Object.keys(this.types) as K[]) {
        const grown = new this.types[k](this.cap);
        grown.set(this.cols[k] as never);
        this.cols[k] = grown;
      }
    }
    return this.length++;
  }
  finish(): Record<K, Float64Array | Int32Array | Uint16Array | Uint8Array | Int8Array> & { length: number } {
    const out = { length: this.length } as Record<K, Float64Array | Int32Array | Uint16Array | Uint8Array | Int8Array> & { length: number };
    for (const k of Object.keys(this.types) as K[]) (out as Record<K, unknown>)[k] = this.cols[k].slice(0, this.length);
    return out;
  }
}

export const ORDER_TYPES = {
  bar: Int32Array, ts: Float64Array, asset: Uint16Array, units: Float64Array, price: Float64Array, fee: Float64Array, reason: Uint8Array,
} as const;

export const TRADE_TYPES = {
  asset: Uint16Array, side: Int8Array, entryBar: Int32Array, exitBar: Int32Array, entryTs: Float64Array, exitTs: Float64Array,
  size: Float64Array, entryPrice: Float64Array, exitPrice: Float64Array, fees: Float64Array, funding: Float64Array,
  pnl: Float64Array, returns: Float64Array, barsHeld: Int32Array, exitReason: Uint8Array,
} as const;

/** Columns as plain row objects (for display, JSON, or an arquero table via `aq.from(rows)`). */
export function columnsToRows(cols: { length: number } & Record<string, unknown>): Record<string, number>[] {
  const keys = Object.keys(cols).filter((k) => k !== 'length');
  const rows: Record<string, number>[] = [];
  for (let i = 0; i < cols.length; i++) {
    const row: Record<string, number> = {};
    for (const k of keys) row[k] = (cols[k] as ArrayLike<number>)[i]!;
    rows.push(row);
  }
  return rows;
}

/**
 * Trade columns ready for a table (arquero `aq.table(cols)`, Parquet, JSON): times as epoch ms, the asset as its
 * symbol, the exit reason as its name. Typed arrays are shared, not copied; no `length` key.
 */
export function tradeTableColumns(trades: TradeColumns, symbols: readonly string[]): Record<string, ArrayLike<unknown>> {
  const { length, asset, exitReason, ...rest } = trades;
  void length;
  return {
    symbol: Array.from(asset, (a) => symbols[a] ?? String(a)),
    ...rest,
    exitReason: Array.from(exitReason, (r) => EXIT_REASONS[r] ?? String(r)),
  };
}

/** Order columns ready for a table, as {@link tradeTableColumns}. */
export function orderTableColumns(orders: OrderColumns, symbols: readonly string[]): Record<string, ArrayLike<unknown>> {
  const { length, asset, reason, ...rest } = orders;
  void length;
  return {
    symbol: Array.from(asset, (a) => symbols[a] ?? String(a)),
    ...rest,
    reason: Array.from(reason, (r) => EXIT_REASONS[r] ?? String(r)),
  };
}
