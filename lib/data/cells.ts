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
  const n = s.length;
  if (n === 0) return NaN;
  // fast path, exact: up to 15 digits with an optional point and no exponent is mantissa / 10^k, one correctly
  // rounded division of two exact doubles, so it equals Number(s)
  let i = 0;
  let c = s.charCodeAt(0);
  const neg = c === 45;
  if (neg || c === 43) i++;
  let mant = 0;
  let digits = 0;
  let frac = -1;
  for (; i < n; i++) {
    c = s.charCodeAt(i);
    if (c >= DIGIT0 && c <= DIGIT9) {
      mant = mant * 10 + (c - DIGIT0);
      digits++;
      if (frac >= 0) frac++;
    } else if (c === 46 && frac < 0) frac = 0;
    else break;
  }
  if (i === n && digits > 0 && digits <= 15) {
    const v = frac > 0 ? mant / POW10[frac]! : mant;
    return neg ? -v : v;
  }
  if (isPlainDecimal(s)) return Number(s);
  if (n === 3 && (s === 'nan' || s === 'NaN' || s === 'NAN')) return NaN;
  if (thousands && s.includes(thousands)) {
    const m = /^([+-]?)(\d{1,3}(?:X\d{3})+)(\.\d+)?$/.exec(s.replaceAll(thousands, 'X'));
    if (m) return Number(`${m[1]}${m[2]!.replaceAll('X', '')}${m[3] ?? ''}`);
  }
  return undefined;
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

const ISO = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)?)? ?(Z|[+-]\d\d(?::?\d\d)?)?$/i;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * An ISO-8601 date or date-time as epoch ms (`2024-01-01`, `2024-01-01T05:00:00Z`, `2024-01-01 05:00`,
 * `…+02:00`); text without a zone is UTC. Returns NaN unless every field is in range.
 */
export function isoCell(s: string): number {
  const n = s.length;
  // fast path: YYYY-MM-DD[T ]HH:MM:SS[Z]
  if ((n === 20 || n === 19) && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && s.charCodeAt(13) === 58 && s.charCodeAt(16) === 58) {
    const sep = s.charCodeAt(10);
    const z = n === 20 ? s.charCodeAt(19) : 90;
    if ((sep === 84 || sep === 32) && (z === 90 || z === 122)) {
      const y = d4(s, 0), mo = d2(s, 5), d = d2(s, 8), h = d2(s, 11), mi = d2(s, 14), sec = d2(s, 17);
      if (y >= 100 && mo >= 1 && mo <= 12 && d >= 1 && h <= 23 && mi <= 59 && sec <= 59) {
        const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
        if (d <= (mo === 2 && leap ? 29 : DAYS[mo - 1]!)) return Date.UTC(y, mo - 1, d, h, mi, sec);
      }
      if (y >= 100 && mo >= 0 && d >= 0 && h >= 0 && mi >= 0 && sec >= 0) return NaN; // all digits, a field out of range
    }
  }
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

/** Two decimal digits at `at` as a number; -1 when either is not a digit. */
function d2(s: string, at: number): number {
  const a = s.charCodeAt(at) - DIGIT0, b = s.charCodeAt(at + 1) - DIGIT0;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function d4(s: string, at: number): number {
  const a = d2(s, at), b = d2(s, at + 2);
  return a >= 0 && b >= 0 ? a * 100 + b : -1;
}
