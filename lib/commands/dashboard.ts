/**
 * `quantlab dashboard`: serves every promoted strategy's state read-only (the dashboard page, the REST API's
 * GET routes, /health, /metrics) until Ctrl-C. Controls need the runner's own server: `quantlab run NAME
 * --paper --dashboard [host:]port`.
 */
import type { Command } from 'commander';
import { QuantlabError } from '../core';
import { parseListen, serveReadOnly } from '../ops';

interface DashboardFlags {
  experiments?: string;
  listen: string;
  allowRemote?: boolean;
  state?: string;
}

export function registerDashboardCommand(program: Command): void {
  program
    .command('dashboard')
    .description('serve every promoted strategy’s state read-only: dashboard page, REST API, /health, /metrics')
    .option('--experiments <dir>', 'experiments folder (default: the project’s experiments/)')
    .option('--listen <[host:]port>', 'where to listen (host default 127.0.0.1)', '8787')
    .option('--allow-remote', 'bind a host other than loopback (prints a warning)')
    .option('--state <url>', 'read the runners’ state from PostgreSQL (postgres://…) instead of each folder’s SQLite files')
    .action(async (f: DashboardFlags) => {
      const listen = parseListen(f.listen, '--listen');
      if (!['127.0.0.1', 'localhost', '::1'].includes(listen.host) && !f.allowRemote) {
        throw new QuantlabError('BAD_ARGUMENT', `--listen ${f.listen}: host '${listen.host}' is not loopback; add --allow-remote to bind it anyway`);
      }
      const d = await serveReadOnly({ experiments: f.experiments, host: listen.host, port: listen.port, allowRemote: f.allowRemote, state: f.state });
      await new Promise<void>((resolve) => {
        const done = () => resolve();
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      await d.close();
    });
}
