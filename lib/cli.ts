/**
 * The `quantlab` command (`npx quantlab …`): thin wrappers over lib/. Every QuantlabError ends the command
 * with its message and exit code 1; usage errors print the usage.
 */
import { Command, CommanderError } from 'commander';
import { registerBacktestCommand } from './commands/backtest';
import { registerDataCommands } from './commands/data';
import { registerExchangeCommands } from './commands/exchange';
import { registerOptimizeCommands } from './commands/optimize';
import { registerRunCommands } from './commands/run';
import { QuantlabError } from './core';

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
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode; // commander printed the usage error or the help
    if (e instanceof QuantlabError) {
      console.error(`error [${e.code}]: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
