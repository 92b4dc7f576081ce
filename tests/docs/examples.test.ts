/**
 * Examples that run: every `@example` in a doc comment under lib/ and every ```ts block of README.md is
 * executed, so the documentation cannot drift from the code.
 *
 * Conventions (the short form is in CONTRIBUTING.md):
 *
 * - Finding: `@example code` on one line, or `@example` followed by lines up to the next `@tag` or the
 *   end of the comment (the leading ` * ` is stripped). README: fenced blocks tagged `ts` or
 *   `typescript`. Each example is named `file:line` (of the tag or of the opening fence).
 * - Scope of a doc-comment example: `ql` (the whole `quantlab` package), every export of the file it
 *   sits in, unqualified (so `sma(...)` in lib/indicators/sma.ts), `require`, and its own `import`s.
 *   Each example is independent; top-level `await` works. Nothing else is predefined: an example that
 *   needs data loads a shipped dataset by name (`const b = await ql.loadDataset('BTCUSDT', '1h')`).
 * - README: the blocks of one `##` section run in order in one scope (a walkthrough: later blocks see
 *   the earlier blocks' names); sections are independent, so each section's first block loads what it
 *   uses. `ql` is predefined (as after a notebook's first cell); `import` lines work as written.
 * - Assertions, on the line that ends a statement (`expr` or `const x = expr`):
 *     `expr // → value`       deep-equals value;
 *     `expr // → throws CODE` throws (or rejects with) a QuantlabError with that code;
 *     `expr // → throws /re/` throws an error whose message matches.
 *   In doc comments the arrow may be left out (`sma(x, 2) // [NaN, 1.5]`, `f() // throws BAD_ARGUMENT`):
 *   there a trailing comment that starts like a value (number, NaN, [, {, quote, true/false/null) is an
 *   assertion. In README trailing comments are prose unless they start with `→`.
 *   A typed array equals a plain array of the same numbers, NaN equals NaN, objects need the same keys.
 *   Numbers are exact unless written with `…`: `99.9000999…` accepts ±1 unit of the last digit. The
 *   value may be an expression (`[NaN, 22/9]`); a remark may follow it after ` (`, `: `, `; `, `, `,
 *   ` —`. A line without such a comment must simply run without throwing.
 * - Opt-out (README only, rare): ```ts no-run <reason> — only for blocks that need a real exchange or a
 *   long run. Opted-out blocks are still compiled (syntax and assertions checked), listed and counted
 *   here; at most MAX_NO_RUN of them.
 * - Where they run: two child processes (`node --require tsx/cjs tests/docs/run-examples.ts`), one for
 *   lib/ and one for README, started together. Each example (README: each section) runs in a scratch
 *   folder of its own holding a link to datasets/, an empty experiments/ (QUANTLAB_EXPERIMENTS points at
 *   it) and my-candles.csv (the first 500 shipped BTCUSDT 1h bars as CSV, the "your own file" of the
 *   README), so files an example writes never reach the repository or another example. tslab's display
 *   is replaced by a counter, so ql.show(...) runs outside a notebook. Each unit stops after
 *   UNIT_TIMEOUT_MS (README sections: twice that).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allExamples, type Example } from './extract';
import type { BlockResult, JobUnit } from './run-examples';
import { compileBlocks, type Block } from './transform';
import { selfTestUnits, SELF_TEST_EXPECTATIONS } from './self-test';

const ROOT = join(__dirname, '..', '..');
const MAX_NO_RUN = 2;
const UNIT_TIMEOUT_MS = 60_000;
const CHILD_LIMIT_MS = 160_000;

const { jsdoc, readme } = allExamples(ROOT);
const block = (e: Example): Block => ({ id: e.id, file: e.file, lines: e.lines, bareAssertions: e.kind === 'jsdoc' });
const sections = [...new Set(readme.map((e) => e.section!))];
const optedOut = readme.filter((e) => e.noRun !== undefined);

function jobs(): { lib: JobUnit[]; readme: JobUnit[] } {
  const lib: JobUnit[] = jsdoc.map((e) => ({ scopeModule: join(ROOT, e.file), blocks: [block(e)], timeoutMs: UNIT_TIMEOUT_MS }));
  lib.push(...selfTestUnits(ROOT));
  const rd: JobUnit[] = sections
    .map((s) => ({ blocks: readme.filter((e) => e.section === s && e.noRun === undefined).map(block), timeoutMs: 2 * UNIT_TIMEOUT_MS }))
    .filter((u) => u.blocks.length > 0);
  return { lib, readme: rd };
}

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quantlab-docs-'));
  symlinkSync(join(ROOT, 'datasets'), join(dir, 'datasets'));
  return dir;
}

/** The first n bars of the shipped BTCUSDT 1h as a CSV file (what the README calls "my-candles.csv"). */
async function writeCandlesCsv(path: string, n: number): Promise<void> {
  const { loadDataset } = await import('../../lib/data');
  const b = await loadDataset('BTCUSDT', '1h');
  const rows = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < n; i++) rows.push([new Date(b.ts[i]!).toISOString(), b.open[i], b.high[i], b.low[i], b.close[i], b.volume[i]].join(','));
  writeFileSync(path, `${rows.join('\n')}\n`);
}

interface ChildRun {
  results: Map<string, BlockResult>;
  crash?: string;
  shown: number;
  ms: number;
}

function runChild(name: string, units: JobUnit[], cwd: string): Promise<ChildRun> {
  const jobPath = join(cwd, `${name}-job.json`);
  cwd = join(cwd, name);
  mkdirSync(cwd);
  for (const f of ['datasets', 'my-candles.csv']) symlinkSync(join(jobPath, '..', f), join(cwd, f));
  const outPath = join(cwd, `${name}-results.json`);
  writeFileSync(jobPath, JSON.stringify(units));
  const t0 = Date.now();
  const tsx = join(ROOT, 'node_modules/tsx/dist/cjs/index.cjs');
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--require', tsx, join(__dirname, 'run-examples.ts'), jobPath, outPath], {
      cwd,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (d: Buffer) => {
      tail = (tail + d.toString()).slice(-4000);
    };
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
    // the child is ours: it never outlives the test (beforeAll allows CHILD_LIMIT_MS + a margin)
    const killer = setTimeout(() => proc.kill('SIGKILL'), CHILD_LIMIT_MS);
    proc.on('close', (code) => {
      clearTimeout(killer);
      const results = new Map<string, BlockResult>();
      let shown = 0;
      let done = false;
      if (existsSync(outPath)) {
        const r = JSON.parse(readFileSync(outPath, 'utf8')) as { results: BlockResult[]; shown: number; done: boolean };
        for (const x of r.results) results.set(x.id, x);
        shown = r.shown;
        done = r.done;
      }
      const crash = code === 0 && done ? undefined : `the ${name} examples process exited with ${code} before finishing; its output ends:\n${tail}`;
      resolve({ results, crash, shown, ms: Date.now() - t0 });
    });
  });
}

let dir = '';
let lib: ChildRun;
let rd: ChildRun;

beforeAll(async () => {
  dir = scratchDir();
  await writeCandlesCsv(join(dir, 'my-candles.csv'), 500);
  const j = jobs();
  [lib, rd] = await Promise.all([runChild('lib', j.lib, dir), runChild('readme', j.readme, dir)]);
}, CHILD_LIMIT_MS + 15_000);

afterAll(() => {
  if (lib && rd) {
    const all = [...jsdoc, ...readme];
    const ran = all.filter((e) => e.noRun === undefined);
    const passed = ran.filter((e) => (lib.results.get(e.id) ?? rd.results.get(e.id))?.status === 'passed');
    const assertions = [...lib.results.values(), ...rd.results.values()].filter((r) => !r.id.startsWith('self-test')).reduce((s, r) => s + r.assertions, 0);
    console.log(
      `doc examples: ${all.length} found (${jsdoc.length} in lib/, ${readme.length} in README), ${ran.length} run, ` +
        `${optedOut.length} opted out, ${passed.length} passing, ${assertions} assertions checked; lib ${lib.ms} ms, README ${rd.ms} ms` +
        (optedOut.length ? `\nopted out: ${optedOut.map((e) => `${e.id} (${e.noRun})`).join('; ')}` : '') +
        `\nslowest: ${[...lib.results.values(), ...rd.results.values()].sort((a, b) => b.ms - a.ms).slice(0, 6).map((r) => `${r.id} ${r.ms} ms`).join(', ')}`,
    );
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function expectPassed(run: () => ChildRun, id: string): void {
  const r = run().results.get(id);
  if (!r) throw new Error(run().crash ?? `${id}: no result (the runner skipped it)`);
  if (r.status !== 'passed') throw new Error(r.error ?? `${id}: ${r.status}`);
  expect(r.status).toBe('passed');
}

describe('doc-comment examples (lib/)', () => {
  it('finds the examples', () => {
    expect(jsdoc.length).toBeGreaterThan(50);
    for (const e of jsdoc) expect(e.lines.length, `${e.id} is empty`).toBeGreaterThan(0);
  });
  for (const e of jsdoc) it(e.id, () => expectPassed(() => lib, e.id));
});

describe('README.md', () => {
  for (const s of sections) {
    describe(s, () => {
      for (const e of readme.filter((x) => x.section === s)) {
        if (e.noRun !== undefined) it.skip(`${e.id} (no-run: ${e.noRun})`, () => {});
        else it(e.id, () => expectPassed(() => rd, e.id));
      }
    });
  }
  it(`opts out of at most ${MAX_NO_RUN} blocks, each with a reason, and they still compile`, () => {
    expect(optedOut.length).toBeLessThanOrEqual(MAX_NO_RUN);
    for (const e of optedOut) {
      expect(e.noRun, `${e.id}: 'no-run' needs a reason`).not.toBe('');
      expect(() => compileBlocks([block(e)])).not.toThrow();
    }
  });
});

describe('the runner itself', () => {
  it('fails wrong examples and passes right ones (self-test units)', () => {
    for (const [id, want] of Object.entries(SELF_TEST_EXPECTATIONS)) {
      const r = lib.results.get(id);
      expect(r, `${id} ran`).toBeDefined();
      expect(r!.status, `${id}: ${r!.error ?? ''}`).toBe(want.status);
      if (want.error) expect(r!.error).toMatch(want.error);
      if (want.assertions !== undefined) expect(r!.assertions).toBe(want.assertions);
    }
  });
  it('replaced the notebook display (README charts and tables were drawn)', () => {
    expect(rd.shown).toBeGreaterThan(0);
  });
});
