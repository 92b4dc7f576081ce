import type { AnyStrategy } from '../define';
import { bollingerReversion } from './bollinger-reversion';
import { dailyTrendCross } from './daily-trend-cross';
import { donchianBreakout } from './donchian-breakout';
import { emaCross } from './ema-cross';
import { keltnerBreakout } from './keltner-breakout';
import { macdCross } from './macd-cross';
import { ethBtcZscore } from './ratio-zscore';
import { rsiEmaCross } from './rsi-ema-cross';
import { rsiReversion } from './rsi-reversion';
import { smaCross, smaCrossLongShort } from './sma-cross';
import { supertrendStrategy } from './supertrend';

export { bollingerReversion, dailyTrendCross, donchianBreakout, emaCross, ethBtcZscore, keltnerBreakout, macdCross, rsiEmaCross, rsiReversion, smaCross, smaCrossLongShort, supertrendStrategy };

/** Every built-in strategy, in registry order. */
export const BUILTIN_STRATEGIES: readonly AnyStrategy[] = [
  smaCross,
  smaCrossLongShort,
  emaCross,
  macdCross,
  rsiReversion,
  bollingerReversion,
  donchianBreakout,
  supertrendStrategy,
  dailyTrendCross,
  rsiEmaCross,
  keltnerBreakout,
];

/**
 * Built-ins that read other symbols (declared `inputs`): registered like the others, but every run needs
 * the inputs' bars (`{ inputs: { btc } }`), so suites that run each built-in on one symbol list them apart.
 */
export const MULTI_INPUT_STRATEGIES: readonly AnyStrategy[] = [ethBtcZscore];
