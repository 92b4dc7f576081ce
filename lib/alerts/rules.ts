import type { AlertRule } from './config';

/** A runner event as the log holds it: `{ event, at, …fields }`. */
export interface AlertEvent {
  event: string;
  [k: string]: unknown;
}

/** One message to send. */
export interface Alert {
  rule: AlertRule;
  /** what makes two alerts "the same" for de-duplication (rule + subject). */
  key: string;
  /** one line, e.g. "sma-cross-btc: trade closed +42.10 USDT". */
  title: string;
  /** a few lines of detail (no secret ever: only event fields the runner logs, and those are redacted). */
  text: string;
  /** the fields, for the webhook's JSON body. */
  fields: Record<string, unknown>;
}

const n = (v: unknown, d = 2): string => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : String(v ?? '—'));
const signed = (v: unknown): string => (typeof v === 'number' && v > 0 ? `+${n(v)}` : n(v));
const lines = (fields: Record<string, unknown>): string =>
  Object.entries(fields)
    .filter(([k]) => k !== 'event')
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('\n');

/**
 * Turns runner events into alerts, one strategy at a time, and keeps what the daily summary needs (the
 * first and last equity of each UTC day, by bar time, and the day's closed trades). The summary of a day is
 * sent at its first bar of the next day, i.e. at 00:00 UTC on the exchange's clock.
 */
export class AlertRules {
  private day = NaN;
  private dayFirst = NaN;
  private dayLast = NaN;
  private dayTrades = 0;
  private dayPnl = 0;

  constructor(
    readonly name: string,
    readonly quote = '',
  ) {}

  alertsOf(e: AlertEvent): Alert[] {
    const who = this.name;
    const at = String(e.at ?? '');
    switch (e.event) {
      case 'order-filled':
        return [{ rule: 'order-filled', key: `fill:${String(e.clientOrderId)}`, title: `${who}: ${String(e.side)} ${n(e.amount, 6)} filled at ${n(e.price)}`, text: lines(e), fields: e }];
      case 'trade-closed':
        this.dayTrades++;
        this.dayPnl += typeof e.pnl === 'number' ? e.pnl : 0;
        return [{ rule: 'trade-closed', key: `trade:${String(e.entry)}:${String(e.exit)}`, title: `${who}: ${String(e.side)} trade closed ${signed(e.pnl)} ${this.quote}`.trim(), text: lines(e), fields: e }];
      case 'risk': {
        const kill = e.kind === 'max-drawdown';
        const stale = e.kind === 'stale-data';
        const rule: AlertRule = kill ? 'kill-switch' : stale ? 'stale-data' : 'risk';
        return [{ rule, key: `risk:${String(e.kind)}:${String(e.bar ?? '')}`, title: `${who}: ${kill ? 'KILL SWITCH tripped' : stale ? 'stale market data' : `risk limit ${String(e.kind)}`} (${String(e.action)})`, text: lines(e), fields: e }];
      }
      case 'control':
        if (e.action !== 'stop') return [];
        return [{ rule: 'kill-switch', key: `control-stop:${at}`, title: `${who}: KILL SWITCH by operator ${String(e.by)}`, text: lines(e), fields: e }];
      case 'stop':
        if (e.kind !== 'error') return [];
        return [{ rule: 'error', key: `stop:${String(e.reason)}`, title: `${who}: runner stopped on an error`, text: lines(e), fields: e }];
      case 'flatten-failed':
        return [{ rule: 'error', key: `flatten-failed:${String(e.message)}`, title: `${who}: flatten failed`, text: lines(e), fields: e }];
      case 'start':
        if (!e.restart) return [];
        return [{ rule: 'restart', key: `start:${at}`, title: `${who}: runner restarted (${String(e.mode)}, last bar ${String(e.lastBar)})`, text: lines(e), fields: e }];
      case 'position-mismatch':
        return [{ rule: 'mismatch', key: `mismatch:${String(e.bar ?? at)}`, title: `${who}: exchange position differs from the books`, text: lines(e), fields: e }];
      case 'bar':
        return this.onBar(e);
      default:
        return [];
    }
  }

  private onBar(e: AlertEvent): Alert[] {
    const ts = Date.parse(String(e.bar));
    const equity = typeof e.equity === 'number' ? e.equity : NaN;
    if (!Number.isFinite(ts)) return [];
    const day = Math.floor(ts / 86_400_000);
    const out: Alert[] = [];
    if (Number.isFinite(this.day) && day > this.day) {
      const date = new Date(this.day * 86_400_000).toISOString().slice(0, 10);
      const change = this.dayLast - this.dayFirst;
      const fields = { date, equityOpen: this.dayFirst, equityClose: this.dayLast, pnl: change, returns: this.dayFirst > 0 ? change / this.dayFirst : NaN, tradesClosed: this.dayTrades, tradesPnl: this.dayPnl };
      out.push({ rule: 'daily-summary', key: `daily:${date}`, title: `${this.name}: ${date} ${signed(change)} ${this.quote} (${n((fields.returns as number) * 100)} %), ${this.dayTrades} trades closed`.replace('  ', ' '), text: lines(fields), fields });
      this.dayTrades = 0;
      this.dayPnl = 0;
    }
    if (!(day === this.day)) {
      this.day = day;
      this.dayFirst = equity;
    }
    this.dayLast = equity;
    return out;
  }
}
