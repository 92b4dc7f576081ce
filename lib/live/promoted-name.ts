import { QuantlabError } from '../core';

/** The one rule for a promoted strategy's name, which is a folder name under `<experiments>/promoted/`. */

/** A promoted name: letters, digits, '-', '_' and '.', not starting with '.' (no path, no '..'). */
export const PROMOTED_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Throws BAD_ARGUMENT unless `name` is a plain folder name. */
export function checkPromotedName(name: unknown, what = 'promoted name'): string {
  if (typeof name !== 'string' || !PROMOTED_NAME.test(name) || name.length > 200) {
    throw new QuantlabError(
      'BAD_ARGUMENT',
      `${what}: expected a folder name under promoted/ (letters, digits, '-', '_', '.', not starting with '.'), found ${JSON.stringify(name)}; nothing was read`,
    );
  }
  return name;
}
