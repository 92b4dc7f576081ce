/**
 * HTML tables for notebooks and reports: the table scrolls sideways inside the notebook's width (never cut),
 * each numeric column is rounded to one number of decimals chosen from the column's magnitude, epoch-ms
 * time columns read as ISO text and a numeric `side` reads long/short.
 */

type Rows = ReadonlyArray<Record<string, unknown>>;
type HasHtml = { toHTML(options?: { limit?: number }): string };

/** A number for reading: integers with thousands separators, others by magnitude (values stay exact in results). */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  const a = Math.abs(v);
  if (a < 1e-4) return v.toExponential(2);
  return v.toLocaleString('en-US', { maximumFractionDigits: a >= 1000 ? 2 : a >= 1 ? 4 : 6 });
}

const TIME_NAME = /(^ts$|time|Ts$|At$|^date$|^start$|^end$)/;
const EPOCH_MS_MIN = 631_152_000_000; // 1990-01-01
const EPOCH_MS_MAX = 4_102_444_800_000; // 2100-01-01

/** How one column is shown, decided once from all its values. */
export type ColumnFormat = { kind: 'text' } | { kind: 'each' } | { kind: 'time' } | { kind: 'side' } | { kind: 'integer' } | { kind: 'fixed'; decimals: number };

/**
 * Picks a column's format: time (name and epoch-ms values), side (±1), integer, or fixed decimals by magnitude.
 * A column named `value` (a statistic / value listing, where each row is a different quantity) or holding text
 * beside numbers rounds each number by its own magnitude instead.
 */
export function columnFormat(name: string, values: readonly unknown[]): ColumnFormat {
  const nums = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (!nums.length) return { kind: 'text' };
  if (/^values?$/i.test(name) || nums.length < values.filter((v) => v !== null && v !== undefined && v !== '').length) return { kind: 'each' };
  if (TIME_NAME.test(name) && nums.every((v) => Number.isInteger(v) && v >= EPOCH_MS_MIN && v <= EPOCH_MS_MAX)) return { kind: 'time' };
  if (/^side$/i.test(name) && nums.every((v) => v === 1 || v === -1 || v === 0)) return { kind: 'side' };
  if (nums.every((v) => Number.isInteger(v))) return { kind: 'integer' };
  let max = 0;
  for (const v of nums) max = Math.max(max, Math.abs(v));
  return { kind: 'fixed', decimals: max >= 100 ? 2 : max >= 1 ? 3 : max >= 0.01 ? 4 : 6 };
}

/** One cell's text under its column's format. */
export function formatCell(v: unknown, f: ColumnFormat): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v !== 'number') return typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (!Number.isFinite(v)) return String(v);
  switch (f.kind) {
    case 'time':
      return new Date(v).toISOString().replace('.000Z', 'Z');
    case 'side':
      return v > 0 ? 'long' : v < 0 ? 'short' : 'flat';
    case 'integer':
      return v.toLocaleString('en-US');
    case 'fixed':
      return v.toLocaleString('en-US', { minimumFractionDigits: f.decimals, maximumFractionDigits: f.decimals });
    default:
      return formatNumber(v);
  }
}

/** Columns, their formats and every row's cell texts: what tableHtml and the paged report table draw. */
export function tableCells(rows: Rows): { columns: string[]; numeric: boolean[]; cells: string[][] } {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const formats = columns.map((c) => columnFormat(c, rows.map((r) => r[c])));
  const numeric = formats.map((f) => f.kind === 'integer' || f.kind === 'fixed' || f.kind === 'each');
  const cells = rows.map((r) => columns.map((c, j) => formatCell(r[c], formats[j]!)));
  return { columns, numeric, cells };
}

export const TABLE_CSS =
  '.ql-table-wrap{overflow-x:auto;max-width:100%}table.ql-table{border-collapse:collapse;font-size:12px;white-space:nowrap}' +
  // cells never wrap (the box scrolls instead) and text reads left: the selectors outweigh the notebook's .rendered_html td
  'table.ql-table td,table.ql-table th{padding:2px 8px;border-bottom:1px solid #eee;white-space:nowrap;text-align:left}table.ql-table th{background:#f6f6f6}' +
  'table.ql-table td.n{text-align:right;font-variant-numeric:tabular-nums}';

/** HTML for rows of plain objects (or an object with toHTML()), in a sideways-scrolling box, `limit` rows at most. */
export function tableHtml(table: Rows | HasHtml | ReadonlyArray<object>, limit = 50): string {
  if (!Array.isArray(table)) return (table as HasHtml).toHTML({ limit });
  const rows = table as Rows;
  const { columns, numeric, cells } = tableCells(rows.slice(0, limit));
  const body = cells.map((r) => `<tr>${r.map((v, j) => `<td${numeric[j] ? ' class="n"' : ''}>${escapeHtml(v)}</td>`).join('')}</tr>`).join('\n');
  const more = rows.length > limit ? `<p>… ${rows.length - limit} more rows (showTable(rows, limit) shows more)</p>` : '';
  return `<style>${TABLE_CSS}</style><div class="ql-table-wrap"><table class="ql-table"><thead><tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>\n${body}\n</tbody></table></div>${more}`;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
