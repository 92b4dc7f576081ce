import { QuantlabError } from './errors';

/**
 * Retry with exponential backoff, for calls that cross a network (exchange APIs, downloads). Knows
 * nothing about any exchange library: the caller says, per error, what to do with it.
 */

/** What to do with a failed call: try again after a backoff, wait as the server asked, or give up. */
export type RetryDecision =
  | { action: 'retry' }
  | { action: 'wait'; ms: number }
  | { action: 'fail' };

export interface RetryPolicy {
  /** Total attempts including the first. Default 5. */
  attempts?: number;
  /** First backoff in ms. Default 250. */
  baseMs?: number;
  /** Largest single backoff in ms. Default 10_000. */
  maxMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Random source in [0, 1) for jitter (the backoff is drawn from [delay/2, delay]). Default Math.random. */
  random?: () => number;
  /** Sleep function (tests may pass a fake). Default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Backoff before retry number `attempt` (1 = the first retry): min(maxMs, baseMs·factor^(attempt-1)), half of it jittered. */
export function backoffMs(attempt: number, policy: RetryPolicy = {}): number {
  const base = policy.baseMs ?? 250;
  const max = policy.maxMs ?? 10_000;
  const factor = policy.factor ?? 2;
  const d = Math.min(max, base * factor ** Math.max(0, attempt - 1));
  const r = (policy.random ?? Math.random)();
  return Math.round(d / 2 + (d / 2) * r);
}

/**
 * Reads an HTTP Retry-After value (delay in seconds, fractional accepted, or an HTTP date) from a header
 * map whose keys may be in any case. Returns milliseconds, or undefined when absent or unreadable.
 */
export function retryAfterMs(headers: Record<string, unknown> | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  let raw: unknown;
  for (const k of Object.keys(headers)) if (k.toLowerCase() === 'retry-after') raw = headers[k];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const s = String(raw).trim();
  const secs = Number(s);
  if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
  const at = Date.parse(s);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

export interface RetryEvent {
  attempt: number;
  error: unknown;
  delayMs: number;
  reason: 'retry' | 'wait';
}

/**
 * Calls `fn` until it succeeds, `decide(error)` says 'fail', or the attempts run out; returns its value.
 * Between attempts it sleeps the backoff ('retry') or the server's requested time ('wait', never less than
 * the backoff would be for attempt 1). The last error is rethrown as is, so callers keep its class.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  decide: (error: unknown, attempt: number) => RetryDecision,
  policy: RetryPolicy = {},
  onRetry?: (e: RetryEvent) => void,
): Promise<T> {
  const attempts = policy.attempts ?? 5;
  if (!(Number.isInteger(attempts) && attempts >= 1)) {
    throw new QuantlabError('BAD_ARGUMENT', `retry attempts: expected an integer >= 1, found ${attempts}`);
  }
  const nap = policy.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const d = decide(error, attempt);
      if (d.action === 'fail' || attempt >= attempts) throw error;
      const delayMs = d.action === 'wait' ? Math.max(d.ms, 0) : backoffMs(attempt, policy);
      onRetry?.({ attempt, error, delayMs, reason: d.action });
      await nap(delayMs);
    }
  }
}
