import { readFileSync } from 'node:fs';
import type { Figure } from './figure';
import { tableHtml } from './table';

/** The part of tslab's API the notebook renderer uses. */
interface TslabDisplay {
  html(s: string): void;
  text(s: string): void;
}

let plotCounter = 0;

/** tslab's display (exists only inside the notebook kernel; loaded lazily so lib/ works everywhere else). */
export function notebookDisplay(): TslabDisplay {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('tslab') as { display: TslabDisplay }).display;
}

/** Where the plotly.js bundle is on disk (node_modules/plotly.js-dist-min/plotly.min.js). */
export function plotlyPath(): string {
  return require.resolve('plotly.js-dist-min');
}

/**
 * The plotly.js bundle as an inline script that defines window.Plotly even where require.js is loaded
 * (the classic notebook and its HTML export), by hiding AMD's `define` while the bundle runs. Used once
 * per HTML report or HTML export, never per chart.
 */
export function plotlyScript(): string {
  const src = readFileSync(plotlyPath(), 'utf8');
  return `<script type="text/javascript">(function(){var d=window.define;window.define=undefined;\n${src}\n;window.define=d;})();</script>`;
}

/**
 * Where the live notebook serves plotly.js: `<base url>nbextensions/quantlab/plotly.min.js`, from the project's
 * Jupyter data folder (scripts/notebook-assets.sh links it there; scripts/env.sh puts that folder on JUPYTER_PATH).
 */
export const PLOTLY_NBEXTENSION = 'nbextensions/quantlab/plotly.min.js';

/**
 * The loader every chart carries (under 1 KB), so a chart never depends on an earlier output: it draws at once
 * when the page has window.Plotly (an HTML report, or an HTML export, where plotly.js is inlined once); else it
 * loads plotly.js once per page, shared by every chart on it, from the notebook server (through require.js when
 * the page has it, as the classic notebook does, else a script tag with AMD's define hidden); else it says in
 * the chart's box why it cannot draw. Reloads, "Clear all outputs", re-running the first cell all draw.
 */
const LOADER = `function(cb){var w=window;if(w.Plotly)return cb();var q=w.__qlPlotly;if(q){if(q.failed)return cb(q.failed);q.push(cb);return;}
q=w.__qlPlotly=[cb];var done=function(e){var l=q.splice(0);if(e)q.failed=e;else w.__qlPlotly=null;l.forEach(function(f){f(e);});};
var b=document.body&&document.body.getAttribute('data-base-url');if(b===null||b===undefined)return done('no notebook server on this page');
var url=b+'${PLOTLY_NBEXTENSION}';
if(typeof w.requirejs==='function'){w.requirejs([url],function(P){if(P&&!w.Plotly)w.Plotly=P;w.Plotly?done():done('loaded '+url+' without Plotly');},function(){done('cannot load '+url);});return;}
var s=document.createElement('script'),d=w.define;w.define=undefined;s.src=url;s.onload=function(){w.define=d;w.Plotly?done():done('loaded '+url+' without Plotly');};
s.onerror=function(){w.define=d;done('cannot load '+url);};document.head.appendChild(s);}`.replace(/\n/g, '');

/** A div plus the script that draws the figure into it; self-sufficient (see LOADER). */
export function figureHtml(fig: Figure, id = `ql-plot-${Date.now().toString(36)}-${plotCounter++}`): string {
  const json = JSON.stringify({ data: fig.data, layout: fig.layout, config: { responsive: true, displaylogo: false, ...fig.config } }).replace(/</g, '\\u003c');
  const h = Number((fig.layout.height as number) ?? 500);
  const fail =
    `'<p style="color:#a33;font:13px sans-serif;padding:8px">quantlab: this chart cannot draw: plotly.js is not on this page (' + e + '). ` +
    `In Jupyter, start the server with npm start (it serves ${PLOTLY_NBEXTENSION}); export HTML in the project environment ` +
    `(source scripts/env.sh, then jupyter nbconvert --to html), which inlines plotly.js once.</p>'`;
  return (
    `<div id="${id}" class="ql-plot" style="width:100%;height:${h}px"></div>\n` +
    `<script type="text/javascript">(function(){var f=${json};(${LOADER})(function(e){var el=document.getElementById('${id}');if(!el)return;` +
    `if(e){el.style.height='auto';el.innerHTML=${fail};return;}Plotly.newPlot('${id}',f.data,f.layout,f.config);});})();</script>`
  );
}

/**
 * Kept for notebooks written before charts carried their own loader: does nothing now (every chart loads
 * plotly.js itself when the page has none, so nothing is sent once per kernel).
 */
export function loadPlotly(): void {}

/** Draws a figure inline in the notebook (`ql.show` does this and more: figures, rows, results, text). */
export function showFigure(fig: Figure): void {
  notebookDisplay().html(figureHtml(fig));
}

/** Shows rows (array of plain objects) or anything with toHTML() (an arquero table) as an HTML table. */
export function showTable(rows: ReadonlyArray<object> | { toHTML(options?: { limit?: number }): string }, limit = 50): void {
  notebookDisplay().html(tableHtml(rows, limit));
}

/** Shows preformatted text (a validation report, a log). */
export function showText(text: string): void {
  notebookDisplay().text(text);
}
