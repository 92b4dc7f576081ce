/**
 * Number handling for the replay exchange: Binance sends every quantity and price as decimal text, and
 * keeps asset amounts to 8 decimals.
 */

/** Rounds to 8 decimals (Binance's asset precision), removing binary drift such as 0.1 + 0.2. */
export const round8 = (x: number): number => Math.round(x * 1e8) / 1e8;

/** Decimal text of a number without exponent notation; round-trips to the same double. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return '0';
  const s = String(x);
  if (!/e/i.test(s)) return s;
  // tiny or huge values: toFixed with enough digits, then trim trailing zeros
  const fixed = Math.abs(x) < 1 ? x.toFixed(20) : x.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** Text of an amount with 8 decimals, as Binance prints balances and quantities ("0.00100000"). */
export const fixed8 = (x: number): string => round8(x).toFixed(8);

/** Number of decimals a step needs (0.01 → 2, 1 → 0, 0.00001 → 5). */
export function stepDecimals(step: number): number {
  if (step >= 1) return 0;
  return Math.max(0, Math.round(-Math.log10(step)));
}

/** True when `x` is a whole multiple of `step` (to 1e-9 of a step). */
export function onStep(x: number, step: number): boolean {
  if (!(step > 0)) return true;
  const q = x / step;
  return Math.abs(q - Math.round(q)) < 1e-9 * Math.max(1, Math.abs(q));
}

/** Rounds `x` down to a multiple of `step`, printed exactly. */
export function floorToStep(x: number, step: number): number {
  const d = stepDecimals(step);
  const q = Math.floor(x / step + 1e-9);
  return Number((q * step).toFixed(d));
}

/** Parses a decimal parameter; NaN when absent or not a number. */
export function parseDecimal(v: string | undefined): number {
  if (v === undefined || v.trim() === '') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim())) return NaN;
  return Number(v);
}
