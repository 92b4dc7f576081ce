/**
 * Large-CSV benchmark: a 5,000,000-row OHLCV CSV (one-minute bars from 2017-08-17 on, about 9.5 years, the
 * BTCUSDT 1h prices repeated as their values, epoch-ms timestamps, about 290 MB) loaded in a fresh process per run, so that each peak RSS is the loader's own:
 * - quantlab: `loadBars(file)` (streaming tokenizer, validation included; memory proportional to the six
 *   output columns: 5e6 × 48 bytes = 240 MB);
 * - reference: arquero's `loadCSV` (the named table package; parses the whole text into JS columns, no validation).
 * Prints one JSON object: wall seconds and peak RSS (MB) of each. Goal (issue: "18 s and 1 GB today"): the
 * quantlab load streams, peak RSS well under 1 GB.
 * Run: npx tsx bench/data-large-csv.ts [--rows N]
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDataset } from '../lib/data';

const at = process.argv.indexOf('--rows');
const ROWS = at >= 0 ? Number(process.argv[at + 1]) : 5_000_000;
const root = resolve(__dirname, '..');

/** Writes the tiled series as CSV; resolves when the file is flushed. */
async function writeCsv(file: string): Promise<void> {
  const h1 = await loadDataset('BTCUSDT', '1h');
  const n = h1.ts.length;
  const out = createWriteStream(file);
  out.write('timestamp,open,high,low,close,volume\n');
  let chunk = '';
  for (let i = 0; i < ROWS; i++) {
    const k = i % n;
    chunk += `${h1.ts[0]! + i * 60_000},${h1.open[k]},${h1.high[k]},${h1.low[k]},${h1.close[k]},${h1.volume[k]}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise<void>((r) => out.once('finish', () => r()));
}

const CHILD: Record<string, string> = {
  quantlab: `const { loadBars } = require(${JSON.stringify(join(root, 'lib/data'))});
    const t0 = performance.now();
    loadBars(process.argv[1], { maxMemoryBytes: 4e9 }).then((r) => {
      const s = (performance.now() - t0) / 1000;
      console.log(JSON.stringify({ seconds: s, rows: r.bars.ts.length, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
    });`,
  arquero: `const aq = require('arquero');
    const t0 = performance.now();
    aq.loadCSV(process.argv[1]).then((t) => {
      const s = (performance.now() - t0) / 1000;
      console.log(JSON.stringify({ seconds: s, rows: t.numRows(), peakRssMB: process.resourceUsage().maxRSS / 1024 }));
    });`,
};

function runChild(name: string, file: string): Record<string, number> | { error: string } {
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', '--import', 'tsx', '-e', CHILD[name]!, file], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    const x = JSON.parse(line) as Record<string, number>;
    return { seconds: Math.round(x.seconds! * 100) / 100, rows: x.rows!, peakRssMB: Math.round(x.peakRssMB!) };
  } catch {
    return { error: (r.stderr || `exit ${r.status}`).trim().split('\n').slice(-3).join(' ') };
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'quantlab-bench-csv-'));
  const file = join(dir, 'large_1m.csv');
  try {
    await writeCsv(file);
    const result = {
      rows: ROWS,
      fileMB: Math.round(statSync(file).size / 1e6),
      outputColumnsMB: Math.round((ROWS * 48) / 1e6),
      quantlab: { how: 'loadBars(file): streaming tokenizer + validation, fresh process', ...runChild('quantlab', file) },
      reference: { how: "arquero loadCSV(file): whole-text parse, no validation, fresh process", ...runChild('arquero', file) },
      goal: 'streams: peak RSS proportional to the output columns, well under 1 GB',
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
