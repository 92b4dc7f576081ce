/**
 * Short printed forms for big results. A result created by a lower layer is tagged with a kind
 * (`withSummary(obj, 'backtest')`); an upper layer (lib/report/inspect.ts) registers the text for that kind.
 * Node's `util.inspect` (the REPL, console.log, a notebook cell's last expression) then prints that text
 * instead of every Float64Array. Nothing changes for JSON, spreading or structured clone: the hook is a
 * non-enumerable symbol property.
 */

/** `util.inspect.custom`, without importing node:util (the symbol is registered globally). */
export const INSPECT = Symbol.for('nodejs.util.inspect.custom');

const summarizers = new Map<string, (value: object) => string>();

/** Sets the printed form of every object tagged with `kind` (last registration wins). */
export function registerSummary<T extends object>(kind: string, text: (value: T) => string): void {
  summarizers.set(kind, text as (value: object) => string);
}

/**
 * Tags `obj` so that `util.inspect` prints the summary registered for `kind` (or a compact generic form,
 * typed arrays as `Float64Array(66677)`, when none is registered). Returns `obj` itself.
 */
export function withSummary<T extends object>(obj: T, kind: string): T {
  Object.defineProperty(obj, INSPECT, {
    value: function (this: object) {
      const f = summarizers.get(kind);
      if (f) {
        try {
          return f(this);
        } catch {
          /* a summary must never make printing fail: fall back to the generic form */
        }
      }
      return compactText(this, kind);
    },
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return obj;
}

/**
 * Attaches a value as a non-enumerable property (kept out of JSON, spreads and worker messages), e.g. the
 * bars a result was computed on. Returns `obj` itself.
 */
export function attachHidden<T extends object, K extends string, V>(obj: T, key: K, value: V): T & { readonly [k in K]: V } {
  Object.defineProperty(obj, key, { value, enumerable: false, configurable: true, writable: true });
  return obj as T & { readonly [k in K]: V };
}

/** One value in a few characters: numbers to 6 significant digits, arrays and typed arrays by length. */
export function briefValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number(v.toPrecision(6)).toString();
  if (typeof v === 'string') return v.length > 60 ? `'${v.slice(0, 57)}…'` : `'${v}'`;
  if (v === null || v === undefined || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<unknown>).length})`;
  if (Array.isArray(v)) return `Array(${v.length})`;
  if (typeof v === 'function') return '[function]';
  const keys = Object.keys(v as object);
  return keys.length <= 4 ? `{ ${keys.map((k) => `${k}: ${briefValue((v as Record<string, unknown>)[k]).slice(0, 24)}`).join(', ')} }` : `{ ${keys.length} keys }`;
}

/** `kind { key: brief, … }`, one line per key. */
export function compactText(obj: object, kind: string): string {
  const lines = Object.keys(obj).map((k) => `  ${k}: ${briefValue((obj as Record<string, unknown>)[k])}`);
  return `${kind} {\n${lines.join('\n')}\n}`;
}
