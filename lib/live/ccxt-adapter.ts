import * as ccxt from 'ccxt';
import { makeBars, parseTimeframe, QuantlabError, type Bars } from '../core';
import { backoffMs, retryAfterMs, sleep, type RetryPolicy } from '../core/retry';
import { createCcxtExchange, pointExchangeAt, setRateLimit } from '../data/download';
import { classifyCcxtError, isDuplicateOrder, isOrderNotFound, type Classified } from './ccxt-errors';
import {
  ExchangePortError,
  type BalanceLine,
  type ExchangePort,
  type FailureAction,
  type Fill,
  type MarketInfo,
  type OrderRef,
  type OrderRequest,
  type OrderState,
  type OrderStatus,
  type Position,
} from './exchange-port';
import { RateGate } from './rate-gate';
import { makeRedactor, type Redactor } from './redact';

/**
 * The exchange port over any ccxt exchange. Every call goes through one policy:
 * - rate limits: ccxt's own throttle, plus a gate that holds all calls for the server's Retry-After after
 *   a 429 and waits for the weight window to roll over when the used-weight header nears the limit;
 * - retries with exponential backoff for network errors, timeouts, 5xx and clock skew (after re-syncing);
 * - placing or cancelling an order is never blindly repeated: when no answer came back the order is looked
 *   up by its client order id first, and only sent again when the exchange does not know it;
 * - failures that retrying cannot fix end as ExchangePortError with action 'skip' (this request is refused)
 *   or 'stop' (credentials, permissions, configuration), see ccxt-errors.ts;
 * - log lines never contain the API key, the secret or a request signature.
 */
export interface CcxtAdapterOptions {
  /** ccxt exchange id. Default 'binance'. */
  exchange?: string;
  apiKey?: string;
  secret?: string;
  password?: string;
  /** Point every REST base URL at this origin, e.g. the local replay exchange (http://127.0.0.1:PORT). */
  url?: string;
  /** Which markets the account trades: spot (default) or USDT-M perpetual swaps. */
  marketType?: 'spot' | 'swap';
  /** Request timeout in ms. Default 10000. */
  timeoutMs?: number;
  /** Retries per call. Default 5 attempts, first backoff 250 ms, at most 10 s. */
  retry?: RetryPolicy;
  /** ccxt's pause between requests per unit of cost (ms); default ccxt's value for the exchange. */
  rateLimitMs?: number;
  /** Request weight per window of the exchange (Binance spot: 6000 per minute). */
  weightLimit?: number;
  /** Receives log lines (already redacted). */
  log?: (line: string) => void;
  /** Extra ccxt constructor settings. */
  config?: Record<string, unknown>;
  /** Use this ccxt exchange object instead of creating one. */
  exchangeInstance?: ccxt.Exchange;
}

export class CcxtAdapter implements ExchangePort {
  readonly exchange: ccxt.Exchange;
  readonly id: string;
  readonly gate: RateGate;
  /** Counters: calls made, retries, rate-limit waits, orders found by client order id after a lost answer. */
  readonly stats = { calls: 0, retries: 0, rateLimited: 0, reconciled: 0 };
  private readonly redact: Redactor;
  private readonly sink: (line: string) => void;
  private readonly policy: Required<Pick<RetryPolicy, 'attempts' | 'baseMs' | 'maxMs'>> & RetryPolicy;
  private readonly marketType: 'spot' | 'swap';
  private loaded?: Promise<void>;

  constructor(options: CcxtAdapterOptions = {}) {
    const id = options.exchange ?? options.exchangeInstance?.id ?? 'binance';
    this.marketType = options.marketType ?? 'spot';
    this.redact = makeRedactor([options.apiKey, options.secret, options.password]);
    const log = options.log;
    this.sink = (line) => log?.(this.redact(line));
    this.policy = { attempts: 5, baseMs: 250, maxMs: 10_000, ...options.retry };
    const config: Record<string, unknown> = {
      enableRateLimit: true,
      timeout: options.timeoutMs ?? 10_000,
      ...(options.rateLimitMs !== undefined ? { rateLimit: options.rateLimitMs } : {}),
      ...options.config,
    };
    if (options.apiKey !== undefined) config.apiKey = options.apiKey;
    if (options.secret !== undefined) config.secret = options.secret;
    if (options.password !== undefined) config.password = options.password;
    const ex = options.exchangeInstance ?? createCcxtExchange(id, config);
    if (options.exchangeInstance) {
      for (const k of ['apiKey', 'secret', 'password'] as const) if (options[k] !== undefined) (ex as unknown as Record<string, unknown>)[k] = options[k];
      if (options.rateLimitMs !== undefined) setRateLimit(ex, options.rateLimitMs);
    }
    ex.verbose = false; // verbose output prints request headers, which hold the API key
    if (options.url) pointExchangeAt(ex, options.url);
    ex.options = { ...ex.options, defaultType: this.marketType === 'swap' ? 'future' : 'spot' };
    const foo = ex.options.fetchOpenOrders as Record<string, unknown> | undefined;
    if (foo && typeof foo === 'object') foo.warnWithoutSymbol = false;
    this.exchange = ex;
    this.id = ex.id;
    this.gate = new RateGate(options.weightLimit ?? 6000);
  }

  private log(line: string): void {
    this.sink(`${this.id} ${line}`);
  }

  private headers(): Record<string, unknown> | undefined {
    return this.exchange.last_response_headers as Record<string, unknown> | undefined;
  }

  private fail(op: string, e: unknown, c: Classified, action: FailureAction): ExchangePortError {
    const msg = this.redact(`${this.id} ${op}: ${c.kind}: ${(e as Error)?.message ?? String(e)}`);
    this.log(`${op} failed (${action}): ${c.kind}`);
    return new ExchangePortError(msg, action, c.kind);
  }

  /**
   * Runs one exchange call under the retry and rate-limit policy. `idempotent: false` (placing, cancelling)
   * rethrows the raw error as soon as the outcome is unknown, so the caller can reconcile before repeating.
   */
  private async call<T>(op: string, fn: (attempt: number) => Promise<T>, idempotent = true): Promise<T> {
    let resynced = false;
    for (let attempt = 1; ; attempt++) {
      await this.gate.wait();
      this.stats.calls++;
      try {
        const r = await fn(attempt);
        this.observeWeight(op);
        return r;
      } catch (e) {
        const c = classifyCcxtError(e);
        if (c.action === 'skip') throw this.fail(op, e, c, 'skip');
        if (c.action === 'stop') throw this.fail(op, e, c, 'stop');
        if (c.ambiguous && !idempotent) throw e;
        if (attempt >= this.policy.attempts) throw this.fail(op, e, c, 'retry-later');
        let wait = backoffMs(attempt, this.policy);
        if (c.action === 'rate-limit') {
          this.stats.rateLimited++;
          wait = retryAfterMs(this.headers()) ?? wait;
          this.gate.pauseFor(wait);
        } else if (c.action === 'resync' && !resynced) {
          resynced = true;
          await this.resync();
          wait = 0;
        } else this.observeWeight(op);
        this.stats.retries++;
        this.log(`${op}: ${c.kind} (attempt ${attempt}/${this.policy.attempts}), retrying in ${wait} ms`);
        await sleep(wait);
      }
    }
  }

  /** Reads the used-weight headers of the last response; says so when they hold every call until the window rolls over. */
  private observeWeight(op: string): void {
    const before = this.gate.nearLimitPauses;
    this.gate.observe(this.headers());
    if (this.gate.nearLimitPauses > before) {
      this.log(`${op}: the request weight used is near the exchange's limit (${this.gate.weightLimit} per window): holding every call ${this.gate.pausedMs} ms, until the window rolls over`);
    }
  }

  private async resync(): Promise<void> {
    const ex = this.exchange as unknown as { loadTimeDifference?: () => Promise<unknown>; options: Record<string, unknown> };
    if (typeof ex.loadTimeDifference !== 'function') return;
    ex.options.adjustForTimeDifference = true;
    await ex.loadTimeDifference();
    this.log('clock re-synchronised with the exchange');
  }

  private ensureMarkets(): Promise<void> {
    // ccxt keeps a failed loadMarkets promise: a retry must ask for a reload
    this.loaded ??= this.call('loadMarkets', (attempt) => this.exchange.loadMarkets(attempt > 1)).then(
      () => undefined,
      (e) => {
        this.loaded = undefined;
        throw e;
      },
    );
    return this.loaded;
  }

  private market(symbol: string): ccxt.MarketInterface {
    const m = this.exchange.markets?.[symbol];
    if (!m) {
      const listed = Object.keys(this.exchange.markets ?? {});
      throw new ExchangePortError(`${this.id}: symbol '${symbol}' is not listed; listed: ${listed.slice(0, 12).join(', ')}${listed.length > 12 ? ', …' : ''}`, 'stop', 'BadSymbol');
    }
    return m;
  }

  async time(): Promise<number> {
    return this.call('fetchTime', async () => {
      const t = await this.exchange.fetchTime();
      if (typeof t !== 'number') throw new QuantlabError('PARSE_ERROR', `${this.id} fetchTime: expected epoch ms, found ${String(t)}`);
      return t;
    });
  }

  async markets(): Promise<MarketInfo[]> {
    await this.ensureMarkets();
    const tick = (v: number | undefined) => (v === undefined ? NaN : this.exchange.precisionMode === TICK_SIZE ? v : 10 ** -v);
    return Object.values(this.exchange.markets ?? {})
      .filter((m): m is ccxt.MarketInterface => Boolean(m) && (m!.spot || (m!.swap && Boolean(m!.linear))))
      .map((m) => ({
        symbol: m.symbol,
        id: String(m.id),
        base: m.base,
        quote: m.quote,
        type: m.spot ? ('spot' as const) : ('swap' as const),
        tickSize: tick(m.precision.price),
        stepSize: tick(m.precision.amount),
        minAmount: m.limits.amount?.min ?? 0,
        minCost: m.limits.cost?.min ?? 0,
        makerFee: m.maker ?? NaN,
        takerFee: m.taker ?? NaN,
      }));
  }

  async closedCandles(symbol: string, timeframe: string, options: { since?: number; limit?: number } = {}): Promise<Bars> {
    await this.ensureMarkets();
    const m = this.market(symbol);
    const tf = parseTimeframe(timeframe);
    // read the clock first: a candle closed at that time is final in the answer that follows
    const now = await this.time();
    const limit = options.limit === undefined ? undefined : options.limit + 1;
    const rows = await this.call(`fetchOHLCV ${symbol} ${tf.name}`, () => this.exchange.fetchOHLCV(symbol, tf.name, options.since, limit));
    const kept = rows.filter((r) => Number(r[0]) + tf.ms <= now && (options.since === undefined || Number(r[0]) >= options.since));
    const out = options.limit !== undefined && kept.length > options.limit ? (options.since === undefined ? kept.slice(-options.limit) : kept.slice(0, options.limit)) : kept;
    const col = (k: number) => Float64Array.from(out, (r) => Number(r[k]));
    return makeBars({ ts: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5) }, m.id, tf.name);
  }

  async placeOrder(req: OrderRequest): Promise<OrderState> {
    await this.ensureMarkets();
    this.market(req.symbol);
    const what = `placeOrder ${req.symbol} ${req.side} ${req.type} ${req.amount}${req.price !== undefined ? ` @ ${req.price}` : ''}${req.triggerPrice !== undefined ? ` trigger ${req.triggerPrice}` : ''} clientOrderId=${req.clientOrderId}`;
    checkRequest(req);
    const ccxtType = req.type === 'market' || req.type === 'stop-market' ? 'market' : 'limit';
    const params: Record<string, unknown> = { clientOrderId: req.clientOrderId };
    if (req.triggerPrice !== undefined) params.triggerPrice = req.triggerPrice;
    if (req.reduceOnly) params.reduceOnly = true;
    for (let attempt = 1; ; attempt++) {
      try {
        const o = await this.call(what, () => this.exchange.createOrder(req.symbol, ccxtType, req.side, req.amount, ccxtType === 'limit' ? req.price : undefined, { ...params }), false);
        const s = toState(o, req);
        this.log(`${what}: ${s.status} (id ${s.id})`);
        return s;
      } catch (e) {
        if (e instanceof ExchangePortError) {
          if (isDuplicateOrder(e) || /Duplicate order sent/.test(e.message)) {
            const found = await this.fetchOrder(req.symbol, { clientOrderId: req.clientOrderId });
            if (found) return this.reconciled(what, found);
          }
          throw e;
        }
        const c = classifyCcxtError(e);
        this.log(`${what}: no answer (${c.kind}); looking the order up by its client order id before sending again`);
        await sleep(backoffMs(attempt, this.policy));
        const found = await this.fetchOrder(req.symbol, { clientOrderId: req.clientOrderId });
        if (found) return this.reconciled(what, found);
        if (attempt >= this.policy.attempts) throw this.fail(what, e, c, 'retry-later');
        this.stats.retries++;
        this.log(`${what}: the exchange does not know the order; sending it again (attempt ${attempt + 1}/${this.policy.attempts})`);
      }
    }
  }

  private reconciled(what: string, s: OrderState): OrderState {
    this.stats.reconciled++;
    this.log(`${what}: found the order by its client order id (id ${s.id}, ${s.status}); not sent again`);
    return s;
  }

  async fetchOrder(symbol: string, ref: OrderRef): Promise<OrderState | undefined> {
    await this.ensureMarkets();
    this.market(symbol);
    const { id, params } = refArgs(ref);
    // USDT-M conditional orders live in a separate (algo) order book on Binance: look there too
    const books = this.market(symbol).swap ? [params, { ...params, trigger: true }] : [params];
    for (const p of books) {
      try {
        const o = await this.call(`fetchOrder ${symbol} ${describeRef(ref)}`, () => this.exchange.fetchOrder(id, symbol, p));
        return toState(o);
      } catch (e) {
        if (!(e instanceof ExchangePortError && (e.kind === 'OrderNotFound' || isOrderNotFound(e)))) throw e;
      }
    }
    return undefined;
  }

  async cancelOrder(symbol: string, ref: OrderRef): Promise<OrderState> {
    await this.ensureMarkets();
    this.market(symbol);
    const what = `cancelOrder ${symbol} ${describeRef(ref)}`;
    const { id, params } = refArgs(ref);
    let trigger = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const o = await this.call(what, () => this.exchange.cancelOrder(id, symbol, { ...params, ...(trigger ? { trigger: true } : {}) }), false);
        this.log(`${what}: canceled`);
        return toState(o);
      } catch (e) {
        const notFound = e instanceof ExchangePortError && e.kind === 'OrderNotFound';
        if (e instanceof ExchangePortError && !notFound) throw e;
        if (!notFound) {
          this.log(`${what}: no answer (${classifyCcxtError(e).kind}); checking the order before cancelling again`);
          await sleep(backoffMs(attempt, this.policy));
        }
        const s = await this.fetchOrder(symbol, ref);
        if (s && s.status !== 'open') return s; // filled or cancelled meanwhile (perhaps by the lost request)
        if (s && notFound && this.market(symbol).swap && !trigger) {
          trigger = true; // a conditional order: cancel it in the algo order book
          continue;
        }
        if (!s) throw new ExchangePortError(`${this.id} ${what}: the exchange does not know this order`, 'skip', 'OrderNotFound');
        if (attempt >= this.policy.attempts) throw new ExchangePortError(`${this.id} ${what}: still open after ${attempt} attempts`, 'retry-later', 'NetworkError');
      }
    }
  }

  async openOrders(symbol?: string): Promise<OrderState[]> {
    await this.ensureMarkets();
    if (symbol) this.market(symbol);
    const os = await this.call(`fetchOpenOrders ${symbol ?? '(all)'}`, () => this.exchange.fetchOpenOrders(symbol));
    const swap = symbol ? this.market(symbol).swap : this.marketType === 'swap';
    if (swap) {
      const cond = await this.call(`fetchOpenOrders ${symbol ?? '(all)'} conditional`, () => this.exchange.fetchOpenOrders(symbol, undefined, undefined, { trigger: true }));
      os.push(...cond);
    }
    return os.map((o) => toState(o)).sort((a, b) => a.timestamp - b.timestamp || Number(a.id) - Number(b.id));
  }

  async myTrades(symbol: string, since?: number): Promise<Fill[]> {
    await this.ensureMarkets();
    this.market(symbol);
    const ts = await this.call(`fetchMyTrades ${symbol}`, () => this.exchange.fetchMyTrades(symbol, since));
    return ts.map((t) => ({
      id: String(t.id),
      orderId: String(t.order ?? ''),
      symbol: t.symbol ?? symbol,
      side: t.side as 'buy' | 'sell',
      price: Number(t.price),
      amount: Number(t.amount),
      fee: Number(t.fee?.cost ?? 0),
      feeCurrency: String(t.fee?.currency ?? ''),
      maker: t.takerOrMaker === 'maker',
      timestamp: Number(t.timestamp),
    }));
  }

  async balances(): Promise<Record<string, BalanceLine>> {
    await this.ensureMarkets();
    const b = await this.call('fetchBalance', () => this.exchange.fetchBalance());
    const out: Record<string, BalanceLine> = {};
    for (const [k, v] of Object.entries(b)) {
      if (k === 'info' || k === 'free' || k === 'used' || k === 'total' || k === 'timestamp' || k === 'datetime' || k === 'debt') continue;
      const line = v as { free?: number; used?: number; total?: number };
      if (!line || typeof line !== 'object') continue;
      out[k] = { free: Number(line.free ?? 0), used: Number(line.used ?? 0), total: Number(line.total ?? 0) };
    }
    return out;
  }

  async positions(symbols?: string[]): Promise<Position[]> {
    await this.ensureMarkets();
    const wanted = symbols ?? Object.keys(this.exchange.markets ?? {}).filter((s) => (this.marketType === 'swap' ? this.market(s).swap : this.market(s).spot));
    const swaps = wanted.filter((s) => this.market(s).swap);
    const spots = wanted.filter((s) => this.market(s).spot);
    const out: Position[] = [];
    if (swaps.length) {
      const ps = await this.call(`fetchPositions ${swaps.join(',')}`, () => this.exchange.fetchPositions(swaps));
      for (const p of ps) {
        if (!p.symbol || !swaps.includes(p.symbol)) continue;
        const size = Number(p.contracts ?? 0) * Number(p.contractSize ?? 1);
        out.push({ symbol: p.symbol, amount: p.side === 'short' ? -size : size, entryPrice: Number(p.entryPrice ?? NaN), unrealizedPnl: Number(p.unrealizedPnl ?? 0) });
      }
    }
    if (spots.length) {
      const b = await this.balances();
      for (const s of spots) {
        const m = this.market(s);
        out.push({ symbol: s, amount: b[m.base]?.total ?? 0, entryPrice: NaN, unrealizedPnl: NaN });
      }
    }
    return out;
  }
}

/** Creates the adapter: `createCcxtAdapter({ exchange: 'binance', apiKey, secret, url: replay.url })`. */
export function createCcxtAdapter(options: CcxtAdapterOptions = {}): CcxtAdapter {
  return new CcxtAdapter(options);
}

function checkRequest(r: OrderRequest): void {
  const bad = (m: string) => new ExchangePortError(`placeOrder ${r.symbol}: ${m}`, 'skip', 'BadRequest');
  if (!/^[.A-Za-z0-9:/_-]{1,36}$/.test(r.clientOrderId ?? '')) throw bad(`clientOrderId: expected 1-36 letters, digits or . : / _ -, found '${r.clientOrderId}'`);
  if (r.side !== 'buy' && r.side !== 'sell') throw bad(`side: expected buy or sell, found '${r.side}'`);
  if (!(r.amount > 0)) throw bad(`amount: expected a number > 0, found ${r.amount}`);
  if ((r.type === 'limit' || r.type === 'stop-limit') && !(Number(r.price) > 0)) throw bad(`price: a ${r.type} order needs a price > 0, found ${r.price}`);
  if ((r.type === 'stop-market' || r.type === 'stop-limit') && !(Number(r.triggerPrice) > 0)) throw bad(`triggerPrice: a ${r.type} order needs a trigger price > 0, found ${r.triggerPrice}`);
  if (!['market', 'limit', 'stop-market', 'stop-limit'].includes(r.type)) throw bad(`type: expected market, limit, stop-market or stop-limit, found '${r.type}'`);
}

function refArgs(ref: OrderRef): { id: string; params: Record<string, unknown> } {
  if (ref.id === undefined && ref.clientOrderId === undefined) {
    throw new ExchangePortError('order reference: expected an id or a clientOrderId, found neither', 'skip', 'ArgumentsRequired');
  }
  return ref.id !== undefined ? { id: ref.id, params: {} } : { id: '', params: { clientOrderId: ref.clientOrderId } };
}

const describeRef = (ref: OrderRef): string => (ref.id !== undefined ? `id ${ref.id}` : `clientOrderId=${ref.clientOrderId}`);

/** ccxt's precision mode where precisions are step sizes (ccxt.TICK_SIZE). */
const TICK_SIZE = 4;

const STATUSES: OrderStatus[] = ['open', 'closed', 'canceled', 'expired', 'rejected'];

function toState(o: ccxt.Order, req?: OrderRequest): OrderState {
  const fees = new Map<string, number>();
  const all = (o as ccxt.Order & { fees?: Array<{ cost?: number; currency?: string }> }).fees;
  for (const f of all?.length ? all : o.fee ? [o.fee] : []) {
    if (!f || f.cost === undefined || f.currency === undefined) continue;
    fees.set(f.currency, (fees.get(f.currency) ?? 0) + Number(f.cost));
  }
  const status = STATUSES.includes(o.status as OrderStatus) ? (o.status as OrderStatus) : 'open';
  return {
    id: String(o.id),
    clientOrderId: String(o.clientOrderId ?? req?.clientOrderId ?? ''),
    symbol: o.symbol ?? req?.symbol ?? '',
    side: (o.side ?? req?.side) as 'buy' | 'sell',
    type: String(o.type ?? req?.type ?? ''),
    status,
    amount: Number(o.amount ?? req?.amount ?? NaN),
    filled: Number(o.filled ?? 0),
    price: o.price ? Number(o.price) : NaN,
    average: o.average ? Number(o.average) : NaN,
    triggerPrice: o.triggerPrice ? Number(o.triggerPrice) : NaN,
    fees: [...fees].map(([currency, cost]) => ({ currency, cost })),
    timestamp: Number(o.timestamp ?? NaN),
  };
}
