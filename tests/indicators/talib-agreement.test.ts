import { describe, expect, it } from 'vitest';
import { QuantlabError } from '../../lib/core';
import { bbands } from '../../lib/indicators';
import { agreementRow, talibAgreement, talibRun } from '../../lib/testing';
import { btc1h } from '../helpers/datasets';

const b = btc1h();

describe('talibAgreement (TA-Lib calls built from the descriptors)', () => {
  it('gives one row per compared output, named by indicator and parameters', () => {
    const rows = talibAgreement(b, ['rsi', 'bbands', { name: 'macd', params: { fast: 5, slow: 35 } }, 'aroon']);
    expect(rows.map((r) => [r.indicator, r.talib])).toEqual([
      ['rsi(14)', 'RSI.outReal'],
      ['bbands(20,2).upper', 'BBANDS.outRealUpperBand'],
      ['bbands(20,2).middle', 'BBANDS.outRealMiddleBand'],
      ['bbands(20,2).lower', 'BBANDS.outRealLowerBand'],
      ['macd(5,35,9).macd', 'MACD.outMACD'],
      ['macd(5,35,9).signal', 'MACD.outMACDSignal'],
      ['macd(5,35,9).hist', 'MACD.outMACDHist'],
      ['aroon(14).up', 'AROON.outAroonUp'],
      ['aroon(14).down', 'AROON.outAroonDown'],
      ['aroon(14).osc', 'AROONOSC.outReal'],
    ]);
    for (const r of rows) {
      expect(r.same_warmup, r.indicator).toBe(true);
      expect(r.max_rel_diff, r.indicator).toBeLessThan(1e-9);
    }
  });

  it('is the hand-written comparison, option for option (bbands with k = 1.5: both TA-Lib deviations)', () => {
    const [upper] = talibAgreement(b, [{ name: 'bbands', params: { n: 30, k: 1.5 } }]);
    const ref = talibRun('BBANDS', { inReal: b.close }, { optInTimePeriod: 30, optInNbDevUp: 1.5, optInNbDevDn: 1.5, optInMAType: 0 });
    expect(upper).toEqual(agreementRow('bbands(30,1.5).upper', 'BBANDS.outRealUpperBand', bbands(b.close, 30, 1.5).upper, ref.outRealUpperBand!));
  });

  it('maps choice parameters to TA-Lib codes (ppo maType ema = 1)', () => {
    const [row] = talibAgreement(b, [{ name: 'ppo', params: { maType: 'ema' } }]);
    expect(row!.indicator).toBe('ppo(12,26,ema)');
    expect(row!.max_rel_diff).toBeLessThan(1e-9);
  });

  it('refuses unknown names, indicators TA-Lib lacks, and bad parameters', () => {
    expect(() => talibAgreement(b, ['rsx'])).toThrow(/no indicator named 'rsx'; known: ad, adosc/);
    expect(() => talibAgreement(b, ['keltner'])).toThrow(/keltner has no TA-Lib counterpart; those that do: .*bbands/);
    expect(() => talibAgreement(b, [{ name: 'rsi', params: { n: 1 } }])).toThrow(QuantlabError);
  });
});
