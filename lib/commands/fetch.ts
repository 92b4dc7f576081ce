import type { Command } from 'commander';
import { formatGap } from '../data';
import { fetchOhlcv } from '../data/download';
import { numberOption } from './args';

interface FetchFlags {
  exchange: string;
  symbol: string;
  timeframe: string;
  since?: string;
  until?: string;
  out?: string;
  exchangeUrl?: string;
  pageLimit?: string;
  json?: boolean;
  quiet?: boolean;
}

/** `quantlab data fetch`: download candles through ccxt into Parquet (added under the `data` command group). */
export function registerDataFetchCommand(data: Command): void {
  data
    .command('fetch')
    .description('download OHLCV candles from an exchange (ccxt) into Parquet; run it again to fetch only what is new')
    .option('--exchange <id>', 'ccxt exchange id', 'binance')
    .requiredOption('--symbol <symbol>', 'market: BTC/USDT (spot), BTC/USDT:USDT (USDT-M perpetual) or the exchange id BTCUSDT')
    .option('-t, --timeframe <tf>', 'candle length (1m, 5m, 1h, 4h, 1d, …)', '1h')
    .option('--since <date>', 'first open time (2024-01-01 or ISO time); needed unless --out exists')
    .option('--until <date>', 'only open times before this (default: up to the last closed candle)')
    .option('-o, --out <file>', 'Parquet file (default datasets/downloads/<exchange>_<SYMBOL>_<tf>.parquet)')
    .option('--exchange-url <url>', 'send the requests to another server, e.g. the local replay exchange http://127.0.0.1:PORT (or set QUANTLAB_EXCHANGE_URL)')
    .option('--page-limit <n>', 'candles per request', '1000')
    .option('--json', 'print the result as JSON')
    .option('-q, --quiet', 'no progress lines')
    .action(async (o: FetchFlags) => {
      const r = await fetchOhlcv({
        exchange: o.exchange,
        symbol: o.symbol,
        timeframe: o.timeframe,
        since: o.since,
        until: o.until,
        out: o.out,
        exchangeUrl: o.exchangeUrl ?? (process.env.QUANTLAB_EXCHANGE_URL || undefined),
        pageLimit: numberOption('--page-limit', o.pageLimit ?? '1000'),
        log: o.quiet || o.json ? undefined : (l) => console.error(l),
      });
      if (o.json) {
        const { bars: _b, ...rest } = r;
        return console.log(JSON.stringify({ ...rest, rows: r.bars.ts.length }, null, 2));
      }
      console.log(`${r.file}: ${r.added} new candles, ${r.bars.ts.length} in the file (${r.report.first} .. ${r.report.last}); ${r.requests} requests, ${r.retries} retries`);
      console.log(`gaps: ${r.report.gaps.length} (${r.report.missingBars} missing bars)`);
      for (const g of r.report.gaps.slice(0, 50)) console.log(`  gap ${formatGap(g)}`);
      if (r.report.gaps.length > 50) console.log(`  … ${r.report.gaps.length - 50} more gaps (--json lists all)`);
    });
}
