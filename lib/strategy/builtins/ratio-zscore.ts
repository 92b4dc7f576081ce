import { defineStrategy } from '../define';
import { ind } from '../ind';
import { float, int } from '../params';
import { bandSignal, bandTargets } from '../signals';

/**
 * eth-btc-zscore: mean reversion of the ETH/BTC price ratio. Trades the base bars (ETHUSDT) with BTCUSDT as
 * the input `btc`: z = z-score over `n` bars of close / btc close; target 1 when z < −entry (ETH cheap
 * against BTC), 0 when z > exit (back to the mean), hold between. BTC bars are aligned by time
 * (onInput); a missing BTC bar holds the last BTC close by default (inputGaps).
 */
export const ethBtcZscore = defineStrategy({
  name: 'eth-btc-zscore',
  description: 'Long ETH when the ETH/BTC ratio is entry std below its n-bar mean, flat once it is back above exit (input btc: BTCUSDT).',
  params: { n: int(10, 2000, { default: 168 }), entry: float(0.25, 5, { default: 2 }), exit: float(-3, 3, { default: 0 }) },
  check: (p) => -p.entry < p.exit || `exit (${p.exit}) must be above -entry (${-p.entry})`,
  inputs: { btc: { symbol: 'BTCUSDT', description: 'the quote of the ratio' } },
  indicators: (p) => ({ z: ind.zscore(ind.ratio('close', ind.input('btc', ind.field('close'))), p.n) }),
  decide: (bar, { params }) => bandSignal(bar.z, -params.entry, params.exit, 1, 0),
  targets: (_bars, v, p, out) => bandTargets(v.z, -p.entry, p.exit, 1, 0, out),
});
