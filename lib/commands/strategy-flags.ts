/**
 * Flags shared by the commands that run strategies (backtest, sweep, optimize): `--param k=v` pairs, the
 * execution options (fill, fee, cash, slippage, leverage, stops) and the strategy's inputs (`--input`).
 */
import type { Command } from 'commander';
import type { StopSpec } from '../backtest';
import { QuantlabError, type Bars } from '../core';
import { parseParamText, withInputs, type AnyStrategy, type BacktestOptions, type InputGaps, type ParamSpace } from '../strategy';
import { loadBarsArg, numberOption } from './args';

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
  input?: string[];
  inputGaps?: string;
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
    .option('--trailing-stop <stop>', 'trailing stop, as --stop-loss')
    .option('--input <name=source>', "bars of an input the strategy declares: name=SYMBOL (a dataset at the bars' timeframe) or name=FILE (repeatable; default: each declared input's own symbol)", collect, [])
    .option('--input-gaps <rule>', "a bar an input has no bar for: 'hold' (default: its latest closed value), 'nan' or 'error'");
}

/**
 * The bars with the strategy's inputs attached: each `--input name=source` (a dataset symbol at the bars'
 * timeframe, or a file), and every declared input not given from its declared symbol. Names an undeclared
 * input, a malformed pair or a bad --input-gaps.
 */
export async function inputBarsFlags(strategy: AnyStrategy, bars: Bars, f: Pick<ExecutionFlags, 'input' | 'inputGaps'>): Promise<Bars> {
  const declared = strategy.inputs ?? {};
  const given = new Map<string, string>();
  for (const pair of f.input ?? []) {
    const i = pair.indexOf('=');
    if (i <= 0 || i === pair.length - 1) throw new QuantlabError('BAD_ARGUMENT', `--input: expected name=SYMBOL or name=FILE (e.g. btc=BTCUSDT), found '${pair}'`);
    const name = pair.slice(0, i).trim();
    if (!(name in declared)) {
      const names = Object.keys(declared);
      throw new QuantlabError('BAD_ARGUMENT', `--input: strategy '${strategy.name}' declares no input '${name}'; ${names.length ? `it declares ${names.join(', ')}` : 'it reads no other symbol'}`);
    }
    given.set(name, pair.slice(i + 1).trim());
  }
  const gaps = f.inputGaps;
  if (gaps !== undefined && !['hold', 'nan', 'error'].includes(gaps)) throw new QuantlabError('BAD_ARGUMENT', `--input-gaps: expected hold, nan or error, found '${gaps}'`);
  const names = Object.keys(declared);
  if (!names.length) return bars;
  const inputs: Record<string, Bars> = {};
  for (const name of names) {
    const source = given.get(name) ?? declared[name]!.symbol;
    inputs[name] = (await loadBarsArg(source, { timeframe: bars.timeframe || '1h' })).bars;
  }
  return withInputs(bars, inputs, { gaps: gaps as InputGaps | undefined });
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
  // the inputs travel with the bars (inputBarsFlags), not as options
  for (const k of Object.keys(o) as (keyof typeof o)[]) if (o[k] === undefined) delete o[k];
  return o;
}
