import * as ccxt from 'ccxt';

/**
 * ccxt's error classes mapped to what the adapter does with them.
 *
 * | ccxt class (and subclasses)                                     | action      | request may have executed |
 * |-----------------------------------------------------------------|-------------|---------------------------|
 * | RateLimitExceeded, DDoSProtection (HTTP 429/418, Binance -1003)  | rate-limit  | no                        |
 * | InvalidNonce (clock skew, Binance -1021)                         | resync      | no                        |
 * | RequestTimeout, NetworkError, ExchangeNotAvailable, OnMaintenance| retry       | yes                       |
 * | OperationFailed, BadResponse, NullResponse (5xx, -1001, -1006)   | retry       | yes                       |
 * | AuthenticationError, PermissionDenied, AccountSuspended          | stop        | no                        |
 * | NotSupported, ArgumentsRequired, BadSymbol, ExchangeClosedByUser | stop        | no                        |
 * | InsufficientFunds, InvalidOrder, OrderNotFound, BadRequest, …    | skip        | no                        |
 * | any other ExchangeError                                          | skip        | no                        |
 * | anything that is not a ccxt error (a bug)                        | stop        | no                        |
 *
 * "May have executed" matters for placing and cancelling orders: the adapter then looks the order up
 * by its client order id before it sends anything again.
 */
export type CcxtAction = 'rate-limit' | 'resync' | 'retry' | 'skip' | 'stop';

export interface Classified {
  action: CcxtAction;
  /** The request may have been carried out although no answer came back. */
  ambiguous: boolean;
  /** ccxt class name. */
  kind: string;
}

export function classifyCcxtError(e: unknown): Classified {
  const kind = e instanceof Error ? e.constructor.name : typeof e;
  const is = (c: abstract new (...a: never[]) => unknown) => e instanceof c;
  if (is(ccxt.RateLimitExceeded) || is(ccxt.DDoSProtection)) return { action: 'rate-limit', ambiguous: false, kind };
  if (is(ccxt.InvalidNonce)) return { action: 'resync', ambiguous: false, kind };
  if (is(ccxt.NetworkError)) return { action: 'retry', ambiguous: true, kind };
  if (is(ccxt.OperationFailed)) return { action: 'retry', ambiguous: true, kind };
  if (is(ccxt.AuthenticationError)) return { action: 'stop', ambiguous: false, kind };
  if (is(ccxt.NotSupported) || is(ccxt.ArgumentsRequired) || is(ccxt.BadSymbol) || is(ccxt.ExchangeClosedByUser)) {
    return { action: 'stop', ambiguous: false, kind };
  }
  if (is(ccxt.ExchangeError) || is(ccxt.BaseError)) return { action: 'skip', ambiguous: false, kind };
  return { action: 'stop', ambiguous: false, kind };
}

/** True for ccxt's "this order does not exist" answers. */
export const isOrderNotFound = (e: unknown): boolean => e instanceof ccxt.OrderNotFound;

/** True when an order was refused because its client order id is already in use (Binance -2010 "Duplicate order sent."). */
export const isDuplicateOrder = (e: unknown): boolean => e instanceof ccxt.DuplicateOrderId || (e instanceof ccxt.InvalidOrder && /Duplicate order sent/.test(String((e as Error).message)));
