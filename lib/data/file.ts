import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { QuantlabError } from '../core';
import { excerpt } from './excerpt';

/** A data file's path as printed in messages (control characters escaped). */
export const shownPath = (path: string): string => excerpt(path, 300);

/**
 * Checks that `path` is a regular, readable, non-empty file and returns its size. Throws NOT_FOUND (no such
 * file), IO_ERROR (a directory, a device or pipe, no permission) or EMPTY_FILE, each naming the file.
 */
export function statDataFile(path: string): number {
  const shown = shownPath(path);
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new QuantlabError('NOT_FOUND', `${shown}: no such file`);
    throw ioError(path, e);
  }
  if (st.isDirectory()) throw new QuantlabError('IO_ERROR', `${shown}: is a directory; expected a CSV, JSON or Parquet file`);
  if (!st.isFile()) throw new QuantlabError('IO_ERROR', `${shown}: not a regular file (a device, pipe or socket); expected a CSV, JSON or Parquet file`);
  if (st.size === 0) throw new QuantlabError('EMPTY_FILE', `${shown}: the file is empty`);
  return st.size;
}

/** IO_ERROR naming the file and the system's reason (EACCES → permission denied). */
export function ioError(path: string, e: unknown): QuantlabError {
  const err = e as NodeJS.ErrnoException;
  const why = err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied' : err.code === 'EISDIR' ? 'is a directory' : excerpt(err.message ?? String(e), 120);
  return new QuantlabError('IO_ERROR', `${shownPath(path)}: cannot read the file (${why})`);
}

/** Reads the whole file (for formats that are parsed whole); IO_ERROR on failure. */
export function readWhole(path: string): Buffer {
  try {
    const { readFileSync } = require('node:fs') as typeof import('node:fs');
    return readFileSync(path);
  } catch (e) {
    if (e instanceof RangeError || (e as NodeJS.ErrnoException).code === 'ERR_FS_FILE_TOO_LARGE') {
      throw new QuantlabError('TOO_LARGE', `${shownPath(path)}: too large to read into memory at once (${excerpt((e as Error).message, 100)})`);
    }
    throw ioError(path, e);
  }
}

/**
 * Calls `onChunk` with the file's bytes, `chunkBytes` at a time (the buffer is reused: consume it before
 * returning). IO_ERROR when reading fails.
 */
export function readChunks(path: string, chunkBytes: number, onChunk: (bytes: Uint8Array, offset: number) => void): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw ioError(path, e);
  }
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    let offset = 0;
    for (;;) {
      let got: number;
      try {
        got = readSync(fd, buf, 0, chunkBytes, offset);
      } catch (e) {
        throw ioError(path, e);
      }
      if (got === 0) break;
      onChunk(buf.subarray(0, got), offset);
      offset += got;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Refuses bytes that are not UTF-8 text: a NUL byte or invalid UTF-8 in the first KB, a UTF-16 BOM, or the
 * signature of a known binary format (Parquet, gzip, zip, bzip2, zstd, xz, 7z). Throws NOT_TEXT naming the
 * file, the byte offset and what the start looks like (escaped).
 */
export function refuseBinary(head: Uint8Array, path: string, expected: string): void {
  const shown = shownPath(path);
  const sig = signature(head);
  if (sig) throw new QuantlabError('NOT_TEXT', `${shown}: not a text ${expected}: it starts like ${sig}${sig.startsWith('Parquet') ? ' (name it .parquet to read it as Parquet)' : ''}`);
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new QuantlabError('NOT_TEXT', `${shown}: UTF-16 text (byte-order mark ${head[0]!.toString(16)} ${head[1]!.toString(16)}); expected a UTF-8 ${expected}`);
  }
  const n = Math.min(head.length, 1024);
  const nul = head.subarray(0, n).indexOf(0);
  if (nul >= 0) throw new QuantlabError('NOT_TEXT', `${shown}: not a text ${expected}: byte ${nul} is NUL (binary data); the file starts with ${preview(head)}`);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, n), { stream: true }); // a character cut at byte n is fine
  } catch {
    throw new QuantlabError('NOT_TEXT', `${shown}: not a text ${expected}: invalid UTF-8 in the first ${n} bytes; the file starts with ${preview(head)}`);
  }
}

/** The first bytes of a file, printable ASCII as is and every other byte as \xNN (40 bytes at most). */
export function preview(bytes: Uint8Array): string {
  let s = '';
  const m = Math.min(bytes.length, 40);
  for (let i = 0; i < m; i++) {
    const b = bytes[i]!;
    s += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `'${s}'${bytes.length > m ? '…' : ''}`;
}

function signature(b: Uint8Array): string | undefined {
  const at = (...xs: number[]) => xs.every((x, i) => b[i] === x);
  if (at(0x50, 0x41, 0x52, 0x31)) return 'Parquet (PAR1)';
  if (at(0x1f, 0x8b)) return 'gzip-compressed data (decompress it first)';
  if (at(0x50, 0x4b, 0x03, 0x04)) return 'a zip archive (xlsx files are zip too)';
  if (at(0x42, 0x5a, 0x68)) return 'bzip2-compressed data (decompress it first)';
  if (at(0x28, 0xb5, 0x2f, 0xfd)) return 'zstd-compressed data (decompress it first)';
  if (at(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return 'xz-compressed data (decompress it first)';
  if (at(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c)) return 'a 7z archive';
  return undefined;
}
