import { describe, expect, it } from 'vitest';
import { labels } from '../../lib/ml';
import { btc1h } from '../helpers/datasets';

describe('ml.labels.forwardReturn', () => {
  const bars = btc1h();
  const n = bars.close.length;

  it('value, sign and span against a naive loop', () => {
    const h = 24;
    const v = labels.forwardReturn(bars, h);
    const s = labels.forwardReturn(bars, h, { kind: 'sign' });
    for (let t = 0; t < n; t++) {
      if (t + h >= n) {
        expect(Number.isNaN(v.y[t]!) && Number.isNaN(s.y[t]!) && v.end[t] === -1).toBe(true);
        continue;
      }
      const r = bars.close[t + h]! / bars.close[t]! - 1;
      if (v.y[t] !== r || s.y[t] !== (r > 0 ? 1 : 0) || v.end[t] !== t + h) throw new Error(`bar ${t}: ${v.y[t]} ${s.y[t]} ${v.end[t]} vs ${r}`);
    }
  });

  it('quantile classes are (nearly) equally filled and ordered by return', () => {
    const q = labels.forwardReturn(bars, 6, { kind: 'quantile', quantiles: 4 });
    const counts = [0, 0, 0, 0];
    const maxOf = [-Infinity, -Infinity, -Infinity, -Infinity];
    const minOf = [Infinity, Infinity, Infinity, Infinity];
    for (let t = 0; t < n; t++) {
      if (Number.isNaN(q.y[t]!)) continue;
      const c = q.y[t]!;
      counts[c]!++;
      maxOf[c] = Math.max(maxOf[c]!, q.ret[t]!);
      minOf[c] = Math.min(minOf[c]!, q.ret[t]!);
    }
    const m = n - 6;
    for (const c of counts) expect(Math.abs(c - m / 4)).toBeLessThan(m * 0.01);
    for (let c = 0; c < 3; c++) expect(maxOf[c]!).toBeLessThan(minOf[c + 1]!);
  });

  it('refuses a bad horizon or kind', () => {
    expect(() => labels.forwardReturn(bars, 0)).toThrow(/horizon to be an integer >= 1, found 0/);
    expect(() => labels.forwardReturn(bars, 3, { kind: 'up' as never })).toThrow(/found "up"/);
  });
});

describe('ml.labels.tripleBarrier', () => {
  const bars = btc1h();
  const n = bars.close.length;

  /** Independent reference: scan forward with explicit barrier prices; a bar touching both is the stop. */
  function reference(t: number, tp: number, sl: number, h: number): { y: number; end: number; ret: number } {
    const up = bars.close[t]! * (1 + tp);
    const dn = bars.close[t]! * (1 - sl);
    for (let k = 1; k <= h; k++) {
      const hitDn = bars.low[t + k]! <= dn;
      const hitUp = bars.high[t + k]! >= up;
      if (hitDn) return { y: -1, end: t + k, ret: -sl };
      if (hitUp) return { y: 1, end: t + k, ret: tp };
    }
    const r = bars.close[t + h]! / bars.close[t]! - 1;
    return { y: r > 0 ? 1 : r < 0 ? -1 : 0, end: t + h, ret: r };
  }

  it('equals the reference on every bar of BTCUSDT 1h', () => {
    const o = { takeProfit: 0.015, stopLoss: 0.01, horizon: 12 };
    const l = labels.tripleBarrier(bars, o);
    const seen = { up: 0, dn: 0, vert: 0 };
    for (let t = 0; t + o.horizon < n; t++) {
      const r = reference(t, o.takeProfit, o.stopLoss, o.horizon);
      if (l.y[t] !== r.y || l.end[t] !== r.end || l.ret[t] !== r.ret) throw new Error(`bar ${t}: ${l.y[t]}/${l.end[t]}/${l.ret[t]} vs ${JSON.stringify(r)}`);
      if (r.end < t + o.horizon) r.y > 0 ? seen.up++ : seen.dn++;
      else seen.vert++;
    }
    for (const v of Object.values(seen)) expect(v).toBeGreaterThan(1000); // all three barriers occur
    for (let t = n - o.horizon; t < n; t++) expect(Number.isNaN(l.y[t]!) && l.end[t] === -1).toBe(true);
  });

  it("vertical: 'zero' labels untouched bars 0; per-bar barriers (volatility-scaled) work and skip their warm-up", () => {
    const z = labels.tripleBarrier(bars, { takeProfit: 0.05, stopLoss: 0.05, horizon: 6, vertical: 'zero' });
    const s = labels.tripleBarrier(bars, { takeProfit: 0.05, stopLoss: 0.05, horizon: 6 });
    let zeros = 0;
    for (let t = 0; t + 6 < n; t++) {
      if (z.end[t] === t + 6 && s.y[t] !== z.y[t]) {
        expect(z.y[t]).toBe(0);
        zeros++;
      }
    }
    expect(zeros).toBeGreaterThan(1000);
    const vol = new Float64Array(n).fill(NaN);
    for (let t = 10; t < n; t++) vol[t] = 0.01 + (t % 3) * 0.005;
    const v = labels.tripleBarrier(bars, { takeProfit: vol, stopLoss: vol, horizon: 6 });
    expect(Number.isNaN(v.y[5]!)).toBe(true);
    expect(v.y[100]).toBe(reference(100, vol[100]!, vol[100]!, 6).y);
  });

  it('refuses bad barriers', () => {
    expect(() => labels.tripleBarrier(bars, { takeProfit: 0, stopLoss: 0.01, horizon: 5 })).toThrow(/takeProfit to be a fraction > 0/);
    expect(() => labels.tripleBarrier(bars, { takeProfit: 0.01, stopLoss: new Float64Array(3), horizon: 5 })).toThrow(/stopLoss to be a number or a Float64Array of/);
    expect(() => labels.tripleBarrier(bars, { takeProfit: 0.01, stopLoss: 0.01, horizon: 1.5 })).toThrow(/horizon/);
  });
});
