import { extname } from 'node:path';
import type { Command } from 'commander';
import { QuantlabError } from '../core';
import { formatGap, formatReport, listDatasets, resampleWithCounts, saveParquet, summarize, type LoadOptions } from '../data';
import { loadBarsArg } from './args';
import { registerDataFetchCommand } from './fetch';

const loadFlags = (o: Record<string, unknown>): LoadOptions => ({
  timeframe: o.timeframe as string | undefined,
  timeUnit: o.timeUnit as string | undefined,
  thousands: o.thousands as string | undefined,
  sort: Boolean(o.sort),
  dropDuplicates: (o.dropDuplicates as 'first' | 'last' | undefined) ?? false,
  fillGaps: o.fillGaps ? 'ffill' : false,
});

function addLoadFlags(c: Command): Command {
  return c
    .option('-t, --timeframe <tf>', 'bar length (1m, 1h, 1d…), overriding the file name, metadata and spacing; for a SYMBOL, which dataset (default 1h)')
    .option('--time-unit <unit>', 'unit of epoch-number times: s, ms, us or ns (default: decided once per column from the magnitudes)')
    .option('--thousands <sep>', "accept this thousands separator inside numbers (e.g. ',' reads \"1,234.5\"); default: refuse such cells")
    .option('--sort', 'sort rows by time instead of failing on unsorted input')
    .option('--drop-duplicates <keep>', "drop rows repeating the previous time, keeping 'first' or 'last'")
    .option('--fill-gaps', 'insert flat bars (previous close, volume 0) for missing times');
}

/** `quantlab data list|info|validate|resample|convert`. */
export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('market data: list, inspect, validate, resample, convert, fetch');
  registerDataFetchCommand(data);

  data
    .command('list')
    .description('list the shipped datasets (datasets/*.parquet)')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const ds = listDatasets();
      if (o.json) return console.log(JSON.stringify(ds, null, 2));
      console.log(['symbol', 'tf', 'market', 'rows', 'first', 'last', 'file'].join('\t'));
      for (const d of ds) console.log([d.symbol, d.timeframe, d.market, d.rows, d.first, d.last, d.file].join('\t'));
    });

  addLoadFlags(data.command('info <fileOrSymbol>').description('summary and validation report of a file or shipped dataset'))
    .option('--json', 'print JSON')
    .action(async (arg: string, o: Record<string, unknown>) => {
      const { bars, report } = await loadBarsArg(arg, loadFlags(o));
      if (o.json) return console.log(JSON.stringify({ summary: Object.fromEntries(summarize(bars).map((r) => [r.field, r.value])), report }, null, 2));
      for (const r of summarize(bars)) console.log(`${r.field.padEnd(20)} ${r.value}`);
      console.log(formatReport(report));
      for (const g of report.gaps.slice(0, 50)) console.log(`  gap ${formatGap(g)}`);
      if (report.gaps.length > 50) console.log(`  … ${report.gaps.length - 50} more gaps (--json lists all)`);
    });

  addLoadFlags(data.command('validate <file>').description('validate a file; exit 1 and print the report when it has errors'))
    .option('--json', 'print the report as JSON')
    .action(async (file: string, o: Record<string, unknown>) => {
      const { report } = await loadBarsArg(file, { ...loadFlags(o), onError: 'report' });
      console.log(o.json ? JSON.stringify(report, null, 2) : formatReport(report));
      if (!report.ok) process.exitCode = 1;
    });

  addLoadFlags(data.command('resample <fileOrSymbol>').description('aggregate to a coarser timeframe and write Parquet or CSV'))
    .requiredOption('--to <tf>', 'target timeframe (5m, 15m, 1h, 4h, 1d, 1w)')
    .requiredOption('-o, --out <file>', 'output file (.parquet or .csv)')
    .option('--drop-incomplete', 'leave out bars built from fewer source bars than a full one holds')
    .action(async (arg: string, o: Record<string, unknown>) => {
      const { bars } = await loadBarsArg(arg, loadFlags(o));
      const r = resampleWithCounts(bars, o.to as string, { incomplete: o.dropIncomplete ? 'drop' : 'keep' });
      writeBars(r.bars, o.out as string);
      console.log(`${bars.ts.length} ${bars.timeframe} bars -> ${r.bars.ts.length} ${r.bars.timeframe} bars (${r.incomplete} incomplete, ${o.dropIncomplete ? 'dropped' : 'kept'}) -> ${o.out}`);
    });

  addLoadFlags(data.command('convert <file>').description('validate a CSV/JSON/Parquet file and write it as Parquet (or CSV)'))
    .requiredOption('-o, --out <file>', 'output file (.parquet or .csv)')
    .option('--symbol <symbol>', 'symbol to record in the Parquet metadata')
    .action(async (file: string, o: Record<string, unknown>) => {
      const { bars, report } = await loadBarsArg(file, { ...loadFlags(o), symbol: o.symbol as string | undefined });
      writeBars(bars, o.out as string);
      console.log(`${report.rows} rows (${report.gaps.length} gaps, ${report.missingBars} missing bars) -> ${o.out}`);
      for (const a of report.actions) console.log(`changed on request: ${a}`);
    });
}

function writeBars(bars: Parameters<typeof saveParquet>[0], out: string): void {
  const ext = extname(out).toLowerCase();
  if (ext === '.parquet') return saveParquet(bars, out);
  if (ext === '.csv') {
    const { writeFileSync } = require('node:fs') as typeof import('node:fs');
    const lines = ['timestamp,open,high,low,close,volume'];
    for (let i = 0; i < bars.ts.length; i++) lines.push(`${new Date(bars.ts[i]!).toISOString().replace('.000Z', 'Z')},${bars.open[i]},${bars.high[i]},${bars.low[i]},${bars.close[i]},${bars.volume[i]}`);
    writeFileSync(out, `${lines.join('\n')}\n`);
    return;
  }
  throw new QuantlabError('BAD_ARGUMENT', `--out ${out}: expected a .parquet or .csv file name`);
}
