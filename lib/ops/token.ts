import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { writeFileAtomic } from '../core';

/**
 * The bearer token of the dashboard and REST API: 32 random bytes (base64url), generated at each start and
 * written to a 0600 file (readable by the account that runs quantlab only). It is never logged, never put
 * into a served page and never echoed in an error.
 */
export function newToken(file: string): string {
  const token = randomBytes(32).toString('base64url');
  writeFileAtomic(file, `${token}\n`, 'dashboard token', 0o600);
  return token;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** True when the Authorization header is `Bearer <token>`; compared in constant time (of equal-length digests). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return timingSafeEqual(digest(m ? m[1]! : ''), digest(token)) && m !== null;
}
