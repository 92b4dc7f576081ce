import { createInterface } from 'node:readline';
import { QuantlabError } from '../core';
import type { RunnerConfig } from './config';

/**
 * The live confirmation: the phrase a live start is confirmed with (the symbol and the notional cap), which
 * promote() prints into run.ts, and the check the run script makes before its first live order.
 */

/** The phrase a live start must be confirmed with: the symbol and the notional limit. */
export const confirmationPhrase = (c: RunnerConfig): string => `${c.symbol} ${c.risk.maxNotional}`;

/**
 * Checks that a live start is meant: the config must cap the notional (risk.maxNotional) and the operator
 * must type (or pass with --confirm) the symbol and that cap. Throws when it does not match.
 */
export async function confirmLive(config: RunnerConfig, given: string | undefined, io: { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream; interactive?: boolean } = {}): Promise<void> {
  if (config.risk.maxNotional === undefined) {
    throw new QuantlabError('BAD_ARGUMENT', 'live mode needs a size limit: set risk.maxNotional (largest position value in quote currency) in config.json');
  }
  const want = confirmationPhrase(config);
  const limits = `symbol ${config.symbol} on ${config.exchange.id}${config.exchange.url ? ` (${config.exchange.url})` : ''}, capital ${config.execution.cash ?? 10_000}, max notional ${config.risk.maxNotional}${config.risk.maxPosition !== undefined ? `, max position ${config.risk.maxPosition}` : ''}`;
  let answer = given;
  if (answer === undefined) {
    const interactive = io.interactive ?? Boolean((process.stdin as { isTTY?: boolean }).isTTY);
    if (!interactive) throw new QuantlabError('BAD_ARGUMENT', `live mode: confirm the ${limits} with --confirm '${want}' (no terminal to ask on)`);
    const rl = createInterface({ input: io.input ?? process.stdin, output: io.output ?? process.stdout });
    answer = await new Promise<string>((resolve) => rl.question(`LIVE trading with real orders: ${limits}.\nType '${want}' to confirm: `, (a) => resolve(a)));
    rl.close();
  }
  if (answer.trim() !== want) throw new QuantlabError('BAD_ARGUMENT', `live mode: the confirmation '${answer.trim()}' does not match '${want}' (the symbol and risk.maxNotional); nothing was traded`);
}
