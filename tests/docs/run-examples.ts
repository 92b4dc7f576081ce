/**
 * Child process of tests/docs/examples.test.ts: runs a batch of examples and writes one JSON result per
 * example. Usage: `node --require tsx/cjs tests/docs/run-examples.ts <job.json> <results.json>`, with the
 * working directory set to a scratch folder holding datasets/ (a link) and fixtures; each unit runs in a
 * folder of its own below it (the same links, an empty experiments/, QUANTLAB_EXPERIMENTS set to it).
 *
 * A unit is one scope: a doc-comment example, or the runnable blocks of one README section. Names in
 * scope: `ql` (the quantlab package) and, for a doc comment, every export of the file it documents.
 * Calls to tslab's display (ql.show, showTable, showText) are caught and counted instead of needing a
 * notebook. Each unit has a time limit; a unit that fails does not stop the others.
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Approx, firstMismatch, show } from './deep-equal';
import { compileBlocks, type Block } from './transform';

export interface JobUnit {
  /** the module whose exports are in scope (absolute path), for doc-comment examples. */
  scopeModule?: string;
  blocks: Block[];
  timeoutMs: number;
}

export interface BlockResult {
  id: string;
  status: 'passed' | 'failed' | 'not-run';
  error?: string;
  assertions: number;
  ms: number;
}

const ROOT = join(__dirname, '..', '..');
const rootRequire = createRequire(join(ROOT, 'package.json'));

/** The module of an import specifier, with a loud error for a name it does not export. */
function strictModule(spec: string, mod: Record<string, unknown>): Record<string, unknown> {
  return new Proxy(mod, {
    get(target, key, receiver) {
      if (typeof key === 'string' && !(key in target) && key !== 'then' && key !== 'default' && key !== '__esModule' && key !== 'toJSON')
        throw new TypeError(`'${spec}' has no export '${key}'`);
      return Reflect.get(target, key, receiver);
    },
  });
}

const importCache = new Map<string, Record<string, unknown>>();
function importModule(spec: string): Record<string, unknown> {
  let m = importCache.get(spec);
  if (!m) {
    m = strictModule(spec, rootRequire(spec) as Record<string, unknown>);
    importCache.set(spec, m);
  }
  return m;
}

/** tslab's display works only inside the kernel: count what would have been shown instead. */
function stubDisplay(): { shown: number } {
  const counter = { shown: 0 };
  const display = (rootRequire('tslab') as { display: Record<string, unknown> }).display;
  for (const k of ['html', 'text', 'raw', 'markdown', 'javascript', 'png', 'jpeg', 'gif', 'pdf', 'svg'])
    display[k] = (..._args: unknown[]) => {
      counter.shown++;
    };
  return counter;
}

class ExampleFailure extends Error {}

const IDENT = /^[A-Za-z_$][\w$]*$/;
const RESERVED = new Set(['ql', 'require', '__loc', '__check', '__import', '__approx', 'default']);

interface Spec {
  kind: 'throws' | 'equals';
  code?: string;
  pattern?: string;
  flags?: string;
  text: string;
  close?: boolean;
  expected?: () => unknown;
}

async function runUnit(unit: JobUnit): Promise<BlockResult[]> {
  const results: BlockResult[] = unit.blocks.map((b) => ({ id: b.id, status: 'not-run', assertions: 0, ms: 0 }));
  let current = 0;
  let loc = unit.blocks[0]?.id ?? '?';
  let blockStart = Date.now();
  const finish = (upTo: number) => {
    for (let i = current; i < upTo; i++) {
      results[i]!.status = 'passed';
      results[i]!.ms = Date.now() - blockStart;
      blockStart = Date.now();
    }
  };
  const __loc = (index: number, where: string) => {
    if (index !== current) {
      finish(index);
      current = index;
    }
    loc = where;
  };
  const __check = async (where: string, fn: () => Promise<{ v: unknown }>, spec: Spec) => {
    loc = where;
    results[current]!.assertions++;
    if (spec.kind === 'throws') {
      let value: unknown;
      try {
        value = (await fn()).v;
      } catch (e) {
        const err = e as { code?: unknown; message?: unknown };
        if (spec.code && err?.code !== spec.code)
          throw new ExampleFailure(`${where}: expected a throw with code ${spec.code}, found ${String(err?.code ?? 'no code')}: ${String(err?.message ?? e)}`);
        if (spec.pattern && !new RegExp(spec.pattern, spec.flags).test(String(err?.message ?? e)))
          throw new ExampleFailure(`${where}: expected an error matching /${spec.pattern}/${spec.flags}, found: ${String(err?.message ?? e)}`);
        return;
      }
      throw new ExampleFailure(`${where}: expected '// ${spec.text}', but it returned ${show(value)}`);
    }
    const actual = (await fn()).v;
    const expected = spec.expected!();
    const m = firstMismatch(actual, expected, 'value', spec.close ? 1e-9 : 0);
    if (m) throw new ExampleFailure(`${where}: '// ${spec.text}' does not hold: ${m}`);
  };
  try {
    const compiled = compileBlocks(unit.blocks);
    const scope: Record<string, unknown> = { ql: importModule('quantlab'), require: rootRequire };
    if (unit.scopeModule) {
      const mod = rootRequire(unit.scopeModule) as Record<string, unknown>;
      for (const k of Object.keys(mod)) if (IDENT.test(k) && !RESERVED.has(k)) scope[k] = mod[k];
    }
    const names = Object.keys(scope);
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...a: string[]) => (...v: unknown[]) => Promise<void>;
    const fn = new AsyncFunction(...names, '__loc', '__check', '__import', '__approx', compiled.body);
    const approx = (t: string) => new Approx(t);
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ExampleFailure(`${loc}: still running after ${unit.timeoutMs} ms (the limit of one example)`)), unit.timeoutMs);
    });
    try {
      await Promise.race([fn(...names.map((n) => scope[n]), __loc, __check, (s: string) => importModule(s), approx), limit]);
    } finally {
      clearTimeout(timer);
    }
    finish(unit.blocks.length);
  } catch (e) {
    const bi = (e as { blockIndex?: unknown })?.blockIndex;
    if (typeof bi === 'number') current = bi;
    const r = results[current]!;
    r.status = 'failed';
    r.ms = Date.now() - blockStart;
    if (e instanceof ExampleFailure) r.error = e.message;
    else {
      const err = e as Error;
      const code = (err as { code?: unknown })?.code;
      const first = /^[\w./-]+:\d+: /.test(String(err?.message)) ? '' : `${loc}: `;
      r.error = `${first}threw ${err?.name ?? 'a value'}${code ? ` ${String(code)}` : ''}: ${String(err?.message ?? e)}`;
    }
    for (let i = current + 1; i < results.length; i++) results[i]!.error = `not run: ${results[current]!.id} failed before it`;
  }
  return results;
}

/** What the repository's own experiments/ holds, two levels deep (examples must write elsewhere). */
function repoExperiments(): string[] {
  const root = join(ROOT, 'experiments');
  const out: string[] = [];
  for (const e of readdirSync(root, { withFileTypes: true })) {
    out.push(e.name);
    if (e.isDirectory()) for (const f of readdirSync(join(root, e.name))) out.push(`${e.name}/${f}`);
  }
  return out;
}

/**
 * promote() without `experimentsDir` writes under the project's experiments/; when the live layer does not
 * honour QUANTLAB_EXPERIMENTS, a unit that calls it would write into the repository: it is failed unrun.
 */
function promoteWouldEscape(u: JobUnit, dir: string): string | null {
  const calls = u.blocks.some((b) => b.lines.some((l) => /\bpromote\(/.test(l.text) && !/experimentsDir/.test(l.text)));
  if (!calls) return null;
  const { promotedDir } = rootRequire('quantlab/live') as { promotedDir: (name: string) => string };
  const target = promotedDir('probe');
  return target.startsWith(dir)
    ? null
    : `not run: promote() here would write into ${target.replace(/probe$/, '')} (the live layer ignores QUANTLAB_EXPERIMENTS=${process.env.QUANTLAB_EXPERIMENTS})`;
}

function blockedResults(u: JobUnit, why: string): BlockResult[] {
  return u.blocks.map((b, i) => ({ id: b.id, status: i === 0 ? 'failed' : 'not-run', error: i === 0 ? `${b.id}: ${why}` : `not run: ${why}`, assertions: 0, ms: 0 }));
}

async function main(): Promise<void> {
  const [jobPath, outPath] = process.argv.slice(2);
  if (!jobPath || !outPath) throw new Error('usage: run-examples.ts <job.json> <results.json>');
  const units = JSON.parse(readFileSync(jobPath, 'utf8')) as JobUnit[];
  const display = stubDisplay();
  const all: BlockResult[] = [];
  process.on('unhandledRejection', (e) => {
    process.stderr.write(`unhandled rejection while running examples: ${String((e as Error)?.stack ?? e)}\n`);
  });
  // every unit gets its own working folder: links to what the start folder holds (datasets/, fixtures)
  // and an empty experiments/, so examples that write files (reports, studies, promoted folders) never meet
  const start = process.cwd();
  const shared = readdirSync(start).filter((f) => f !== 'experiments' && !f.endsWith('.json') && !f.startsWith('unit-'));
  for (const [i, u] of units.entries()) {
    const dir = join(start, `unit-${i}`);
    mkdirSync(join(dir, 'experiments'), { recursive: true });
    for (const f of shared) symlinkSync(join(start, f), join(dir, f));
    process.chdir(dir);
    process.env.QUANTLAB_EXPERIMENTS = join(dir, 'experiments');
    const before = repoExperiments();
    const blocked = promoteWouldEscape(u, dir);
    const results = blocked ? blockedResults(u, blocked) : await runUnit(u);
    const leaked = repoExperiments().filter((f) => !before.includes(f));
    if (leaked.length) {
      const r = results.find((x) => x.status === 'failed') ?? results[results.length - 1]!;
      r.status = 'failed';
      r.error = `${r.error ? `${r.error}\n` : ''}${u.blocks[0]!.id}: wrote into the repository's experiments/ (${leaked.join(', ')}) instead of the scratch folder`;
    }
    all.push(...results);
    process.chdir(start);
    writeFileSync(outPath, JSON.stringify({ results: all, shown: display.shown, done: false }));
  }
  writeFileSync(outPath, JSON.stringify({ results: all, shown: display.shown, done: true }));
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${String((e as Error)?.stack ?? e)}\n`);
    process.exit(2);
  },
);
