/**
 * Data-layer benchmark. Prints one JSON object:
 * - load time (validation included) of BTCUSDT 1h from the shared CSV vs the shipped Parquet, and of the 1m Parquet;
 * - load time of one million bars from Parquet (the BTCUSDT 1h series tiled forward in time until it has 1e6 bars);
 * - memory of `Bars`: growth of the process's ArrayBuffer memory per loaded bar (three loads held), and the bytes
 *   the buffers behind a million-bar `Bars` hold, per bar (six Float64 columns need 48).
 * Median of `--runs` runs (default 7) after one warm-up. Run: npx tsx bench/data.ts [--runs N]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { makeBars } from '../lib/core';
import { datasetPath, loadBars, loadDataset, readParquetOhlcv, saveParquet } from '../lib/data';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 7) || 7;

async function median(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return Math.round(t[t.length >> 1]! * 10) / 10;
}

/** ArrayBuffer bytes the bars keep alive (unique buffers behind their columns), per bar. */
function retainedBytesPerBar(b: ReturnType<typeof makeBars>): number {
  const bufs = new Set([b.ts, b.open, b.high, b.low, b.close, b.volume].map((c) => c.buffer));
  let total = 0;
  for (const x of bufs) total += x.byteLength;
  return total / b.ts.length;
}

async function main(): Promise<void> {
  const root = resolve(__dirname, '..');
  // memory first, before anything else is loaded: hold three loads of the 1h file, measure the ArrayBuffer growth
  gc();
  const m0 = process.memoryUsage().arrayBuffers;
  const held = [];
  for (let i = 0; i < 3; i++) held.push((await loadBars(datasetPath('BTCUSDT', '1h'))).bars);
  gc();
  const processBytesPerBar = (process.memoryUsage().arrayBuffers - m0) / 3 / held[0]!.ts.length;
  const csvPath = join(root, '../shared/datasets/binance_BTCUSDT_1h.csv');
  const h1 = await loadDataset('BTCUSDT', '1h');

  const N = 1_000_000;
  const span = h1.ts[h1.ts.length - 1]! - h1.ts[0]! + 3_600_000;
  const cols = { ts: new Float64Array(N), open: new Float64Array(N), high: new Float64Array(N), low: new Float64Array(N), close: new Float64Array(N), volume: new Float64Array(N) };
  for (let i = 0; i < N; i++) {
    const k = i % h1.ts.length;
    const rep = Math.floor(i / h1.ts.length);
    cols.ts[i] = h1.ts[k]! + rep * span;
    cols.open[i] = h1.open[k]!;
    cols.high[i] = h1.high[k]!;
    cols.low[i] = h1.low[k]!;
    cols.close[i] = h1.close[k]!;
    cols.volume[i] = h1.volume[k]!;
  }
  const million = join(mkdtempSync(join(tmpdir(), 'quantlab-bench-')), 'million_1h.parquet');
  saveParquet(makeBars(cols, 'BTCUSDT', '1h'), million);

  const result = {
    machine: { node: process.version, cpus: require('node:os').cpus().length },
    runs,
    btc1h_rows: h1.ts.length,
    btc1h_csv_ms: await median(() => loadBars(csvPath)),
    btc1h_parquet_ms: await median(() => loadBars(datasetPath('BTCUSDT', '1h'))),
    btc1m_parquet_ms: await median(() => loadBars(datasetPath('BTCUSDT', '1m'))),
    million_parquet_load_ms: await median(() => loadBars(million)),
    million_parquet_decode_only_ms: await median(() => readParquetOhlcv(million)),
    bars_process_arraybuffer_bytes_per_bar: Math.round(processBytesPerBar * 100) / 100,
    million_bars_retained_bytes_per_bar: 0,
    targets: { million_parquet_load_ms: '< 1000', bytes_per_bar: '<= 48 + fixed overhead' },
  };
  result.million_bars_retained_bytes_per_bar = retainedBytesPerBar((await loadBars(million)).bars);
  console.log(JSON.stringify(result, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
