import { appendFileSync, existsSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The runner's JSON-lines log: one object per event with a `level` (error, warn or info, from the event's
 * kind), every line through the redactor before it is written (API keys, alert secrets), rotated when the
 * file passes `maxBytes` or a new UTC day begins: `paper.log.jsonl` → `paper.log.2026-12-02.jsonl`
 * (`…-2.jsonl` for a second file that day), keeping the newest `keep` rotated files. The current file keeps
 * its name, so readers (the dashboard's log tail, `tail -f`) always know where to look.
 */
export type LogLevel = 'error' | 'warn' | 'info';

const ERROR_EVENTS = new Set(['stop-error', 'flatten-failed', 'position-mismatch', 'alert-failed']);
const WARN_EVENTS = new Set(['risk', 'missed', 'poll-failed', 'order-rejected', 'open-order-canceled', 'alert-dropped', 'kill-switch-reset', 'control']);

/** The level of a runner event. */
export function levelOf(e: { event: string; kind?: unknown }): LogLevel {
  if (e.event === 'stop') return e.kind === 'error' || e.kind === 'mismatch' ? 'error' : e.kind === 'risk' ? 'warn' : 'info';
  return ERROR_EVENTS.has(e.event) ? 'error' : WARN_EVENTS.has(e.event) ? 'warn' : 'info';
}

export interface JsonLogOptions {
  /** rotate when the file would pass this size (default 50 MB). */
  maxBytes?: number;
  /** rotated files kept (default 30); older ones are deleted. */
  keep?: number;
  redact?: (line: string) => string;
  /** wall clock, for the day of rotation (default Date.now). */
  clock?: () => number;
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export class JsonLog {
  private size: number;
  private day: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly redact: (s: string) => string;
  private readonly clock: () => number;

  constructor(
    readonly path: string,
    o: JsonLogOptions = {},
  ) {
    this.maxBytes = o.maxBytes ?? 50 * 1024 * 1024;
    this.keep = o.keep ?? 30;
    this.redact = o.redact ?? ((s) => s);
    this.clock = o.clock ?? Date.now;
    const st = existsSync(path) ? statSync(path) : undefined;
    this.size = st?.size ?? 0;
    this.day = day(st && st.size > 0 ? st.mtimeMs : this.clock());
  }

  /** Writes one event (level added, redacted); returns the line as written. */
  write(e: Record<string, unknown> & { event: string }): string {
    const line = this.redact(JSON.stringify({ level: levelOf(e), ...e }));
    const bytes = Buffer.byteLength(line) + 1;
    const today = day(this.clock());
    if (this.size > 0 && (today !== this.day || this.size + bytes > this.maxBytes)) this.rotate();
    this.day = today;
    appendFileSync(this.path, `${line}\n`);
    this.size += bytes;
    return line;
  }

  /** Moves the current file aside under its day (and a counter), then drops the oldest beyond `keep`. */
  private rotate(): void {
    const dir = dirname(this.path);
    const stem = basename(this.path).replace(/\.jsonl$/, '');
    let target = join(dir, `${stem}.${this.day}.jsonl`);
    for (let n = 2; existsSync(target); n++) target = join(dir, `${stem}.${this.day}-${n}.jsonl`);
    renameSync(this.path, target);
    this.size = 0;
    const rotated = readdirSync(dir)
      .filter((f) => f.startsWith(`${stem}.`) && /\.\d{4}-\d\d-\d\d(-\d+)?\.jsonl$/.test(f))
      .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t || b.f.localeCompare(a.f));
    for (const old of rotated.slice(this.keep)) unlinkSync(join(dir, old.f));
  }
}
