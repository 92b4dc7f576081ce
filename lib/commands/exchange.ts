import { basename } from 'node:path';
import type { Command } from 'commander';
import { isoTime, QuantlabError } from '../core';
import { startReplayExchange, type AccountConfig, type MarketInput, type ReplayExchange } from '../replay-exchange';
import { loadBarsArg, numberOption } from './args';

/** Credentials of the demo account the local exchange opens when no --key/--secret is given. */
export const DEMO_KEY = 'quantlab-demo-key';
export const DEMO_SECRET = 'quantlab-demo-secret';

/** How `exchange serve` waits before shutting down: until SIGINT or SIGTERM (tests replace it). */
export const serveHooks = {
  waitForStop: (_exchange: ReplayExchange): Promise<void> =>
    new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    }),
};

interface ServeFlags {
  data: string[];
  timeframe: string;
  port: string;
  host: string;
  speed?: string;
  start?: string;
  key?: string;
  secret?: string;
  balance?: string[];
  state?: string;
  log?: boolean;
}

/** `quantlab exchange serve`: the local replay exchange that ccxt's binance client talks to. */
export function registerExchangeCommands(program: Command): void {
  const exchange = program.command('exchange').description('the local replay exchange (Binance REST subset) for paper trading without an account');
  exchange
    .command('serve')
    .description('replay datasets as a live market on 127.0.0.1; ccxt binance clients trade against it')
    .requiredOption('--data <fileOrSymbol...>', 'datasets to replay: files or shipped symbols (BTCUSDT, ETH/USDT, BTCUSDT:futures)')
    .option('-t, --timeframe <tf>', 'for a SYMBOL, which dataset', '1h')
    .option('--port <port>', 'port to listen on (0 = a free one)', '0')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--speed <ms>', 'run the clock at one bar per <ms> milliseconds (default: the clock moves only when stepped)')
    .option('--start <date>', 'replay clock start (default: 1000 bars into the data)')
    .option('--key <apiKey>', 'API key of the account (or QUANTLAB_EXCHANGE_KEY; default: the demo key)')
    .option('--secret <secret>', 'secret of the account (or QUANTLAB_EXCHANGE_SECRET; default: the demo secret)')
    .option('--balance <asset=amount...>', 'opening spot balances (default USDT=10000)')
    .option('--state <file>', 'state file: orders, balances and the clock survive a restart')
    .option('--log', 'print one line per request')
    .action(async (o: ServeFlags) => {
      const ex = await serve(o);
      try {
        await serveHooks.waitForStop(ex);
      } finally {
        await ex.close();
        console.log(`replay exchange stopped${o.state ? ` (state saved to ${o.state})` : ''}`);
      }
    });
}

async function serve(o: ServeFlags): Promise<ReplayExchange> {
  const markets: MarketInput[] = [];
  for (const arg of o.data) {
    const futures = /:futures$/i.test(arg) || /^binanceusdm_/i.test(basename(arg));
    const { bars } = await loadBarsArg(arg, { timeframe: o.timeframe });
    markets.push({ bars, kind: futures ? 'futures' : 'spot' });
  }
  const envKey = process.env.QUANTLAB_EXCHANGE_KEY;
  const envSecret = process.env.QUANTLAB_EXCHANGE_SECRET;
  const apiKey = o.key ?? envKey ?? DEMO_KEY;
  const secret = o.secret ?? envSecret ?? DEMO_SECRET;
  const demo = apiKey === DEMO_KEY && secret === DEMO_SECRET;
  if ((apiKey === DEMO_KEY) !== (secret === DEMO_SECRET)) {
    throw new QuantlabError('BAD_ARGUMENT', 'exchange serve: expected both --key and --secret (or neither, for the demo account), found only one');
  }
  const account: AccountConfig = { apiKey, secret, balances: parseBalances(o.balance) };
  const port = numberOption('--port', o.port);
  const speed = o.speed === undefined ? undefined : numberOption('--speed', o.speed);
  if (speed !== undefined && !(speed > 0)) throw new QuantlabError('BAD_ARGUMENT', `--speed: expected milliseconds per bar > 0, found ${o.speed}`);
  const ex = await startReplayExchange({
    markets,
    accounts: [account],
    port,
    host: o.host,
    start: o.start,
    statePath: o.state,
    msPerBar: speed,
    log: o.log ? (l) => console.log(l) : undefined,
  });
  const url = ex.url;
  const e = ex.engine;
  const creds = demo ? `apiKey: '${DEMO_KEY}', secret: '${DEMO_SECRET}'` : 'apiKey: <your --key>, secret: <your --secret>';
  console.log(
    [
      `quantlab replay exchange on ${url}`,
      ...e.markets.map((m) => `  ${m.kind === 'spot' ? 'spot   ' : 'futures'} ${m.id} ${m.timeframe}: ${m.bars.ts.length} bars ${isoTime(m.bars.ts[0]!)} .. ${isoTime(m.bars.ts[m.bars.ts.length - 1]!)}`),
      `  clock at ${isoTime(e.now)}, ${speed ? `running at one bar per ${speed} ms` : 'stepped (see the control API below)'}`,
      `  account: ${demo ? `demo credentials apiKey '${DEMO_KEY}', secret '${DEMO_SECRET}' (pass --key/--secret for your own)` : 'the --key/--secret you gave (not printed)'}`,
      '',
      'point ccxt at it (every REST base URL, keeping its path):',
      `  const ex = new ccxt.binance({ ${creds} });`,
      `  for (const k of Object.keys(ex.urls.api)) ex.urls.api[k] = ex.urls.api[k].replace(/^https:\\/\\/[^/]+/, '${url}');`,
      'or from quantlab:',
      `  createCcxtAdapter({ exchange: 'binance', url: '${url}', apiKey, secret })`,
      `  npx quantlab data fetch --exchange-url ${url} --symbol ${e.markets[0]!.base}/${e.markets[0]!.quote} --timeframe ${e.markets[0]!.timeframe} --since ${isoTime(e.markets[0]!.bars.ts[0]!).slice(0, 10)}`,
      'control the clock:',
      `  curl ${url}/quantlab/status`,
      `  curl -X POST '${url}/quantlab/step?n=1'      (also /quantlab/advance?to=ISO, /quantlab/run?msPerBar=500, /quantlab/pause)`,
      `Ctrl-C stops${o.state ? ` (state is kept in ${o.state})` : ''}.`,
    ].join('\n'),
  );
  return ex;
}

function parseBalances(list: string[] | undefined): Record<string, number> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, number> = {};
  for (const item of list) {
    const m = /^([A-Za-z0-9]+)=(\d+(?:\.\d+)?)$/.exec(item);
    if (!m) throw new QuantlabError('BAD_ARGUMENT', `--balance: expected ASSET=AMOUNT (e.g. USDT=10000), found '${item}'`);
    out[m[1]!.toUpperCase()] = Number(m[2]);
  }
  return out;
}
