/**
 * Turns example blocks (TypeScript) into the body of one async function: imports become `__import`
 * calls, `export` modifiers are dropped, every top-level statement first records where it is
 * (`__loc`), and a statement with an assertion comment is wrapped in `__check`. Then TypeScript's
 * transpiler strips the types. Blocks given together run in order, each in a scope nested in the one
 * before (a README section: later blocks see earlier names).
 */
import ts from 'typescript';
import { parseAssertion, type AssertionSpec } from './assertion';
import type { ExampleLine } from './extract';

export interface Block {
  id: string;
  file: string;
  lines: ExampleLine[];
  /** doc comments: a bare `// value` asserts; README: only `// → value`. */
  bareAssertions: boolean;
}

export interface Compiled {
  body: string;
  assertions: number;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** The JavaScript function body for blocks that share a scope; throws `file:line: …` on a malformed example. */
export function compileBlocks(blocks: Block[]): Compiled {
  let assertions = 0;
  const parts = blocks.map((b, i) => {
    let r: Compiled;
    try {
      r = compileBlock(b, i);
    } catch (e) {
      throw Object.assign(e as Error, { blockIndex: i });
    }
    assertions += r.assertions;
    return r.body;
  });
  // each block opens a scope inside the previous one: later blocks see earlier names and may declare
  // a name again (as a later notebook cell may), but one block may not declare a name twice
  return { body: `${parts.map((p) => `{\n${p}\n`).join('')}${'}'.repeat(parts.length)}`, assertions };
}

function compileBlock(block: Block, index: number): Compiled {
  const text = block.lines.map((l) => l.text).join('\n');
  const sf = ts.createSourceFile('example.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const where = (pos: number) => `${block.file}:${block.lines[sf.getLineAndCharacterOfPosition(pos).line]?.line ?? block.lines[0]?.line}`;
  const diags = (sf as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (diags.length) {
    const d = diags[0]!;
    throw new Error(`${where(d.start ?? 0)}: syntax error in the example: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  }
  const edits: Edit[] = [];
  let assertions = 0;
  for (const st of sf.statements) {
    const start = st.getStart(sf);
    const loc = where(start);
    const locCall = `__loc(${index}, ${JSON.stringify(loc)}); `;
    const spec = trailingAssertion(text, st, block.bareAssertions, where);
    if (ts.isImportDeclaration(st)) {
      edits.push({ start, end: st.end, text: locCall + importToConst(st, sf, loc) });
      continue;
    }
    const mods = ts.canHaveModifiers(st) ? ts.getModifiers(st) : undefined;
    const exp = mods?.find((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (exp) {
      if (mods?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) throw new Error(`${loc}: 'export default' cannot run in an example`);
      edits.push({ start: exp.getStart(sf), end: exp.end, text: '' });
    }
    if (ts.isExportDeclaration(st) || ts.isExportAssignment(st)) throw new Error(`${loc}: export statements cannot run in an example`);
    if (!spec) {
      edits.push({ start, end: start, text: locCall });
      continue;
    }
    assertions++;
    const specCode = specToCode(spec);
    if (ts.isExpressionStatement(st)) {
      const expr = st.expression.getText(sf);
      edits.push({ start, end: st.end, text: `${locCall}await __check(${JSON.stringify(loc)}, async () => ({ v: (${expr}) }), ${specCode});` });
    } else if (ts.isVariableStatement(st) && st.declarationList.declarations.length === 1 && ts.isIdentifier(st.declarationList.declarations[0]!.name)) {
      const decl = st.declarationList.declarations[0]!;
      const name = decl.name.getText(sf);
      if (spec.kind === 'throws') {
        if (!decl.initializer) throw new Error(`${loc}: 'throws' needs an initialiser`);
        edits.push({ start, end: st.end, text: `${locCall}await __check(${JSON.stringify(loc)}, async () => ({ v: (${decl.initializer.getText(sf)}) }), ${specCode});` });
      } else {
        edits.push({ start, end: start, text: locCall });
        edits.push({ start: st.end, end: st.end, text: ` await __check(${JSON.stringify(loc)}, async () => ({ v: ${name} }), ${specCode});` });
      }
    } else {
      throw new Error(`${loc}: an assertion comment ('// ${spec.text}') must follow an expression or a declaration of one name`);
    }
  }
  edits.sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  const js = ts.transpileModule(`${out}\nexport {};\n`, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: false },
    reportDiagnostics: false,
  }).outputText;
  return { body: js.replace(/^export \{\};\s*$/m, ''), assertions };
}

/** The assertion of the `//` comment that ends a statement's last line, if any. */
function trailingAssertion(text: string, st: ts.Statement, bare: boolean, where: (pos: number) => string): AssertionSpec | null {
  const ranges = ts.getTrailingCommentRanges(text, st.end) ?? [];
  const c = ranges.find((r) => r.kind === ts.SyntaxKind.SingleLineCommentTrivia);
  if (!c) return null;
  try {
    return parseAssertion(text.slice(c.pos + 2, c.end), bare);
  } catch (e) {
    throw new Error(`${where(c.pos)}: ${(e as Error).message}`);
  }
}

function specToCode(spec: AssertionSpec): string {
  if (spec.kind === 'throws') return JSON.stringify(spec);
  return `{ kind: 'equals', text: ${JSON.stringify(spec.text)}, close: ${spec.close}, expected: () => (${spec.expression}) }`;
}

function importToConst(st: ts.ImportDeclaration, sf: ts.SourceFile, loc: string): string {
  const spec = (st.moduleSpecifier as ts.StringLiteral).text;
  const load = `(await __import(${JSON.stringify(spec)}))`;
  const clause = st.importClause;
  if (!clause) return `${load};`;
  if (clause.isTypeOnly) return '';
  const out: string[] = [];
  if (clause.name) out.push(`const ${clause.name.text} = ${load}.default ?? ${load};`);
  const nb = clause.namedBindings;
  if (nb && ts.isNamespaceImport(nb)) out.push(`const ${nb.name.text} = ${load};`);
  else if (nb && ts.isNamedImports(nb)) {
    const names = nb.elements.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ? `${e.propertyName.getText(sf)}: ${e.name.text}` : e.name.text));
    if (names.length) out.push(`const { ${names.join(', ')} } = ${load};`);
  }
  if (!out.length && !nb && !clause.name) throw new Error(`${loc}: cannot read this import`);
  return out.join(' ');
}
