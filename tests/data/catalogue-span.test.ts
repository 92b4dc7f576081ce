/** listDatasets() says each shipped dataset's span: first and last bar, bar count and length, as loading it finds them. */
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../lib/core';
import { listDatasets, loadDataset } from '../../lib/data';

describe('listDatasets spans', () => {
  it('each entry’s first/last/rows/days/span agree with the loaded bars', async () => {
    const list = listDatasets();
    expect(list.length).toBeGreaterThanOrEqual(12);
    for (const d of list) {
      const b = await loadDataset(d.symbol, d.timeframe, { market: d.market });
      const n = b.ts.length;
      expect([d.first, d.last, d.rows]).toEqual([isoTime(b.ts[0]!), isoTime(b.ts[n - 1]!), n]);
      const step = b.ts[1]! - b.ts[0]!;
      expect(d.days).toBeCloseTo((b.ts[n - 1]! + step - b.ts[0]!) / 86_400_000, 9);
      expect(d.span.startsWith(`${d.first.slice(0, 10)} → ${d.last.slice(0, 10)} (${n.toLocaleString('en-US')} bars, `)).toBe(true);
    }
  });
});
