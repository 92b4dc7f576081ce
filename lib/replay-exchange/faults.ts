import { QuantlabError } from '../core';

/**
 * Fault injection for the replay exchange, seeded so a test sees the same faults on every run.
 *
 * - `latency`: the response is delayed (`latencyMs`, a number or a [min, max] range drawn per request).
 * - `timeout`: no response at all; the connection stays open until the client gives up. With
 *   `accepted: true` the request is carried out first (an order exists that the client never hears of).
 * - `rate-limit`: HTTP 429 with Binance's -1003 body and `Retry-After: retryAfterSec` (default 1).
 * - `server-error`: HTTP `status` (default 503; 500 carries Binance's -1001 JSON, others a plain-text
 *   gateway page). With `accepted: true` the request is carried out first, which is what Binance warns
 *   5xx means: "the execution status is unknown".
 * - `drop-after-accept`: the request is carried out, then the connection is destroyed without a response.
 * - `drop`: the connection is destroyed before anything is done.
 *
 * Kline stream faults (WebSocket), decided per outgoing kline message of a connection; `match` is tested
 * against 'WS <connection path> <stream>' ('WS /ws/btcusdt@kline_1h btcusdt@kline_1h',
 * 'WS /fapi/stream btcusdt@kline_1h'); by default only closed-bar messages (`x: true`) count, with
 * `messages: 'all'` the forming-bar updates too:
 * - `ws-disconnect`: the connection is cut instead of sending the message (a close frame 1001, or with
 *   `abrupt: true` the TCP connection destroyed); the message is lost.
 * - `ws-stall`: the connection goes silent from this message on — open, answering pings, sending nothing —
 *   for `stallMs` (default: until the client leaves); what it would have sent is lost.
 * - `ws-duplicate`: the message is sent twice.
 * - `ws-out-of-order`: the message is held back and sent after the next closed-bar message of the connection.
 *
 * A server restart with state kept is not a per-request fault: call `restart()` on the server.
 */
export type HttpFaultKind = 'latency' | 'timeout' | 'rate-limit' | 'server-error' | 'drop-after-accept' | 'drop';
export type StreamFaultKind = 'ws-disconnect' | 'ws-stall' | 'ws-duplicate' | 'ws-out-of-order';
export type FaultKind = HttpFaultKind | StreamFaultKind;

export interface FaultRule {
  kind: FaultKind;
  /** Requests it applies to: a 'METHOD /path' prefix ('POST /api/v3/order', '/api/v3/klines', 'GET /fapi') or a RegExp over 'METHOD /path'. Default: all. */
  match?: string | RegExp;
  /** Chance per matching request (drawn from the seeded generator). Default 1. */
  p?: number;
  /** Leave this many matching requests alone first. Default 0. */
  after?: number;
  /** Fire at most this many times. Default unlimited. */
  times?: number;
  latencyMs?: number | [number, number];
  retryAfterSec?: number;
  status?: number;
  accepted?: boolean;
  /** Stream faults: which kline messages count, closed bars only (default) or every update. */
  messages?: 'closed' | 'all';
  /** ws-stall: how long the connection stays silent (default: for good). */
  stallMs?: number;
  /** ws-disconnect: destroy the TCP connection instead of sending a close frame. */
  abrupt?: boolean;
}

/** What to do with one outgoing kline message. */
export interface StreamFaultPlan {
  action: 'none' | 'disconnect' | 'stall' | 'duplicate' | 'out-of-order';
  /** ws-stall: ms of silence (Infinity: for good). */
  stallMs: number;
  abrupt: boolean;
  rule: number;
}

/** What to do with one request. */
export interface FaultPlan {
  latencyMs: number;
  action: 'none' | 'timeout' | 'rate-limit' | 'server-error' | 'drop-after-accept' | 'drop';
  /** For timeout and server-error: carry the request out first. */
  accepted: boolean;
  retryAfterSec: number;
  status: number;
  /** Index of the rule that chose the action (-1 for none). */
  rule: number;
}

/** mulberry32: a small, fast seeded generator of numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HTTP_KINDS: FaultKind[] = ['latency', 'timeout', 'rate-limit', 'server-error', 'drop-after-accept', 'drop'];
const STREAM_KINDS: FaultKind[] = ['ws-disconnect', 'ws-stall', 'ws-duplicate', 'ws-out-of-order'];
const KINDS: FaultKind[] = [...HTTP_KINDS, ...STREAM_KINDS];

interface Live {
  rule: FaultRule;
  seen: number;
  fired: number;
}

export class FaultInjector {
  private rules: Live[] = [];
  private random: () => number;
  /** How many times each kind fired. */
  readonly fired: Record<FaultKind, number> = {
    latency: 0,
    timeout: 0,
    'rate-limit': 0,
    'server-error': 0,
    'drop-after-accept': 0,
    drop: 0,
    'ws-disconnect': 0,
    'ws-stall': 0,
    'ws-duplicate': 0,
    'ws-out-of-order': 0,
  };

  constructor(seed = 1, rules: FaultRule[] = []) {
    this.random = seededRandom(seed);
    this.add(...rules);
  }

  /** Adds rules (checked in order; latency adds up, the first other rule that fires decides). */
  add(...rules: FaultRule[]): this {
    for (const r of rules) {
      if (!KINDS.includes(r.kind)) throw new QuantlabError('BAD_ARGUMENT', `fault kind: expected one of ${HTTP_KINDS.join(', ')}, found '${String(r.kind)}' (stream faults: ${STREAM_KINDS.join(', ')})`);
      if (r.p !== undefined && !(r.p >= 0 && r.p <= 1)) throw new QuantlabError('BAD_ARGUMENT', `fault ${r.kind} p: expected a probability in [0, 1], found ${r.p}`);
      if (r.messages !== undefined && r.messages !== 'closed' && r.messages !== 'all') throw new QuantlabError('BAD_ARGUMENT', `fault ${r.kind} messages: expected 'closed' or 'all', found '${String(r.messages)}'`);
      if (r.stallMs !== undefined && !(r.stallMs > 0)) throw new QuantlabError('BAD_ARGUMENT', `fault ${r.kind} stallMs: expected ms > 0, found ${r.stallMs}`);
      this.rules.push({ rule: r, seen: 0, fired: 0 });
    }
    return this;
  }

  /** Removes every rule and, with a seed, restarts the generator. */
  clear(seed?: number): this {
    this.rules = [];
    if (seed !== undefined) this.random = seededRandom(seed);
    return this;
  }

  /** Decides the faults for one request. */
  plan(method: string, path: string): FaultPlan {
    const plan: FaultPlan = { latencyMs: 0, action: 'none', accepted: false, retryAfterSec: 1, status: 503, rule: -1 };
    const what = `${method} ${path}`;
    this.rules.forEach((live, idx) => {
      const r = live.rule;
      if (STREAM_KINDS.includes(r.kind) || !matches(r.match, what, path)) return;
      live.seen++;
      if (live.seen <= (r.after ?? 0)) return;
      if (r.times !== undefined && live.fired >= r.times) return;
      if (r.kind !== 'latency' && plan.action !== 'none') return;
      if ((r.p ?? 1) < 1 && this.random() >= (r.p ?? 1)) return;
      live.fired++;
      this.fired[r.kind]++;
      if (r.kind === 'latency') {
        const l = r.latencyMs ?? 100;
        plan.latencyMs += Array.isArray(l) ? l[0] + (l[1] - l[0]) * this.random() : l;
        return;
      }
      plan.action = r.kind as FaultPlan['action'];
      plan.accepted = r.kind === 'drop-after-accept' || Boolean(r.accepted);
      plan.retryAfterSec = r.retryAfterSec ?? 1;
      plan.status = r.status ?? 503;
      plan.rule = idx;
    });
    return plan;
  }

  /**
   * Decides the faults for one outgoing kline message of a stream connection (`path` its URL path,
   * `stream` e.g. 'btcusdt@kline_1h', `closed` whether the message closes its bar). The first stream rule
   * that fires decides.
   */
  planMessage(path: string, stream: string, closed: boolean): StreamFaultPlan {
    const plan: StreamFaultPlan = { action: 'none', stallMs: Infinity, abrupt: false, rule: -1 };
    const what = `WS ${path} ${stream}`;
    this.rules.forEach((live, idx) => {
      const r = live.rule;
      if (!STREAM_KINDS.includes(r.kind) || plan.action !== 'none') return;
      if (!closed && (r.messages ?? 'closed') === 'closed') return;
      if (!matches(r.match, what, path)) return;
      live.seen++;
      if (live.seen <= (r.after ?? 0)) return;
      if (r.times !== undefined && live.fired >= r.times) return;
      if ((r.p ?? 1) < 1 && this.random() >= (r.p ?? 1)) return;
      live.fired++;
      this.fired[r.kind]++;
      plan.action = r.kind.slice(3) as StreamFaultPlan['action'];
      plan.stallMs = r.stallMs ?? Infinity;
      plan.abrupt = Boolean(r.abrupt);
      plan.rule = idx;
    });
    return plan;
  }
}

function matches(m: string | RegExp | undefined, what: string, path: string): boolean {
  if (m === undefined) return true;
  if (m instanceof RegExp) return m.test(what);
  return m.startsWith('/') ? path.startsWith(m) : what.startsWith(m);
}
