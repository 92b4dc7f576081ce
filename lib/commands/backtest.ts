/**
 * `quantlab backtest`: runs a registered (or your own) strategy on a file or a shipped dataset and prints the
 * statistics table, or one JSON object; `--out DIR` writes the trades and the equity curve as Parquet;
 * `--report [file]` writes the HTML report.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { type StopSpec } from '../backtest';
import { tradeTableColumns } from '../backtest/columns';
import { QuantlabError } from '../core';
import { saveColumnsParquet } from '../data';
import { backtestReport } from '../report';
import { drawdownSeries, statsText } from '../metrics';
import { backtest, getStrategy, listStrategies, loadStrategyFile, parseParamText, type BacktestOptions, type ParamSpace } from '../strategy';
import { loadBarsArg, numberOption } from './args';

interface Flags {
  data?: string;
  strategy?: string;
  strategyFile?: string;
  param: string[];
  timeframe?: string;
  fill?: string;
  fee?: string;
  cash?: string;
  slippage?: string;
  leverage?: string;
  stopLoss?: string;
  takeProfit?: string;
  trailingStop?: string;
  json?: boolean;
  out?: string;
  report?: string | boolean;
  list?: boolean;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** '0.02' (fraction of the entry) or 'atr:2' (ATR multiple). */
function stopFlag(name: string, text: string | undefined): StopSpec | undefined {
  if (text === undefined) return undefined;
  const m = /^atr:(.+)$/i.exec(text.trim());
  return m ? { atr: numberOption(name, m[1]!) } : numberOption(name, text);
}

/** Reads `--param k=v` pairs against the strategy's declarations. */
function readParams(space: ParamSpace, pairs: string[], strategy: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new QuantlabError('BAD_ARGUMENT', `--param: expected name=value (e.g. fast=10), found '${pair}'`);
    const k = pair.slice(0, i).trim();
    const spec = space[k];
    if (!spec) throw new QuantlabError('BAD_ARGUMENT', `--param: strategy '${strategy}' has no parameter '${k}'; it has ${Object.keys(space).join(', ')}`);
    out[k] = parseParamText(spec, pair.slice(i + 1).trim());
  }
  return out;
}

/** JSON that keeps NaN and ±Infinity readable (as strings) instead of turning them into null. */
const jsonText = (v: unknown) =>
  JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<number>) : x), 2);

/** Adds `quantlab backtest` to the program. */
export function registerBacktestCommand(program: Command): void {
  program
    .command('backtest')
    .description('backtest a strategy on a data file or a shipped dataset')
    .option('-d, --data <fileOrSymbol>', 'CSV/JSON/Parquet file, or a dataset symbol such as BTCUSDT')
    .option('-s, --strategy <name>', 'registered strategy name (see --list)')
    .option('--strategy-file <file>', 'register the strategies exported by your own file first')
    .option('-p, --param <name=value>', 'strategy parameter (repeatable)', collect, [])
    .option('-t, --timeframe <tf>', 'timeframe of the dataset for a SYMBOL (default 1h)')
    .option('--fill <when>', "'next-open' (default: fill at the next bar's open) or 'close' (the signal bar's close)")
    .option('--fee <rate>', 'fee rate per side (default 0.001)')
    .option('--cash <amount>', 'initial cash (default 10000)')
    .option('--slippage <bps>', 'slippage in basis points (default 0)')
    .option('--leverage <x>', 'exposure multiplier (default 1)')
    .option('--stop-loss <stop>', "stop-loss: a fraction of the entry (0.02) or an ATR multiple ('atr:2')")
    .option('--take-profit <stop>', 'take-profit, as --stop-loss')
    .option('--trailing-stop <stop>', 'trailing stop, as --stop-loss')
    .option('--json', 'print one JSON object instead of the table')
    .option('-o, --out <dir>', 'write trades.parquet and equity.parquet into this folder')
    .option('--report [file]', 'write a self-contained HTML report (default experiments/reports/<strategy>-<symbol>-<tf>.html)')
    .option('--list', 'list the registered strategies and their parameters')
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
      const { bars } = await loadBarsArg(f.data, { timeframe: f.timeframe });
      const options: BacktestOptions = {
        fill: f.fill as BacktestOptions['fill'],
        fee: f.fee === undefined ? undefined : numberOption('--fee', f.fee),
        cash: f.cash === undefined ? undefined : numberOption('--cash', f.cash),
        slippage: f.slippage === undefined ? undefined : numberOption('--slippage', f.slippage),
        leverage: f.leverage === undefined ? undefined : numberOption('--leverage', f.leverage),
        stopLoss: stopFlag('--stop-loss', f.stopLoss),
        takeProfit: stopFlag('--take-profit', f.takeProfit),
        trailingStop: stopFlag('--trailing-stop', f.trailingStop),
      };
      const r = backtest(strategy, bars, params, options);
      if (f.out) {
        mkdirSync(f.out, { recursive: true });
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
          }),
        );
      }
      const o = r.options;
      console.log(`${r.strategy} ${jsonText(r.params).replace(/\s+/g, ' ')} on ${bars.symbol || f.data} ${bars.timeframe} (${bars.close.length} bars)`);
      console.log(`fill ${o.fill}, fee ${o.fee} per side, cash ${o.cash}, slippage ${o.slippage} bps, leverage ${o.leverage}`);
      console.log('');
      console.log(statsText(s));
      if (r.ambiguousTrades) {
        console.log(`\n${r.ambiguousTrades} trade(s) ended in a bar that touched both a stop and the target: pessimistic final equity ${r.pessimisticFinalEquity.toFixed(2)}, optimistic ${r.optimisticFinalEquity.toFixed(2)}`);
      }
      if (f.out) console.log(`\nwrote ${join(f.out, 'trades.parquet')} and ${join(f.out, 'equity.parquet')}`);
      if (reportPath) console.log(`\nreport: ${reportPath}`);
    });
}
