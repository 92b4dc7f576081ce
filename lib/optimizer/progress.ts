import type { Progress } from './study';

/** What formatProgress shows besides the snapshot itself. */
export interface ProgressFormat {
  /**
   * Seconds left, or null to show none. Default: from the snapshot's rate, once the run has a rate worth
   * extrapolating (2 s elapsed and 5 % of the trials done, or 10 s elapsed).
   */
  eta?: number | null;
}

/** The ETA from a snapshot alone, held back until the rate means something (the first trials pay the warm-up). */
function snapshotEta(p: Progress): number | null {
  if (!(p.rate > 0) || p.total <= p.done) return null;
  const enough = (p.elapsed >= 2 && p.done >= 0.05 * p.total) || p.elapsed >= 10;
  return enough ? (p.total - p.done) / p.rate : null;
}

/**
 * One progress line: '[#######-------] 120/300  40%  4.1 trials/s  best 1.2345 {"fast":9,"slow":40}  eta 44s'.
 * The best appears with the first finite best value (never 'best -Infinity'); the ETA once it can be trusted.
 */
export function formatProgress(p: Progress, width = 24, format: ProgressFormat = {}): string {
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const filled = Math.round(frac * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const left = format.eta === undefined ? snapshotEta(p) : format.eta;
  const eta = left !== null && Number.isFinite(left) && p.total > p.done ? `  eta ${duration(left)}` : '';
  const best = Number.isFinite(p.best) ? `  best ${fmt(p.best)} ${JSON.stringify(p.bestParams)}` : '';
  const extra = [p.pruned ? `${p.pruned} pruned` : '', p.failed ? `${p.failed} failed` : ''].filter(Boolean).join(', ');
  return `${bar} ${p.done}/${p.total} ${String(Math.round(frac * 100)).padStart(3)}%  ${p.rate.toFixed(p.rate < 10 ? 2 : 0)} trials/s${best}${extra ? `  (${extra})` : ''}${eta}`;
}

const fmt = (v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4));

function duration(s: number): string {
  if (s < 90) return `${Math.ceil(s)}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}

/** A display entry that can be replaced in place (tslab's `newDisplay()` has this shape). */
export interface LineDisplay {
  text(s: string): void;
}

export interface ProgressBarOptions {
  /** Where to write (a terminal redraws one line; anything else gets a line every `lineMs`). Default: the notebook's display inside the kernel, else process.stderr. */
  stream?: { write(s: string): unknown; isTTY?: boolean };
  /** A display entry replaced in place (default inside the notebook kernel: a new tslab display). */
  display?: LineDisplay;
  width?: number;
  /** Redraw at most this often on a terminal or a notebook display, ms. Default 100 (terminal), 500 (notebook). */
  redrawMs?: number;
  /** Without a terminal or display (CI logs, files): print a line at most this often, ms, and at the end. Default 5000. */
  lineMs?: number;
  /** Text before the bar (study name by default). */
  label?: string;
}

/**
 * A display entry in the notebook kernel, or null elsewhere. tslab's display exists in every process that
 * has tslab installed but only works inside the kernel (it throws "Not ready" elsewhere): probe it once.
 */
export function kernelLineDisplay(): LineDisplay | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jupyter = require('tslab/dist/jupyter') as { lastWriteDisplayData?: unknown };
    if (typeof jupyter.lastWriteDisplayData !== 'function') return null;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('tslab') as { newDisplay(): LineDisplay }).newDisplay();
  } catch {
    return null;
  }
}

/**
 * A progress callback for `optimize({ onProgress })`: in a notebook, one line that updates in place (a
 * display entry, replaced; plain text, not a stderr box); on a terminal, one line redrawn in place; elsewhere
 * (CI logs) a line every few seconds and a last one at the end. The rate and the ETA are measured from the
 * first finished trial on, so the first trials' warm-up (workers starting, indicators cached) does not
 * inflate the first ETA; the ETA is held back until a few trials have run.
 */
export function progressBar(options: ProgressBarOptions = {}): (p: Progress) => void {
  const display = options.display ?? (options.stream ? null : kernelLineDisplay());
  const stream = options.stream ?? process.stderr;
  const tty = !display && Boolean(stream.isTTY);
  const redraw = options.redrawMs ?? (display ? 500 : 100);
  const every = options.lineMs ?? 5000;
  let last = -Infinity;
  let ended = false;
  let first: { t: number; done: number } | null = null;
  return (p) => {
    const now = performance.now();
    first ??= { t: now, done: p.done };
    const end = p.done >= p.total;
    if (end && ended) return;
    if (!end && now - last < (display || tty ? redraw : every)) return;
    last = now;
    const since = (now - first.t) / 1000;
    const doneSince = p.done - first.done;
    const trusted = since >= 1.5 && doneSince >= Math.max(2, 0.05 * (p.total - first.done));
    const eta = trusted && !end ? (p.total - p.done) / (doneSince / since) : null;
    const line = `${options.label ?? p.study} ${formatProgress(p, options.width, { eta })}`;
    if (display) display.text(line);
    else if (tty) stream.write(`\r\x1b[2K${line}${end ? '\n' : ''}`);
    else stream.write(`${line}\n`);
    if (end) ended = true;
  };
}
