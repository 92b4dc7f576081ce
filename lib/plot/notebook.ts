import { readFileSync } from 'node:fs';
import type { Figure } from './figure';

/** The part of tslab's API the notebook renderer uses. */
interface TslabDisplay {
  html(s: string): void;
  text(s: string): void;
}

let plotlyEmitted = false;
let plotCounter = 0;

function display(): TslabDisplay {
  // tslab exists only inside the notebook kernel; loaded lazily so lib/ works everywhere else.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('tslab') as { display: TslabDisplay }).display;
}

/**
 * The plotly.js bundle as an inline script that defines window.Plotly even where require.js is loaded
 * (the classic notebook and its HTML export), by hiding AMD's `define` while the bundle runs.
 */
export function plotlyScript(): string {
  const src = readFileSync(require.resolve('plotly.js-dist-min'), 'utf8');
  return `<script type="text/javascript">(function(){var d=window.define;window.define=undefined;\n${src}\n;window.define=d;})();</script>`;
}

/** Emits plotly.js into the notebook once (later calls do nothing). Called by notebookSetup() and before the first chart. */
export function loadPlotly(): void {
  if (plotlyEmitted) return;
  display().html(plotlyScript());
  plotlyEmitted = true;
}

/** A div plus the script that draws the figure into it (needs window.Plotly on the page). */
export function figureHtml(fig: Figure, id = `ql-plot-${Date.now().toString(36)}-${plotCounter++}`): string {
  const json = JSON.stringify({ data: fig.data, layout: fig.layout, config: { responsive: true, displaylogo: false, ...fig.config } }).replace(/</g, '\\u003c');
  const h = Number((fig.layout.height as number) ?? 500);
  return `<div id="${id}" class="ql-plot" style="width:100%;height:${h}px"></div>\n<script type="text/javascript">(function(){var f=${json};Plotly.newPlot('${id}',f.data,f.layout,f.config);})();</script>`;
}

/** Draws a figure inline in the notebook (plotly.js is sent once per notebook, not per chart). */
export function show(fig: Figure): void {
  loadPlotly();
  display().html(figureHtml(fig));
}

/** Shows rows (array of plain objects) or anything with toHTML() (an arquero table) as an HTML table. */
export function showTable(rows: ReadonlyArray<object> | { toHTML(options?: { limit?: number }): string }, limit = 50): void {
  display().html(tableHtml(rows, limit));
}

/** HTML for rows of plain objects (or an object with toHTML()), numbers right-aligned and rounded for reading. */
export function tableHtml(table: ReadonlyArray<object> | { toHTML(options?: { limit?: number }): string }, limit = 50): string {
  if (!Array.isArray(table)) return (table as { toHTML(options?: { limit?: number }): string }).toHTML({ limit });
  const rows = table as ReadonlyArray<Record<string, unknown>>;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => {
    if (typeof v === 'number') return `<td style="text-align:right">${formatNumber(v)}</td>`;
    if (v instanceof Date) return `<td>${v.toISOString()}</td>`;
    return `<td style="text-align:left">${escapeHtml(String(v ?? ''))}</td>`;
  };
  const body = rows
    .slice(0, limit)
    .map((r) => `<tr>${cols.map((c) => cell(r[c])).join('')}</tr>`)
    .join('\n');
  const more = rows.length > limit ? `<p>… ${rows.length - limit} more rows</p>` : '';
  return `<table class="ql-table"><thead><tr>${cols.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>\n${body}\n</tbody></table>${more}`;
}

/** Shows preformatted text (a validation report, a log). */
export function showText(text: string): void {
  display().text(text);
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  const a = Math.abs(v);
  if (a < 1e-4) return v.toExponential(2);
  return v.toLocaleString('en-US', { maximumFractionDigits: a >= 1000 ? 2 : a >= 1 ? 4 : 6 });
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
