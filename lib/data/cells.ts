/**
 * Strict readers for text cells. A number is plain decimal or exponent form (`-12`, `0.5`, `.5`, `1e-3`); hex,
 * binary, `Infinity`, thousands separators and stray text are not numbers. Times are ISO-8601 dates checked
 * field by field (no 30 February, no 25:00) or epoch numbers.
 */

const DIGIT0 = 48;
const DIGIT9 = 57;

/** True when `s` is a plain decimal/exponent number: [+-] digits [. digits] [(e|E) [+-] digits], at least one mantissa digit. */
export function isPlainDecimal(s: string): boolean {
  const n = s.length;
  let i = 0;
  let c = s.charCodeAt(0);
  if (c === 43 || c === 45) i++; // + -
  let digits = 0;
  while (i < n && (c = s.charCodeAt(i)) >= DIGIT0 && c <= DIGIT9) i++, digits++;
  if (i < n && s.charCodeAt(i) === 46) {
    i++;
    while (i < n && (c = s.charCodeAt(i)) >= DIGIT0 && c <= DIGIT9) i++, digits++;
  }
  if (digits === 0) return false;
  if (i < n && ((c = s.charCodeAt(i)) === 101 || c === 69)) {
    i++;
    if (i < n && ((c = s.charCodeAt(i)) === 43 || c === 45)) i++;
    let e = 0;
    while (i < n && (c = s.charCodeAt(i)) >= DIGIT0 && c <= DIGIT9) i++, e++;
    if (e === 0) return false;
  }
  return i === n;
}

/**
 * A numeric cell (already unquoted and trimmed). Empty → NaN (a missing value, reported by validation);
 * `nan`/`NaN` → NaN; plain decimal → its value. With `thousands` (e.g. ','), `1,234.5` is read when its groups
 * are well formed. Returns undefined when the cell is not a number.
 */
export function numberCell(s: string, thousands?: string): number | undefined {
  if (s === '') return NaN;
  if (isPlainDecimal(s)) return Number(s);
  if (s.length === 3 && (s === 'nan' || s === 'NaN' || s === 'NAN')) return NaN;
  if (thousands && s.includes(thousands)) {
    const m = /^([+-]?)(\d{1,3}(?:X\d{3})+)(\.\d+)?$/.exec(s.replaceAll(thousands, 'X'));
    if (m) return Number(`${m[1]}${m[2]!.replaceAll('X', '')}${m[3] ?? ''}`);
  }
  return undefined;
}

const ISO = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)?)? ?(Z|[+-]\d\d(?::?\d\d)?)?$/i;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * An ISO-8601 date or date-time as epoch ms (`2024-01-01`, `2024-01-01T05:00:00Z`, `2024-01-01 05:00`,
 * `…+02:00`); text without a zone is UTC. Returns NaN unless every field is in range.
 */
export function isoCell(s: string): number {
  const m = ISO.exec(s);
  if (!m) return NaN;
  const y = +m[1]!, mo = +m[2]!, d = +m[3]!;
  const h = m[4] ? +m[4] : 0, mi = m[5] ? +m[5] : 0, sec = m[6] ? +m[6] : 0;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && leap ? 29 : DAYS[mo - 1]!) || h > 23 || mi > 59 || sec > 59) return NaN;
  const frac = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000 + 1e-9) : 0;
  let t = Date.UTC(y, mo - 1, d, h, mi, sec, frac);
  if (y < 100) t = new Date(t).setUTCFullYear(y); // Date.UTC maps years 0-99 to 1900-1999
  const z = m[8];
  if (z && z !== 'Z' && z !== 'z') {
    const sign = z[0] === '-' ? -1 : 1;
    const oh = +z.slice(1, 3);
    const om = z.length > 3 ? +z.slice(-2) : 0;
    if (oh > 23 || om > 59) return NaN;
    t -= sign * (oh * 60 + om) * 60_000;
  }
  return t;
}
