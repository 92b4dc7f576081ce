import { writeFileAtomic } from '../core';
import type { Figure } from './figure';
import { figureHtml, plotlyScript, tableHtml } from './notebook';

/** One block of a report: a heading, a paragraph, a figure or a table. */
export type ReportBlock =
  | { heading: string }
  | { text: string }
  | { figure: Figure }
  | { table: ReadonlyArray<object> };

/**
 * A self-contained HTML page (plotly.js inlined, no network needed) with the blocks in order.
 * Returns the HTML text.
 */
export function reportHtml(title: string, blocks: ReportBlock[]): string {
  const body = blocks
    .map((b, i) => {
      if ('heading' in b) return `<h2>${esc(b.heading)}</h2>`;
      if ('text' in b) return `<p>${esc(b.text)}</p>`;
      if ('figure' in b) return figureHtml(b.figure, `ql-report-plot-${i}`);
      return tableHtml(b.table, 500);
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1200px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
table.ql-table{border-collapse:collapse;font-size:13px}table.ql-table td,table.ql-table th{padding:3px 10px;border-bottom:1px solid #eee}
table.ql-table th{text-align:left;background:#f6f6f6}
</style>
${plotlyScript()}
</head><body>
<h1>${esc(title)}</h1>
${body}
<p style="color:#888;font-size:12px">made by quantlab on ${new Date().toISOString()}</p>
</body></html>
`;
}

/** Writes a report to `path` (folders created; written to a temporary file, then renamed). Returns the path. */
export function saveReport(path: string, title: string, blocks: ReportBlock[]): string {
  writeFileAtomic(path, reportHtml(title, blocks), 'report');
  return path;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
