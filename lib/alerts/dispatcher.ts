import { ALERT_RULES, type AlertRule, type AlertsConfig } from './config';
import { makeSender, type Sender } from './channels';
import { AlertRules, type Alert, type AlertEvent } from './rules';

/** What the dispatcher reports about itself (into the runner's log): a failed or dropped delivery. */
export interface AlertReport {
  event: 'alert-sent' | 'alert-failed' | 'alert-dropped';
  channel: string;
  rule: AlertRule;
  title: string;
  reason?: string;
  attempts?: number;
}

export interface DispatcherOptions {
  /** the strategy's name, in every title. */
  name: string;
  /** quote currency, for PnL in titles. */
  quote?: string;
  env?: NodeJS.ProcessEnv;
  /** where reports go (the runner's log); never throws into the caller. */
  report?: (r: AlertReport) => void;
  /** per-attempt timeout (ms, default 10 s) and attempts per delivery (default 4; backoff 0.5, 1, 2 s + jitter). */
  timeoutMs?: number;
  attempts?: number;
  backoffMs?: number;
  /** wall clock (de-duplication, rate limit). */
  clock?: () => number;
}

/**
 * Sends alerts for runner events without ever holding the runner up: `onEvent` only decides and queues
 * (synchronously, no I/O); each channel delivers its own queue in the background, one message at a time,
 * with retries and exponential backoff; a failing channel is reported into the log and does not touch the
 * others or the trading. The same alert (rule + subject) within `dedupSeconds` is dropped; over
 * `maxPerMinute` a channel drops messages and says how many in its next one. Every text is redacted of the
 * channels' secrets (and whatever else `redact` knows) before it leaves.
 */
export class AlertDispatcher {
  readonly rules: AlertRules;
  private readonly senders: Sender[];
  private readonly enabled: Set<AlertRule>;
  private readonly seen = new Map<string, number>();
  private readonly queues: { sender: Sender; queue: Alert[]; busy: Promise<void> | null; sent: number[]; dropped: number }[];
  private readonly redactors: string[];
  private closed = false;

  constructor(
    private readonly config: AlertsConfig,
    private readonly o: DispatcherOptions,
  ) {
    this.rules = new AlertRules(o.name, o.quote);
    this.senders = config.channels.map((c) => makeSender(c, o.env ?? process.env));
    this.enabled = new Set(config.rules ?? ALERT_RULES);
    this.queues = this.senders.map((sender) => ({ sender, queue: [], busy: null, sent: [], dropped: 0 }));
    this.redactors = this.senders.flatMap((s) => s.secrets).filter((s) => s.length >= 4);
  }

  private get now(): number {
    return (this.o.clock ?? Date.now)();
  }

  private redact(s: string): string {
    let out = s;
    for (const x of this.redactors) out = out.split(x).join('[redacted]');
    return out;
  }

  /** Decides which alerts an event raises and queues them; returns at once. */
  onEvent(e: AlertEvent): void {
    if (this.closed) return;
    let alerts: Alert[];
    try {
      alerts = this.rules.alertsOf(e);
    } catch {
      return;
    }
    for (const a of alerts) {
      if (!this.enabled.has(a.rule)) continue;
      const dedup = (this.config.dedupSeconds ?? 300) * 1000;
      const last = this.seen.get(a.key);
      if (last !== undefined && this.now - last < dedup) continue;
      this.seen.set(a.key, this.now);
      const safe: Alert = { ...a, title: this.redact(a.title), text: this.redact(a.text), fields: JSON.parse(this.redact(JSON.stringify(a.fields))) as Record<string, unknown> };
      for (const q of this.queues) {
        const limit = this.config.maxPerMinute ?? 20;
        q.sent = q.sent.filter((t) => this.now - t < 60_000);
        if (limit > 0 && q.sent.length >= limit) {
          q.dropped++;
          this.o.report?.({ event: 'alert-dropped', channel: q.sender.label, rule: a.rule, title: safe.title, reason: `over ${limit} a minute` });
          continue;
        }
        q.sent.push(this.now);
        const dropped = q.dropped;
        q.dropped = 0;
        q.queue.push(dropped ? { ...safe, text: `${safe.text}\n(${dropped} earlier alert${dropped === 1 ? '' : 's'} dropped by the rate limit)` } : safe);
        if (!q.busy) q.busy = this.drain(q);
      }
    }
  }

  private async drain(q: (typeof this.queues)[number]): Promise<void> {
    while (q.queue.length) {
      const a = q.queue.shift()!;
      const attempts = this.o.attempts ?? this.config.attempts ?? 4;
      let reason = '';
      let ok = false;
      for (let i = 0; i < attempts && !ok; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, (this.o.backoffMs ?? 500) * 2 ** (i - 1) * (1 + Math.random() * 0.2)));
        const ctl = new AbortController();
        const timer = setTimeout(() => ctl.abort(), this.o.timeoutMs ?? this.config.timeoutMs ?? 10_000);
        try {
          await q.sender.send(a, ctl.signal);
          ok = true;
        } catch (e) {
          reason = this.redact((e as Error).message);
        } finally {
          clearTimeout(timer);
        }
        if (!ok && i + 1 === attempts) this.o.report?.({ event: 'alert-failed', channel: q.sender.label, rule: a.rule, title: a.title, reason, attempts });
      }
      if (ok) this.o.report?.({ event: 'alert-sent', channel: q.sender.label, rule: a.rule, title: a.title });
    }
    q.busy = null;
  }

  /** Resolves when every queued alert has been delivered or given up (tests; before exit). */
  async flush(): Promise<void> {
    for (;;) {
      const busy = this.queues.map((q) => q.busy).filter(Boolean);
      if (!busy.length) return;
      await Promise.all(busy);
    }
  }

  /** Delivers what is queued (at most `ms`), then closes the channels. */
  async close(ms = 15_000): Promise<void> {
    this.closed = true;
    await Promise.race([this.flush(), new Promise((r) => setTimeout(r, ms).unref())]);
    for (const s of this.senders) s.close?.();
  }
}
