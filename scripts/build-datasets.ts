/**
 * Converts the provenance-checked CSVs in ../shared/datasets into the Parquet files quantlab ships in
 * datasets/. Every file is validated on the way (a bad row stops the build) and re-read afterwards to
 * check the round trip is exact. Run: npx tsx scripts/build-datasets.ts [SHARED_DIR]
 */
import { join, resolve } from 'node:path';
import { loadBars, saveParquet, readParquetOhlcv } from '../lib/data';

const SHIP = [
  'binance_BTCUSDT_1h', 'binance_ETHUSDT_1h', 'binance_BNBUSDT_1h', 'binance_SOLUSDT_1h', 'binance_XRPUSDT_1h', 'binance_ADAUSDT_1h',
  'binance_BTCUSDT_1d', 'binance_ETHUSDT_1d',
  'binance_BTCUSDT_1m', 'binance_ETHUSDT_1m',
  'binanceusdm_BTCUSDT_1h', 'binanceusdm_ETHUSDT_1h',
];

async function main(): Promise<void> {
  const root = resolve(__dirname, '..');
  const shared = resolve(process.argv[2] ?? join(root, '../shared/datasets'));
  for (const name of SHIP) {
    const src = join(shared, `${name}.csv`);
    const { bars, report } = await loadBars(src);
    const dst = join(root, 'datasets', `${name}.parquet`);
    saveParquet(bars, dst, { source: `${name}.csv (see datasets/SOURCES.md)` });
    const back = (await readParquetOhlcv(dst)).raw;
    for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) {
      for (let i = 0; i < bars.ts.length; i++) {
        if (!Object.is(back[k][i], bars[k][i])) throw new Error(`${dst}: round trip differs at row ${i + 1} column ${k}: ${back[k][i]} vs ${bars[k][i]}`);
      }
    }
    console.log(`${name}: ${report.rows} rows, ${report.gaps.length} gaps (${report.missingBars} missing bars) -> ${dst}`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
