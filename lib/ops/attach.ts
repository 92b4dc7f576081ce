import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { QuantlabError } from '../core';
import type { AttachContext, Attached } from '../live/main';
import type { PortfolioAttached, PortfolioRunner } from '../live/portfolio';
import { experimentsRoot, promotedDir, promotedNames, readPromoted } from '../live/promoted';
import type { Runner, RunMode } from '../live/runner';
import { statePath } from '../live/setup';
import { StateStore } from '../live/state-store';
import { isPostgresUrl, PostgresStateStore, redactPgUrl, stateNamespace } from '../live/state-store-pg';
import { startOpsServer, type OpsServer } from './server';
import { newToken } from './token';
import type { StrategySource } from './views';

/** Where a dashboard's token file goes: beside the promoted folder's state, or in the experiments folder. */
export const tokenPath = (dir: string): string => join(dir, 'dashboard.token');

const warnRemote = (host: string, out: (l: string) => void): void => {
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) out(`warning: the dashboard listens on ${host}, beyond this machine: anyone who reaches it and has the token can steer the runner`);
};

/**
 * The `attach` of runPromoted for `quantlab run NAME --dashboard [host:]port`: serves that runner's
 * dashboard and API (controls included) while it runs, counts its events into /metrics, and prints where
 * it listens and where the token is (never the token itself).
 */
export function dashboardAttach(name: string, listen: { host: string; port: number; allowRemote?: boolean }) {
  return async (runner: Runner, ctx: AttachContext): Promise<Attached> => {
    const token = newToken(tokenPath(ctx.dir));
    const source: StrategySource = { name, dir: ctx.dir, mode: ctx.mode, config: ctx.config, store: runner.store, runner };
    const server = await startOpsServer({ sources: [source], token, host: listen.host, port: listen.port, allowRemote: listen.allowRemote, afterControl: (_n, a) => a === 'stop' && ctx.wake() });
    warnRemote(listen.host, ctx.out);
    ctx.out(`dashboard: ${server.url} (token in ${tokenPath(ctx.dir)}; open ${server.url}#token=<token>)`);
    return { onEvent: (e) => server.metrics.observe(name, e), close: () => server.close() };
  };
}

/**
 * The dashboard of `quantlab run --all | --portfolio NAME --dashboard [host:]port`: every strategy of the run
 * (controls included, each to its own runner), one token file in the experiments folder.
 */
export function portfolioDashboardAttach(listen: { host: string; port: number; allowRemote?: boolean }) {
  return async (members: readonly PortfolioRunner[], ctx: { mode: RunMode; experimentsDir?: string; wake: () => void; out: (l: string) => void }): Promise<PortfolioAttached> => {
    const file = tokenPath(experimentsRoot(ctx.experimentsDir));
    const token = newToken(file);
    const sources: StrategySource[] = members.map((m) => ({ name: m.name, dir: m.dir, mode: ctx.mode, config: m.config, store: m.runner.store, runner: m.runner }));
    const server = await startOpsServer({ sources, token, host: listen.host, port: listen.port, allowRemote: listen.allowRemote, afterControl: (_n, a) => a === 'stop' && ctx.wake() });
    warnRemote(listen.host, ctx.out);
    ctx.out(`dashboard: ${server.url} (token in ${file}; open ${server.url}#token=<token>)`);
    return { onEvent: (name, e) => server.metrics.observe(name, e), close: () => server.close() };
  };
}

export interface ReadOnlyDashboard {
  server: OpsServer;
  tokenFile: string;
  close(): Promise<void>;
}

/**
 * `quantlab dashboard`: every promoted strategy of an experiments folder that has run (a paper.db or live.db),
 * read-only (its state files opened read-only; controls answer 409). The token file is written into the
 * experiments folder.
 */
export async function serveReadOnly(o: { experiments?: string; host: string; port: number; allowRemote?: boolean; out?: (l: string) => void; state?: string }): Promise<ReadOnlyDashboard> {
  const out = o.out ?? ((l: string) => console.log(l));
  const sources: StrategySource[] = [];
  for (const name of promotedNames(o.experiments)) {
    const dir = promotedDir(name, o.experiments);
    let config;
    try {
      config = readPromoted(dir).config;
    } catch (e) {
      out(`skipped ${name}: ${(e as Error).message}`);
      continue;
    }
    for (const mode of ['paper', 'live'] as RunMode[]) {
      const label = `${name}${mode === 'live' ? ' (live)' : ''}`;
      if (isPostgresUrl(o.state)) {
        let store: PostgresStateStore;
        try {
          store = new PostgresStateStore(o.state, stateNamespace(config.name, mode), { readonly: true });
        } catch (e) {
          if (e instanceof QuantlabError && e.code === 'NOT_FOUND') continue; // no runner has written to that database yet
          throw e;
        }
        if (store.meta('session') !== undefined) sources.push({ name: label, dir, mode, config, store });
        else store.close();
      } else if (existsSync(statePath(dir, mode))) sources.push({ name: label, dir, mode, config, store: new StateStore(statePath(dir, mode), { readonly: true }) });
    }
  }
  if (!sources.length) throw new QuantlabError('NOT_FOUND', `no promoted strategy with runner state under ${o.experiments ?? 'experiments/'}promoted/${isPostgresUrl(o.state) ? ` in ${redactPgUrl(o.state)}` : ''} (run one with quantlab run NAME --paper first)`);
  const tokenFile = tokenPath(experimentsRoot(o.experiments));
  const token = newToken(tokenFile);
  const server = await startOpsServer({ sources, token, host: o.host, port: o.port, allowRemote: o.allowRemote });
  warnRemote(o.host, out);
  out(`dashboard (read-only, ${sources.length} session${sources.length === 1 ? '' : 's'}): ${server.url} (token in ${tokenFile}; open ${server.url}#token=<token>)`);
  return {
    server,
    tokenFile,
    close: async () => {
      await server.close();
      for (const s of sources) s.store.close();
    },
  };
}
