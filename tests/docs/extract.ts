/**
 * Finds the runnable examples of the documentation: every `@example` in a doc comment under lib/ and every
 * ```ts / ```typescript block of README.md. Pure text scanning (no TypeScript parse), so the test can list
 * the examples when it is collected. The conventions are described in tests/docs/examples.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One source line of an example, with where it came from (1-based line of the file). */
export interface ExampleLine {
  line: number;
  text: string;
}

export interface Example {
  /** `file:line` of the `@example` tag or of the opening fence: the name in test output. */
  id: string;
  /** path relative to the repository root. */
  file: string;
  line: number;
  kind: 'jsdoc' | 'readme';
  lines: ExampleLine[];
  /** README only: the `##` section the block belongs to (its blocks share one scope, in order). */
  section?: string;
  /** README only: the reason given after `no-run` in the fence's info string; the block is not run. */
  noRun?: string;
}

const TAG = /^@([A-Za-z]+)\b/;

/** The `@example`s of one TypeScript source text. */
export function jsdocExamples(text: string, file: string): Example[] {
  const out: Example[] = [];
  const src = text.split('\n');
  let inDoc = false;
  let cur: Example | null = null;
  const close = () => {
    if (cur) {
      while (cur.lines.length && cur.lines[cur.lines.length - 1]!.text.trim() === '') cur.lines.pop();
      while (cur.lines.length && cur.lines[0]!.text.trim() === '') cur.lines.shift();
      out.push(cur);
    }
    cur = null;
  };
  for (let i = 0; i < src.length; i++) {
    const raw = src[i]!;
    const lineNo = i + 1;
    if (!inDoc) {
      const start = raw.indexOf('/**');
      if (start < 0) continue;
      inDoc = true;
      const rest = raw.slice(start + 3);
      const end = rest.indexOf('*/');
      const body = end >= 0 ? rest.slice(0, end) : rest;
      scanLine(body.trim(), lineNo);
      if (end >= 0) {
        close();
        inDoc = false;
      }
      continue;
    }
    const end = raw.indexOf('*/');
    let body = end >= 0 ? raw.slice(0, end) : raw;
    body = body.replace(/^\s*\* ?/, '').replace(/^\s*$/, '');
    scanLine(body, lineNo);
    if (end >= 0) {
      close();
      inDoc = false;
    }
  }
  return out;

  function scanLine(body: string, lineNo: number): void {
    const tag = TAG.exec(body.trimStart());
    if (tag) {
      close();
      if (tag[1] === 'example') {
        const rest = body.trimStart().slice('@example'.length).trim();
        cur = { id: `${file}:${lineNo}`, file, line: lineNo, kind: 'jsdoc', lines: rest ? [{ line: lineNo, text: rest }] : [] };
      }
      return;
    }
    if (cur) (cur as Example).lines.push({ line: lineNo, text: body });
  }
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/;

/** The TypeScript blocks of a Markdown text, with their `##` sections and `no-run` markers. */
export function markdownExamples(text: string, file: string): Example[] {
  const out: Example[] = [];
  const src = text.split('\n');
  let section = '(top)';
  for (let i = 0; i < src.length; i++) {
    const raw = src[i]!;
    const h = /^##\s+(.*\S)\s*$/.exec(raw);
    if (h) {
      section = h[1]!;
      continue;
    }
    const f = FENCE.exec(raw);
    if (!f) continue;
    const fence = f[2]!;
    const lang = f[3]!.toLowerCase();
    const info = f[4]!.trim();
    const lines: ExampleLine[] = [];
    let j = i + 1;
    for (; j < src.length; j++) {
      const t = src[j]!;
      if (t.trim().startsWith(fence[0]!.repeat(fence.length)) && t.trim().replace(/[`~]/g, '') === '') break;
      lines.push({ line: j + 1, text: t });
    }
    if (lang === 'ts' || lang === 'typescript') {
      const ex: Example = { id: `${file}:${i + 1}`, file, line: i + 1, kind: 'readme', lines, section };
      const m = /^no-run\b\s*(.*)$/.exec(info);
      if (m) ex.noRun = m[1]!.replace(/^[:—-]\s*/, '').trim();
      else if (info) throw new Error(`${file}:${i + 1}: unknown fence option '${info}' (only 'no-run <reason>' is understood)`);
      out.push(ex);
    }
    i = j;
  }
  return out;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

/** Every example of lib/ (in file order) and of README.md under a repository root. */
export function allExamples(root: string): { jsdoc: Example[]; readme: Example[] } {
  const jsdoc = tsFiles(join(root, 'lib')).flatMap((p) => jsdocExamples(readFileSync(p, 'utf8'), relative(root, p)));
  const readme = markdownExamples(readFileSync(join(root, 'README.md'), 'utf8'), 'README.md');
  return { jsdoc, readme };
}
