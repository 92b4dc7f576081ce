import { existsSync } from 'node:fs';
import { QuantlabError } from '../core';
import { datasetPath, excerpt, loadBars, type LoadOptions, type Loaded } from '../data';

/**
 * Loads the bars a CLI argument names: a file path (CSV, JSON, Parquet), or a shipped dataset symbol
 * ('BTCUSDT', 'BTC/USDT', optionally 'BTCUSDT:futures') with `timeframe` (default 1h).
 */
export async function loadBarsArg(arg: string, options: LoadOptions & { timeframe?: string } = {}): Promise<Loaded> {
  if (existsSync(arg)) return loadBars(arg, options);
  const m = /^([A-Za-z0-9]+(?:\/[A-Za-z0-9]+)?)(?::(spot|futures))?$/.exec(arg);
  if (!m) throw new QuantlabError('NOT_FOUND', `${excerpt(arg, 300)}: no such file, and not a dataset symbol like BTCUSDT or BTC/USDT`);
  const path = datasetPath(m[1]!, options.timeframe ?? '1h', (m[2] as 'spot' | 'futures' | undefined) ?? 'spot');
  return loadBars(path, { ...options, timeframe: undefined });
}

/** Parses a positive number option, naming the option in the error. */
export function numberOption(name: string, text: string): number {
  const v = Number(text);
  if (!Number.isFinite(v)) throw new QuantlabError('BAD_ARGUMENT', `${name}: expected a number, found '${text}'`);
  return v;
}
