import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RunnerEvent } from '../live/runner';
import type { StrategySource } from './views';
import { statusView } from './views';

/**
 * Prometheus metrics of the runners a server shows (text format at GET /metrics). Counts that the state file
 * holds (bars processed, orders, fills, rejects) and the equity are read from it at each scrape, so a
 * read-only dashboard reports them too and a restart does not reset them; what only the running process sees
 * (errors, reconnects after failed polls, bar-close → order latency) is counted from the runner's events.
 * Every series has the label `strategy` (the promoted folder name).
 */
export class OpsMetrics {
  readonly registry = new Registry();
  private readonly errors: Counter<'strategy'>;
  private readonly reconnects: Counter<'strategy'>;
  private readonly latency: Histogram<'strategy'>;
  /** scrapes so far: a status is read once per strategy per scrape (three gauges use it), never reused by the next one. */
  private scrapes = 0;

  constructor(sources: () => StrategySource[]) {
    const r = this.registry;
    // one status per strategy per scrape (three gauges read it)
    const seen = new Map<string, { scrape: number; v: ReturnType<typeof statusView> }>();
    const status = (s: StrategySource) => {
      const hit = seen.get(s.name);
      if (hit && hit.scrape === this.scrapes) return hit.v;
      const v = statusView(s);
      seen.set(s.name, { scrape: this.scrapes, v });
      return v;
    };
    const stored = (name: string, help: string, read: (s: StrategySource) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['strategy'],
        registers: [r],
        collect() {
          for (const s of sources()) this.set({ strategy: s.name }, read(s));
        },
      });
    stored('quantlab_bars_processed', 'closed bars the runner processed (traded or missed)', (s) => s.store.bars(['done', 'missed']).length);
    stored('quantlab_orders', 'orders the runner planned or placed', (s) => s.store.orders().length);
    stored('quantlab_fills', 'fills booked', (s) => s.store.fills().length);
    stored('quantlab_rejects', 'orders refused by the exchange or the risk guard', (s) => s.store.orders({ status: ['rejected'] }).length);
    stored('quantlab_equity', 'account equity marked at the last close (quote currency)', (s) => status(s).equity);
    stored('quantlab_position', 'position in base units (negative = short)', (s) => status(s).position);
    stored('quantlab_up', '1 while the runner runs (holds its lock), else 0', (s) => (status(s).status === 'running' || status(s).status === 'paused' ? 1 : 0));
    this.errors = new Counter({ name: 'quantlab_errors_total', help: 'runner errors (stops on error, failed flattens, position mismatches)', labelNames: ['strategy'], registers: [r] });
    this.reconnects = new Counter({ name: 'quantlab_reconnects_total', help: 'polls that failed and were retried (exchange unreachable, rate limits) and WebSocket feed reconnects', labelNames: ['strategy'], registers: [r] });
    this.latency = new Histogram({
      name: 'quantlab_bar_to_order_seconds',
      help: "time from a bar's close to its order being sent (exchange clock)",
      labelNames: ['strategy'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [r],
    });
  }

  /** Counts one runner event of strategy `name`. */
  observe(name: string, e: RunnerEvent): void {
    if (e.event === 'poll-failed' || e.event === 'feed-reconnect') this.reconnects.inc({ strategy: name });
    else if (e.event === 'flatten-failed' || e.event === 'position-mismatch' || (e.event === 'stop' && e.kind === 'error')) this.errors.inc({ strategy: name });
    else if (e.event === 'order-send' && typeof e.latencyMs === 'number') this.latency.observe({ strategy: name }, Math.max(0, e.latencyMs) / 1000);
  }

  text(): Promise<string> {
    this.scrapes++;
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
