import { chmodSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QuantlabError } from '../../lib/core';
import { loadBars, parseOhlcvCsv, saveParquet } from '../../lib/data';
import { makeBars } from '../../lib/core/bars';
import { checkJsonSize, jsonByteLimit } from '../../lib/data/json';
import { binaryGarbage, H, HEADER, hasControl, hourlyRows, HOSTILE_DIR, msTimes, ohlcvCols, parquetBytes, plant, plantDir } from './hostile-files';

const T0 = Date.parse('2024-01-01T00:00:00Z');

async function refusal(path: string, opts = {}): Promise<QuantlabError> {
  let e: unknown;
  try {
    await loadBars(path, opts);
  } catch (x) {
    e = x;
  }
  expect(e, `expected ${path} to be refused`).toBeInstanceOf(QuantlabError);
  const q = e as QuantlabError;
  expect(hasControl(q.message)).toBe(false);
  return q;
}

const csvText = (...rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;

describe('CSV quoting (RFC 4180)', () => {
  it('a quoted "1,234.5" volume is refused with file, line, column, expected and found', async () => {
    const rows = hourlyRows(3);
    rows[1] = rows[1]!.replace(/,[^,]+$/, ',"1,234.5"');
    const p = plant('quoted_thousands_1h.csv', csvText(...rows));
    const e = await refusal(p);
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.message).toMatch(/quoted_thousands_1h\.csv line 3: volume '1,234\.5' is not a number \(column 6; expected a plain decimal number.*thousands: ','/);
  });

  it("thousands separators are read when asked ({ thousands: ',' }), and only in well-formed groups", async () => {
    const rows = hourlyRows(3);
    rows[1] = rows[1]!.replace(/,[^,]+$/, ',"1,234.5"');
    const { bars } = await loadBars(plant('quoted_ok_1h.csv', csvText(...rows)), { thousands: ',' });
    expect(bars.volume[1]).toBe(1234.5);
    rows[1] = rows[1]!.replace('"1,234.5"', '"12,34.5"');
    expect((await refusal(plant('quoted_bad_groups_1h.csv', csvText(...rows)), { thousands: ',' })).message).toMatch(/line 3: volume '12,34\.5'/);
  });

  it('quotes, escaped quotes, delimiters and line breaks inside quotes, CRLF and a BOM are read correctly, with true line numbers', async () => {
    const header = 'timestamp,open,high,low,close,volume,note';
    const lines = [
      `"2024-01-01T00:00:00Z","100","102","99","101","10","plain"`,
      `2024-01-01T01:00:00Z,101,103,100,102,11,"has ""quotes"", a comma`,
      `and a line break"`,
      `2024-01-01T02:00:00Z, 102 ,104,101,103,12, "spaced"  `,
      `2024-01-01T03:00:00Z,103,104,101,105,13,x`, // high below close: line 6 of the file
    ];
    const text = `\ufeff${[header, ...lines].join('\r\n')}\r\n`;
    const p = plant('rfc4180_1h.csv', text);
    const e = await refusal(p);
    expect(e.code).toBe('HIGH_BELOW_BODY');
    expect(e.message).toMatch(/rfc4180_1h\.csv row 4 \(line 6\)/);
    const { bars, report } = await loadBars(p, { onError: 'report' });
    expect(Array.from(bars.close)).toEqual([101, 102, 103, 105]);
    expect(Array.from(bars.open)).toEqual([100, 101, 102, 103]);
    expect(report.errors.map((x) => x.line)).toEqual([6]);
    // the same through the in-memory parser, and a lone-CR file
    const raw = parseOhlcvCsv(text, 'mem.csv');
    expect(Array.from(raw.line)).toEqual([2, 3, 5, 6]);
    const cr = parseOhlcvCsv([HEADER, ...hourlyRows(2)].join('\r'), 'cr.csv');
    expect(Array.from(cr.close)).toEqual([101, 102]);
  });

  it('a row with more fields than the header is refused, naming the line and both counts (and one with fewer)', async () => {
    const rows = hourlyRows(4);
    rows[2] = `${rows[2]},999`;
    const e = await refusal(plant('extra_field_1h.csv', csvText(...rows)));
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.message).toMatch(/extra_field_1h\.csv line 4: 7 fields, expected 6 \(the header on line 1 has 6: timestamp,open,high,low,close,volume\)/);
    const short = hourlyRows(3);
    short[1] = short[1]!.replace(/,[^,]+$/, '');
    expect((await refusal(plant('short_field_1h.csv', csvText(...short)))).message).toMatch(/line 3: 5 fields, expected 6/);
    // header-less files: every row as wide as the first
    const hl = hourlyRows(3);
    hl[2] = `${hl[2]},1`;
    expect((await refusal(plant('headerless_extra_1h.csv', `${hl.join('\n')}\n`))).message).toMatch(/line 3: 7 fields, expected 6/);
  });

  it.each([
    ['open,Open', 'timestamp,open,high,low,close,volume,Open', /columns 2 'open' and 7 'Open' could each be 'open'/],
    ['volume and vol', 'timestamp,open,high,low,close,volume,vol', /columns 6 'volume' and 7 'vol' could each be 'volume'/],
    ['two time columns', 'timestamp,date,open,high,low,close,volume', /columns 1 'timestamp' and 2 'date' could each be the time column/],
  ])('a duplicated header column (%s) is refused, not resolved silently', async (name, header, pattern) => {
    const rows = hourlyRows(2).map((r) => (header.split(',').length === 7 ? (name === 'two time columns' ? r.replace(/^([^,]+)/, '$1,$1') : `${r},5`) : r));
    const e = await refusal(plant(`dup_${name.replace(/\W/g, '')}_1h.csv`, `${[header, ...rows].join('\n')}\n`));
    expect(e.code).toBe('UNKNOWN_LAYOUT');
    expect(e.message).toMatch(pattern);
  });

  it('an unterminated quote, a stray quote and text after a closing quote are refused with their line', async () => {
    const rows = hourlyRows(3);
    const open = [...rows];
    open[1] = open[1]!.replace(',101,', ',"101,');
    expect((await refusal(plant('unterminated_1h.csv', csvText(...open)))).message).toMatch(/unterminated_1h\.csv line 3: a quoted field is never closed/);
    const stray = [...rows];
    stray[1] = stray[1]!.replace(',101,', ',10"1,');
    expect((await refusal(plant('stray_1h.csv', csvText(...stray)))).message).toMatch(/line 3: a '"' inside an unquoted field/);
    const after = [...rows];
    after[2] = after[2]!.replace(',102,', ',"102"x,');
    expect((await refusal(plant('after_1h.csv', csvText(...after)))).message).toMatch(/line 4: unexpected text after the closing quote of '102'/);
  });

  it.each([
    ['0x10', 'hex'],
    ['Infinity', 'infinity'],
    ['1_000', 'underscore'],
    ['12abc', 'trailing text'],
    ['1.2.3', 'two points'],
    ['--1', 'double sign'],
    ['0b11', 'binary'],
  ])("a numeric cell '%s' (%s) is refused, never coerced", async (cell, name) => {
    const rows = hourlyRows(2);
    rows[1] = rows[1]!.replace(/,[^,]+$/, `,${cell}`);
    const e = await refusal(plant(`num_${name.replace(/\W/g, '')}_1h.csv`, csvText(...rows)));
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.message).toContain(`line 3: volume '${cell}' is not a number`);
  });

  it('plain decimal forms are numbers: signs, exponents, leading points, spaces around the cell', async () => {
    const rows = hourlyRows(2);
    rows[1] = `2024-01-01T01:00:00Z,+1.01e2, 103 ,1e2,.102e3,1.5E-1`;
    const { bars } = await loadBars(plant('num_ok_1h.csv', csvText(...rows)));
    expect([bars.open[1], bars.high[1], bars.low[1], bars.close[1], bars.volume[1]]).toEqual([101, 103, 100, 102, 0.15]);
  });

  it('an impossible ISO date (30 February, 25:00) is refused, not rolled over', async () => {
    for (const [name, t] of [['feb30', '2024-02-30T00:00:00Z'], ['hour25', '2024-01-01T25:00:00Z'], ['junk', '1Z']] as const) {
      const e = await refusal(plant(`iso_${name}.csv`, csvText(`${t},1,2,0.5,1.5,3`, `2024-03-01T01:00:00Z,1,2,0.5,1.5,3`)));
      expect(e.code).toBe('PARSE_ERROR');
      expect(e.message).toContain(`line 2: time '${t}' is not an ISO-8601 time`);
    }
  });

  it('a record of 1 Mi characters with no end is refused (an open quote cannot swallow the file)', async () => {
    const e = await refusal(plant('huge_field.csv', `${HEADER}\n"${'x'.repeat((1 << 20) + 10)}\n`));
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.message).toMatch(/line 2: a (record longer than|quoted field is never closed)/);
  });
});

describe('CSV streaming: any chunking gives the same records', () => {
  it('random fields with quotes, commas, CR/LF, tokenized in random chunks, equal the fields written (property test)', async () => {
    const { CsvTokenizer } = await import('../../lib/data/csv-tokenizer');
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const alphabet = ['a', 'b', '1', ',', '"', '\n', '\r\n', ' ', 'é', '😀', ';'];
    for (let trial = 0; trial < 40; trial++) {
      const records: string[][] = [];
      const nRec = 1 + Math.floor(rnd() * 12);
      const width = 1 + Math.floor(rnd() * 5);
      for (let r = 0; r < nRec; r++) {
        const rec: string[] = [];
        for (let f = 0; f < width; f++) {
          let s = '';
          const len = Math.floor(rnd() * 6);
          for (let k = 0; k < len; k++) s += alphabet[Math.floor(rnd() * alphabet.length)];
          rec.push(s);
        }
        if (width === 1 && rec[0]!.trim() === '') rec[0] = 'z'; // blank lines are skipped by design
        records.push(rec);
      }
      const enc = (s: string) => (/[",\r\n;]/.test(s) || s.trim() !== s || s === '' ? `"${s.replaceAll('"', '""')}"` : s);
      const text = records.map((r) => r.map(enc).join(',')).join(rnd() < 0.5 ? '\n' : '\r\n') + (rnd() < 0.5 ? '\n' : '');
      const got: string[][] = [];
      const tok = new CsvTokenizer('prop.csv', (f) => void got.push([...f]), ',');
      for (let i = 0; i < text.length; ) {
        const step = 1 + Math.floor(rnd() * 7);
        tok.push(text.slice(i, i + step));
        i += step;
      }
      tok.end();
      expect(got).toEqual(records);
    }
  });

  it('a CSV larger than one 4 MB read chunk loads identically to the in-memory parse, lines included', async () => {
    const rows = hourlyRows(170_000);
    rows[77_777] = rows[77_777]!.replace(/,(\d+)$/, ',"$1"');
    const text = `${HEADER}\n${rows.join('\n')}\n`;
    expect(text.length).toBeGreaterThan(8 << 20);
    const p = plant('big_1h.csv', text);
    const { bars, report } = await loadBars(p);
    const mem = parseOhlcvCsv(text, 'mem');
    expect(bars.ts.length).toBe(170_000);
    expect(Array.from(bars.volume.subarray(77_770, 77_790))).toEqual(Array.from(mem.volume.subarray(77_770, 77_790)));
    expect(bars.ts[169_999]).toBe(T0 + 169_999 * H);
    expect(report.ok).toBe(true);
    expect(bars.ts.buffer.byteLength).toBe(170_000 * 8); // trimmed to the rows, no spare capacity kept
  });

  it('a file whose columns would pass the memory limit is refused before parsing, with the size and the limit', async () => {
    const p = plant('limit_1h.csv', csvText(...hourlyRows(2000)));
    const e = await refusal(p, { maxMemoryBytes: 10_000 });
    expect(e.code).toBe('TOO_LARGE');
    expect(e.message).toMatch(/limit_1h\.csv: is 0 MB, about [\d,]+ rows, whose columns need [\d.]+ MB; the limit is 0\.0 MB/);
    const j = (() => {
      try {
        checkJsonSize('big.json', jsonByteLimit() + 1);
      } catch (x) {
        return x as QuantlabError;
      }
      throw new Error('expected TOO_LARGE');
    })();
    expect(j.code).toBe('TOO_LARGE');
    expect(j.message).toMatch(/big\.json: a [\d.]+ MB JSON file; JSON is parsed whole and the limit is [\d.]+ MB/);
  });
});

describe('timeframe: the file name, the metadata and the data must agree', () => {
  it('btc_export_3m.csv holding hourly bars is refused, naming both (not read as 3m bars)', async () => {
    const p = plant('btc_export_3m.csv', csvText(...hourlyRows(6)));
    const e = await refusal(p);
    expect(e.code).toBe('TIMEFRAME_MISMATCH');
    expect(e.message).toMatch(/btc_export_3m\.csv: the timeframe sources disagree: the file name says 3m \(token '3m'\); the times are 1h apart \(5 of 5 steps\)/);
  });

  it('an explicit timeframe option decides, and the report says so with the overridden hint as a warning', async () => {
    const p = plant('btc_export2_3m.csv', csvText(...hourlyRows(6)));
    const { bars, report } = await loadBars(p, { timeframe: '1h' });
    expect(bars.timeframe).toBe('1h');
    expect(report.timeframeSource).toBe('option');
    expect(report.warnings.join('\n')).toMatch(/the file name says 3m .* but the timeframe option 1h was used/);
  });

  it('the report says where the timeframe came from: file name, inferred from spacing, metadata', async () => {
    expect((await loadBars(plant('src_ETHUSDT_1h.csv', csvText(...hourlyRows(4))))).report.timeframeSource).toBe('file name');
    const inferred = await loadBars(plant('plain.csv', csvText(...hourlyRows(4))));
    expect(inferred.report.timeframeSource).toBe('inferred from spacing');
    expect(inferred.bars.timeframe).toBe('1h');
    const bars = (await loadBars(plant('meta_src_1h.csv', csvText(...hourlyRows(4))))).bars;
    const pq = join(HOSTILE_DIR, 'meta_only.parquet');
    saveParquet(bars, pq);
    const m = await loadBars(pq);
    expect(m.report.timeframeSource).toBe('metadata');
    expect(m.report.timeUnit).toMatch(/TIMESTAMP/);
    // metadata 1h in a file named 4h: refused
    const pq4 = join(HOSTILE_DIR, 'renamed_4h.parquet');
    saveParquet(bars, pq4);
    expect((await refusal(pq4)).message).toMatch(/the file metadata says 1h; the file name says 4h/);
  });

  it('metadata that is not a timeframe is refused, escaped', async () => {
    const p = plant('bad_meta.parquet', parquetBytes([{ name: 'ts', data: msTimes(3), type: 'TIMESTAMP', nullable: false }, ...ohlcvCols(3)], [{ key: 'quantlab.timeframe', value: '\x1b[31m1h' }]));
    const e = await refusal(p);
    expect(e.code).toBe('BAD_TIMEFRAME');
    expect(e.message).toContain("'\\x1b[31m1h'");
  });
});

describe('timestamp units: one unit per column, never guessed cell by cell', () => {
  it('a column mixing seconds and milliseconds is refused, naming the first row of the smaller group', async () => {
    const rows = hourlyRows(6, (i) => String((T0 + i * H) / (i === 4 ? 1 : 1000)));
    const e = await refusal(plant('mixed_units.csv', csvText(...rows)));
    expect(e.code).toBe('MIXED_UNITS');
    expect(e.message).toMatch(/mixes epoch seconds \(5 rows\) and epoch milliseconds \(1 rows\).*First row in epoch milliseconds: row 5 \(line 6\), found 1704081600000/);
  });

  it('milliseconds from 1972 are not read as seconds: refused with the readings in each unit, read right with timeUnit', async () => {
    const t72 = Date.UTC(1972, 5, 1);
    const rows = hourlyRows(4, (i) => String(t72 + i * H));
    const p = plant('ms1972.csv', csvText(...rows));
    const e = await refusal(p);
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.message).toMatch(/ms1972\.csv row 1 \(line 2\): time 76204800000 read as epoch seconds \(by magnitude\) is .*outside 1970\.\.2099.*ms 1972-06-01T00:00:00Z.*timeUnit/);
    const { bars, report } = await loadBars(p, { timeUnit: 'ms' });
    expect(bars.ts[0]).toBe(t72);
    expect(report.timeUnit).toBe('epoch milliseconds (timeUnit option)');
    expect(bars.timeframe).toBe('1h');
  });

  it('negative epoch times are refused unless the unit is given', async () => {
    const rows = hourlyRows(3, (i) => String(-1e12 + i * H));
    const e = await refusal(plant('negative_ms.csv', csvText(...rows)));
    expect(e.message).toMatch(/row 1 \(line 2\): time -1000000000000 read as epoch milliseconds \(by magnitude\) is 1938/);
  });

  it('a file dated 2099 or before 2009 loads with a warning naming the first such row; timeUnit silences it', async () => {
    const late = await loadBars(plant('late.csv', csvText(...hourlyRows(3, (i) => new Date(Date.UTC(2099, 0, 1) + i * H).toISOString()))));
    expect(late.report.warnings.join('\n')).toMatch(/late\.csv row 1 \(line 2\): time 2099-01-01T00:00:00Z is more than a year in the future/);
    const early = await loadBars(plant('early.csv', csvText(...hourlyRows(3, (i) => String(Date.UTC(2005, 0, 1) / 1000 + i * 3600)))));
    expect(early.report.warnings.join('\n')).toMatch(/early\.csv row 1 \(line 2\): time 2005-01-01T00:00:00Z is before 2009-01-03.*epoch seconds/);
    const quiet = await loadBars(plant('early2.csv', csvText(...hourlyRows(3, (i) => String(Date.UTC(2005, 0, 1) / 1000 + i * 3600)))), { timeUnit: 's' });
    expect(quiet.report.warnings).toEqual([]);
  });

  it('a column mixing ISO text and epoch numbers is refused', async () => {
    const rows = hourlyRows(4);
    rows[2] = rows[2]!.replace(/^[^,]+/, String((T0 + 2 * H) / 1000));
    const e = await refusal(plant('iso_and_epoch.csv', csvText(...rows)));
    expect(e.code).toBe('MIXED_UNITS');
    expect(e.message).toMatch(/mixes ISO-8601 text \(3 rows, first row 1 \(line 2\)\) and epoch numbers \(1 rows, first row 3 \(line 4\)\)/);
  });

  it('microseconds and nanoseconds columns read by magnitude; the report names the unit', async () => {
    const us = await loadBars(plant('us.csv', csvText(...hourlyRows(3, (i) => `${T0 + i * H}000`))));
    expect(us.bars.ts[2]).toBe(T0 + 2 * H);
    expect(us.report.timeUnit).toBe('epoch microseconds (by magnitude)');
    const ns = await loadBars(plant('ns.csv', csvText(...hourlyRows(3, (i) => `${T0 + i * H}000000`))));
    expect(ns.bars.ts[1]).toBe(T0 + H);
  });
});

describe('JSON: only numbers and plain numeric strings are numbers', () => {
  const row = (i: number) => [T0 + i * H, 100 + i, 102 + i, 99 + i, 101 + i, 10 + i] as unknown[];
  it.each([
    ['true', true, /row 2: volume: expected a number or a numeric string, found boolean true/],
    ['[86800.5]', [86800.5], /row 2: volume: expected a number or a numeric string, found array \[86800\.5\]/],
    ['"0x10"', '0x10', /row 2: volume: expected a number or a numeric string in plain decimal form, found string '0x10'/],
    ['an object', { v: 1 }, /found object \{"v":1\}/],
    ['"Infinity"', 'Infinity', /found string 'Infinity'/],
    ['an escape sequence', '\x1b[31m12', /found string '\\x1b\[31m12'/],
  ])('volume %s is TYPE_MISMATCH with row, field, expected and found', async (name, v, pattern) => {
    const rows = [row(0), row(1), row(2)];
    rows[1]![5] = v;
    const e = await refusal(plant(`json_${name.replace(/\W/g, '')}.json`, JSON.stringify(rows)));
    expect(e.code).toBe('TYPE_MISMATCH');
    expect(e.message).toMatch(pattern);
  });

  it('numeric strings in plain decimal form are read (Binance REST style), nulls are reported by validation', async () => {
    const rows = [row(0), row(1).map((x, k) => (k ? String(x) : x)), row(2)];
    const { bars } = await loadBars(plant('json_strings.json', JSON.stringify(rows)));
    expect(bars.close[1]).toBe(102);
    const nul = [row(0), row(1), row(2)];
    nul[2]![5] = null;
    expect((await refusal(plant('json_null.json', JSON.stringify(nul)))).code).toBe('BAD_VOLUME');
  });

  it('a boolean or unparseable time is named as such; rows of another length or kind are refused', async () => {
    const b = [row(0), row(1)];
    b[1]![0] = false;
    expect((await refusal(plant('json_booltime.json', JSON.stringify(b)))).message).toMatch(/row 2: time: expected an epoch number or an ISO-8601 string, found boolean false/);
    const s = [row(0), row(1)];
    s[1]![0] = 'soon';
    expect((await refusal(plant('json_strtime.json', JSON.stringify(s)))).message).toMatch(/row 2: time string 'soon' is not an epoch number or ISO-8601 time/);
    const long = [row(0), [...row(1), 5]];
    expect((await refusal(plant('json_long.json', JSON.stringify(long)))).message).toMatch(/row 2: expected \[time, open, high, low, close, volume\], found 7 values/);
    const objs = [{ ts: T0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3 }, { ts: T0 + H, open: 1, high: 2, low: 0.5, close: 1.5 }];
    expect((await refusal(plant('json_missing.json', JSON.stringify(objs)))).message).toMatch(/row 2: no 'volume' field/);
  });

  it('mixed seconds and milliseconds in JSON times are refused too', async () => {
    const rows = [row(0), row(1), row(2)];
    rows[0]![0] = (rows[0]![0] as number) / 1000;
    const e = await refusal(plant('json_mixed.json', JSON.stringify(rows)));
    expect(e.code).toBe('MIXED_UNITS');
    expect(e.message).toMatch(/First row in epoch seconds: row 1/);
  });
});

describe('Parquet: numeric types only; time types with units from the schema', () => {
  it.each([
    ['BOOLEAN', { name: 'volume', data: [true, false, true], type: 'BOOLEAN', nullable: false }, /column 'volume' \(volume\) is BOOLEAN; expected a numeric type/],
    ['STRING', { name: 'volume', data: ['1', '2', '3'], type: 'STRING', nullable: false }, /column 'volume' \(volume\) is BYTE_ARRAY \((STRING|UTF8)\); expected a numeric type/],
  ])('a %s volume column is TYPE_MISMATCH', async (name, col, pattern) => {
    const cols = ohlcvCols(3).filter((c) => c.name !== 'volume');
    const p = plant(`pq_${name}.parquet`, parquetBytes([{ name: 'ts', data: msTimes(3), type: 'TIMESTAMP', nullable: false }, ...cols, col as never]));
    const e = await refusal(p);
    expect(e.code).toBe('TYPE_MISMATCH');
    expect(e.message).toMatch(pattern);
  });

  it('a BOOLEAN time column is TYPE_MISMATCH naming the types expected', async () => {
    const p = plant('pq_booltime.parquet', parquetBytes([{ name: 'ts', data: [true, true, false], type: 'BOOLEAN', nullable: false }, ...ohlcvCols(3)]));
    const e = await refusal(p);
    expect(e.code).toBe('TYPE_MISMATCH');
    expect(e.message).toMatch(/time column 'ts' is BOOLEAN; expected TIMESTAMP, DATE, INT64, INT32 or DOUBLE epoch numbers, or ISO-8601 STRING/);
  });

  it('a TIMESTAMP out of the date range is PARSE_ERROR naming the row, not a stack trace', async () => {
    const ts = msTimes(3);
    ts[1] = 9_000_000_000_000_000_000n;
    const e = await refusal(plant('pq_ts_range.parquet', parquetBytes([{ name: 'ts', data: ts, type: 'TIMESTAMP', nullable: false }, ...ohlcvCols(3)])));
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.message).toMatch(/pq_ts_range\.parquet row 2: time 9000000000000000000 ms is out of range/);
  });

  it('plain INT64 epoch-ms times read by magnitude; INT64 seconds too; a mix is refused', async () => {
    const ms = await loadBars(plant('pq_int64ms.parquet', parquetBytes([{ name: 'time', data: msTimes(4), type: 'INT64', nullable: false }, ...ohlcvCols(4)])));
    expect(ms.bars.ts[3]).toBe(T0 + 3 * H);
    expect(ms.report.timeUnit).toMatch(/epoch milliseconds \(by magnitude\), INT64 epoch numbers/);
    const secs = BigInt64Array.from(msTimes(4), (v) => v / 1000n);
    expect((await loadBars(plant('pq_int64s.parquet', parquetBytes([{ name: 'time', data: secs, type: 'INT64', nullable: false }, ...ohlcvCols(4)])))).bars.ts[1]).toBe(T0 + H);
    secs[2] = msTimes(4)[2]!;
    expect((await refusal(plant('pq_int64mix.parquet', parquetBytes([{ name: 'time', data: secs, type: 'INT64', nullable: false }, ...ohlcvCols(4)])))).code).toBe('MIXED_UNITS');
  });

  it('a corrupt data page and a truncated file are PARSE_ERROR naming the file', async () => {
    const good = parquetBytes([{ name: 'ts', data: msTimes(500), type: 'TIMESTAMP', nullable: false }, ...ohlcvCols(500)]);
    const bad = good.slice();
    for (let i = 8; i < 400; i++) bad[i] = 0xff; // the first column chunk's pages
    const e = await refusal(plant('pq_corrupt.parquet', bad));
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.message).toMatch(/pq_corrupt\.parquet: /);
    const cut = await refusal(plant('pq_truncated.parquet', good.slice(0, good.length - 50)));
    expect(cut.code).toBe('PARSE_ERROR');
    expect(cut.message).toMatch(/pq_truncated\.parquet: not a Parquet file \(expected 'PAR1' at its start and end; \d+ bytes, truncated\?\)/);
  });
});

describe('binary garbage and control characters never reach the terminal', () => {
  it('binary bytes named .csv are NOT_TEXT, with a short escaped preview', async () => {
    const e = await refusal(plant('garbage.csv', binaryGarbage()));
    expect(e.code).toBe('NOT_TEXT');
    expect(e.message).toMatch(/garbage\.csv: not a text CSV: byte 60 is NUL \(binary data\); the file starts with '\\x1b\[2J\\x1b\]0;pwned\\x07/);
    expect(e.message.length).toBeLessThan(300);
  });

  it('binary garbage as .json and .parquet is refused cleanly too', async () => {
    expect((await refusal(plant('garbage.json', binaryGarbage()))).code).toBe('NOT_TEXT');
    expect((await refusal(plant('garbage.parquet', binaryGarbage()))).code).toBe('PARSE_ERROR');
  });

  it('known binary formats are named (gzip, Parquet under a .csv name), UTF-16 is refused', async () => {
    const gz = execFileSync('gzip', ['-c'], { input: csvText(...hourlyRows(3)) });
    expect((await refusal(plant('zipped.csv', gz))).message).toMatch(/zipped\.csv: not a text CSV: it starts like gzip-compressed data/);
    const pq = parquetBytes([{ name: 'ts', data: msTimes(3), type: 'TIMESTAMP', nullable: false }, ...ohlcvCols(3)]);
    expect((await refusal(plant('really_parquet.csv', pq))).message).toMatch(/it starts like Parquet \(PAR1\) \(name it \.parquet/);
    const u16 = Buffer.from(`\ufeff${csvText(...hourlyRows(2))}`, 'utf16le');
    expect((await refusal(plant('utf16.csv', u16))).message).toMatch(/UTF-16 text/);
  });

  it('invalid UTF-8 after the first KB is NOT_TEXT with the byte range', async () => {
    const text = Buffer.from(csvText(...hourlyRows(100)));
    const bad = Buffer.concat([text, Buffer.from([0xc3, 0x28, 0x0a])]);
    const e = await refusal(plant('bad_utf8.csv', bad));
    expect(e.code).toBe('NOT_TEXT');
    expect(e.message).toMatch(/bad_utf8\.csv: invalid UTF-8 between bytes 0 and \d+/);
  });

  it('escape sequences and bidi overrides inside cells and headers are escaped in messages', async () => {
    const rows = hourlyRows(2);
    rows[1] = rows[1]!.replace(/,[^,]+$/, ',\x1b]0;title\x07\u202e12');
    const e = await refusal(plant('esc_cell.csv', csvText(...rows)));
    expect(e.message).toContain("volume '\\x1b]0;title\\x07\\u202e12' is not a number");
    const h = await refusal(plant('esc_header.csv', `timestamp,open,high,low,close,\x1b[31mvol\n${hourlyRows(1)[0]}\n`));
    expect(h.code).toBe('MISSING_COLUMN');
    expect(h.message).toContain('\\x1b[31mvol');
    const long = hourlyRows(2);
    long[1] = long[1]!.replace(/,[^,]+$/, `,${'9x'.repeat(5000)}`);
    expect((await refusal(plant('long_cell.csv', csvText(...long)))).message.length).toBeLessThan(400);
  });
});

describe('files that are not data files: a QuantlabError naming the file', () => {
  it('a directory is IO_ERROR, a missing file NOT_FOUND, a device or pipe IO_ERROR', async () => {
    const d = plantDir('a_directory.csv');
    const e = await refusal(d);
    expect(e.code).toBe('IO_ERROR');
    expect(e.message).toMatch(/a_directory\.csv: is a directory; expected a CSV, JSON or Parquet file/);
    expect((await refusal(join(HOSTILE_DIR, 'nope.csv'))).code).toBe('NOT_FOUND');
    expect((await refusal('/dev/zero')).message).toMatch(/\/dev\/zero: not a regular file/);
    const fifo = join(HOSTILE_DIR, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    expect((await refusal(fifo)).code).toBe('IO_ERROR');
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable file is IO_ERROR (permission denied)', async () => {
    const p = plant('unreadable_1h.csv', csvText(...hourlyRows(3)));
    chmodSync(p, 0o000);
    const e = await refusal(p);
    expect(e.code).toBe('IO_ERROR');
    expect(e.message).toMatch(/unreadable_1h\.csv: cannot read the file \(permission denied\)/);
  });

  it('bad option values are BAD_ARGUMENT', async () => {
    const p = plant('opts_1h.csv', csvText(...hourlyRows(3)));
    expect((await refusal(p, { timeUnit: 'minutes' })).message).toMatch(/timeUnit: expected one of s, ms, us, ns, found 'minutes'/);
    expect((await refusal(p, { thousands: 'x' })).code).toBe('BAD_ARGUMENT');
    expect(readFileSync(p, 'utf8').length).toBeGreaterThan(0);
  });
});

describe('loading still reads what it always read', () => {
  it('Bars from makeBars saved and reloaded keep their values; a one-row file needs a timeframe', async () => {
    const b = makeBars({ ts: [T0, T0 + H], open: [1, 2], high: [2, 3], low: [0.5, 1], close: [1.5, 2.5], volume: [1, 1] }, 'BTCUSDT', '1h');
    const p = join(HOSTILE_DIR, 'two_rows.parquet');
    saveParquet(b, p);
    expect(Array.from((await loadBars(p)).bars.close)).toEqual([1.5, 2.5]);
    const one = plant('one_row.csv', csvText(hourlyRows(1)[0]!));
    expect((await refusal(one)).code).toBe('BAD_TIMEFRAME');
    expect((await loadBars(one, { timeframe: '1h' })).bars.ts.length).toBe(1);
  });
});
