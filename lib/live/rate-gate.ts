import { sleep } from '../core/retry';

/**
 * Client-side rate limiting on top of the exchange library's own throttle: when the exchange says to
 * back off (HTTP 429 with Retry-After) every call waits, not just the one that was refused, because
 * exchanges count weight per IP; and when the used-weight header reported by Binance-style exchanges
 * (X-MBX-USED-WEIGHT-1M) gets close to the limit, calls wait for the window to roll over.
 */
export class RateGate {
  private until = 0;
  /** How many times the used-weight header made calls wait for the next window. */
  nearLimitPauses = 0;

  constructor(
    /** Request weight allowed per window (Binance spot: 6000 per minute). */
    readonly weightLimit = 6000,
    /** Fraction of the limit at which calls start waiting for the next window. */
    readonly threshold = 0.9,
    private readonly now: () => number = Date.now,
  ) {}

  /** Waits until calls are allowed again. */
  async wait(): Promise<void> {
    const d = this.until - this.now();
    if (d > 0) await sleep(d);
  }

  /** Holds every call for `ms`. */
  pauseFor(ms: number): void {
    this.until = Math.max(this.until, this.now() + ms);
  }

  /** Milliseconds until calls are allowed (0 when open). */
  get pausedMs(): number {
    return Math.max(0, this.until - this.now());
  }

  /** Reads used-weight headers ('X-Mbx-Used-Weight-1m' in any case) of a response; pauses to the window end when near the limit. */
  observe(headers: Record<string, unknown> | undefined): void {
    if (!headers) return;
    for (const [k, v] of Object.entries(headers)) {
      const m = /^x-mbx-used-weight-(\d+)([smhd])$/i.exec(k);
      if (!m) continue;
      const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]!.toLowerCase() as 's' | 'm' | 'h' | 'd'];
      const windowMs = Number(m[1]) * unit;
      const used = Number(v);
      if (used >= this.weightLimit * this.threshold) {
        const t = this.now();
        this.nearLimitPauses++;
        this.pauseFor(windowMs - (t % windowMs));
      }
    }
  }
}
