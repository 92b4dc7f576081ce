/**
 * `quantlab run <name> --paper|--live`: trades a promoted strategy (experiments/promoted/<name>/), as its
 * run.ts does. `quantlab reconcile <name>`: what a paper (or live) session did against a backtest of the same
 * bars, trade by trade, as a table (and an HTML chart of both equity curves). The name is checked (a plain
 * folder name) before anything is read; the folder may live in any experiments folder (--experiments).
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { QuantlabError } from '../core';
import { runPromoted } from '../live/main';
import { promotedOnOneAccount, readPortfolio, runPortfolio } from '../live/portfolio';
import { existingPromotedDir, loadPromoted } from '../live/promoted';
import { reconcileText } from '../live/reconcile';
import { reconcilePromoted } from '../live/reconcile-promoted';
import { saveReconcileReport } from '../live/reconcile-report';
import { dashboardAttach, parseListen, portfolioDashboardAttach } from '../ops';

interface RunFlags {
  paper?: boolean;
  live?: boolean;
  confirm?: string;
  url?: string;
  json?: boolean;
  pollMs?: string;
  flattenOnStop?: boolean;
  resetKillSwitch?: boolean;
  newSession?: boolean;
  state?: string;
  feed?: string;
  experiments?: string;
  dashboard?: string;
  allowRemote?: boolean;
  all?: boolean;
  portfolio?: string;
}

interface ReconcileFlags {
  mode: string;
  experiments?: string;
  html?: string | boolean;
  json?: boolean;
  state?: string;
}

/** Registers `run` and `reconcile` on the quantlab program. */
export function registerRunCommands(program: Command): void {
  program
    .command('run')
    .description('trade a promoted strategy (experiments/promoted/<name>/): --paper with simulated fills, --live with real orders')
    .argument('[name]', 'the promoted folder name (see experiments/promoted/)')
    .option('--all', 'every promoted strategy, all on the one exchange account their configs name, in one process')
    .option('--portfolio <name>', 'the strategies and account limits of experiments/portfolios/<name>.json, in one process')
    .option('--paper', 'paper account: live candles, fills simulated with the backtester’s fees and slippage')
    .option('--live', 'real orders (keys from the environment variables config.json names; needs --confirm or a terminal)')
    .option('--confirm <text>', "live: confirm the symbol and notional cap, e.g. 'BTC/USDT 20000'")
    .option('--url <origin>', 'exchange REST origin, e.g. the local replay exchange http://127.0.0.1:PORT')
    .option('--json', 'one JSON line per event on stdout')
    .option('--poll-ms <ms>', 'ms between polls for a closed bar (default: config runner.pollMs)')
    .option('--flatten-on-stop', 'close the position on SIGINT/SIGTERM before exiting')
    .option('--reset-kill-switch', 'clear a tripped max-drawdown kill switch (after checking the account)')
    .option('--new-session', 'start over: move the old state file and log aside (never deleted) and start a new session')
    .option('--state <url>', 'keep the runner state in PostgreSQL (postgres://user@host/db), shared by several machines; default: the folder’s SQLite file')
    .option('--feed <rest|websocket>', "where closed bars come from: rest (poll the klines endpoint) or websocket (Binance's kline stream, REST as fallback and backfill); default: config runner.feed, else rest")
    .option('--experiments <dir>', 'experiments folder (default: the project’s experiments/)')
    .option('--dashboard <[host:]port>', 'serve the dashboard, REST API, /health and /metrics while it runs (host default 127.0.0.1; port 0 = any free one)')
    .option('--allow-remote', 'let --dashboard bind a host other than loopback (prints a warning)')
    .action(async (name: string | undefined, f: RunFlags) => {
      const picked = [name !== undefined && `<name> (${name})`, f.all && '--all', f.portfolio !== undefined && `--portfolio ${f.portfolio}`].filter(Boolean);
      if (picked.length !== 1) throw new QuantlabError('BAD_ARGUMENT', `run: expected exactly one of <name>, --all or --portfolio <name>, found ${picked.length ? picked.join(' and ') : 'none'}`);
      const listen = f.dashboard !== undefined ? { ...parseListen(f.dashboard), allowRemote: f.allowRemote } : undefined;
      if (listen && !['127.0.0.1', 'localhost', '::1'].includes(listen.host) && !f.allowRemote) {
        throw new QuantlabError('BAD_ARGUMENT', `--dashboard ${f.dashboard}: host '${listen.host}' is not loopback; add --allow-remote to bind it anyway`);
      }
      const argv: string[] = [];
      if (f.paper) argv.push('--paper');
      if (f.live) argv.push('--live');
      if (f.confirm !== undefined) argv.push('--confirm', f.confirm);
      if (f.url !== undefined) argv.push('--url', f.url);
      if (f.json) argv.push('--json');
      if (f.pollMs !== undefined) argv.push('--poll-ms', f.pollMs);
      if (f.flattenOnStop) argv.push('--flatten-on-stop');
      if (f.resetKillSwitch) argv.push('--reset-kill-switch');
      if (f.newSession) argv.push('--new-session');
      if (f.state !== undefined) argv.push('--state', f.state);
      if (f.feed !== undefined) argv.push('--feed', f.feed);
      if (name === undefined) {
        const file = f.portfolio !== undefined ? readPortfolio(f.portfolio, f.experiments) : undefined;
        const names = file ? file.strategies : promotedOnOneAccount(f.experiments);
        const label = file ? `portfolio ${file.name}` : 'all';
        process.exitCode = await runPortfolio({ names, label, limits: file?.risk ?? {}, experimentsDir: f.experiments, argv, out: (l) => console.log(l), attach: listen ? portfolioDashboardAttach(listen) : undefined });
        return;
      }
      const dir = existingPromotedDir(name, f.experiments);
      const { strategy, params } = await loadPromoted(dir);
      process.exitCode = await runPromoted({ strategy, params, dir, argv, out: (l) => console.log(l), attach: listen ? dashboardAttach(name, listen) : undefined });
    });

  program
    .command('reconcile')
    .description('compare what a paper or live session did with a backtest of the same bars, trade by trade, and explain every difference')
    .argument('<name>', 'the promoted folder name')
    .option('--mode <mode>', 'paper or live', 'paper')
    .option('--experiments <dir>', 'experiments folder (default: the project’s experiments/)')
    .option('--html [file]', 'write the table and both equity curves as an HTML page (default <folder>/reconcile-<mode>.html)')
    .option('--state <url>', 'the session’s state in PostgreSQL (postgres://…) instead of the folder’s SQLite file')
    .option('--json', 'print the report as JSON')
    .action(async (name: string, f: ReconcileFlags) => {
      if (f.mode !== 'paper' && f.mode !== 'live') throw new QuantlabError('BAD_ARGUMENT', `--mode: expected paper or live, found '${f.mode}'`);
      const dir = existingPromotedDir(name, f.experiments);
      const report = await reconcilePromoted(dir, { mode: f.mode, state: f.state });
      if (f.json) console.log(JSON.stringify(report, (_k, v: unknown) => (v instanceof Float64Array ? Array.from(v) : v), 2));
      else console.log(reconcileText(report));
      if (f.html) {
        const path = typeof f.html === 'string' ? f.html : join(dir, `reconcile-${f.mode}.html`);
        saveReconcileReport(path, `${name}: ${f.mode} session against the backtest of the same bars`, report);
        if (!f.json) console.log(`\nreport: ${path}`);
      }
    });
}
