import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { QuantlabError } from '../core';

type Loaded = Record<string, unknown>;

/** The TypeScript require hook of the running process (tsx's, as in the notebook kernel and the CLI), if any. */
const tsRequire = (): NodeJS.Require | null =>
  typeof require === 'function' && require.extensions && '.ts' in require.extensions ? require : null;

const isTs = (path: string): boolean => /\.(ts|mts|cts|tsx)$/i.test(path);

let esmRegistered = false;

/** tsx's ESM loader, registered once for this process (for processes started without an ESM TypeScript hook). */
async function tsxImport(abs: string, url: string): Promise<Loaded> {
  if (!esmRegistered) {
    // a computed specifier: bundlers and the type check leave it alone; tsx is a dependency of the project
    const api = 'tsx/esm/api';
    const { register } = (await import(api)) as { register(): unknown };
    register();
    esmRegistered = true;
  }
  void abs;
  return (await import(`${url}&loader=tsx`)) as Loaded; // a new URL: the failed import of the first one is cached
}

function loadFailure(path: string, e: unknown): QuantlabError {
  if (e instanceof QuantlabError) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  const first = err.message.split('\n')[0]!;
  if (/does not provide an export named/.test(first)) {
    return new QuantlabError('VALIDATION_FAILED', `${path}: ${first} (an ES module file importing names from a CommonJS module; write it as .ts, or import the module's default: import ql from 'quantlab')`, { cause: err });
  }
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
  let url = '';
  try {
    const req = tsRequire();
    if (req && !/\.mts$/i.test(abs)) {
      delete req.cache[abs];
      return req(abs) as Loaded;
    }
    try {
      // the file's version in the URL: an edited file is a new module, an unchanged one the cached module
      const st = statSync(abs);
      url = `${pathToFileURL(abs).href}?v=${st.mtimeMs}-${st.size}`;
      return (await import(url)) as Loaded;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION' && isTs(abs)) return await tsxImport(abs, url);
      throw e;
    }
  } catch (e) {
    throw loadFailure(abs, e);
  }
}
