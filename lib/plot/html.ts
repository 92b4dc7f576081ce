import { writeFileAtomic } from '../core';
import type { Figure } from './figure';
import { figureHtml, plotlyScript } from './notebook';
import { escapeHtml as esc, TABLE_CSS, tableCells, tableHtml } from './table';

/** One block of a report: a heading, a paragraph, a figure or a table (`pageSize` rows per page; every row is kept). */
export type ReportBlock =
  | { heading: string }
  | { text: string }
  | { figure: Figure }
  | { table: ReadonlyArray<object>; pageSize?: number };

/**
 * A table of any length with every row in the page: `pageSize` rows are shown at a time with first / previous /
 * next / last buttons and a page number (plain JS, no library). Short tables are plain tables.
 */
export function pagedTableHtml(rows: ReadonlyArray<object>, id: string, pageSize = 50): string {
  if (rows.length <= pageSize) return tableHtml(rows, pageSize);
  const { columns, numeric, cells } = tableCells(rows as ReadonlyArray<Record<string, unknown>>);
  const json = JSON.stringify({ c: columns, n: numeric, r: cells, p: pageSize }).replace(/</g, '\\u003c');
  const head = columns.map((c) => `<th>${esc(c)}</th>`).join('');
  return `<div class="ql-paged" id="${id}"><div class="ql-table-wrap"><table class="ql-table"><thead><tr>${head}</tr></thead><tbody></tbody></table></div>
<p class="ql-pager"><button data-go="first">«</button> <button data-go="prev">‹</button> <span></span> <button data-go="next">›</button> <button data-go="last">»</button></p></div>
<script type="text/javascript">(function(){var d=${json};var root=document.getElementById('${id}');var tb=root.querySelector('tbody');var info=root.querySelector('.ql-pager span');
var pages=Math.ceil(d.r.length/d.p);var page=pages-1;
function e(s){return s.replace(/&/g,'&amp;').replace(/</g,'&lt;').replace(/>/g,'&gt;');}
function draw(){var a=page*d.p,b=Math.min(d.r.length,a+d.p),h=[];for(var i=a;i<b;i++){h.push('<tr>'+d.r[i].map(function(v,j){return '<td'+(d.n[j]?' class="n"':'')+'>'+e(v)+'</td>';}).join('')+'</tr>');}
tb.innerHTML=h.join('');info.textContent='rows '+(a+1)+'–'+b+' of '+d.r.length+' (page '+(page+1)+' of '+pages+')';}
root.querySelectorAll('button').forEach(function(btn){btn.onclick=function(){var g=btn.getAttribute('data-go');page=g==='first'?0:g==='last'?pages-1:g==='prev'?Math.max(0,page-1):Math.min(pages-1,page+1);draw();};});
draw();})();</script>`;
}

/**
 * A self-contained HTML page (plotly.js inlined once, no network needed) with the blocks in order.
 * Returns the HTML text.
 */
export function reportHtml(title: string, blocks: ReportBlock[]): string {
  const body = blocks
    .map((b, i) => {
      if ('heading' in b) return `<h2>${esc(b.heading)}</h2>`;
      if ('text' in b) return `<p>${esc(b.text)}</p>`;
      if ('figure' in b) return figureHtml(b.figure, `ql-report-plot-${i}`);
      return pagedTableHtml(b.table, `ql-report-table-${i}`, b.pageSize ?? 500);
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1200px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
${TABLE_CSS}
.ql-pager button{font-size:13px;padding:1px 8px}
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
