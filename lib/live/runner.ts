import type { ResolvedOptions } from '../backtest';
import { barAt, isoTime, parseTimeframe, QuantlabError, type BarFields, type Bars } from '../core';
import { createDecider, type AnyStrategy, type BarWithInputs, type Decider } from '../strategy';
import type { AccountGuard } from './account-guard';
import { simOptionsOf, type RunnerConfig } from './config';
import { ExchangePortError, type ExchangePort, type MarketInfo, type OrderState } from './exchange-port';
import type { FormingBar, MarketFeed } from './feed';
import { InputsFeed, runnerInputs } from './inputs-feed';
import { Ledger, type LedgerFill, type TradeRow } from './ledger';
import { clientOrderId, newSessionId, paramsHash, sessionPrefix } from './order-ids';
import { PaperBroker } from './paper-broker';
import { RiskGuard, type Trip } from './risk-guard';
import { runnerOptions, sizeTarget } from './sizing';
import { checkSessionRecord } from './state-file';
import type { BarRow, InputBarRow, OrderIntent, OrderRow, StateStore } from './state-store';

/**
 * The runner: on each newly closed bar it feeds the strategy's streaming indicators, calls decide(), turns
 * the target into orders by the backtester's rules (sizing.ts) at the forming bar's open, lets the risk
 * guard check them, and places them through the exchange port (a ccxt exchange, or the paper broker). Every
 * step is written to the state store before it is acted on:
 *
 *   bar closed → [tx] bar 'decided' + order intents + last target → [tx] order 'sent' → place → [tx] fill
 *   → [tx] bar 'done'
 *
 * so a restart after `kill -9` anywhere resumes exactly: intents never sent are sent, orders marked 'sent'
 * are first looked up by their client order id (derived from session, strategy, parameters, bar and target,
 * never random) and only sent when the exchange does not know them. Indicators are rebuilt by replaying the
 * stored bars through a fresh decider (and checked against the stored targets).
 *
 * Fill convention: decide on bar t's close, fill at bar t+1's open — the backtester's 'next-open'. The order
 * is sized at the forming bar's open price; on the replay exchange a market order placed at that moment
 * fills at exactly that price, so a run equals the backtest of the same bars trade for trade.
 */

export type RunMode = 'paper' | 'live';

/** One structured log record. */
export interface RunnerEvent {
  event: string;
  [k: string]: unknown;
}

export interface StopInfo {
  reason: string;
  /** 'risk' (a risk trip), 'error' (exchange refused for good, bad state, a bug), 'signal' (SIGINT/SIGTERM), 'mismatch'. */
  kind: 'risk' | 'error' | 'signal' | 'mismatch';
  at: number;
}

export interface RunnerOptions {
  strategy: AnyStrategy;
  params: Record<string, unknown>;
  config: RunnerConfig;
  mode: RunMode;
  /** where orders go: the ccxt adapter (live) or a PaperBroker (paper). */
  port: ExchangePort;
  feed: MarketFeed;
  store: StateStore;
  log?: (e: RunnerEvent) => void;
  /** wall clock (order-rate limit, event times). Default Date.now. */
  clock?: () => number;
  /** clear a tripped kill switch at start (an operator's decision). */
  resetKillSwitch?: boolean;
  /** the account guard shared with the other strategies on the same exchange account (portfolio.ts); joined as config.name. */
  account?: AccountGuard;
}

/** An operator's control as recorded in the state. */
export interface OperatorAction {
  action: 'pause' | 'resume' | 'flatten' | 'stop';
  /** who asked (the dashboard or API client's name). */
  by: string;
  /** ISO time. */
  at: string;
}

export interface OperatorResult {
  ok: boolean;
  message: string;
  snapshot: RunnerSnapshot;
}

export interface PollResult {
  /** bars processed in this poll (traded or missed). */
  processed: number;
  /** open time of the last bar in phase 'done' (NaN before the first). */
  lastDoneTs: number;
  stopped?: StopInfo;
}

export interface RunnerSnapshot {
  mode: RunMode;
  session: string;
  lastBarTs: number;
  lastClose: number;
  position: number;
  cash: number;
  equity: number;
  lastTarget: number;
  trades: number;
  orders: number;
  /** set while an operator has paused new orders. */
  paused?: OperatorAction;
  stopped?: StopInfo;
}

const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0);
const decimalsOf = (step: number): number => Math.max(0, Math.min(12, Math.round(-Math.log10(step)) + (step * 10 ** Math.round(-Math.log10(step)) === 1 ? 0 : 1)));

/** Rounds to the nearest multiple of `step`, as a clean decimal. */
export function roundToStep(x: number, step: number): number {
  if (!(step > 0)) return x;
  return Number((Math.round(x / step) * step).toFixed(decimalsOf(step)));
}

export class Runner {
  readonly strategy: AnyStrategy;
  readonly params: Record<string, unknown>;
  readonly config: RunnerConfig;
  readonly mode: RunMode;
  readonly port: ExchangePort;
  readonly feed: MarketFeed;
  readonly store: StateStore;
  readonly guard: RiskGuard;
  readonly symbol: string;
  readonly tfMs: number;
  private readonly o: ResolvedOptions;
  private readonly clock: () => number;
  private readonly sink: (e: RunnerEvent) => void;
  private readonly resetKill: boolean;
  private readonly account?: AccountGuard;
  /** the strategy's other symbols (inputs-feed.ts): read each poll, handed to the decider with each base bar. */
  private readonly inputs?: InputsFeed;
  /** the base bar the runner is waiting on a stale input for (logged once). */
  private inputWait = NaN;
  private decider!: Decider;
  private ledger!: Ledger;
  private session = '';
  private hash = '';
  private market?: MarketInfo;
  private baseline = 0;
  /** spot: holdings below one amount step count as flat (fees in the base asset leave such dust). */
  private dust = 0;
  private lastTs = NaN;
  private lastClose = NaN;
  private lastTarget = NaN;
  /** a target not traded yet (its orders were refused, or it was decided while the runner was away): the next bar whose own target is NaN works toward it. */
  private retryTarget = NaN;
  private peak = NaN;
  private dayKey = NaN;
  private dayStart = NaN;
  private stopInfo?: StopInfo;
  private started = false;
  /** every step (a poll, an operator's control) runs after the previous one finished: the runner is not re-entrant. */
  private chain: Promise<unknown> = Promise.resolve();
  /** the exchange's clock at the last candles answer and the wall clock then (bar-close → order latency). */
  private pollNow = NaN;
  private pollWall = NaN;

  constructor(o: RunnerOptions) {
    this.strategy = o.strategy;
    const inputs = runnerInputs(o.strategy, o.config?.inputs);
    this.params = o.strategy.resolveParams(o.params) as Record<string, unknown>;
    this.config = o.config;
    this.mode = o.mode;
    this.port = o.port;
    this.feed = o.feed;
    this.store = o.store;
    this.symbol = o.config.symbol;
    this.tfMs = parseTimeframe(o.config.timeframe).ms;
    this.o = runnerOptions(simOptionsOf(o.config));
    if (inputs.length) this.inputs = new InputsFeed(inputs, o.config.inputGaps ?? 'hold', o.feed, o.config.timeframe, this.tfMs);
    this.clock = o.clock ?? Date.now;
    this.sink = o.log ?? (() => undefined);
    this.resetKill = Boolean(o.resetKillSwitch);
    this.guard = new RiskGuard(o.config.risk, o.store, this.clock, (t, barTs) => this.emit('risk', { kind: t.kind, action: t.action, message: t.message, bar: isoTime(barTs), ...(t.detail.scope ? { scope: t.detail.scope } : {}) }));
    this.account = o.account;
    o.account?.join({ name: o.config.name, symbol: this.symbol, initialCash: this.o.cash, position: () => this.ledger?.position ?? 0 });
  }

  private emit(event: string, fields: Record<string, unknown> = {}): void {
    this.sink({ event, at: new Date(this.clock()).toISOString(), ...fields });
  }

  get stopped(): StopInfo | undefined {
    return this.stopInfo;
  }

  /** The session id of the state store (fixed at the first start). */
  get sessionId(): string {
    return this.session;
  }

  // ---------------------------------------------------------------- start

  /**
   * Checks the configuration against the exchange (symbol, timeframe, lot size, capital) before any order,
   * opens or resumes the session, rebuilds the books and the indicators, warms up on history at the first
   * start, and reconciles with the exchange (stray open orders, position).
   */
  async start(): Promise<void> {
    if (this.started) return;
    const fields = this.sessionFields();
    await this.checkMarket();
    this.openSession(fields);
    const fresh = this.store.barCount() === 0;
    if (this.mode === 'live' && fresh && !this.store.meta('baseline')) await this.checkCapital();
    this.baseline = Number(this.store.meta('baseline') ?? 0);
    this.rebuild();
    if (this.guard.killed) {
      if (!this.resetKill) {
        // a flatten the kill switch asked for may have been cut short: finish it, then refuse to trade
        for (const b of this.store.bars(['decided'])) await this.finishBar(b);
        throw new QuantlabError(
          'VALIDATION_FAILED',
          `runner: the kill switch tripped in this session (${this.store.get('kill_switch')}, risk.maxDrawdown ${this.config.risk.maxDrawdown}); check the account, then restart with --reset-kill-switch`,
        );
      }
      this.guard.resetKillSwitch();
      this.emit('kill-switch-reset');
    }
    if (fresh) await this.warmUp();
    const prev = this.store.get('stopped');
    if (prev) {
      this.store.set('stopped', undefined);
      this.emit('resume', { previousStop: JSON.parse(prev) as unknown });
    }
    await this.reconcileOpenOrders();
    this.started = true;
    this.emit('start', {
      restart: !fresh,
      mode: this.mode,
      strategy: this.strategy.name,
      params: this.params,
      symbol: this.symbol,
      timeframe: this.config.timeframe,
      exchange: this.port.id,
      session: this.session,
      lastBar: Number.isFinite(this.lastTs) ? isoTime(this.lastTs) : null,
      position: this.ledger.position,
      cash: this.ledger.cash,
    });
  }

  /** What identifies a session; throws when the state file holds another one (before anything is written). */
  private sessionFields(): Record<string, string> {
    const m = this.store.allMeta();
    checkSessionRecord(this.store.path, m.session, this.store.historyCounts());
    this.hash = paramsHash(this.params);
    const want: Record<string, string> = {
      strategy: this.strategy.name,
      paramsHash: this.hash,
      symbol: this.symbol,
      timeframe: this.config.timeframe,
      mode: this.mode,
      initialCash: String(this.o.cash),
      ...(this.inputs ? { inputs: JSON.stringify(this.config.inputs), inputGaps: this.inputs.gaps } : {}),
    };
    const diff = m.session ? Object.keys(want).filter((k) => m[k] !== want[k]) : [];
    if (diff.length) {
      throw new QuantlabError(
        'VALIDATION_FAILED',
        `runner: ${this.store.path} holds a session with different ${diff.map((k) => `${k} (${m[k]} there, ${want[k]} now)`).join(', ')}; run in a fresh folder, or start over deliberately with --new-session (moves that file aside)`,
      );
    }
    return want;
  }

  /** Opens the session (written at the first start, once the configuration passed its checks). */
  private openSession(want: Record<string, string>): void {
    const session = this.store.meta('session');
    if (session) {
      this.session = session;
      return;
    }
    this.session = newSessionId();
    this.store.setMeta({ ...want, session: this.session, params: JSON.stringify(this.params), createdAt: new Date(this.clock()).toISOString() });
  }

  private async checkMarket(): Promise<void> {
    const c = this.config;
    const markets = await this.port.markets();
    const m = markets.find((x) => x.symbol === this.symbol);
    if (!m) {
      const listed = markets.map((x) => x.symbol);
      throw new QuantlabError('NOT_FOUND', `runner: ${this.port.id} does not list '${this.symbol}'; listed: ${listed.slice(0, 20).join(', ')}${listed.length > 20 ? ', …' : ''}`);
    }
    if (m.type !== c.exchange.marketType) throw new QuantlabError('BAD_ARGUMENT', `runner: '${this.symbol}' is a ${m.type} market, the config says marketType '${c.exchange.marketType}'`);
    for (const i of this.inputs?.inputs ?? []) {
      const im = markets.find((x) => x.symbol === i.symbol);
      if (!im) throw new QuantlabError('NOT_FOUND', `runner: ${this.port.id} does not list '${i.symbol}' (config inputs.${i.name})`);
      if (im.type !== m.type) throw new QuantlabError('BAD_ARGUMENT', `runner: input '${i.name}' (${i.symbol}) is a ${im.type} market, the traded one a ${m.type} market (config inputs.${i.name})`);
    }
    const tfs = await this.feed.timeframes();
    if (tfs && !tfs.includes(c.timeframe)) throw new QuantlabError('BAD_TIMEFRAME', `runner: ${this.port.id} has no '${c.timeframe}' candles; it offers ${tfs.join(', ')}`);
    try {
      await this.feed.candles(this.symbol, c.timeframe, Math.floor((await this.feed.time()) / this.tfMs) * this.tfMs - 2 * this.tfMs);
    } catch (e) {
      if (e instanceof ExchangePortError && e.action !== 'retry-later') {
        throw new QuantlabError('BAD_TIMEFRAME', `runner: ${this.port.id} refuses '${c.timeframe}' candles for ${this.symbol}: ${e.message}`);
      }
      throw e;
    }
    if (this.mode === 'live') {
      const lot = this.o.lotSize;
      const k = lot / m.stepSize;
      if (m.stepSize > 0 && !(lot > 0 && Math.abs(k - Math.round(k)) < 1e-9)) {
        throw new QuantlabError(
          'BAD_ARGUMENT',
          `runner: execution.lotSize ${lot} is not a multiple of ${this.symbol}'s amount step ${m.stepSize} on ${this.port.id}; set lotSize to ${m.stepSize} (and backtest with it) so orders size as the exchange can fill them`,
        );
      }
      if (this.o.minNotional < m.minCost) {
        throw new QuantlabError('BAD_ARGUMENT', `runner: execution.minNotional ${this.o.minNotional} is below ${this.symbol}'s minimum order value ${m.minCost} on ${this.port.id}; set minNotional to at least ${m.minCost}`);
      }
    }
    this.market = m;
    this.dust = this.mode === 'live' && m.type === 'spot' ? m.stepSize : 0;
    if (!this.store.meta('dust')) this.store.setMeta({ dust: String(this.dust) });
  }

  private async checkCapital(): Promise<void> {
    const m = this.market!;
    const b = await this.port.balances();
    const have = m.type === 'swap' ? (b[m.quote]?.total ?? 0) : (b[m.quote]?.free ?? 0);
    if (have < this.o.cash) {
      throw new QuantlabError('BAD_ARGUMENT', `runner: the account has ${have} ${m.quote}${m.type === 'spot' ? ' free' : ''}, the config trades execution.cash = ${this.o.cash}; lower it or fund the account`);
    }
    const baseline = m.type === 'spot' ? (b[m.base]?.total ?? 0) : ((await this.port.positions([this.symbol]))[0]?.amount ?? 0);
    if (m.type === 'swap' && baseline !== 0) {
      throw new QuantlabError('BAD_ARGUMENT', `runner: the account already holds a ${this.symbol} position of ${baseline}; a new session starts flat (close it first)`);
    }
    this.store.setMeta({ baseline: String(baseline) });
  }

  /** Books from the fills, indicators from the stored bars (checked against the stored targets), risk memory from the equity column. */
  private rebuild(): void {
    this.ledger = new Ledger(this.o.cash, this.dust);
    for (const f of this.store.fills()) this.ledger.apply(f);
    this.decider = createDecider(this.strategy, this.params);
    this.peak = this.o.cash;
    this.dayKey = NaN;
    const rows = this.store.bars();
    const replayInputs = this.inputs?.replay(this.store);
    for (const r of rows) {
      const x = this.decider.update(replayInputs ? ({ ...r, inputs: replayInputs(r.ts) } as BarWithInputs) : r);
      if (!Object.is(x, r.target) && !(Number.isNaN(x) && Number.isNaN(r.target))) {
        throw new QuantlabError(
          'VALIDATION_FAILED',
          `runner: replaying the stored bars, ${this.strategy.name} gives target ${x} at ${isoTime(r.ts)} where this session decided ${r.target}; the strategy code or parameters changed under a running session`,
        );
      }
      this.lastTs = r.ts;
      this.lastClose = r.close;
      if (r.phase !== 'warmup') this.trackEquity(r.ts, r.equity);
    }
    this.lastTarget = this.store.getNumber('last_target');
    this.retryTarget = this.store.getNumber('retry_target');
  }

  private trackEquity(ts: number, equity: number): void {
    if (equity > this.peak) this.peak = equity;
    const day = Math.floor(ts / 86_400_000);
    if (day !== this.dayKey) {
      this.dayKey = day;
      this.dayStart = equity;
    }
  }

  private async warmUp(): Promise<void> {
    const n = this.config.runner.warmupBars;
    const now = await this.feed.time();
    const since = Math.floor(now / this.tfMs) * this.tfMs - (n + 1) * this.tfMs;
    const c = await this.feed.candles(this.symbol, this.config.timeframe, since);
    const bars = c.closed;
    const k = bars.ts.length;
    const from = Math.max(0, k - Math.max(n, 1)); // at least the last closed bar: trading starts after it
    if (this.inputs) await this.inputs.read(since);
    this.store.tx(() => {
      for (let i = from; i < k; i++) {
        const bar = barAt(bars, i);
        const { target, taken } = this.decideBar(bar);
        if (taken) this.inputs!.store(this.store, taken);
        this.store.putBar({ ...bar, target, phase: 'warmup', equity: NaN, position: NaN, cash: NaN, refPrice: NaN, refTs: NaN });
        this.lastTs = bar.ts;
        this.lastClose = bar.close;
      }
    });
    this.emit('warmup', { bars: k - from, first: k > from ? isoTime(bars.ts[from]!) : null, last: k > from ? isoTime(bars.ts[k - 1]!) : null });
  }

  /** Cancels open orders of this session found on the exchange (a market order should never rest). */
  private async reconcileOpenOrders(): Promise<void> {
    if (this.mode === 'paper') return;
    const prefix = sessionPrefix({ session: this.session, strategy: this.strategy.name, paramsHash: this.hash, symbol: this.symbol });
    const open = await this.port.openOrders(this.symbol);
    for (const o of open.filter((x) => x.clientOrderId.startsWith(prefix))) {
      await this.port.cancelOrder(this.symbol, { clientOrderId: o.clientOrderId });
      this.store.addEvent('open-order-canceled', { clientOrderId: o.clientOrderId }, NaN, this.clock());
      this.emit('open-order-canceled', { clientOrderId: o.clientOrderId });
    }
  }

  // ---------------------------------------------------------------- poll

  /**
   * One round: finishes any bar left half-done, reads the candles closed since the last bar, and processes
   * them in order (only the newest is traded; older ones closed while the runner was away and are decided
   * without orders). A bar is traded once the next bar has opened (its open is the fill reference).
   * Exchange failures that may pass ('retry-later') are thrown: the caller polls again later.
   */
  poll(): Promise<PollResult> {
    return this.exclusive(() => this.pollOnce());
  }

  /** Runs `step` once every step queued before it has finished (errors reach the caller, not the queue). */
  private exclusive<T>(step: () => Promise<T>): Promise<T> {
    const run = this.chain.then(step, step);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async pollOnce(): Promise<PollResult> {
    if (!this.started) await this.start();
    let processed = 0;
    if (!this.stopInfo) {
      for (const b of this.store.bars(['decided'])) await this.finishBar(b);
    }
    if (!this.stopInfo) {
      const since = Number.isFinite(this.lastTs) ? this.lastTs + this.tfMs : Math.floor((await this.feed.time()) / this.tfMs) * this.tfMs - this.tfMs;
      const c = await this.feed.candles(this.symbol, this.config.timeframe, since);
      this.pollNow = c.now;
      this.pollWall = this.clock();
      const n = c.closed.ts.length;
      const lastCloseTs = (n ? c.closed.ts[n - 1]! : this.lastTs) + this.tfMs;
      const stale = Number.isFinite(lastCloseTs) ? this.guard.checkStale(c.now, lastCloseTs, this.tfMs) : undefined;
      if (stale) {
        await this.halt(stale.message, 'risk');
        return { processed, lastDoneTs: this.store.lastDoneTs(), stopped: this.stopInfo };
      }
      if (this.inputs && n) await this.inputs.read(since);
      for (let i = 0; i < n && !this.stopInfo; i++) {
        const bar = barAt(c.closed, i);
        if (!(bar.ts > this.lastTs) && Number.isFinite(this.lastTs)) continue;
        if (this.inputs && !(await this.inputsReady(bar.ts, c.now))) break;
        if (i < n - 1) {
          this.missBar(bar);
          processed++;
          continue;
        }
        const ref = c.forming && c.forming.ts > bar.ts ? c.forming : undefined;
        if (!ref) break;
        await this.tradeBar(bar, ref);
        processed++;
      }
    }
    return { processed, lastDoneTs: this.store.lastDoneTs(), stopped: this.stopInfo };
  }

  /** Equity before this bar's orders, marked at its close; feeds the risk memory. */
  private mark(bar: { ts: number; close: number }): number {
    const equity = this.ledger.equity(bar.close);
    this.trackEquity(bar.ts, equity);
    this.lastTs = bar.ts;
    this.lastClose = bar.close;
    this.account?.mark(this.config.name, bar.ts, bar.close, equity);
    return equity;
  }

  /**
   * True when every input has a closed candle at or after the base bar `barTs`. Else the runner waits (polls
   * again) while the risk guard allows (RiskGuard.checkStaleInput), then stops with a 'stale-input' trip.
   */
  private async inputsReady(barTs: number, now: number): Promise<boolean> {
    const stale = this.inputs!.staleFor(barTs);
    if (!stale.length) return true;
    for (const s of stale) {
      const trip = this.guard.checkStaleInput(s.input.name, s.input.symbol, now, s.lastTs + this.tfMs, barTs, this.tfMs);
      if (trip) {
        await this.halt(trip.message, 'risk');
        return false;
      }
    }
    if (this.inputWait !== barTs) {
      this.inputWait = barTs;
      this.emit('input-wait', { bar: isoTime(barTs), inputs: stale.map((s) => ({ input: s.input.name, symbol: s.input.symbol, last: Number.isFinite(s.lastTs) ? isoTime(s.lastTs) : null })), note: 'an input has no candle for this bar yet: not deciding it; polling again' });
    }
    return false;
  }

  /** decide() on a base bar, with the input bars it is handed (returned for storing with the bar). */
  private decideBar(bar: BarFields): { target: number; taken?: Record<string, InputBarRow[]> } {
    if (!this.inputs) return { target: this.decider.update(bar) };
    const { feed, rows } = this.inputs.take(bar.ts);
    const withInputs: BarWithInputs = { ...bar, inputs: feed };
    return { target: this.decider.update(withInputs), taken: rows };
  }

  private missBar(bar: BarFields): void {
    const { target, taken } = this.decideBar(bar);
    const equity = this.mark(bar);
    // a target decided while away is still wanted: the next traded bar works toward it unless it has its own
    if (target === target) this.retryTarget = target;
    this.store.tx(() => {
      if (taken) this.inputs!.store(this.store, taken);
      this.store.putBar({ ...bar, target, phase: 'missed', equity, position: this.ledger.position, cash: this.ledger.cash, refPrice: NaN, refTs: NaN });
      this.store.addEvent('missed', { target }, bar.ts, this.clock());
      this.store.setNumber('retry_target', this.retryTarget);
    });
    this.emit('missed', { bar: isoTime(bar.ts), target, note: 'closed while the runner was away: decided, not traded' });
  }

  private async tradeBar(bar: BarFields, ref: FormingBar): Promise<void> {
    const { target, taken } = this.decideBar(bar);
    const u = this.ledger.position;
    const cash = this.ledger.cash;
    const equity = this.mark(bar);
    const trip = this.guard.checkEquity(bar.ts + this.tfMs, equity, this.peak, this.dayStart) ?? this.account?.checkEquity(this.config.name, bar.ts + this.tfMs);
    const flatten = trip !== undefined || this.guard.paused(bar.ts + this.tfMs);
    // paused by an operator: decided and recorded, no order; the wanted target is kept for after the resume
    const held = !flatten && this.operatorPause !== undefined;
    const p = ref.open;
    // the order the backtester would place (a flatten on a risk trip or pause is a target of 0 applied afresh)
    const want = target === target ? target : this.retryTarget; // a refused target is tried again until a new one comes
    const sized = flatten ? sizeTarget(this.o, { cash, position: u, lastTarget: NaN }, 0, p) : sizeTarget(this.o, { cash, position: u, lastTarget: this.lastTarget }, want, p);
    const newLast = held ? this.lastTarget : flatten ? NaN : sized.applied === sized.applied ? sized.applied : this.lastTarget;
    let next = held ? u : sized.delta !== 0 ? sized.next : u;
    let cut: Trip | undefined;
    if (!flatten && next !== u) ({ next, trip: cut } = this.guard.clamp(u, next, p, this.o.lotSize));
    // then the account's limits over every strategy on this exchange account
    let cutAccount: Trip | undefined;
    if (this.account && !flatten && next !== u) ({ next, trip: cutAccount } = this.account.clamp(this.config.name, u, next, p, this.o.lotSize));
    if (this.market?.type === 'spot' && next < 0) {
      await this.halt(`spot market ${this.symbol} cannot hold a short position (target ${target} asks for ${next}); set execution.direction 'long' or trade the swap market`, 'error');
      return;
    }
    const intents = this.legs(bar.ts, u, next, flatten ? 0 : newLast, flatten ? 'risk' : 'signal', sized.price, 'a');
    const row: BarRow = { ...bar, target, phase: 'decided', equity, position: u, cash, refPrice: p, refTs: ref.ts };
    this.store.tx(() => {
      if (taken) this.inputs!.store(this.store, taken);
      this.store.putBar(row);
      this.store.setNumber('last_target', newLast);
      this.store.setNumber('retry_target', held ? want : NaN);
      this.store.addOrders(intents);
      if (trip) this.guard.record(trip, bar.ts);
      if (cut) this.guard.record(cut, bar.ts);
      if (cutAccount) this.guard.record(cutAccount, bar.ts);
    });
    this.lastTarget = newLast;
    this.retryTarget = held ? want : NaN;
    await this.finishBar(row);
    if (trip?.action === 'flatten-stop' && !this.stopInfo) await this.halt(trip.message, 'risk');
  }

  /** The orders that take the position from u to next: one, or (live, a flip) a closing leg then an opening one. */
  private legs(barTs: number, u: number, next: number, target: number, reason: string, expected: number, first: string): OrderIntent[] {
    const step = this.mode === 'live' ? (this.market?.stepSize ?? 0) : 0;
    const swap = this.market?.type === 'swap';
    const id = (leg: string) => clientOrderId({ session: this.session, strategy: this.strategy.name, paramsHash: this.hash, symbol: this.symbol, barTs, target, leg });
    const one = (leg: string, from: number, to: number): OrderIntent | undefined => {
      const d = to - from;
      let amount = step > 0 ? roundToStep(Math.abs(d), step) : Math.abs(d);
      // never sell more than is held (spot holdings net of base-asset fees are off the step grid)
      if (step > 0 && !swap && d < 0 && amount > from) amount = roundToStep(Math.floor(from / step + 1e-9) * step, step);
      if (!(amount > 0)) return undefined;
      // strategies sharing a symbol share one net position: one book's reduction may add to the account's
      const reduceOnly = swap && !this.account?.shared(this.symbol) && Math.abs(to) < Math.abs(from) && sign(to) * sign(from) >= 0;
      return { clientId: id(leg), barTs, leg, symbol: this.symbol, side: d > 0 ? 'buy' : 'sell', amount, reduceOnly, reason, target, expectedPrice: expected };
    };
    const out: (OrderIntent | undefined)[] = [];
    if (this.mode === 'live' && u !== 0 && next !== 0 && sign(u) !== sign(next)) out.push(one(first, u, 0), one('b', 0, next));
    else out.push(one(first, u, next));
    return out.filter((x): x is OrderIntent => x !== undefined);
  }

  /** Sends (or finds) every unfinished order of a decided bar, books the fills, marks the bar done, checks the position. */
  private async finishBar(bar: BarRow): Promise<void> {
    const orders = this.store.orders({ barTs: bar.ts });
    let failed = false;
    for (const o of orders) {
      if (this.stopInfo) return;
      if (o.status === 'filled' || o.status === 'canceled') continue;
      if (o.status === 'rejected') {
        failed = true;
        continue;
      }
      if (failed) {
        this.store.updateOrder(o.clientId, { status: 'rejected', error: 'not sent: an earlier order of this bar was refused' });
        continue;
      }
      if (this.port instanceof PaperBroker) this.port.setQuote(this.symbol, bar.refPrice, bar.refTs);
      const s = await this.send(o);
      if (!s) {
        if (this.stopInfo) return;
        failed = true;
        continue;
      }
      if (s.status === 'open') {
        throw new ExchangePortError(`runner: order ${o.clientId} is still open on ${this.port.id}; checking again on the next poll`, 'retry-later', 'OrderOpen');
      }
      await this.book(o, s, bar);
      if (s.filled <= 0) failed = true;
    }
    if (failed) {
      const t = orders.find((o) => o.status === 'rejected' || this.store.order(o.clientId)?.status === 'rejected')?.target ?? NaN;
      this.lastTarget = NaN;
      this.retryTarget = t;
      this.store.tx(() => {
        this.store.setNumber('last_target', NaN);
        this.store.setNumber('retry_target', t);
      });
    }
    if (this.stopInfo) return;
    await this.checkPosition(bar.ts);
    if (this.stopInfo) return;
    // logged before the bar is marked done: a crash in between logs the bar twice, never not at all
    this.emit('bar', {
      bar: isoTime(bar.ts),
      close: bar.close,
      target: bar.target,
      position: this.ledger.position,
      cash: this.ledger.cash,
      equity: bar.equity,
      orders: orders.map((o) => o.clientId),
    });
    this.store.setBarPhase(bar.ts, 'done');
  }

  /** Places an order (or finds it, when a previous attempt may have reached the exchange). Undefined when refused or stopped. */
  private async send(o: OrderRow): Promise<OrderState | undefined> {
    if (o.status === 'sent') {
      const found = await this.port.fetchOrder(this.symbol, { clientOrderId: o.clientId });
      if (found) {
        this.store.addEvent('order-found', { clientOrderId: o.clientId, status: found.status }, o.barTs, this.clock());
        this.emit('order-found', { clientOrderId: o.clientId, status: found.status, note: 'sent before a restart or a lost answer; not sent again' });
        return found;
      }
    }
    const trip = this.guard.beforeOrder(o.barTs);
    if (trip) {
      this.store.updateOrder(o.clientId, { status: 'rejected', error: trip.message });
      await this.halt(trip.message, 'risk');
      return undefined;
    }
    this.store.updateOrder(o.clientId, { status: 'sent', sentAt: this.clock() });
    // latency on the exchange's clock: the bar closed at barTs + timeframe; now = its time at the poll + wall time since
    const latencyMs = this.pollNow + (this.clock() - this.pollWall) - (o.barTs + this.tfMs);
    this.emit('order-send', { clientOrderId: o.clientId, side: o.side, amount: o.amount, reduceOnly: o.reduceOnly, reason: o.reason, bar: isoTime(o.barTs), latencyMs: Number.isFinite(latencyMs) ? Math.round(latencyMs) : null });
    try {
      return await this.port.placeOrder({ symbol: this.symbol, side: o.side, type: 'market', amount: o.amount, clientOrderId: o.clientId, reduceOnly: o.reduceOnly || undefined });
    } catch (e) {
      if (!(e instanceof ExchangePortError)) throw e;
      if (e.action === 'retry-later') throw e;
      this.store.updateOrder(o.clientId, { status: 'rejected', error: e.message });
      this.store.addEvent('order-rejected', { clientOrderId: o.clientId, kind: e.kind, message: e.message }, o.barTs, this.clock());
      this.emit('order-rejected', { clientOrderId: o.clientId, kind: e.kind, message: e.message });
      if (e.action === 'stop') await this.halt(`${this.port.id} refused order ${o.clientId} for good: ${e.message}`, 'error');
      return undefined;
    }
  }

  /**
   * What an order filled: amount, mean price and fees by currency. Live, from the account's trades of that
   * order (an order's own answer does not always carry its fees); on paper, from the answer.
   */
  private async fillOf(s: OrderState): Promise<{ amount: number; price: number; fees: { currency: string; cost: number }[] }> {
    if (this.mode === 'paper') return { amount: s.filled, price: s.average, fees: s.fees };
    const trades = (await this.port.myTrades(this.symbol, Number.isFinite(s.timestamp) ? s.timestamp : undefined)).filter((t) => t.orderId === s.id);
    let amount = 0;
    let notional = 0;
    const fees = new Map<string, number>();
    for (const t of trades) {
      amount += t.amount;
      notional += t.amount * t.price;
      if (t.fee) fees.set(t.feeCurrency, (fees.get(t.feeCurrency) ?? 0) + t.fee);
    }
    if (amount < s.filled * (1 - 1e-9)) {
      throw new ExchangePortError(`runner: ${this.port.id} lists trades for ${amount} of order ${s.clientOrderId}'s ${s.filled} filled; checking again on the next poll`, 'retry-later', 'TradesPending');
    }
    return { amount, price: trades.length === 1 ? trades[0]!.price : notional / amount, fees: [...fees].map(([currency, cost]) => ({ currency, cost })) };
  }

  /** Books an order's outcome: its fill (fees in the base asset reduce the units received) or its refusal. */
  private async book(o: OrderRow, s: OrderState, bar: BarRow): Promise<void> {
    const m = this.market;
    if (!(s.filled > 0)) {
      this.store.updateOrder(o.clientId, { status: 'rejected', exchangeId: s.id, error: `exchange answered ${s.status} with nothing filled` });
      this.emit('order-rejected', { clientOrderId: o.clientId, status: s.status });
      return;
    }
    const got = await this.fillOf(s);
    const price = got.price;
    let feeQuote = 0;
    let feeBase = 0;
    let feeOther = '';
    for (const f of got.fees) {
      if (!m || f.currency === m.quote) feeQuote += f.cost;
      else if (f.currency === m.base) feeBase += f.cost;
      else feeOther += `${f.cost} ${f.currency} `;
    }
    const fee = feeBase ? feeQuote + feeBase * price : feeQuote;
    const delta = (o.side === 'buy' ? got.amount : -got.amount) - feeBase;
    const t = Number.isFinite(s.timestamp) ? s.timestamp : bar.refTs;
    const fillBar = Number.isFinite(bar.refTs) && t >= bar.refTs ? bar.refTs + Math.floor((t - bar.refTs) / this.tfMs) * this.tfMs : bar.refTs;
    const fill: LedgerFill = { ts: t, barTs: fillBar, delta, price, fee, reason: o.reason as LedgerFill['reason'] };
    this.store.tx(() => {
      this.store.updateOrder(o.clientId, { status: 'filled', exchangeId: s.id, filled: got.amount, average: price, fee, feeCurrency: m?.quote ?? '', fillTs: t });
      this.store.addFill(o.clientId, fill);
    });
    const closedBefore = this.ledger.trades.length;
    this.ledger.apply(fill);
    const slippageBps = o.expectedPrice > 0 ? (price / o.expectedPrice - 1) * 1e4 * (o.side === 'buy' ? 1 : -1) : null;
    this.emit('order-filled', { clientOrderId: o.clientId, side: o.side, amount: got.amount, price, fee, slippageBps, ...(feeOther ? { unbookedFees: feeOther.trim() } : {}) });
    for (const tr of this.ledger.trades.slice(closedBefore)) {
      this.emit('trade-closed', { side: tr.side > 0 ? 'long' : 'short', entry: isoTime(tr.entryTs), exit: isoTime(tr.exitTs), size: tr.size, entryPrice: tr.entryPrice, exitPrice: tr.exitPrice, pnl: tr.pnl, returns: tr.returns, reason: tr.exitReason });
    }
  }

  /** Compares the exchange's position with the books; a difference is logged, and stops the runner unless onMismatch is 'warn'. */
  private async checkPosition(barTs: number): Promise<void> {
    if (this.mode === 'paper') return;
    const [p] = await this.port.positions([this.symbol]);
    const have = p?.amount ?? 0;
    // strategies sharing the symbol on this account: the exchange's one position is the sum of their books
    const shared = this.account?.shared(this.symbol) ?? false;
    const want = (shared ? this.account!.bookedPosition(this.symbol) : this.ledger.position) + this.baseline;
    const tol = Math.max((this.market?.stepSize ?? 0) / 2, 1e-9 * Math.abs(want));
    if (Math.abs(have - want) <= tol) return;
    const msg = `${this.port.id} holds ${have} ${this.symbol}, the ${shared ? `summed books of the strategies on it (${this.account!.names.join(', ')})` : "runner's books"} say ${want}`;
    this.store.addEvent('position-mismatch', { exchange: have, books: want }, barTs, this.clock());
    this.emit('position-mismatch', { exchange: have, books: want });
    if (this.config.runner.onMismatch === 'stop') await this.halt(`${msg}; stopping (runner.onMismatch = 'stop')`, 'mismatch');
  }

  // ---------------------------------------------------------------- stop

  private async halt(reason: string, kind: StopInfo['kind']): Promise<void> {
    if (this.stopInfo) return;
    this.stopInfo = { reason, kind, at: this.clock() };
    this.store.set('stopped', JSON.stringify(this.stopInfo));
    this.store.addEvent('stop', { reason, kind }, this.lastTs, this.clock());
    this.emit('stop', { reason, kind });
  }

  /**
   * Stops: optionally closes the position first (a market order at the current price, client id tied to the
   * last bar), then records why. Idempotent.
   */
  stop(reason: string, options: { kind?: StopInfo['kind']; flatten?: boolean } = {}): Promise<StopInfo> {
    return this.exclusive(() => this.stopNow(reason, options));
  }

  private async stopNow(reason: string, options: { kind?: StopInfo['kind']; flatten?: boolean }): Promise<StopInfo> {
    if (this.stopInfo) return this.stopInfo;
    if (options.flatten && this.started && this.ledger.position !== 0 && Number.isFinite(this.lastTs)) {
      try {
        await this.flattenNow();
      } catch (e) {
        this.emit('flatten-failed', { message: (e as Error).message });
      }
    }
    await this.halt(reason, options.kind ?? 'signal');
    return this.stopInfo!;
  }

  private async flattenNow(): Promise<void> {
    const c = await this.feed.candles(this.symbol, this.config.timeframe, this.lastTs);
    const p = c.forming?.open ?? this.lastClose;
    const u = this.ledger.position;
    const sized = sizeTarget(this.o, { cash: this.ledger.cash, position: u, lastTarget: NaN }, 0, p);
    const intents = this.legs(this.lastTs, u, 0, 0, 'stop', sized.price, 'x').filter((o) => !this.store.order(o.clientId));
    if (intents.length) this.store.tx(() => this.store.addOrders(intents));
    const refTs = c.forming?.ts ?? this.lastTs + this.tfMs;
    const bar = { ...this.store.lastBar()!, refPrice: p, refTs };
    for (const o of this.store.orders({ barTs: this.lastTs }).filter((x) => x.leg === 'x' && (x.status === 'intent' || x.status === 'sent'))) {
      if (this.port instanceof PaperBroker) this.port.setQuote(this.symbol, p, refTs);
      const s = await this.send(o);
      if (s) await this.book(o, s, bar);
    }
    this.lastTarget = NaN;
    this.store.setNumber('last_target', NaN);
    this.emit('flattened', { position: this.ledger.position });
  }

  // ---------------------------------------------------------------- operator controls

  /** The exchange's clock now (its time at the last candles answer + wall time since); NaN before the first poll. */
  get exchangeTime(): number {
    return this.pollNow + (this.clock() - this.pollWall);
  }

  /** Who paused new orders and when (kept in the state: a restart stays paused); undefined when not paused. */
  get operatorPause(): OperatorAction | undefined {
    const v = this.store.get('operator_pause');
    return v ? (JSON.parse(v) as OperatorAction) : undefined;
  }

  /**
   * An operator's control (the dashboard or the REST API), applied between two steps of the runner and
   * written to the state (event 'control': who, when, what) and the log before it acts:
   * - `pause`: no new orders from the next bar on; positions and open stops stay as they are; bars are still
   *   decided and recorded, and the last wanted target is traded at the first bar after `resume`;
   * - `resume`: orders again;
   * - `flatten`: closes the position now through the same order path as a stop (market order at the forming
   *   bar's open, checked by the risk guard); the strategy trades again at its next new target (pause first
   *   to stay flat);
   * - `stop`: the kill switch: flatten, then stop; a restart refuses until `--reset-kill-switch`.
   */
  control(action: OperatorAction['action'], by: string): Promise<OperatorResult> {
    return this.exclusive(async () => {
      if (!this.started) await this.start();
      const at = new Date(this.clock()).toISOString();
      const record: OperatorAction = { action, by, at };
      if (this.stopInfo && action !== 'resume' && action !== 'pause') return { ok: false, message: `the runner has stopped (${this.stopInfo.reason})`, snapshot: this.snapshot() };
      this.store.tx(() => {
        this.store.addEvent('control', { action, by }, this.lastTs, this.clock());
        if (action === 'pause') this.store.set('operator_pause', JSON.stringify(record));
        if (action === 'resume') this.store.set('operator_pause', undefined);
      });
      this.emit('control', { action, by });
      if (action === 'flatten' || action === 'stop') {
        if (this.ledger.position !== 0 && Number.isFinite(this.lastTs)) await this.flattenNow();
      }
      if (action === 'stop') {
        this.store.set('kill_switch', JSON.stringify({ at: this.lastTs, by, operator: true }));
        await this.halt(`kill switch (operator ${by})`, 'risk');
      }
      return { ok: true, message: `${action} by ${by} at ${at}`, snapshot: this.snapshot() };
    });
  }

  // ---------------------------------------------------------------- views

  snapshot(): RunnerSnapshot {
    return {
      mode: this.mode,
      session: this.session,
      lastBarTs: this.lastTs,
      lastClose: this.lastClose,
      position: this.ledger.position,
      cash: this.ledger.cash,
      equity: this.ledger.equity(this.lastClose),
      lastTarget: this.lastTarget,
      trades: this.ledger.trades.length + (this.ledger.inTrade ? 1 : 0),
      orders: this.store.orders().length,
      paused: this.operatorPause,
      stopped: this.stopInfo,
    };
  }
}


/** A session's books rebuilt from its fills booked in bars up to `uptoTs`: position, cash, closed round trips. */
export function sessionBook(store: StateStore, uptoTs = Infinity): Ledger {
  const ledger = new Ledger(Number(store.meta('initialCash') ?? NaN), Number(store.meta('dust') ?? 0));
  for (const f of store.fills()) if (f.barTs <= uptoTs) ledger.apply(f);
  return ledger;
}

/**
 * The round trips a session made up to (and including) bar `uptoTs`, read from its state: fills booked in
 * later bars are left out, and a position still open is closed at that bar's close without fee (reason 'end'),
 * as a backtest of the same bars ends.
 */
export function sessionTrades(store: StateStore, uptoTs = Infinity): TradeRow[] {
  const ledger = sessionBook(store, uptoTs);
  const bars = store.bars().filter((b) => b.ts <= uptoTs);
  const last = bars[bars.length - 1];
  return last ? ledger.tradesMarkedAt(last.ts, last.close) : [...ledger.trades];
}
