import { describe, expect, it } from 'vitest';
import { loadBars, QuantlabError } from '../../lib';
import { csv, fixture, GOOD_ROWS, HEADER } from './fixtures';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const H = 3_600_000;

async function loadError(path: string, opts = {}): Promise<QuantlabError> {
  try {
    await loadBars(path, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(QuantlabError);
    return e as QuantlabError;
  }
  throw new Error(`expected ${path} to fail`);
}

describe('accepted layouts', () => {
  const expectGood = (b: Awaited<ReturnType<typeof loadBars>>['bars']) => {
    expect(Array.from(b.ts)).toEqual([T0, T0 + H, T0 + 2 * H, T0 + 3 * H]);
    expect(Array.from(b.close)).toEqual([105, 102, 103, 108]);
    expect(Array.from(b.volume)).toEqual([12.5, 3, 0, 7.25]);
    expect(b.timeframe).toBe('1h');
  };

  it('our timestamp,open,high,low,close,volume with ISO times', async () => {
    const { bars, report } = await loadBars(fixture('ours_BTCUSDT_1h.csv', csv(...GOOD_ROWS)));
    expectGood(bars);
    expect(bars.symbol).toBe('BTCUSDT');
    expect(report.ok).toBe(true);
    expect(report.gaps).toEqual([]);
  });

  it('epoch seconds and epoch milliseconds, any column order and case, extra columns ignored', async () => {
    const secs = GOOD_ROWS.map((r) => r.split(',')).map((f) => [f[4], Date.parse(f[0]!) / 1000, f[2], f[3], f[1], f[5], 'x'].join(','));
    const a = await loadBars(fixture('secs.csv', ['Close,Time,HIGH,Low,OPEN,Volume,Note', ...secs].join('\n')));
    expectGood(a.bars);
    const ms = GOOD_ROWS.map((r) => r.replace(/^[^,]+/, (t) => String(Date.parse(t))));
    const b = await loadBars(fixture('ms.csv', csv(...ms)));
    expectGood(b.bars);
  });

  it("Binance's 12-column kline CSV, without and with its header (ms and µs open times)", async () => {
    const kl = GOOD_ROWS.map((r) => {
      const f = r.split(',');
      const t = Date.parse(f[0]!);
      return [t, ...f.slice(1), t + H - 1, '1000.5', '42', '1.5', '150.2', '0'].join(',');
    });
    expectGood((await loadBars(fixture('kl.csv', kl.join('\n')))).bars);
    const hdr = 'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';
    const withHeader = await loadBars(fixture('klh.csv', [hdr, ...kl].join('\n')));
    expectGood(withHeader.bars);
    expect(withHeader.report.layout).toMatch(/binance-kline/);
    const micros = kl.map((r) => r.replace(/^\d+/, (t) => `${t}000`));
    expectGood((await loadBars(fixture('klus.csv', micros.join('\n')))).bars);
  });

  it('freqtrade-style JSON arrays [ts,o,h,l,c,v] and JSON objects', async () => {
    const rows = GOOD_ROWS.map((r) => r.split(',')).map((f) => [Date.parse(f[0]!), ...f.slice(1).map(Number)]);
    expectGood((await loadBars(fixture('BTC_USDT-1h.json', JSON.stringify(rows)))).bars);
    const objs = rows.map(([t, o, h, l, c, v]) => ({ Date: t, Open: o, High: h, Low: l, Close: c, Volume: v }));
    expectGood((await loadBars(fixture('objs.json', JSON.stringify(objs)))).bars);
  });
});

describe('bad input: every error names the file and the row, with what was expected and found', () => {
  it('empty file', async () => {
    const e = await loadError(fixture('empty.csv', ''));
    expect(e.code).toBe('EMPTY_FILE');
    expect(e.message).toMatch(/empty\.csv/);
    expect((await loadError(fixture('headeronly.csv', `${HEADER}\n`))).code).toBe('EMPTY_FILE');
    expect((await loadError(fixture('empty.json', '[]'))).code).toBe('EMPTY_FILE');
  });

  it('missing columns are named, with the columns found', async () => {
    const e = await loadError(fixture('nocol.csv', 'timestamp,open,high,low,close\n2024-01-01T00:00:00Z,1,2,0.5,1.5\n'));
    expect(e.code).toBe('MISSING_COLUMN');
    expect(e.message).toMatch(/missing column volume; found columns: timestamp, open, high, low, close/);
  });

  it('unparseable time or number names the line', async () => {
    const e = await loadError(fixture('badtime.csv', csv(GOOD_ROWS[0]!, 'yesterday,1,2,0.5,1.5,3')));
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.message).toMatch(/badtime\.csv line 3: time 'yesterday'/);
    const f = await loadError(fixture('badnum.csv', csv(GOOD_ROWS[0]!, '2024-01-01T01:00:00Z,1,abc,0.5,1.5,3')));
    expect(f.message).toMatch(/line 3: high 'abc' is not a number/);
  });

  it.each([
    ['unsorted', 'UNSORTED', [GOOD_ROWS[0], GOOD_ROWS[2], GOOD_ROWS[1], GOOD_ROWS[3]], /row 3 \(line 4\), 2024-01-01T01:00:00Z: time goes backwards/],
    ['duplicate', 'DUPLICATE_TIMESTAMP', [GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[1], GOOD_ROWS[2]], /row 3 \(line 4\).*duplicate.*identical values/],
    ['offgrid', 'OFF_GRID', [GOOD_ROWS[0], '2024-01-01T01:30:00Z,105,108,101,102,3'], /row 2 \(line 3\), 2024-01-01T01:30:00Z: open time is not on the 1h grid/],
    ['zeroprice', 'BAD_PRICE', [GOOD_ROWS[0], '2024-01-01T01:00:00Z,0,108,101,102,3'], /row 2 \(line 3\).*expected finite prices > 0, found open 0/],
    ['nanprice', 'BAD_PRICE', [GOOD_ROWS[0], '2024-01-01T01:00:00Z,105,108,101,,3'], /row 2 \(line 3\).*found close NaN/],
    ['negprice', 'BAD_PRICE', [GOOD_ROWS[0], '2024-01-01T01:00:00Z,105,108,-101,102,3'], /found low -101/],
    ['negvol', 'NEGATIVE_VOLUME', [GOOD_ROWS[0], '2024-01-01T01:00:00Z,105,108,101,102,-3'], /row 2 \(line 3\).*expected volume >= 0, found -3/],
    ['highbelow', 'HIGH_BELOW_BODY', [GOOD_ROWS[0], '2024-01-01T01:00:00Z,105,104,101,102,3'], /row 2 \(line 3\).*high 104 < max\(open 105, close 102\)/],
    ['lowabove', 'LOW_ABOVE_BODY', [GOOD_ROWS[0], '2024-01-01T01:00:00Z,105,108,103,102,3'], /row 2 \(line 3\).*low 103 > min\(open 105, close 102\)/],
  ])('%s → %s', async (name, code, rows, pattern) => {
    const e = await loadError(fixture(`${name}_1h.csv`, csv(...(rows as string[]))));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(new RegExp(`${name}_1h\\.csv`));
    expect(e.message).toMatch(pattern as RegExp);
    // the full report travels with the error
    expect((e.details as { counts: Record<string, number> }).counts[code as string]).toBeGreaterThan(0);
  });

  it('onError: "report" returns the report instead of throwing', async () => {
    const { report } = await loadBars(fixture('rep_1h.csv', csv(GOOD_ROWS[0]!, '2024-01-01T01:00:00Z,105,104,101,102,3')), { onError: 'report' });
    expect(report.ok).toBe(false);
    expect(report.counts.HIGH_BELOW_BODY).toBe(1);
    expect(report.errors[0]!.row).toBe(2);
    expect(report.errors[0]!.line).toBe(3);
  });

  it('a JSON row that is not an array of six is named', async () => {
    const e = await loadError(fixture('short.json', JSON.stringify([[T0, 1, 2, 0.5, 1.5, 3], [T0 + H, 1, 2]])));
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.message).toMatch(/short\.json row 2: expected \[time, open, high, low, close, volume\]/);
  });
});

describe('gaps are reported, never filled unless asked; repairs only on request and recorded', () => {
  const gappy = csv(GOOD_ROWS[0]!, '2024-01-01T03:00:00Z,103,109,102,108,7.25', '2024-01-01T04:00:00Z,108,109,100,101,1');
  it('reports the gap and keeps the bars as they are', async () => {
    const { bars, report } = await loadBars(fixture('gappy_1h.csv', gappy));
    expect(bars.ts.length).toBe(3);
    expect(report.gaps).toEqual([{ from: T0 + H, to: T0 + 2 * H, missing: 2 }]);
    expect(report.missingBars).toBe(2);
    expect(report.actions).toEqual([]);
  });
  it('fillGaps: "ffill" inserts flat bars at the previous close with volume 0, and says so', async () => {
    const { bars, report } = await loadBars(fixture('gappy2_1h.csv', gappy), { fillGaps: 'ffill' });
    expect(Array.from(bars.ts)).toEqual([T0, T0 + H, T0 + 2 * H, T0 + 3 * H, T0 + 4 * H]);
    expect([bars.open[1], bars.high[1], bars.low[1], bars.close[1], bars.volume[1]]).toEqual([105, 105, 105, 105, 0]);
    expect(report.actions[0]).toMatch(/filled 2 missing bars in 1 gaps/);
    expect(report.gaps.length).toBe(1);
  });
  it('sort and dropDuplicates fix what they are asked to, and record it', async () => {
    const messy = csv(GOOD_ROWS[1]!, GOOD_ROWS[0]!, GOOD_ROWS[0]!.replace(',105,', ',106,'), GOOD_ROWS[2]!);
    const first = await loadBars(fixture('messy_1h.csv', messy), { sort: true, dropDuplicates: 'first' });
    expect(Array.from(first.bars.close)).toEqual([105, 102, 103]);
    expect(first.report.actions.join('\n')).toMatch(/sorted by time \(1 rows were out of order\)/);
    expect(first.report.actions.join('\n')).toMatch(/dropped 1 duplicate-time rows, keeping the first copy \(0 identical, 1 conflicting: 2024-01-01T00:00:00Z \(lines 3 and 4\)\)/);
    const last = await loadBars(fixture('messy2_1h.csv', messy), { sort: true, dropDuplicates: 'last' });
    expect(Array.from(last.bars.close)).toEqual([106, 102, 103]);
    // without the options the same file is refused
    expect((await loadError(fixture('messy3_1h.csv', messy))).code).toBe('UNSORTED');
  });
});
