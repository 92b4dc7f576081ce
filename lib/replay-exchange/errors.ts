/**
 * Binance's error shape: HTTP status + `{ "code": -1121, "msg": "Invalid symbol." }`. `msg` keeps Binance's
 * exact text where ccxt matches on it (so ccxt raises the same error class as against Binance); `detail`
 * says what was expected and what was found (symbol, parameter, values).
 */
export class BinanceError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly msg: string,
    readonly detail?: string,
  ) {
    super(detail ? `${msg} (${detail})` : msg);
    this.name = 'BinanceError';
  }

  /** The JSON body Binance sends for this error. */
  body(): { code: number; msg: string; detail?: string } {
    return this.detail ? { code: this.code, msg: this.msg, detail: this.detail } : { code: this.code, msg: this.msg };
  }
}

/** The errors the replay exchange raises, with Binance's codes and texts. */
export const errors = {
  unknownSymbol: (symbol: string, have: string[]) =>
    new BinanceError(400, -1121, 'Invalid symbol.', `symbol '${symbol}' is not listed here; listed: ${have.join(', ') || 'none'}`),
  mandatory: (name: string) =>
    new BinanceError(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  badParam: (name: string, expected: string, found: string) =>
    new BinanceError(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '${expected}'.`, `found '${found}'`),
  badInterval: (found: string, have: string[]) =>
    new BinanceError(400, -1120, 'Invalid interval.', `expected one of ${have.join(', ')}, found '${found}'`),
  badSide: (found: string) => new BinanceError(400, -1117, 'Invalid side.', `expected BUY or SELL, found '${found}'`),
  badType: (found: string, have: string[]) =>
    new BinanceError(400, -1116, 'Invalid orderType.', `expected one of ${have.join(', ')}, found '${found}'`),
  badTif: (found: string) => new BinanceError(400, -1115, 'Invalid timeInForce.', `expected GTC, IOC or FOK, found '${found}'`),
  filter: (filter: string, detail: string) => new BinanceError(400, -1013, `Filter failure: ${filter}`, detail),
  insufficient: (detail: string) => new BinanceError(400, -2010, 'Account has insufficient balance for requested action.', detail),
  marginInsufficient: (detail: string) => new BinanceError(400, -2019, 'Margin is insufficient.', detail),
  reduceOnly: (detail: string) => new BinanceError(400, -2022, 'ReduceOnly Order is rejected.', detail),
  duplicate: (clientOrderId: string) =>
    new BinanceError(400, -2010, 'Duplicate order sent.', `an open order already uses newClientOrderId '${clientOrderId}'`),
  wouldTake: (detail: string) => new BinanceError(400, -2010, 'Order would immediately match and take.', detail),
  wouldTrigger: (detail: string) => new BinanceError(400, -2010, 'Stop price would trigger immediately.', detail),
  unknownOrder: (detail: string) => new BinanceError(400, -2011, 'Unknown order sent.', detail),
  noSuchOrder: (detail: string) => new BinanceError(400, -2013, 'Order does not exist.', detail),
  badKeyFormat: () => new BinanceError(401, -2014, 'API-key format invalid.', 'expected an X-MBX-APIKEY header'),
  badKey: () => new BinanceError(401, -2015, 'Invalid API-key, IP, or permissions for action.', 'the API key is not registered on this exchange'),
  badSignature: (detail: string) => new BinanceError(400, -1022, 'Signature for this request is not valid.', detail),
  timestamp: (detail: string) => new BinanceError(400, -1021, 'Timestamp for this request is outside of the recvWindow.', detail),
  recvWindow: (found: string) => new BinanceError(400, -1131, 'recvWindow must be less than 60000', `found ${found}`),
  tooMuchWeight: (limit: number, window: string) =>
    new BinanceError(
      429,
      -1003,
      `Too much request weight used; current limit is ${limit} request weight per ${window}. Please use WebSocket Streams for live updates to avoid polling the API.`,
    ),
  replayed: (recvWindow: number) =>
    new BinanceError(
      400,
      -1021,
      'Timestamp for this request is outside of the recvWindow.',
      `this exact signed request was first received more than recvWindow (${recvWindow} ms) of wall time ago; sign it again`,
    ),
  tooLarge: (limit: number) => new BinanceError(413, -1104, 'Request body too large.', `expected at most ${limit} bytes`),
  internal: () => new BinanceError(500, -1001, 'Internal error; unable to process your request. Please try again.'),
  unsupported: (what: string) => new BinanceError(400, -1020, 'This operation is not supported.', what),
  notFound: (method: string, path: string) =>
    new BinanceError(400, -1020, 'This operation is not supported.', `the replay exchange has no route ${method} ${path}`),
  leverage: (found: string) => new BinanceError(400, -4028, `Leverage ${found} is not valid`, 'expected an integer from 1 to 125'),
};
