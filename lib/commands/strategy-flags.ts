/**
 * Flags shared by the commands that run strategies (backtest, sweep, optimize): `--param k=v` pairs and the
 * execution options (fill, fee, cash, slippage, leverage, stops).
 */
import type { Command } from 'commander';
import type { StopSpec } from '../backtest';
import { QuantlabError } from '../core';
import { parseParamText, type BacktestOptions, type ParamSpace } from '../strategy';
import { numberOption } from './args';

/** commander reducer for repeatable options. */
export const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** JSON that keeps NaN and ±Infinity readable (as strings) and typed arrays as arrays. */
export const jsonText = (v: unknown): string =>
  JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<number>) : x), 2);

/** '0.02' (fraction of the entry) or 'atr:2' (ATR multiple). */
export function stopFlag(name: string, text: string | undefined): StopSpec | undefined {
  if (text === undefined) return undefined;
  const m = /^atr:(.+)$/i.exec(text.trim());
  return m ? { atr: numberOption(name, m[1]!) } : numberOption(name, text);
}

/** Reads `--param k=v` pairs against the strategy's declarations; names the bad pair or the unknown parameter. */
export function readParams(space: ParamSpace, pairs: string[], strategy: string): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new QuantlabError('BAD_ARGUMENT', `--param: expected name=value (e.g. fast=10), found '${pair}'`);
    const k = pair.slice(0, i).trim();
    const spec = space[k];
    if (!spec) throw new QuantlabError('BAD_ARGUMENT', `--param: strategy '${strategy}' has no parameter '${k}'; it has ${Object.keys(space).join(', ')}`);
    out[k] = parseParamText(spec, pair.slice(i + 1).trim()) as string | number | boolean;
  }
  return out;
}

export interface ExecutionFlags {
  fill?: string;
  fee?: string;
  cash?: string;
  slippage?: string;
  leverage?: string;
  stopLoss?: string;
  takeProfit?: string;
  trailingStop?: string;
}

/** Adds the execution flags to a command. */
export function addExecutionFlags(c: Command): Command {
  return c
    .option('--fill <when>', "'next-open' (default: fill at the next bar's open) or 'close' (the signal bar's close)")
    .option('--fee <rate>', 'fee rate per side (default 0.001)')
    .option('--cash <amount>', 'initial cash (default 10000)')
    .option('--slippage <bps>', 'slippage in basis points (default 0)')
    .option('--leverage <x>', 'exposure multiplier (default 1)')
    .option('--stop-loss <stop>', "stop-loss: a fraction of the entry (0.02) or an ATR multiple ('atr:2')")
    .option('--take-profit <stop>', 'take-profit, as --stop-loss')
    .option('--trailing-stop <stop>', 'trailing stop, as --stop-loss');
}

/** Backtest options from the execution flags (only the flags given; the simulator fills the defaults). */
export function executionOptions(f: ExecutionFlags): Omit<BacktestOptions, 'cache'> {
  const o: Omit<BacktestOptions, 'cache'> = {
    fill: f.fill as BacktestOptions['fill'],
    fee: f.fee === undefined ? undefined : numberOption('--fee', f.fee),
    cash: f.cash === undefined ? undefined : numberOption('--cash', f.cash),
    slippage: f.slippage === undefined ? undefined : numberOption('--slippage', f.slippage),
    leverage: f.leverage === undefined ? undefined : numberOption('--leverage', f.leverage),
    stopLoss: stopFlag('--stop-loss', f.stopLoss),
    takeProfit: stopFlag('--take-profit', f.takeProfit),
    trailingStop: stopFlag('--trailing-stop', f.trailingStop),
  };
  for (const k of Object.keys(o) as (keyof typeof o)[]) if (o[k] === undefined) delete o[k];
  return o;
}
