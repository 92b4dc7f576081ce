/**
 * The quantlab command as a child process for the live safety tests: `node --require tsx/cjs lib/cli.ts …`
 * (what bin/quantlab runs, in one process so its pid is the runner's), or bin/quantlab itself. NODE_PATH is
 * cleared, so nothing outside the project can find 'quantlab' by accident.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');

export interface CliChild {
  proc: ChildProcess;
  out: string[];
  err: string[];
  exited: Promise<number | null>;
}

/** Starts `quantlab <args>`; `bin` uses bin/quantlab (tsx's own launcher) instead of one node process. */
export function quantlab(args: string[], o: { bin?: boolean; cwd?: string; env?: Record<string, string> } = {}): CliChild {
  const env = { ...process.env, NODE_PATH: '', QUANTLAB_DEBUG: '', ...o.env };
  const proc = o.bin
    ? spawn(join(ROOT, 'bin', 'quantlab'), args, { cwd: o.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, ['--require', join(ROOT, 'node_modules/tsx/dist/cjs/index.cjs'), join(ROOT, 'lib/cli.ts'), ...args], { cwd: o.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  const lines = (into: string[]) => {
    let buf = '';
    return (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      into.push(...parts);
    };
  };
  proc.stdout!.on('data', lines(out));
  proc.stderr!.on('data', lines(err));
  const exited = new Promise<number | null>((r) => proc.on('close', (code) => r(code)));
  return { proc, out, err, exited };
}

/** Runs `quantlab <args>` to the end. */
export async function quantlabDone(args: string[], o: { bin?: boolean; cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; out: string; err: string }> {
  const c = quantlab(args, o);
  const code = await c.exited;
  return { code, out: c.out.join('\n'), err: c.err.join('\n') };
}

/** True when a text holds a JavaScript stack trace. */
export const hasStack = (text: string): boolean => /^\s+at .+[:(]/m.test(text);
