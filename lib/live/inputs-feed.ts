import { barAt, QuantlabError, type Bar } from '../core';
import type { AnyStrategy, InputBarsFeed, InputGaps } from '../strategy';
import type { MarketFeed } from './feed';
import type { InputBarRow, StateStore } from './state-store';

/**
 * The runner's other symbols (a strategy's `inputs`): each poll it reads the closed candles of every input
 * symbol (same exchange, same timeframe), and hands a base bar the input bars opened after the previous base
 * bar and at or before it — the rule of the backtest's `withInputs` and of `streamTargets`, so nothing later
 * than the base bar is ever seen. A base bar whose input has no bar at the same time shows what the gaps
 * option says ('hold' the latest closed value, 'nan', or 'error'), as in the backtest.
 *
 * An input is stale for a base bar when its last closed candle opened before that bar: its bar may still be
 * on its way, so the runner waits (polls again) rather than decide on old data; see RiskGuard.checkStaleInput
 * for how long. Every input bar handed to the strategy is written to the state store with the base bar, so a
 * restart rebuilds the inputs' indicators from exactly the bars the session saw.
 */

export interface RunnerInput {
  /** the strategy's input name ('btc'). */
  name: string;
  /** the exchange symbol read for it ('BTC/USDT:USDT'). */
  symbol: string;
}

/** The inputs a strategy declares, matched with the exchange symbols a config gives for them; throws naming what is missing. */
export function runnerInputs(strategy: AnyStrategy, symbols: Readonly<Record<string, string>> | undefined, where = 'runner'): RunnerInput[] {
  const decls = strategy.inputs ?? {};
  const names = Object.keys(decls);
  const given = symbols ?? {};
  const missing = names.filter((n) => typeof given[n] !== 'string');
  if (missing.length) {
    const want = missing.map((n) => `${n}: '<the exchange symbol of ${decls[n]!.symbol}>'`).join(', ');
    throw new QuantlabError('BAD_ARGUMENT', `${where}: strategy '${strategy.name}' reads other symbols (${missing.map((n) => `${n} (${decls[n]!.symbol})`).join(', ')}); the config must name them: inputs: { ${want} }`);
  }
  const extra = Object.keys(given).filter((n) => !(n in decls));
  if (extra.length) throw new QuantlabError('BAD_ARGUMENT', `${where}: config inputs ${extra.join(', ')}: strategy '${strategy.name}' declares ${names.length ? `only ${names.join(', ')}` : 'no inputs'}`);
  return names.map((name) => ({ name, symbol: given[name]! }));
}

/** What one poll read of an input: its closed bars not fed yet, and the open time of its last closed bar. */
interface Pending {
  bars: InputBarRow[];
  lastTs: number;
}

export class InputsFeed {
  /** open time of the last input bar handed to the strategy, per input (NaN before the first). */
  private readonly fed = new Map<string, number>();
  private pending = new Map<string, Pending>();

  constructor(
    readonly inputs: readonly RunnerInput[],
    readonly gaps: InputGaps,
    private readonly feed: MarketFeed,
    private readonly timeframe: string,
    private readonly tfMs: number,
  ) {
    for (const i of inputs) this.fed.set(i.name, NaN);
  }

  get names(): string[] {
    return this.inputs.map((i) => i.name);
  }

  /** Reads every input's closed candles opened at or after `since` (or after the last bar fed, when later). */
  async read(since: number): Promise<void> {
    const next = new Map<string, Pending>();
    for (const i of this.inputs) {
      const fed = this.fed.get(i.name)!;
      const from = fed === fed ? Math.max(since, fed + this.tfMs) : since;
      const c = await this.feed.candles(i.symbol, this.timeframe, from);
      const bars: InputBarRow[] = [];
      for (let k = 0; k < c.closed.ts.length; k++) if (!(c.closed.ts[k]! <= fed)) bars.push(barAt(c.closed, k));
      const n = bars.length;
      next.set(i.name, { bars, lastTs: n ? bars[n - 1]!.ts : fed });
    }
    this.pending = next;
  }

  /** The inputs whose last closed bar (read by {@link read}) opened before `barTs`, with that open time (NaN: none yet). */
  staleFor(barTs: number): { input: RunnerInput; lastTs: number }[] {
    return this.inputs.map((input) => ({ input, lastTs: this.pending.get(input.name)?.lastTs ?? this.fed.get(input.name)! })).filter((x) => !(x.lastTs >= barTs));
  }

  /**
   * The input bars a base bar opened at `barTs` is handed (opened after the previous base bar, at or before
   * this one), taken from what {@link read} found; they are returned for storing as well.
   */
  take(barTs: number): { feed: InputBarsFeed; rows: Record<string, InputBarRow[]> } {
    const rows: Record<string, InputBarRow[]> = {};
    for (const i of this.inputs) {
      const p = this.pending.get(i.name);
      const list: InputBarRow[] = [];
      while (p && p.bars.length && p.bars[0]!.ts <= barTs) list.push(p.bars.shift()!);
      if (list.length) this.fed.set(i.name, list[list.length - 1]!.ts);
      rows[i.name] = list;
    }
    return { feed: this.feedOf(rows), rows };
  }

  /** Writes the bars a base bar was handed (call inside the base bar's transaction). */
  store(store: StateStore, rows: Record<string, InputBarRow[]>): void {
    for (const [name, list] of Object.entries(rows)) if (list.length) store.putInputBars(name, list);
  }

  /**
   * Replays the stored input bars for the stored base bars: call `next(barTs)` once per base bar, oldest
   * first; it returns that bar's feed, as the session handed it.
   */
  replay(store: StateStore): (barTs: number) => InputBarsFeed {
    const stored = new Map(this.inputs.map((i) => [i.name, store.inputBars(i.name)]));
    const ptr = new Map(this.inputs.map((i) => [i.name, 0]));
    this.pending = new Map();
    return (barTs: number) => {
      const rows: Record<string, InputBarRow[]> = {};
      for (const i of this.inputs) {
        const all = stored.get(i.name)!;
        let j = ptr.get(i.name)!;
        const list: InputBarRow[] = [];
        while (j < all.length && all[j]!.ts <= barTs) list.push(all[j++]!);
        ptr.set(i.name, j);
        if (list.length) this.fed.set(i.name, list[list.length - 1]!.ts);
        rows[i.name] = list;
      }
      return this.feedOf(rows);
    };
  }

  private feedOf(rows: Record<string, InputBarRow[]>): InputBarsFeed {
    const feed: Record<string, Bar[]> = { ...rows };
    // the streaming input indicators read the gaps option from the feed (as inputFeeder() passes it)
    Object.defineProperty(feed, 'gaps', { value: this.gaps, enumerable: false });
    return feed;
  }
}
