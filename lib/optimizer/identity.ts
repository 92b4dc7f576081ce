import { QuantlabError } from '../core';

/**
 * What defines a study, as flat fields ('strategy.name', 'objectives', 'data.sha256' …) with plain JSON
 * values. A study stores it when created; resuming it with any field different is refused.
 */
export type StudyIdentity = Record<string, unknown>;

/** One field where the stored identity and the given one differ. */
export interface IdentityDifference {
  field: string;
  stored: unknown;
  given: unknown;
}

/** JSON with object keys sorted (equal values ⇒ equal text); non-finite numbers and undefined kept visible. */
export function canonicalJson(v: unknown): string {
  const norm = (x: unknown): unknown => {
    if (x === undefined) return '__undefined';
    if (typeof x === 'number' && !Number.isFinite(x)) return `__${String(x)}`;
    if (Array.isArray(x)) return x.map(norm);
    if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>, norm);
    if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(o)
          .filter((k) => o[k] !== undefined)
          .sort()
          .map((k) => [k, norm(o[k])]),
      );
    }
    return x;
  };
  return JSON.stringify(norm(v)) ?? 'undefined';
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);

/**
 * Fields (in the union of both, the given identity's order first) whose values differ. Where both sides are
 * objects, the difference is named down to the sub-field ('backtest.fee', 'space.fast.high').
 */
export function identityDifferences(stored: StudyIdentity, given: StudyIdentity, prefix = ''): IdentityDifference[] {
  const fields = [...new Set([...Object.keys(given), ...Object.keys(stored)])];
  const out: IdentityDifference[] = [];
  for (const f of fields) {
    const a = stored[f];
    const b = given[f];
    if (canonicalJson(a) === canonicalJson(b)) continue;
    if (isPlainObject(a) && isPlainObject(b)) out.push(...identityDifferences(a, b, `${prefix}${f}.`));
    else out.push({ field: `${prefix}${f}`, stored: a, given: b });
  }
  return out;
}

const shown = (v: unknown): string => {
  if (v === undefined) return '(not recorded)';
  const t = canonicalJson(v);
  return t.length > 160 ? `${t.slice(0, 157)}…` : t;
};

/**
 * The STUDY_MISMATCH error: names the study and each difference (field, stored, given), then how to proceed
 * (another study name, or starting the study over deliberately with `restartHint`).
 */
export function studyMismatch(url: string, name: string, differences: readonly IdentityDifference[], restartHint = 'restart: true'): QuantlabError {
  const lines = differences.map((d) => `  ${d.field}: stored ${shown(d.stored)}, given ${shown(d.given)}`);
  return new QuantlabError(
    'STUDY_MISMATCH',
    `study '${name}' in ${url} was defined differently (${differences.length} difference${differences.length === 1 ? '' : 's'}):\n${lines.join('\n')}\n` +
      `a study is one experiment: use another study name, or start '${name}' over (its trials deleted) with ${restartHint}`,
    { study: name, storage: url, differences },
  );
}
