/**
 * Small examples with known outcomes that run beside the real ones, to prove the runner can fail:
 * a wrong value, a wrong approximation, a missing throw, a name the package does not export.
 */
import { join } from 'node:path';
import type { JobUnit } from './run-examples';

const unit = (root: string, id: string, kind: 'jsdoc' | 'readme', ...code: string[]): JobUnit => ({
  scopeModule: kind === 'jsdoc' ? join(root, 'lib/indicators/sma.ts') : undefined,
  blocks: [{ id, file: id, lines: code.map((text, i) => ({ line: i + 1, text })), bareAssertions: kind === 'jsdoc' }],
  timeoutMs: 10_000,
});

export function selfTestUnits(root: string): JobUnit[] {
  return [
    unit(root, 'self-test:right', 'jsdoc', 'sma(Float64Array.of(1, 2, 3), 2) // [NaN, 1.5, 2.5] (remark)', 'ql.sma(Float64Array.of(1, 2), 1) // → [1, 2]', '1 / 3 // 0.3333…', '0.1 + 0.2 // ≈ 0.3', "ql.parseTimeframe('bad') // throws BAD_TIMEFRAME"),
    unit(root, 'self-test:wrong-value', 'jsdoc', 'sma(Float64Array.of(1, 2, 3), 2) // [NaN, 1.5, 2.4]'),
    unit(root, 'self-test:wrong-approx', 'jsdoc', '1 / 3 // 0.3335…'),
    unit(root, 'self-test:no-throw', 'jsdoc', 'sma(Float64Array.of(1, 2, 3), 2) // throws BAD_ARGUMENT'),
    unit(root, 'self-test:missing-export', 'jsdoc', "import { noSuchThing } from 'quantlab';"),
    unit(root, 'self-test:not-close', 'jsdoc', '0.1 + 0.2 // 0.3'),
    unit(root, 'self-test:readme-prose', 'readme', 'const x = 2; // 3 is prose in a README', 'x // → 2'),
    {
      // a README section: the second block sees the first one's names and may declare one again
      blocks: [
        { id: 'self-test:section-1', file: 'self-test:section', lines: [{ line: 1, text: 'const a = 1; const b = 10;' }], bareAssertions: false },
        { id: 'self-test:section-2', file: 'self-test:section', lines: [{ line: 3, text: 'const a = 2;' }, { line: 4, text: 'a + b // → 12' }], bareAssertions: false },
        { id: 'self-test:section-3', file: 'self-test:section', lines: [{ line: 6, text: "throw new Error('boom');" }], bareAssertions: false },
        { id: 'self-test:section-4', file: 'self-test:section', lines: [{ line: 8, text: 'a' }], bareAssertions: false },
      ],
      timeoutMs: 10_000,
    },
  ];
}

export const SELF_TEST_EXPECTATIONS: Record<string, { status: 'passed' | 'failed' | 'not-run'; error?: RegExp; assertions?: number }> = {
  'self-test:right': { status: 'passed', assertions: 5 },
  'self-test:wrong-value': { status: 'failed', error: /self-test:wrong-value:1: .*value\[2\]: expected 2\.4, found 2\.5/ },
  'self-test:wrong-approx': { status: 'failed', error: /expected 0\.3335… \(±0\.0001\), found 0\.333/ },
  'self-test:no-throw': { status: 'failed', error: /expected '\/\/ throws BAD_ARGUMENT', but it returned/ },
  'self-test:missing-export': { status: 'failed', error: /'quantlab' has no export 'noSuchThing'/ },
  'self-test:not-close': { status: 'failed', error: /expected 0\.3, found 0\.30000000000000004/ },
  'self-test:readme-prose': { status: 'passed', assertions: 1 },
  'self-test:section-1': { status: 'passed', assertions: 0 },
  'self-test:section-2': { status: 'passed', assertions: 1 },
  'self-test:section-3': { status: 'failed', error: /self-test:section:6: threw Error: boom/ },
  'self-test:section-4': { status: 'not-run', error: /not run: self-test:section-3 failed before it/ },
};
