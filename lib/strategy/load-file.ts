import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { QuantlabError } from '../core';

type Loaded = Record<string, unknown>;

/** The TypeScript require hook of the running process (tsx's, as in the notebook kernel and the CLI), if any. */
const tsRequire = (): NodeJS.Require | null =>
  typeof require === 'function' && require.extensions && '.ts' in require.extensions ? require : null;

const isTs = (path: string): boolean => /\.(ts|mts|cts|tsx)$/i.test(path);

/** tsx's own ESM loader, registered for this one import (for processes started without any TypeScript hook). */
async function tsxImport(abs: string): Promise<Loaded> {
  // a computed specifier: bundlers and the type check leave it alone; tsx is a dependency of the project
  const api = 'tsx/esm/api';
  const { tsImport } = (await import(api)) as { tsImport(specifier: string, parent: string): Promise<Loaded> };
  return tsImport(pathToFileURL(abs).href, pathToFileURL(__filename).href);
}

function loadFailure(path: string, e: unknown): QuantlabError {
  if (e instanceof QuantlabError) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  const first = err.message.split('\n')[0]!;
  if (err.name === 'TransformError' || err instanceof SyntaxError) return new QuantlabError('PARSE_ERROR', `${path}: does not compile: ${first}`, { cause: err });
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
    return new QuantlabError('NOT_FOUND', `${path}: imports what cannot be found: ${first}`, { cause: err });
  }
  return new QuantlabError('VALIDATION_FAILED', `${path}: failed while loading: ${err.name}: ${first}`, { cause: err });
}

/**
 * Loads a strategy file (.ts or .js) the same way wherever quantlab runs: through the TypeScript require hook
 * when the process has one (the notebook kernel, the CLI, scripts under tsx; the file is re-read on every
 * call, so editing it and loading again takes the edit), else import(), and for TypeScript that import() cannot
 * load (a plain node process: ERR_UNKNOWN_FILE_EXTENSION) tsx's loader registered for that one import.
 */
export async function importStrategyFile(path: string): Promise<Loaded> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new QuantlabError('NOT_FOUND', `strategy file ${abs}: no such file`);
  try {
    const req = tsRequire();
    if (req && !/\.mts$/i.test(abs)) {
      delete req.cache[abs];
      return req(abs) as Loaded;
    }
    try {
      // the file's version in the URL: an edited file is a new module, an unchanged one the cached module
      const st = statSync(abs);
      return (await import(`${pathToFileURL(abs).href}?v=${st.mtimeMs}-${st.size}`)) as Loaded;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION' && isTs(abs)) return await tsxImport(abs);
      throw e;
    }
  } catch (e) {
    throw loadFailure(abs, e);
  }
}
