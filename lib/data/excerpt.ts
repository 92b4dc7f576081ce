/**
 * Text from a data file made safe to print: control characters (C0, DEL, C1), bidi overrides, zero-width and
 * other invisible code points, lone surrogates and U+FFFD are written as escapes (`\x1b`, `\u202e`), and the
 * result is capped at `max` characters (then ends in `…`). Every data error that quotes a file goes through it,
 * so a hostile or binary file can never send escape sequences to a terminal.
 */
export function excerpt(text: string, max = 60): string {
  let out = '';
  let shown = 0;
  for (let i = 0; i < text.length; i++) {
    if (shown >= max) return `${out}…`;
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x5c) {
      out += text[i];
    } else if (c === 0x5c) {
      out += '\\\\';
    } else if (c === 0x09) {
      out += '\\t';
    } else if (c === 0x0a) {
      out += '\\n';
    } else if (c === 0x0d) {
      out += '\\r';
    } else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
      out += `\\x${c.toString(16).padStart(2, '0')}`;
    } else if (invisible(c) || (c >= 0xd800 && c <= 0xdfff && !pairedSurrogate(text, i))) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      out += text[i]! + text[i + 1]!; // a valid pair: one printable astral character
      i++;
    } else {
      out += text[i];
    }
    shown++;
  }
  return out;
}

/** `'…'`-quoted {@link excerpt}: how data errors show a found value. */
export const quoted = (text: string, max = 60): string => `'${excerpt(text, max)}'`;

/** A JSON value as a short printable description: `boolean true`, `array [86800.5]`, `string '0x10'`. */
export function describeValue(v: unknown, max = 60): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing (the field is absent)';
  if (typeof v === 'string') return `string ${quoted(v, max)}`;
  if (Array.isArray(v)) return `array ${excerpt(safeJson(v), max)}`;
  if (typeof v === 'object') return `object ${excerpt(safeJson(v), max)}`;
  if (typeof v === 'bigint') return `integer ${v}`;
  return `${typeof v} ${excerpt(String(v), max)}`;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function invisible(c: number): boolean {
  return (
    c === 0xad || // soft hyphen
    (c >= 0x200b && c <= 0x200f) || // zero-width, LRM/RLM
    (c >= 0x2028 && c <= 0x202e) || // line/paragraph separators, bidi embeddings/overrides
    (c >= 0x2060 && c <= 0x206f) || // word joiner, bidi isolates, invisible operators
    c === 0xfeff || // BOM / zero-width no-break space
    c === 0xfffd || // replacement character (what invalid UTF-8 decodes to)
    (c >= 0xfff9 && c <= 0xfffb)
  );
}

function pairedSurrogate(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c <= 0xdbff) {
    const d = s.charCodeAt(i + 1);
    return d >= 0xdc00 && d <= 0xdfff;
  }
  return false; // a low surrogate reached on its own is unpaired (pairs are consumed from their high half)
}
