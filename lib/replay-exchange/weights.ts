import { QuantlabError } from '../core';

/**
 * Request-weight limits as Binance counts them: each endpoint costs a weight, the weights of all requests
 * in a fixed window (a minute on Binance) add up, and past the limit the server answers 429 with
 * Retry-After until the window ends. Every response reports the weight used in an X-MBX-USED-WEIGHT-<interval>
 * header. The window can be shortened for tests.
 */
export class WeightLimiter {
  private windowStart = 0;
  private used = 0;
  readonly header: string;
  readonly interval: { name: 'SECOND' | 'MINUTE'; num: number };

  constructor(
    readonly limit = 6000,
    readonly windowMs = 60_000,
  ) {
    if (!(limit > 0)) throw new QuantlabError('BAD_ARGUMENT', `weight limit: expected a number > 0, found ${limit}`);
    if (!(windowMs >= 1000 && windowMs % 1000 === 0)) {
      throw new QuantlabError('BAD_ARGUMENT', `weight window: expected a whole number of seconds in ms (>= 1000), found ${windowMs}`);
    }
    this.interval = windowMs % 60_000 === 0 ? { name: 'MINUTE', num: windowMs / 60_000 } : { name: 'SECOND', num: windowMs / 1000 };
    this.header = `X-MBX-USED-WEIGHT-${this.interval.num}${this.interval.name === 'MINUTE' ? 'M' : 'S'}`;
  }

  private roll(now: number): void {
    const start = now - (now % this.windowMs);
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.used = 0;
    }
  }

  /** Counts a request's weight. Returns whether it is allowed, the weight used so far and, if refused, when to retry. */
  take(weight: number, now = Date.now()): { ok: boolean; used: number; retryAfterMs: number } {
    this.roll(now);
    if (this.used + weight > this.limit) return { ok: false, used: this.used, retryAfterMs: this.windowStart + this.windowMs - now };
    this.used += weight;
    return { ok: true, used: this.used, retryAfterMs: 0 };
  }

  /** Weight used in the current window. */
  current(now = Date.now()): number {
    this.roll(now);
    return this.used;
  }

  /** Text for error messages: '1 MINUTE'. */
  get windowText(): string {
    return `${this.interval.num} ${this.interval.name}`;
  }
}
