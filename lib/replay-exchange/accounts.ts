import { createHash } from 'node:crypto';
import { round8 } from './numbers';

/**
 * Per-key accounts. An account is known by a hash of its API key, never by the key itself, so state files
 * and logs hold no credential; the secrets live only in memory (see auth.ts) and come from configuration.
 */

/** Spot holdings of one asset: free to use, and locked by open orders. */
export interface SpotBalance {
  free: number;
  locked: number;
}

/** A USDT-M position in one-way mode: signed amount (base units) and average entry price. */
export interface Position {
  amt: number;
  entry: number;
  updateTime: number;
}

export interface AccountState {
  id: string;
  spot: Record<string, SpotBalance>;
  futures: { wallet: number; positions: Record<string, Position>; leverage: Record<string, number> };
}

/** Credentials and opening balances of one account. */
export interface AccountConfig {
  apiKey: string;
  secret: string;
  /** Spot balances to start with; default { USDT: 10000 }. */
  balances?: Record<string, number>;
  /** USDT-M futures wallet to start with; default 10000. */
  futuresWallet?: number;
}

/** The account id of an API key: the first 16 hex digits of its SHA-256. */
export const accountId = (apiKey: string): string => `acct-${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;

export class Account {
  readonly spot = new Map<string, SpotBalance>();
  wallet = 0;
  readonly positions = new Map<string, Position>();
  readonly leverage = new Map<string, number>();

  constructor(readonly id: string) {}

  static open(cfg: AccountConfig): Account {
    const a = new Account(accountId(cfg.apiKey));
    for (const [asset, v] of Object.entries(cfg.balances ?? { USDT: 10_000 })) a.spot.set(asset, { free: v, locked: 0 });
    a.wallet = cfg.futuresWallet ?? 10_000;
    return a;
  }

  balance(asset: string): SpotBalance {
    let b = this.spot.get(asset);
    if (!b) this.spot.set(asset, (b = { free: 0, locked: 0 }));
    return b;
  }

  /** Moves `amount` of an asset from free to locked. */
  lock(asset: string, amount: number): void {
    const b = this.balance(asset);
    b.free = round8(b.free - amount);
    b.locked = round8(b.locked + amount);
  }

  /** Moves `amount` of an asset from locked back to free. */
  unlock(asset: string, amount: number): void {
    const b = this.balance(asset);
    b.locked = round8(b.locked - amount);
    b.free = round8(b.free + amount);
  }

  /** Adds (or with a negative amount removes) free balance. */
  credit(asset: string, amount: number): void {
    const b = this.balance(asset);
    b.free = round8(b.free + amount);
  }

  /** Removes locked balance (spent by a fill). */
  spendLocked(asset: string, amount: number): void {
    const b = this.balance(asset);
    b.locked = round8(b.locked - amount);
  }

  position(symbol: string): Position {
    let p = this.positions.get(symbol);
    if (!p) this.positions.set(symbol, (p = { amt: 0, entry: 0, updateTime: 0 }));
    return p;
  }

  leverageOf(symbol: string): number {
    return this.leverage.get(symbol) ?? 1;
  }

  toState(): AccountState {
    return {
      id: this.id,
      spot: Object.fromEntries(this.spot),
      futures: { wallet: this.wallet, positions: Object.fromEntries(this.positions), leverage: Object.fromEntries(this.leverage) },
    };
  }

  static fromState(s: AccountState): Account {
    const a = new Account(s.id);
    for (const [k, v] of Object.entries(s.spot)) a.spot.set(k, { ...v });
    a.wallet = s.futures.wallet;
    for (const [k, v] of Object.entries(s.futures.positions)) a.positions.set(k, { ...v });
    for (const [k, v] of Object.entries(s.futures.leverage)) a.leverage.set(k, v);
    return a;
  }
}
