import { QuantlabError } from '../core';
import { quoted } from './excerpt';

/** Receives one CSV record: its fields (the array is reused: read it before returning) and its first file line. */
export type CsvSink = (fields: string[], line: number) => void;

/** A record longer than this is refused (an unterminated quote, or not a CSV at all). */
export const MAX_RECORD_CHARS = 1 << 20;

const QUOTE = 34, LF = 10, CR = 13, SPACE = 32, TAB = 9;

/**
 * An RFC 4180 CSV tokenizer fed in chunks: fields separated by the delimiter (',' ';' or tab, detected from
 * the first line when not given), records ended by CRLF, LF or CR, fields optionally in double quotes (which
 * may hold delimiters, line breaks and `""` for a quote; spaces around a quoted field are allowed), a leading
 * UTF-8 BOM skipped, blank lines skipped. Anything else is refused with the file line: a quote inside an
 * unquoted field, text after a closing quote, a quote still open at the end, a record over 1 Mi characters.
 * Memory: one chunk plus the unfinished record.
 */
export class CsvTokenizer {
  private carry = '';
  private line = 1;
  private started = false;
  private readonly fields: string[] = [];
  delimiter: number;

  constructor(
    private readonly file: string,
    private readonly sink: CsvSink,
    delimiter?: string,
  ) {
    this.delimiter = delimiter ? delimiter.charCodeAt(0) : -1;
  }

  /** Tokenizes `chunk` (text following what was pushed before); the last unfinished record waits for more. */
  push(chunk: string): void {
    let text = this.carry + chunk;
    if (!this.started) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (!text) return;
      this.started = true;
      if (this.delimiter < 0) this.delimiter = detectDelimiter(text);
    }
    const done = this.scan(text, false);
    this.carry = text.slice(done);
    if (this.carry.length > MAX_RECORD_CHARS) {
      throw new QuantlabError('PARSE_ERROR', `${this.file} line ${this.line}: a record longer than ${MAX_RECORD_CHARS} characters (expected CSV rows; is a quote left open?)`);
    }
  }

  /** Ends the input: the last record needs no line break; a quote still open is an error. */
  end(): void {
    if (!this.started) return;
    const text = this.carry;
    this.carry = '';
    if (text) this.scan(text, true);
  }

  /** Emits every complete record of `text`; returns where the unfinished one starts (text.length when none). */
  private scan(text: string, final: boolean): number {
    const n = text.length;
    const dch = String.fromCharCode(this.delimiter);
    let i = 0;
    let line = this.line;
    let nextQuote = text.indexOf('"');
    let nextCr = text.indexOf('\r');
    if (nextQuote < 0) nextQuote = n;
    if (nextCr < 0) nextCr = n;
    while (i < n) {
      let nl = text.indexOf('\n', i);
      if (nl < 0) {
        if (!final) break;
        nl = n;
      }
      if (nextQuote < i) nextQuote = (text.indexOf('"', i) + n + 1) % (n + 1);
      if (nextCr < i) nextCr = (text.indexOf('\r', i) + n + 1) % (n + 1);
      const lineEnd = nl > i && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
      if (nextQuote >= nl && nextCr >= lineEnd) {
        // the common case: a line without quotes or lone CRs is split on the delimiter
        const f = text.slice(i, lineEnd).split(dch);
        if (!(f.length === 1 && f[0]!.trim() === '')) this.sink(f, line);
        line++;
        i = nl + 1;
        continue;
      }
      const end = this.slowRecord(text, i, line, final);
      if (end < 0) break;
      line = this.line;
      i = end;
    }
    this.line = line;
    return Math.min(i, n);
  }

  /**
   * Reads one record starting at `start` (on file line `line`) character by character: quoted fields, lone CRs.
   * Returns the index after its line break and sets `this.line` to the next record's line; -1 when the record
   * is not complete in `text` and more input may follow.
   */
  private slowRecord(text: string, start: number, line: number, final: boolean): number {
    const n = text.length;
    const d = this.delimiter;
    const fields = this.fields;
    const recLine = line;
    fields.length = 0;
    let i = start;
    for (;;) {
      let j = i;
      while (j < n && (text.charCodeAt(j) === SPACE || (text.charCodeAt(j) === TAB && d !== TAB))) j++;
      let value: string;
      let c: number;
      if (j < n && text.charCodeAt(j) === QUOTE) {
        const openLine = line;
        let k = j + 1;
        let parts = '';
        let from = k;
        for (;;) {
          if (k >= n) {
            if (!final) return -1;
            throw new QuantlabError('PARSE_ERROR', `${this.file} line ${openLine}: a quoted field is never closed (expected a closing '"' before the end of the file)`);
          }
          c = text.charCodeAt(k);
          if (c === QUOTE) {
            if (k + 1 < n && text.charCodeAt(k + 1) === QUOTE) {
              parts += text.slice(from, k + 1);
              k += 2;
              from = k;
              continue;
            }
            if (k + 1 >= n && !final) return -1; // cannot tell '"' from '""' yet
            break;
          }
          if (c === LF || (c === CR && text.charCodeAt(k + 1) !== LF)) line++;
          k++;
        }
        value = parts + text.slice(from, k);
        k++;
        while (k < n && (text.charCodeAt(k) === SPACE || (text.charCodeAt(k) === TAB && d !== TAB))) k++;
        if (k < n) {
          c = text.charCodeAt(k);
          if (c !== d && c !== LF && c !== CR) {
            throw new QuantlabError('PARSE_ERROR', `${this.file} line ${line}: unexpected text after the closing quote of ${quoted(value, 30)}: ${quoted(text.slice(k, k + 20), 20)} (expected a delimiter or the end of the line)`);
          }
        }
        i = k;
      } else {
        let k = i;
        while (k < n) {
          c = text.charCodeAt(k);
          if (c === d || c === LF || c === CR) break;
          if (c === QUOTE) {
            const e = text.indexOf('\n', k);
            throw new QuantlabError('PARSE_ERROR', `${this.file} line ${line}: a '"' inside an unquoted field: ${quoted(text.slice(i, Math.min(e < 0 ? n : e, k + 20)), 40)} (expected quotes only around a whole field, and "" for a quote inside one)`);
          }
          k++;
        }
        value = text.slice(i, k);
        i = k;
      }
      fields.push(value);
      if (i >= n) {
        if (!final) return -1;
        this.emit(recLine);
        this.line = line;
        return n;
      }
      c = text.charCodeAt(i);
      if (c === d) {
        i++;
        if (i >= n) {
          if (!final) return -1;
          fields.push('');
          this.emit(recLine);
          this.line = line;
          return n;
        }
        continue;
      }
      // end of record: CRLF, LF or CR
      if (c === CR && i + 1 >= n && !final) return -1; // a CR at the chunk's end may be half of CRLF
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      this.emit(recLine);
      this.line = line + 1;
      return i;
    }
  }

  private emit(line: number): void {
    const f = this.fields;
    if (f.length === 1 && f[0]!.trim() === '') return; // a blank line
    this.sink(f, line);
  }
}

/** The delimiter of a CSV: whichever of , ; and tab occurs most often outside quotes in the first line (',' when none). */
export function detectDelimiter(text: string): number {
  let comma = 0, semi = 0, tab = 0, inQ = false;
  const end = Math.min(text.length, MAX_RECORD_CHARS);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) inQ = !inQ;
    else if (inQ) continue;
    else if (c === LF || c === CR) {
      if (comma + semi + tab > 0) break; // the first line with any delimiter decides (skips leading blank lines)
    } else if (c === 44) comma++;
    else if (c === 59) semi++;
    else if (c === TAB) tab++;
  }
  return semi > comma && semi >= tab ? 59 : tab > comma && tab > semi ? TAB : 44;
}
