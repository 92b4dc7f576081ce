/**
 * Reads the assertion written in a trailing `// …` comment of an example line.
 *
 * - `// → value` or `// => value`: the statement's value deep-equals `value`.
 * - `// → throws CODE` (a QuantlabError code, e.g. BAD_ARGUMENT) or `// → throws /regex/flags` (matched
 *   against the message): the statement must throw (or reject) so.
 * - In doc comments only (where trailing comments are written for this), the arrow may be left out:
 *   `// value` asserts when it starts like a value (a number, `-`, `NaN`, `Infinity`, `[`, `{`, a quote,
 *   `true`, `false`, `null`, `undefined`), and `// throws …` asserts a throw. Anything else
 *   (`// b: the shipped bars`) is a remark. README comments are prose unless they start with `→`/`=>`.
 *
 * - `// ≈ value` (or `// → ≈ value`): as `→`, but numbers need only agree to 1e-9 relative (for results
 *   that equal a formula up to floating-point rounding: `// ≈ [NaN, 22/9]`).
 *
 * The value ends at the end of the comment or where a remark starts: at bracket depth 0, ` (`, `: `,
 * `; `, `, `, ` —` or a second `//`. A number written with a trailing `…` (`99.9000999…`, `-8.333…`)
 * matches any number within one unit of its last digit; other numbers must be equal exactly.
 */

export type AssertionSpec =
  | { kind: 'throws'; code?: string; pattern?: string; flags?: string; text: string }
  | { kind: 'equals'; expression: string; text: string; close: boolean };

const VALUE_START = /^(?:-?\d|-?\.\d|-?NaN\b|-?Infinity\b|\[|\{|'|"|`|true\b|false\b|null\b|undefined\b)/;

/**
 * The assertion of a comment's text (without the `//`), or null for a remark.
 * `bare` allows the bare `// value` form (doc comments).
 */
export function parseAssertion(comment: string, bare: boolean): AssertionSpec | null {
  let t = comment.trim();
  const arrow = /^(?:→|=>)\s*/.exec(t);
  if (arrow) t = t.slice(arrow[0].length);
  else if (!bare) return null;
  const th = /^throws\s+(.*)$/.exec(t);
  if (th) {
    const arg = th[1]!.trim();
    const re = /^\/((?:\\.|[^/\\])+)\/([a-z]*)/.exec(arg);
    if (re) return { kind: 'throws', pattern: re[1]!, flags: re[2]!, text: t };
    const code = /^([A-Z][A-Z0-9_]*)\b/.exec(arg);
    if (code) return { kind: 'throws', code: code[1]!, text: t };
    throw new Error(`'// ${t}': expected 'throws CODE' or 'throws /regex/'`);
  }
  const close = /^≈\s*/.exec(t);
  if (close) t = t.slice(close[0].length);
  else if (!arrow && !VALUE_START.test(t)) return null;
  const value = valuePrefix(t);
  if (!value) throw new Error(`'// ${comment.trim()}': no value found after the marker`);
  const expression = approxToCalls(value);
  try {
    new Function('__approx', `return (${expression});`);
  } catch {
    throw new Error(`'// ${comment.trim()}': '${value}' is not a JavaScript value (write a remark after ' (' or ': ', or rephrase)`);
  }
  return { kind: 'equals', expression, text: (close ? '≈ ' : '') + value, close: !!close };
}

/** The leading value of a comment, up to the start of a remark (see the header). */
export function valuePrefix(t: string): string {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < t.length; i++) {
    const ch = t[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '[' || ch === '{' || ch === '(') {
      if (depth === 0 && ch === '(' && i > 0 && t[i - 1] === ' ') return t.slice(0, i).trim();
      depth++;
    } else if (ch === ']' || ch === '}' || ch === ')') depth--;
    else if (depth === 0) {
      const two = t.slice(i, i + 2);
      if (two === ': ' || two === '; ' || two === ', ' || two === '//' || (ch === ':' && i === t.length - 1)) return t.slice(0, i).trim();
      if (ch === ' ' && (t[i + 1] === '—' || t[i + 1] === '–')) return t.slice(0, i).trim();
    }
  }
  return t.trim();
}

/** `1.23…` → `__approx("1.23")` (outside strings). */
export function approxToCalls(v: string): string {
  return v.replace(/(-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)…/gi, (_, n: string) => `__approx(${JSON.stringify(n)})`);
}

/** The half-width of an approximate number: one unit of its last written digit. */
export function approxTolerance(n: string): number {
  const m = /^-?(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(n);
  if (!m) throw new Error(`not a number: ${n}`);
  const decimals = m[2]?.length ?? 0;
  const exp = m[3] ? Number(m[3]) : 0;
  const e = exp - decimals;
  return e < 0 ? 1 / 10 ** -e : 10 ** e; // 1 / 10 ** 4 is exactly 0.0001; 10 ** -4 is not
}
