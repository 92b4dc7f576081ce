/** The doc-example conventions themselves: finding examples, reading assertion comments, comparing values. */
import { describe, expect, it } from 'vitest';
import { approxTolerance, parseAssertion, valuePrefix } from './assertion';
import { Approx, firstMismatch } from './deep-equal';
import { jsdocExamples, markdownExamples } from './extract';
import { compileBlocks } from './transform';

describe('finding examples', () => {
  it('reads one-line and multi-line @example up to the next tag, with source lines', () => {
    const src = [
      '/**',
      ' * Sum.',
      ' * @example add(1, 2) // 3',
      ' * @example',
      ' * const x = add(1, 2);',
      ' *   x // 3',
      ' * @param a first',
      ' */',
      '/** @example add(0, 0) // 0 */',
    ].join('\n');
    const ex = jsdocExamples(src, 'lib/add.ts');
    expect(ex.map((e) => e.id)).toEqual(['lib/add.ts:3', 'lib/add.ts:4', 'lib/add.ts:9']);
    expect(ex[0]!.lines).toEqual([{ line: 3, text: 'add(1, 2) // 3' }]);
    expect(ex[1]!.lines).toEqual([
      { line: 5, text: 'const x = add(1, 2);' },
      { line: 6, text: '  x // 3' },
    ]);
    expect(ex[2]!.lines).toEqual([{ line: 9, text: 'add(0, 0) // 0' }]);
  });

  it('reads README ts blocks with their ## section and no-run reason, and refuses unknown fence options', () => {
    const md = ['# t', '## One', '```ts', 'a', '```', '```sh', 'ls', '```', '## Two', '```typescript no-run needs an exchange', 'b', '```'].join('\n');
    const ex = markdownExamples(md, 'README.md');
    expect(ex.map((e) => [e.id, e.section, e.noRun])).toEqual([
      ['README.md:3', 'One', undefined],
      ['README.md:10', 'Two', 'needs an exchange'],
    ]);
    expect(() => markdownExamples('```ts skip\nx\n```', 'R.md')).toThrow(/R.md:1: unknown fence option 'skip'/);
  });
});

describe('assertion comments', () => {
  it('tells values from remarks (doc comments) and needs the arrow in README', () => {
    expect(parseAssertion(' [NaN, 1.5] (warm-up)', true)).toMatchObject({ kind: 'equals', text: '[NaN, 1.5]' });
    expect(parseAssertion(' b: the shipped bars', true)).toBeNull();
    expect(parseAssertion(' 921 trades', false)).toBeNull();
    expect(parseAssertion(' → 921', false)).toMatchObject({ kind: 'equals', text: '921' });
    expect(parseAssertion(' → true: paper == backtest', false)).toMatchObject({ text: 'true' });
    expect(parseAssertion(' throws BAD_ARGUMENT', true)).toMatchObject({ kind: 'throws', code: 'BAD_ARGUMENT' });
    expect(parseAssertion(' throws a QuantlabError on bad data', false)).toBeNull();
    expect(parseAssertion(' → throws /expected \\d+/i', false)).toMatchObject({ kind: 'throws', pattern: 'expected \\d+', flags: 'i' });
    expect(parseAssertion(' ≈ [NaN, 22/9]', true)).toMatchObject({ close: true, expression: '[NaN, 22/9]' });
    expect(() => parseAssertion(' NaN for the first 20 bars', true)).toThrow(/is not a JavaScript value/);
  });

  it('ends the value where a remark starts', () => {
    expect(valuePrefix('[NaN, 2.5]  (TR = [NaN, 3])')).toBe('[NaN, 2.5]');
    expect(valuePrefix('Math.sqrt(2) — the diagonal')).toBe('Math.sqrt(2)');
    expect(valuePrefix("{ a: 1, b: 'x, y' }; more")).toBe("{ a: 1, b: 'x, y' }");
  });

  it('reads … as one unit of the last digit', () => {
    expect(approxTolerance('99.9000999')).toBeCloseTo(1e-7, 20);
    expect(approxTolerance('-8.333')).toBe(0.001);
    expect(approxTolerance('55288')).toBe(1);
    expect(parseAssertion(' [NaN, -8.333…]', true)).toMatchObject({ expression: '[NaN, __approx("-8.333")]' });
  });
});

describe('comparing values', () => {
  it('typed arrays equal plain arrays, NaN equals NaN, keys must match', () => {
    expect(firstMismatch(Float64Array.of(NaN, 1), [NaN, 1])).toBeNull();
    expect(firstMismatch(Float64Array.of(NaN, 1), [NaN, 2])).toBe('value[1]: expected 2, found 1');
    expect(firstMismatch([1, 2], [1, 2, 3])).toMatch(/expected length 3, found length 2/);
    expect(firstMismatch({ a: 1, b: 2 }, { a: 1 })).toMatch(/extra b/);
    expect(firstMismatch(0.1 + 0.2, 0.3)).not.toBeNull();
    expect(firstMismatch(0.1 + 0.2, 0.3, 'value', 1e-9)).toBeNull();
    expect(firstMismatch(-8.3333333, new Approx('-8.333'))).toBeNull();
    expect(firstMismatch(-8.335, new Approx('-8.333'))).toMatch(/expected -8.333… \(±0.001\)/);
  });
});

describe('compiling examples', () => {
  it('rejects an assertion on a statement it cannot check and names the line', () => {
    const lines = [{ line: 7, text: 'if (x) y(); // 3' }];
    expect(() => compileBlocks([{ id: 'f.ts:7', file: 'f.ts', lines, bareAssertions: true }])).toThrow(/f.ts:7: an assertion comment/);
  });
  it('counts assertions and turns imports into module look-ups', () => {
    const lines = [
      { line: 1, text: "import { sma } from 'quantlab';" },
      { line: 2, text: 'const a = sma(Float64Array.of(1, 2), 1); // [1, 2]' },
      { line: 3, text: 'a.length // 2' },
    ];
    const c = compileBlocks([{ id: 'f.ts:1', file: 'f.ts', lines, bareAssertions: true }]);
    expect(c.assertions).toBe(2);
    expect(c.body).toContain(`const { sma } = (await __import("quantlab"))`);
  });
});
