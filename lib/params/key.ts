import type { Params } from './declare';

/**
 * Canonical text of a parameter set (keys sorted): equal sets give equal keys.
 * @example paramsKey({ slow: 50, fast: 10 }) // '[["fast",10],["slow",50]]'
 */
export function paramsKey(params: Params): string {
  const keys = Object.keys(params).sort();
  return JSON.stringify(keys.map((k) => [k, params[k]]));
}
