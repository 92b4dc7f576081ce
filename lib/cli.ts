/**
 * The `quantlab` command (`npx quantlab …`): thin wrappers over lib/. Every error ends the command with one
 * line `error [CODE]: message` and exit code 1: a QuantlabError as it is, anything else wrapped as INTERNAL
 * (or IO_ERROR for a file-system error) with what was being done. `--debug` (or QUANTLAB_DEBUG=1) also prints
 * the stack trace. Usage errors print the usage.
 */
import { Command, CommanderError } from 'commander';
import { registerBacktestCommand } from './commands/backtest';
import { registerDataCommands } from './commands/data';
import { registerExchangeCommands } from './commands/exchange';
import { registerOptimizeCommands } from './commands/optimize';
import { registerPromoteCommand } from './commands/promote';
import { registerRunCommands } from './commands/run';
import { registerDashboardCommand } from './commands/dashboard';
import { QuantlabError } from './core';

/** `--debug` anywhere on the command line (removed before parsing) or QUANTLAB_DEBUG=1. */
function takeDebugFlag(argv: string[]): { argv: string[]; debug: boolean } {
  const rest = argv.filter((a) => a !== '--debug');
  return { argv: rest, debug: rest.length !== argv.length || process.env.QUANTLAB_DEBUG === '1' };
}

/** Any thrown value as a QuantlabError: file-system errors keep their errno and path, the rest become INTERNAL. */
export function asQuantlabError(e: unknown, doing: string): QuantlabError {
  if (e instanceof QuantlabError) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  const sys = err as NodeJS.ErrnoException;
  if (typeof sys.code === 'string' && /^E[A-Z]+$/.test(sys.code)) {
    const where = sys.path ? ` ${sys.path}` : '';
    const text = err.message.split('\n')[0]!.replace(new RegExp(`^${sys.code}:\\s*`), '');
    return new QuantlabError('IO_ERROR', `${doing}: ${sys.code}${where}: ${text}`, { cause: err });
  }
  return new QuantlabError('INTERNAL', `${doing}: unexpected ${err.name}: ${err.message.split('\n')[0]} (this is a quantlab bug; --debug shows where)`, { cause: err });
}

function report(e: unknown, doing: string, debug: boolean): number {
  const q = asQuantlabError(e, doing);
  console.error(`error [${q.code}]: ${q.message}`);
  const cause = (q.details as { cause?: unknown } | undefined)?.cause ?? (q === e ? e : undefined);
  if (debug) console.error(cause instanceof Error && cause.stack ? cause.stack : q.stack);
  return 1;
}

export function buildProgram(): Command {
  const program = new Command('quantlab')
    .description('quantlab: crypto research environment — data, indicators, backtests, optimisation, a local exchange')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s) });
  registerDataCommands(program);
  registerBacktestCommand(program);
  registerOptimizeCommands(program);
  registerExchangeCommands(program);
  registerRunCommands(program);
  registerDashboardCommand(program);
  registerPromoteCommand(program);
  return program;
}

export async function main(argvIn: string[]): Promise<number> {
  const { argv, debug } = takeDebugFlag(argvIn);
  const doing = `quantlab ${argv.filter((a) => !a.startsWith('-')).slice(0, 2).join(' ')}`.trim();
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode; // commander printed the usage error or the help
    return report(e, doing, debug);
  }
}

if (require.main === module) {
  const debug = takeDebugFlag(process.argv.slice(2)).debug;
  // errors thrown outside the awaited command (timers, sockets, stray promises) end the command the same way
  const fatal = (e: unknown) => {
    process.exitCode = report(e, 'quantlab', debug);
    process.exit();
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
