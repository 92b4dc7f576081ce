import { inspect } from 'node:util';
import { listDatasets } from './data';
import { showText } from './plot';
import './report/inspect';

/**
 * The first cell of every notebook: prints what is available and makes printed values short (a cell's last
 * expression shows at most 12 items of an array; results print their own summaries). Charts need nothing from
 * it: each chart output loads plotly.js itself when the page has none.
 * `import * as ql from 'quantlab'; ql.notebookSetup();`
 */
export function notebookSetup(): void {
  Object.assign(inspect.defaultOptions, { maxArrayLength: 12, maxStringLength: 2000, breakLength: 120, depth: 3 });
  const ds = listDatasets();
  showText(`quantlab ready: ${ds.length} shipped datasets (${[...new Set(ds.map((d) => d.symbol))].join(', ')}); charts: plotly (inline); ql.show(x) displays figures, tables and results`);
}
