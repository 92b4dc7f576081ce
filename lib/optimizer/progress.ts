import type { Progress } from './study';

/** One progress line: '[#######-------] 120/300  40%  4.1 trials/s  best 1.2345 {"fast":9,"slow":40}  eta 44s'. */
export function formatProgress(p: Progress, width = 24): string {
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const filled = Math.round(frac * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const eta = p.rate > 0 && p.total > p.done ? `  eta ${duration((p.total - p.done) / p.rate)}` : '';
  const best = p.best === p.best ? `  best ${fmt(p.best)} ${JSON.stringify(p.bestParams)}` : '';
  const extra = [p.pruned ? `${p.pruned} pruned` : '', p.failed ? `${p.failed} failed` : ''].filter(Boolean).join(', ');
  return `${bar} ${p.done}/${p.total} ${String(Math.round(frac * 100)).padStart(3)}%  ${p.rate.toFixed(p.rate < 10 ? 2 : 0)} trials/s${best}${extra ? `  (${extra})` : ''}${eta}`;
}

const fmt = (v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4));

function duration(s: number): string {
  if (s < 90) return `${Math.ceil(s)}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}

export interface ProgressBarOptions {
  /** Where to write. Default process.stderr. */
  stream?: { write(s: string): unknown; isTTY?: boolean };
  width?: number;
  /** Redraw at most this often on a terminal, ms. Default 100. */
  redrawMs?: number;
  /** Without a terminal (notebooks, logs): print a line at most this often, ms, and at the end. Default 5000. */
  lineMs?: number;
  /** Text before the bar (study name by default). */
  label?: string;
}

/**
 * A progress callback for `optimize({ onProgress })`: on a terminal, one line redrawn in place (trials/s,
 * best so far, eta); elsewhere (notebook cells, CI logs) a line every few seconds and a last one at the end.
 */
export function progressBar(options: ProgressBarOptions = {}): (p: Progress) => void {
  const stream = options.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  const redraw = options.redrawMs ?? 100;
  const every = options.lineMs ?? 5000;
  let last = -Infinity;
  let ended = false;
  return (p) => {
    const now = performance.now();
    const end = p.done >= p.total;
    if (end && ended) return;
    if (!end && now - last < (tty ? redraw : every)) return;
    last = now;
    const line = `${options.label ?? p.study} ${formatProgress(p, options.width)}`;
    if (tty) stream.write(`\r\x1b[2K${line}${end ? '\n' : ''}`);
    else stream.write(`${line}\n`);
    if (end) ended = true;
  };
}
