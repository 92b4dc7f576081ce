import type { AnyStrategy } from '../define';
import { bollingerReversion } from './bollinger-reversion';
import { donchianBreakout } from './donchian-breakout';
import { emaCross } from './ema-cross';
import { macdCross } from './macd-cross';
import { rsiReversion } from './rsi-reversion';
import { smaCross, smaCrossLongShort } from './sma-cross';
import { supertrendStrategy } from './supertrend';

export { bollingerReversion, donchianBreakout, emaCross, macdCross, rsiReversion, smaCross, smaCrossLongShort, supertrendStrategy };

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
];
