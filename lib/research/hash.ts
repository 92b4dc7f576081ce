import { createHash } from 'node:crypto';

/** SHA-256 (hex) over strings and the bytes of typed arrays, in order. */
export function sha256(...parts: (string | ArrayBufferView)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? p : new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  return h.digest('hex');
}

/** SHA-256 of a function's source text (or null when there is none). */
export const functionHash = (f: unknown): string | null => (typeof f === 'function' ? sha256(f.toString()) : null);
