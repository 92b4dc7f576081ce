import Module from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { QuantlabError } from '../core';

/**
 * Loads a promoted folder's run.ts (or a strategy file) wherever it lives: `quantlab` and `quantlab/…`
 * imports that cannot be found from the file's own folder (a promoted folder outside the project, or a copy of
 * one) resolve to this project. A file that does not compile, imports what is missing or throws while loading
 * gives a QuantlabError naming the file, instead of a bare loader message with a stack.
 */

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
const loader = Module as unknown as { _resolveFilename: ResolveFilename; _nodeModulePaths(dir: string): string[] };

/** The package root of this library (the folder holding lib/ and package.json). */
const packageRoot = (): string => resolve(__dirname, '..', '..');

const isProjectImport = (request: string): boolean => request === 'quantlab' || request.startsWith('quantlab/');

/** Runs `fn` with `quantlab` imports falling back to this project when the importing file cannot see it. */
function withProjectImports<T>(fn: () => T): T {
  const original = loader._resolveFilename;
  const anchor = new Module(join(packageRoot(), 'lib', 'index.ts'));
  anchor.filename = join(packageRoot(), 'lib', 'index.ts');
  anchor.paths = loader._nodeModulePaths(dirname(anchor.filename));
  loader._resolveFilename = function (this: unknown, request, parent, isMain, options) {
    try {
      return original.call(this, request, parent, isMain, options);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND' || !isProjectImport(request)) throw e;
      return original.call(this, request, anchor, isMain, options);
    }
  };
  try {
    return fn();
  } finally {
    loader._resolveFilename = original;
  }
}

/** A load failure as a QuantlabError naming the file and what went wrong. */
export function loadError(path: string, e: unknown): QuantlabError {
  if (e instanceof QuantlabError) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  const first = err.message.split('\n')[0]!;
  if (err.name === 'TransformError' || err instanceof SyntaxError) {
    const where = err.message.split('\n').filter((l) => /ERROR:|error/i.test(l) && !/^Transform failed/.test(l)).map((l) => l.replace(`${path}:`, 'line ')).join('; ');
    return new QuantlabError('PARSE_ERROR', `${path}: does not compile (${where || first}); fix it, or promote the strategy again to rewrite it`, { cause: err });
  }
  if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
    const missing = /Cannot find module '([^']+)'/.exec(first)?.[1] ?? first;
    const hint = missing.startsWith('.') || missing.startsWith('/')
      ? 'a file it imports is not there (a promoted folder copied without the strategy file it imports?)'
      : `the package '${missing}' is not installed in this project (npm install)`;
    return new QuantlabError('NOT_FOUND', `${path}: imports '${missing}', which cannot be found: ${hint}`, { cause: err });
  }
  return new QuantlabError('VALIDATION_FAILED', `${path}: failed while loading: ${err.name}: ${first}`, { cause: err });
}

/** Loads a .ts/.js module: through require when a TypeScript require hook is installed (tsx), else import(). */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  try {
    if (typeof require === 'function' && require.extensions && '.ts' in require.extensions) return withProjectImports(() => require(path) as Record<string, unknown>);
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    throw loadError(path, e);
  }
}
