/**
 * `quantlab backtest`: runs a registered (or your own) strategy on a file or a shipped dataset and prints the
 * statistics table, or one JSON object; `--out DIR` writes the trades and the equity curve as Parquet;
 * `--report [file]` writes the HTML report; `--check-bias` runs the bias check first (look-ahead, warm-up,
 * three-form parity), prints its report and ends with BIAS (exit code 1) when it finds one.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { tradeTableColumns } from '../backtest/columns';
import { ensureDir, QuantlabError } from '../core';
import { saveColumnsParquet } from '../data';
import { backtestReport } from '../report';
import { drawdownSeries, statsText } from '../metrics';
import { backtest, biasError, biasText, checkBias, getStrategy, listStrategies, loadStrategyFile, type BacktestOptions, type BiasReport, type ParamSpace } from '../strategy';
import { loadBarsArg } from './args';
import { addExecutionFlags, collect, executionOptions, inputBarsFlags, jsonText, readParams, type ExecutionFlags } from './strategy-flags';

interface Flags extends ExecutionFlags {
  data?: string;
  strategy?: string;
  strategyFile?: string;
  param: string[];
  timeframe?: string;
  json?: boolean;
  out?: string;
  report?: string | boolean;
  list?: boolean;
  checkBias?: boolean;
}

/** Adds `quantlab backtest` to the program. */
export function registerBacktestCommand(program: Command): void {
  const command = program
    .command('backtest')
    .description('backtest a strategy on a data file or a shipped dataset')
    .option('-d, --data <fileOrSymbol>', 'CSV/JSON/Parquet file, or a dataset symbol such as BTCUSDT')
    .option('-s, --strategy <name>', 'registered strategy name (see --list)')
    .option('--strategy-file <file>', 'register the strategies exported by your own file first')
    .option('-p, --param <name=value>', 'strategy parameter (repeatable)', collect, [])
    .option('-t, --timeframe <tf>', 'timeframe of the dataset for a SYMBOL (default 1h)');
  addExecutionFlags(command)
    .option('--json', 'print one JSON object instead of the table')
    .option('-o, --out <dir>', 'write trades.parquet and equity.parquet into this folder')
    .option('--report [file]', 'write a self-contained HTML report (default experiments/reports/<strategy>-<symbol>-<tf>.html)')
    .option('--list', 'list the registered strategies and their parameters')
    .option('--check-bias', 'check for look-ahead, warm-up and three-form parity first; a bias found prints the report and exits 1')
    .action(async (f: Flags) => {
      if (f.strategyFile) await loadStrategyFile(f.strategyFile);
      if (f.list) {
        const all = listStrategies();
        if (f.json) return console.log(jsonText(all));
        for (const s of all) {
          console.log(`${s.name.padEnd(22)} ${s.description}`);
          for (const [k, p] of Object.entries(s.params)) console.log(`    ${k.padEnd(10)} ${p.accepts} (default ${JSON.stringify(p.default)})`);
        }
        return;
      }
      if (!f.data) throw new QuantlabError('BAD_ARGUMENT', 'backtest: --data FILE|SYMBOL is required');
      if (!f.strategy) throw new QuantlabError('BAD_ARGUMENT', 'backtest: --strategy NAME is required (see --list)');
      const strategy = getStrategy(f.strategy);
      const params = readParams(strategy.params as ParamSpace, f.param, strategy.name);
      const bars = await inputBarsFlags(strategy, (await loadBarsArg(f.data, { timeframe: f.timeframe })).bars, f);
      const options: BacktestOptions = executionOptions(f);
      let bias: BiasReport | undefined;
      if (f.checkBias) {
        bias = checkBias(strategy, bars, params);
        if (!bias.ok) {
          console.log(f.json ? jsonText({ strategy: bias.strategy, params: bias.params, data: { source: f.data, symbol: bars.symbol, timeframe: bars.timeframe, bars: bars.close.length }, bias }) : biasText(bias));
          throw biasError(bias, 'backtest --check-bias');
        }
      }
      const r = backtest(strategy, bars, params, options);
      if (f.out) {
        ensureDir(f.out, 'backtest --out');
        saveColumnsParquet(join(f.out, 'trades.parquet'), tradeTableColumns(r.trades, r.symbols));
        saveColumnsParquet(join(f.out, 'equity.parquet'), { ts: bars.ts, equity: r.equity, position: r.position, drawdown: drawdownSeries(r.equity, r.initialCash) });
      }
      const reportPath = f.report ? backtestReport(r, bars, typeof f.report === 'string' ? { path: f.report } : {}) : undefined;
      const s = r.stats;
      if (f.json) {
        return console.log(
          jsonText({
            strategy: r.strategy,
            params: r.params,
            data: { source: f.data, symbol: bars.symbol, timeframe: bars.timeframe, bars: bars.close.length, start: s.start, end: s.end },
            options: r.options,
            finalEquity: r.finalEquity,
            totalReturn: s.totalReturn,
            maxDrawdown: s.maxDrawdown,
            sharpe: s.sharpe,
            trades: s.trades,
            ambiguousTrades: r.ambiguousTrades,
            pessimisticFinalEquity: r.pessimisticFinalEquity,
            optimisticFinalEquity: r.optimisticFinalEquity,
            stats: s,
            ...(f.out ? { out: { trades: join(f.out, 'trades.parquet'), equity: join(f.out, 'equity.parquet') } } : {}),
            ...(reportPath ? { report: reportPath } : {}),
            ...(bias ? { bias } : {}),
          }),
        );
      }
      const o = r.options;
      console.log(`${r.strategy} ${jsonText(r.params).replace(/\s+/g, ' ')} on ${bars.symbol || f.data} ${bars.timeframe} (${bars.close.length} bars)`);
      console.log(`fill ${o.fill}, fee ${o.fee} per side, cash ${o.cash}, slippage ${o.slippage} bps, leverage ${o.leverage}`);
      console.log('');
      console.log(statsText(s));
      if (bias) console.log(`\n${biasText(bias)}`);
      if (r.ambiguousTrades) {
        console.log(`\n${r.ambiguousTrades} trade(s) ended in a bar that touched both a stop and the target: pessimistic final equity ${r.pessimisticFinalEquity.toFixed(2)}, optimistic ${r.optimisticFinalEquity.toFixed(2)}`);
      }
      if (f.out) console.log(`\nwrote ${join(f.out, 'trades.parquet')} and ${join(f.out, 'equity.parquet')}`);
      if (reportPath) console.log(`\nreport: ${reportPath}`);
    });
}
