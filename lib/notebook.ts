import { listDatasets } from './data';
import { loadPlotly, showText } from './plot';

/**
 * The first cell of every notebook: sends plotly.js to the page once and prints what is available.
 * `import * as ql from './lib'; ql.notebookSetup();`
 */
export function notebookSetup(): void {
  loadPlotly();
  const ds = listDatasets();
  showText(`quantlab ready: ${ds.length} shipped datasets (${[...new Set(ds.map((d) => d.symbol))].join(', ')}); charts: plotly (inline)`);
}
