/**
 * Keeps credentials out of logs: every line the live layer writes goes through a redactor that blanks
 * the API key, the secret (and the password, when an exchange has one), request signatures, and API-key
 * headers, wherever they appear (error messages from exchange libraries include request URLs).
 */
export type Redactor = (text: string) => string;

const MASK = '***';

/** Returns a function that removes the given secrets, `signature=…` values and X-MBX-APIKEY header values from text. */
export function makeRedactor(secrets: Array<string | undefined>): Redactor {
  const words = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4))].sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = String(text);
    for (const w of words) out = out.split(w).join(MASK);
    out = out.replace(/(signature=)[^&\s"'}]+/gi, `$1${MASK}`);
    out = out.replace(/(x-mbx-apikey["']?\s*[:=]\s*["']?)[^"',\s}]+/gi, `$1${MASK}`);
    return out;
  };
}

/** A log sink that redacts every line before passing it on. */
export function redactingLog(log: ((line: string) => void) | undefined, redact: Redactor): (line: string) => void {
  return (line) => log?.(redact(line));
}
