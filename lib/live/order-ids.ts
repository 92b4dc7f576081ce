import { createHash } from 'node:crypto';

/**
 * Client order ids the runner derives, never draws: the same (session, strategy, parameters, symbol, bar,
 * target, leg) always gives the same id, so after a crash the order a lost response belonged to is found
 * by its id instead of being sent again. Ids fit every exchange's rule (at most 36 of letters, digits, - _).
 */

/** Parameters in a canonical text form (keys sorted), the input of {@link paramsHash}. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** 12 hex digits of SHA-256 over the canonical parameters. */
export const paramsHash = (params: Record<string, unknown>): string => sha(canonicalJson(params)).slice(0, 12);

/** What an order id is derived from. */
export interface OrderIdParts {
  /** the state store's session id (a fresh store starts a new session, so ids never collide with an old run's). */
  session: string;
  strategy: string;
  paramsHash: string;
  symbol: string;
  /** open time of the bar whose close decided the order (epoch ms). */
  barTs: number;
  /** the target the order works toward (after risk limits). */
  target: number;
  /** which order of the bar: 'a' (the only or closing leg), 'b' (the opening leg of a flip), 'x' (flatten on a risk trip or stop). */
  leg: string;
}

/**
 * `ql-<8 hex of session·strategy·params·symbol>-<bar open, seconds, base 36>-<4 hex of target><leg>`,
 * e.g. 'ql-3f9a0c12-s9ub40-7d1ea': 27 characters.
 */
export function clientOrderId(p: OrderIdParts): string {
  const who = sha(`${p.session}|${p.strategy}|${p.paramsHash}|${p.symbol}`).slice(0, 8);
  const bar = Math.round(p.barTs / 1000).toString(36);
  const tgt = sha(Object.is(p.target, -0) ? '0' : String(p.target)).slice(0, 4);
  return `ql-${who}-${bar}-${tgt}${p.leg}`;
}

/** The prefix every order of one session shares ('ql-3f9a0c12-'): tells the runner's orders from others on the account. */
export function sessionPrefix(p: Omit<OrderIdParts, 'barTs' | 'target' | 'leg'>): string {
  return `ql-${sha(`${p.session}|${p.strategy}|${p.paramsHash}|${p.symbol}`).slice(0, 8)}-`;
}

/** A new random session id (16 hex digits). */
export const newSessionId = (): string => sha(`${Date.now()}|${process.pid}|${Math.random()}|${process.hrtime.bigint()}`).slice(0, 16);
